//! The report kind, for every document that is a narrative of sections and blocks with KPI
//! data: one PDF, or one per unit (the values of a table column: sectors, departments,
//! schools) and optionally a combined volume of all units. A new kind of document is a
//! template and a narrative; nothing here knows one.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::{ReadOptions, Table};
use crate::load::{SourceCache, SourceFile};
use crate::model::document::{DocumentModel, UnitInputs, check};
use crate::model::kpi::{KpiDefinitions, definitions};
use crate::norsk::slug;
use crate::project::{DataSource, DocumentSpec, PerUnit, Project};
use crate::view::document::{DocumentView, Part, view};

use super::{Context, DocumentKind, provenance_facts, table};
use crate::engine::report::Fact;

pub(super) struct Report {
    spec: DocumentSpec,
    data: Vec<DataSource>,
    per_unit: Option<Box<PerUnit>>,
    combined: Option<String>,
    overview: Option<String>,
    /// Tables `assignments` and `calendar` blocks may read, besides the per-unit source.
    tables: Vec<DataSource>,
    /// The units as planned, so the model is built for exactly the outputs planned.
    planned_units: Mutex<Vec<String>>,
}

impl Report {
    pub(super) fn new(
        spec: &DocumentSpec,
        data: &[DataSource],
        per_unit: &Option<Box<PerUnit>>,
        combined: &Option<String>,
        overview: &Option<String>,
        tables: &[DataSource],
    ) -> Report {
        Report {
            spec: spec.clone(),
            data: data.to_vec(),
            per_unit: per_unit.clone(),
            combined: combined.clone(),
            overview: overview.clone(),
            tables: tables.to_vec(),
            planned_units: Mutex::new(Vec::new()),
        }
    }

