//! The report kind, for every document that is a narrative of sections and blocks with KPI
//! data: one PDF, or one per unit (the values of a table column: sectors, departments,
//! schools) and optionally a combined volume of all units. A new kind of document is a
//! template and a narrative; nothing here knows one.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::SourceCache;
use crate::model::{LoadedDocument, Units, load_document, load_unacknowledged};
use crate::project::{DocumentSpec, PerUnit, Project};
use crate::view::document::{DocumentView, Part, view};

use super::{Context, DocumentKind, provenance_facts};
use crate::engine::facts::Fact;

pub(super) struct Report {
    spec: DocumentSpec,
    per_unit: Option<Box<PerUnit>>,
    combined: Option<String>,
    overview: Option<String>,
}

impl Report {
    pub(super) fn new(
        spec: &DocumentSpec,
        per_unit: &Option<Box<PerUnit>>,
        combined: &Option<String>,
        overview: &Option<String>,
    ) -> Report {
        Report {
            spec: spec.clone(),
            per_unit: per_unit.clone(),
            combined: combined.clone(),
            overview: overview.clone(),
        }
    }

    /// The document loaded by `loader` for the units `building` needs.
    fn load(
        &self,
        context: &Context,
        units: &Units,
        building: &[&Output],
        loader: Loader,
    ) -> (Option<LoadedDocument>, Diagnostics) {
        // Units' PDFs alone (a shard, or the units whose inputs changed) need only their units;
        // an overview or a volume needs every unit.
        let only: Option<Vec<usize>> = building
            .iter()
            .map(|part| match part {
                Output::Unit(i) => Some(*i),
                Output::Combined | Output::Overview => None,
            })
            .collect();
        let (loaded, mut problems) = loader(
            &self.spec,
            context.cache,
            context.definitions(),
            units,
            only.as_deref(),
        );
        // Tables are checked for invisible format characters as they are read; narratives here
        // (and for words too long for a PDF).
        let narratives = loaded.iter().flat_map(|l| &l.sources).filter(|s| {
            s.path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml")
        });
        for found in narratives.flat_map(|s| crate::ingest::controls::in_text_file(s)) {
            problems.push(found);
        }
        (loaded, problems)
    }
}

/// [`load_document`], or [`load_unacknowledged`] for a verdict over groups of units.
type Loader = fn(
    &DocumentSpec,
    &SourceCache,
    &crate::model::RunDefinitions,
    &Units,
    Option<&[usize]>,
) -> (Option<LoadedDocument>, Diagnostics);

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

impl DocumentKind for Report {
    type Plan = Units;
    type Model = LoadedDocument;
    type Part = Output;

    fn inputs(&self, project: &Project, cache: &SourceCache) -> Vec<PathBuf> {
        let crate::project::DocumentKind::Report { data, tables, .. } = &self.spec.kind;
        let mut paths = vec![self.spec.narrative.clone(), project.kpi_definitions.clone()];
        paths.extend(data.iter().map(|d| d.path.clone()));
        paths.extend(tables.iter().map(|d| d.path.clone()));
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
        // The images the narratives' figures name (a narrative that cannot be read names none;
        // the build tells why).
        let narratives: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .cloned()
            .collect();
        for narrative in narratives {
            if let Ok(file) = cache.read(&narrative) {
                paths.extend(crate::model::figure_files(&file));
            }
        }
        paths.extend(project.locale_file());
        paths.extend(project.branding.files());
        paths
    }

