//! A document's view: its metadata, its sections of blocks (and, for a document built per
//! unit, the unit's own sections), a summary of task statuses, the locale's words and the
//! provenance appendix. One shape for every document; templates decide the look.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::Value;
use serde::Serialize;

use crate::load::SourceFile;
use crate::locale::Locale;
use crate::model::TaskStatus;
use crate::model::content::{Block, DocumentNumbering, Section, SectionNumbers, Text};
use crate::model::document::{DocumentModel, UnitModel};
use crate::norsk as format;

use super::blocks::{BlockContext, BlockView, TaskView, blocks_view};
use super::figures::Figures;
use super::prose::prose_value;
use super::rows::RowContext;
use super::{DateParts, ProvenanceView};

/// What a document template sees.
#[derive(Debug, Serialize)]
pub struct DocumentView {
    pub(crate) document: Meta,
    /// The common sections in narrative order.
    pub(crate) sections: Vec<SectionView>,
    /// The same sections by `id`, for templates that place them by name
    /// ([`SectionsById`]: a missing one is told with the narrative's name).
    pub(crate) section: Value,
    /// The unit this output is for (a sector's chapter, a department's letter).
    pub(crate) unit: Option<UnitView>,
    /// Every unit, for a combined volume or an overview.
    pub(crate) units: Vec<UnitView>,
    /// How many tasks have each status, over everything the output prints.
    pub(crate) status_summary: Vec<StatusCount>,
    /// The sections that hold tasks, with their tasks, for an overview table.
    pub(crate) task_groups: Vec<TaskGroup>,
    /// The locale's words (`labels.table.target`).
    pub(crate) labels: serde_json::Value,
    /// The "Datagrunnlag" appendix: the input files, and every printed figure and where it
    /// came from (listed by the render stage, which sees what the template prints).
    pub provenance: ProvenanceView,
}

#[derive(Debug, Serialize)]
pub(crate) struct Meta {
    pub(crate) title: String,
    /// The short title for the PDF's title and footer; the title when not given.
    pub(crate) short_title: String,
    pub(crate) subtitle: Option<String>,
    /// What one unit is called (`Kommunalsjefområde`).
    pub(crate) unit_title: Option<String>,
    pub(crate) municipality: String,
    pub(crate) author: String,
    pub(crate) subject: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) language: String,
    pub(crate) year: i32,
    /// `01.04.2018–31.03.2019`, when the narrative gives a period.
    pub(crate) period: Option<String>,
    pub(crate) date: DateParts,
    pub(crate) date_text: String,
    /// `17.12.2021`, as a letterhead prints it.
    pub(crate) date_numeric: String,
    pub(crate) fields: Vec<FieldView>,
    /// Where chapter numbers start, how deep headings are numbered, how captions count.
    pub(crate) numbering: DocumentNumbering,
}