    fn units(&self) -> Vec<String> {
        self.planned_units
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The KPI definitions, parsed once per run and shared by every document.
pub(crate) struct RunDefinitions {
    definitions: KpiDefinitions,
    /// The file as read, for provenance (`None`: it could not be read).
    source: Option<Arc<SourceFile>>,
    /// Why the file could not be read or parsed as a table.
    unreadable: Diagnostics,
}

impl RunDefinitions {
    pub(crate) fn read(project: &Project, cache: &SourceCache) -> RunDefinitions {
        let mut unreadable = Diagnostics::default();
        let mut sources = Vec::new();
        let table = table(
            cache,
            &project.kpi_definitions,
            &ReadOptions::default(),
            &mut sources,
            &mut unreadable,
        );
        RunDefinitions {
            definitions: definitions(table),
            source: sources.pop(),
            unreadable,
        }
    }
}

/// One output of a document: the whole (or one unit's PDF), the combined volume, the overview.
#[derive(Debug, Clone, Copy)]
pub(super) enum Output {
    Unit(usize),
    Combined,
    Overview,
}

impl Output {
    fn part(self) -> Part {
        match self {
            Output::Unit(i) => Part::Unit(i),
            Output::Combined | Output::Overview => Part::All,
        }
    }
}

/// The name of the overview's file below the document's folder.
const OVERVIEW: &str = "oversikt";

/// A checked document and the files it was made from, in the appendix's order.
pub(super) struct Checked {
    model: DocumentModel,
    sources: Vec<Arc<SourceFile>>,
    slugs: Vec<String>,
}

impl DocumentKind for Report {
    type Model = Checked;
    type Part = Output;
    type View = DocumentView;

    fn inputs(&self, project: &Project) -> Vec<PathBuf> {
        let mut paths = vec![self.spec.narrative.clone(), project.kpi_definitions.clone()];
        paths.extend(self.data.iter().map(|d| d.path.clone()));
        paths.extend(self.tables.iter().map(|d| d.path.clone()));
        if let Some(per) = &self.per_unit {
            paths.push(per.source.path.clone());
            if let Some(folder) = &per.narratives
                && let Ok(entries) = std::fs::read_dir(folder)
            {
                let mut files: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                    .collect();
                files.sort();
                paths.extend(files);
            }
        }
        paths.extend(project.locale_file());
        paths.extend(project.branding.files());
        paths
    }

    /// One output, or one per unit in the order the table first names them and the combined
    /// volume.
    fn outputs(&self, context: &Context) -> Result<Vec<(String, Output)>, Diagnostics> {
        let Some(per) = &self.per_unit else {
            return Ok(vec![(String::new(), Output::Unit(0))]);
        };
        let mut problems = Diagnostics::default();
        let read = table(
            context.cache,
            &per.source.path,
            &per.source.read,
            &mut Vec::new(),
            &mut problems,
        );
        let Some(mut table) = read else {
            return Err(problems);
        };
        let Some(units) = crate::model::units(&mut table, &per.column) else {
            problems.push(
                Diagnostic::error(
                    table.header_origin.clone(),
                    format!(
                        "no column \"{}\" in the header, so the document cannot be made per unit (found: {})",
                        per.column,
                        table.header_names().join(", ")
                    ),
                )
                .with_hint(format!(
                    "name the column of units in the manifest (per_unit: column:), as {} writes it",
                    per.source.path.display()
                )),
            );
            return Err(problems);
        };
        if units.is_empty() {
            problems.push(
                Diagnostic::error(
                    table.header_origin.clone(),
                    format!("the column \"{}\" names no unit", per.column),
                )
                .with_hint("fill in the unit of every row"),
            );
            return Err(problems);
        }
        for unit in &units {
            let name = slug(unit);
            if name.is_empty() || (self.overview.is_some() && name == OVERVIEW) {
                problems.push(
                    Diagnostic::error(
                        table.header_origin.clone(),
                        format!("the unit \"{unit}\" has no usable file name"),
                    )
                    .with_hint("give the unit a name with letters or digits"),
                );
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        let mut outputs: Vec<(String, Output)> = units
            .iter()
            .enumerate()
            .map(|(i, unit)| (slug(unit), Output::Unit(i)))
            .collect();
        if self.overview.is_some() {
            outputs.push((OVERVIEW.to_string(), Output::Overview));
        }
        if self.combined.is_some() {
            outputs.push((String::new(), Output::Combined));
        }
        *self
            .planned_units
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = units;
        Ok(outputs)
    }

    fn model(&self, context: &Context) -> (Option<Checked>, Diagnostics) {
        let run = context.definitions();
        let mut problems = run.unreadable.clone();
        // The definitions are listed in the appendix of a document with KPI data only.
        let mut sources: Vec<Arc<SourceFile>> = run
            .source
            .iter()
            .filter(|_| !self.data.is_empty())
            .cloned()
            .collect();
        let mut tables = Vec::new();
        for data in &self.data {
            let table = table(
                context.cache,
                &data.path,
                &data.read,
                &mut sources,
                &mut problems,
            );
            tables.push((data, table));
        }
        let narrative = context
            .cache
            .read(&self.spec.narrative)
            .map_err(|d| problems.push(d))
            .ok();
        let Some(narrative) = narrative else {
            return (None, problems);
        };
        sources.push(Arc::clone(&narrative));
        let names = self.units();
        let slugs: Vec<String> = names.iter().map(|n| slug(n)).collect();
        // Tables blocks read as rows: read when a block first names one, then kept.
        let row_sources: Vec<&DataSource> = self
            .per_unit
            .iter()
            .map(|p| &p.source)
            .chain(&self.tables)
            .collect();
        let read_tables: RefCell<BTreeMap<String, Option<Table>>> = RefCell::default();
        let read_sources: RefCell<Vec<Arc<SourceFile>>> = RefCell::default();
        let read_problems: RefCell<Diagnostics> = RefCell::default();
        let lookup = |id: &str| -> Result<Option<Table>, Vec<String>> {
            let Some(source) = row_sources.iter().find(|s| s.id == id) else {
                return Err(row_sources.iter().map(|s| s.id.clone()).collect());
            };
            let mut tables = read_tables.borrow_mut();
            let table = tables.entry(id.to_string()).or_insert_with(|| {
                let mut problems = read_problems.borrow_mut();
                let mut table = table(
                    context.cache,
                    &source.path,
                    &source.read,
                    &mut read_sources.borrow_mut(),
                    &mut problems,
                )?;
                for warning in std::mem::take(&mut table.warnings) {
                    problems.push(warning);
                }
                Some(table)
            });
            Ok(table.clone())
        };
        let units = match &self.per_unit {
            None => UnitInputs::single(),
            Some(per) => UnitInputs {
                column: Some(per.column.as_str()),
                source: Some(per.source.id.as_str()),
                units: names
                    .iter()
                    .zip(&slugs)
                    .map(|(name, slug)| {
                        let own = per
                            .narratives
                            .as_ref()
                            .map(|folder| folder.join(format!("{slug}.yaml")))
                            .filter(|path| path.is_file())
                            .and_then(|path| {
                                context.cache.read(&path).map_err(|d| problems.push(d)).ok()
                            });
                        if let Some(file) = &own {
                            sources.push(Arc::clone(file));
                        }
                        (Some(name.clone()), own)
                    })
                    .collect(),
            },
        };
        let (model, found) = check(&run.definitions, &tables, &narrative, &units, &lookup);
        problems.extend(read_problems.take());
        problems.extend(found);
        for source in read_sources.take() {
            if !sources.iter().any(|s| s.path == source.path) {
                sources.push(source);
            }
        }
        (
            model.map(|model| Checked {
                model,
                sources,
                slugs,
            }),
            problems,
        )
    }

    fn sources(&self, checked: &Checked) -> Vec<Arc<SourceFile>> {
        checked.sources.clone()
    }

    fn view(
        &self,
        checked: &Checked,
        output: &Output,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<DocumentView> {
        let rows = &checked.model.rows;
        match output {
            Output::Unit(i) => {
                let name = self.units().get(*i).cloned().unwrap_or_default();
                for d in rows.by_unit.get(&name).into_iter().flatten() {
                    problems.push(d.clone());
                }
                if rows.broken.contains(&name) {
                    problems.push(Diagnostic::error(
                        None,
                        format!("rows of \"{name}\" have errors; its PDF was not written (an earlier one is kept)"),
                    ));
                    return None;
                }
            }
            Output::Combined | Output::Overview => {
                if !rows.broken.is_empty() {
                    problems.push(Diagnostic::error(
                        None,
                        "some units' rows have errors; this PDF of every unit would be incomplete",
                    ));
                    return None;
                }
            }
        }
        let locale = context
            .locale()
            .map_err(|d| problems.push(d.clone()))
            .ok()?;
        Some(view(
            &checked.model,
            output.part(),
            &checked.sources,
            &context.project.language,
            locale,
            context.project.branding.name.as_deref(),
            &checked.slugs,
        ))
    }

    fn template(&self, output: &Output) -> String {
        match (output, &self.combined, &self.overview) {
            (Output::Combined, Some(combined), _) => combined.clone(),
            (Output::Overview, _, Some(overview)) => overview.clone(),
            _ => self.spec.template.clone(),
        }
    }

    /// Its printed figures and every task's status.
    fn facts(&self, view: &DocumentView) -> BTreeMap<String, Fact> {
        let mut facts = provenance_facts(&view.provenance);
        for task in view.task_groups.iter().flat_map(|g| &g.tasks) {
            facts.insert(
                format!("status {}", task.id),
                Fact {
                    label: format!("Status for oppgave {} ({})", task.number, task.id),
                    value: task.status_text.clone(),
                    origin: task.status_origin.clone(),
                },
            );
        }
        facts
    }
}