    /// The units (none for a single document), read from the per-unit table once.
    fn plan(&self, context: &Context) -> Result<Units, Diagnostics> {
        let units = Units::plan(&self.spec, context.cache)?;
        let mut problems = Diagnostics::default();
        for (unit, name) in units.names.iter().zip(&units.slugs) {
            if name.is_empty() || (self.overview.is_some() && name == OVERVIEW) {
                problems.push(
                    Diagnostic::error(
                        units.origin(),
                        format!("the unit \"{unit}\" has no usable file name"),
                    )
                    .with_hint("give the unit a name with letters or digits"),
                );
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        Ok(units)
    }

    /// One output, or one per unit in the order the table first names them, the overview
    /// and the combined volume.
    fn outputs(&self, units: &Units) -> Vec<(String, Output)> {
        if self.per_unit.is_none() {
            return vec![(String::new(), Output::Unit(0))];
        }
        let mut outputs: Vec<(String, Output)> = units
            .slugs
            .iter()
            .enumerate()
            .map(|(i, slug)| (slug.clone(), Output::Unit(i)))
            .collect();
        if self.overview.is_some() {
            outputs.push((OVERVIEW.to_string(), Output::Overview));
        }
        if self.combined.is_some() {
            outputs.push((String::new(), Output::Combined));
        }
        outputs
    }

    fn model(
        &self,
        context: &Context,
        units: &Units,
        building: &[&Output],
    ) -> (Option<LoadedDocument>, Diagnostics) {
        self.load(context, units, building, load_document)
    }

    fn groupable(&self, output: &Output) -> bool {
        self.per_unit.is_some() && matches!(output, Output::Unit(_))
    }

    fn checked(
        &self,
        context: &Context,
        units: &Units,
        building: &[&Output],
    ) -> (Option<LoadedDocument>, Diagnostics) {
        self.load(context, units, building, load_unacknowledged)
    }

    fn acknowledgments(loaded: &LoadedDocument) -> Vec<crate::model::acknowledge::Acknowledgment> {
        loaded.model.acknowledgments.clone()
    }

    fn sources(&self, loaded: &LoadedDocument) -> Vec<std::sync::Arc<crate::load::SourceFile>> {
        loaded.sources.clone()
    }

    fn view(
        &self,
        loaded: &LoadedDocument,
        units: &Units,
        output: &Output,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<DocumentView> {
        let rows = &loaded.model.rows;
        // The view's positions are the model's: the plan's unit `i` where it was modelled.
        let mut part = output.part();
        match output {
            Output::Unit(i) => {
                let Some(index) = loaded.unit_index(*i) else {
                    problems.push(Diagnostic::error(None, "the unit was not modelled"));
                    return None;
                };
                part = Part::Unit(index);
                let name = units.names.get(*i).cloned().unwrap_or_default();
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
        let modelled_slugs: Vec<String>;
        let slugs = match &loaded.modelled {
            Some(modelled) => {
                modelled_slugs = modelled.iter().map(|&p| units.slugs[p].clone()).collect();
                &modelled_slugs
            }
            None => &units.slugs,
        };
        Some(view(
            &loaded.model,
            part,
            &loaded.sources,
            &context.project.language,
            locale,
            context.project.branding.name.as_deref(),
            slugs,
        ))
    }

    fn template(&self, output: &Output) -> String {
        match (output, &self.combined, &self.overview) {
            (Output::Combined, Some(combined), _) => combined.clone(),
            (Output::Overview, _, Some(overview)) => overview.clone(),
            _ => self.spec.template.clone(),
        }
    }

    fn rows_read(loaded: &LoadedDocument) -> usize {
        loaded.model.rows_read
    }

    fn units_modelled(loaded: &LoadedDocument) -> usize {
        // A single document has one unnamed unit: no unit of a per-unit document.
        match loaded.model.unit_names.is_empty() {
            true => 0,
            false => loaded.model.units.len(),
        }
    }

    fn shown_files(loaded: &LoadedDocument) -> super::ExtraFiles {
        crate::model::images_shown(&loaded.model)
            .into_iter()
            .map(|image| (image.typst_path.clone(), image.file.bytes.clone()))
            .collect()
    }

    fn acknowledged(loaded: &LoadedDocument) -> Vec<crate::model::acknowledge::Acknowledged> {
        loaded.acknowledged.clone()
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