#[derive(Debug, Serialize)]
pub(crate) struct FieldView {
    pub(crate) label: String,
    pub(crate) value: Value,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SectionView {
    pub(crate) id: Option<String>,
    pub(crate) number: Option<u32>,
    pub(crate) title: Option<Value>,
    pub(crate) blocks: Vec<BlockView>,
    pub(crate) sections: Vec<SectionView>,
    /// The section's own heading number and numbering depth, if it sets them.
    pub(crate) numbering: Option<SectionNumbers>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnitView {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) sections: Vec<SectionView>,
    pub(crate) section: Value,
}

#[derive(Debug, Serialize)]
pub(crate) struct StatusCount {
    pub(crate) key: &'static str,
    pub(crate) text: String,
    pub(crate) count: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct TaskGroup {
    pub(crate) number: Option<u32>,
    pub(crate) title: Option<Value>,
    pub(crate) tasks: Vec<TaskView>,
}

/// Which output of the document the view is for.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// One unit's PDF (the only unit, for a single document).
    Unit(usize),
    /// Every unit in one PDF (a combined volume or an overview).
    All,
}

/// Builds the view of one output of a checked document. `inputs` are the files it was built
/// from, in the order the appendix lists them; `slugs` name the units in file names.
pub fn view(
    model: &DocumentModel,
    part: Part,
    inputs: &[Arc<SourceFile>],
    language: &str,
    locale: &Locale,
    municipality: Option<&str>,
    slugs: &[String],
) -> DocumentView {
    let outputs = Output {
        model,
        part,
        locale,
        slugs,
    };
    // The common text prints the figures of the unit the output is for (the first, in a volume).
    let main_unit = match part {
        Part::Unit(i) => &model.units[i],
        Part::All => &model.units[0],
    };
    let common_figures = outputs.figures(main_unit, vec![&model.content.footnotes]);
    let common_rows = outputs.rows(match part {
        Part::Unit(i) => model.units[i].name.as_deref(),
        Part::All => None,
    });
    let common = BlockContext {
        resolve: &common_figures,
        figures: Some(&common_figures),
        locale,
        rows: &common_rows,
    };
    let sections: Vec<SectionView> = sections_view(&model.content.sections, &common);
    let (unit, units) = match part {
        Part::Unit(i) => (outputs.unit(i), Vec::new()),
        Part::All => (
            None,
            (0..model.units.len())
                .filter_map(|i| outputs.unit(i))
                .collect(),
        ),
    };
    let mut task_groups = Vec::new();
    collect_task_groups(&sections, &mut task_groups);
    for u in unit.iter().chain(&units) {
        collect_task_groups(&u.sections, &mut task_groups);
    }
    DocumentView {
        document: meta(model, language, locale, municipality, &common_figures),
        section: SectionsById::value(&sections, &model.file),
        sections,
        unit,
        units,
        status_summary: status_summary(&task_groups, locale),
        task_groups,
        labels: locale.tree().clone(),
        provenance: ProvenanceView::of_files(inputs),
    }
}

/// What every part of one output's view is built with.
struct Output<'a> {
    model: &'a DocumentModel,
    part: Part,
    locale: &'a Locale,
    slugs: &'a [String],
}

impl<'a> Output<'a> {
    /// A unit's figures; in a volume of several units, named with the unit in the appendix.
    fn figures(
        &self,
        unit: &'a UnitModel,
        footnotes: Vec<&'a BTreeMap<String, Text>>,
    ) -> Figures<'a> {
        let named = match self.part {
            Part::All if self.model.units.len() > 1 => unit.name.as_deref(),
            _ => None,
        };
        let year = self.model.content.info.year;
        Figures::new(&unit.kpis, year, named, self.locale, footnotes)
    }

    fn rows(&'a self, unit: Option<&'a str>) -> RowContext<'a> {
        RowContext {
            unit,
            units: &self.model.unit_names,
            broken: &self.model.rows.broken,
            year: self.model.content.info.year,
        }
    }

    /// The unit's own sections, written in its own narrative.
    fn unit(&self, index: usize) -> Option<UnitView> {
        let model = self.model;
        let unit = &model.units[index];
        let name = unit.name.clone()?;
        let mut notes = vec![&model.content.footnotes];
        let (file, own) = match &unit.own {
            Some(own) => {
                notes.insert(0, &own.footnotes);
                (own.file.as_path(), Some(own))
            }
            None => (model.file.as_path(), None),
        };
        let figures = self.figures(unit, notes);
        let rows = self.rows(unit.name.as_deref());
        let context = BlockContext {
            resolve: &figures,
            figures: Some(&figures),
            locale: self.locale,
            rows: &rows,
        };
        let sections = own.map_or(Vec::new(), |own| sections_view(&own.sections, &context));
        Some(UnitView {
            name,
            slug: self.slugs.get(index).cloned().unwrap_or_default(),
            section: SectionsById::value(&sections, file),
            sections,
        })
    }
}

/// How many tasks have each status.
fn status_summary(task_groups: &[TaskGroup], locale: &Locale) -> Vec<StatusCount> {
    TaskStatus::ALL
        .into_iter()
        .map(|status| StatusCount {
            key: status.key(),
            text: locale.text("task_status", status.key()),
            count: task_groups
                .iter()
                .flat_map(|g| &g.tasks)
                .filter(|t| t.status_key == status.key())
                .count(),
        })
        .collect()
}

/// The document's metadata. Its date: as written, else the first signature's, else the end
/// of the report year.
fn meta(
    model: &DocumentModel,
    language: &str,
    locale: &Locale,
    municipality: Option<&str>,
    figures: &Figures,
) -> Meta {
    let doc = &model.content.info;
    let year = doc.year;
    let signed = model.content.blocks().into_iter().find_map(|b| match b {
        Block::Signature(s) => Some(s.date),
        _ => None,
    });
    let date = doc.date.or(signed);
    let period = doc
        .period
        .map(|(from, to)| format!("{}–{}", format::short_date(from), format::short_date(to)));
    Meta {
        title: doc.title.clone(),
        short_title: doc.short_title.clone().unwrap_or_else(|| doc.title.clone()),
        subtitle: doc.subtitle.clone(),
        unit_title: doc.unit_title.clone(),
        municipality: doc
            .municipality
            .clone()
            .or(municipality.map(str::to_string))
            .unwrap_or_default(),
        author: doc.author.clone(),
        subject: doc.subject.clone(),
        keywords: doc.keywords.clone(),
        language: language.to_string(),
        year,
        period,
        date: date.map_or(
            DateParts {
                year,
                month: 12,
                day: 31,
            },
            DateParts::from,
        ),
        date_text: date
            .map(|d| format::long_date_in(d, &locale.months()))
            .unwrap_or_default(),
        date_numeric: date.map(format::short_date).unwrap_or_default(),
        fields: doc
            .fields
            .iter()
            .map(|(label, value)| FieldView {
                label: label.clone(),
                value: prose_value(value, figures),
            })
            .collect(),
        numbering: doc.numbering,
    }
}

fn sections_view(sections: &[Section], context: &BlockContext) -> Vec<SectionView> {
    sections
        .iter()
        .map(|s| SectionView {
            id: s.id.clone(),
            number: s.number,
            title: s
                .title
                .as_ref()
                .map(|t: &Text| prose_value(t, context.resolve)),
            blocks: blocks_view(&s.blocks, context, s.number),
            sections: sections_view(&s.sections, context),
            numbering: s.numbering,
        })
        .collect()
}

/// A narrative's sections by `id` as templates see them (`section.innledning`). A template
/// asking for an id the narrative does not have gets an undefined value, as for any missing
/// name; the render stage finds this object on the failing expression's path and names the
/// id and the narrative's file in its message.
#[derive(Debug)]
pub struct SectionsById {
    sections: BTreeMap<String, Value>,
    narrative: String,
}

impl SectionsById {
    fn value(sections: &[SectionView], narrative: &std::path::Path) -> Value {
        Value::from_object(SectionsById {
            sections: by_id(sections)
                .into_iter()
                .map(|(id, s)| (id, Value::from(minijinja::value::Serde(s))))
                .collect(),
            narrative: narrative.display().to_string(),
        })
    }

    /// The narrative file the sections are written in.
    pub fn narrative(&self) -> &str {
        &self.narrative
    }
}

impl minijinja::value::Object for SectionsById {
    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.sections.get(key.as_str()?).cloned()
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(
            self.sections
                .keys()
                .map(|k| Value::from(k.as_str()))
                .collect(),
        )
    }
}

fn by_id(sections: &[SectionView]) -> BTreeMap<String, SectionView> {
    let mut map = BTreeMap::new();
    for s in sections {
        if let Some(id) = &s.id {
            map.insert(id.clone(), s.clone());
        }
        map.extend(by_id(&s.sections));
    }
    map
}

fn collect_task_groups(sections: &[SectionView], groups: &mut Vec<TaskGroup>) {
    for s in sections {
        let tasks: Vec<TaskView> = s
            .blocks
            .iter()
            .filter_map(|b| match b {
                BlockView::Tasks { tasks } => Some(tasks.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        if !tasks.is_empty() {
            groups.push(TaskGroup {
                number: s.number,
                title: s.title.clone(),
                tasks,
            });
        }
        collect_task_groups(&s.sections, groups);
    }
}
