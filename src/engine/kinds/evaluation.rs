//! The evaluation kind: one PDF from a narrative, the run's KPI definitions and data sources.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::ingest::ReadOptions;
use crate::load::{SourceCache, SourceFile};
use crate::model::evaluation::{EvaluationModel, check};
use crate::model::kpi::{KpiDefinitions, definitions};
use crate::project::{DataSource, DocumentSpec, Project};
use crate::view::evaluation::{EvaluationView, view};

use super::{Context, DocumentKind, provenance_facts, table};
use crate::engine::report::Fact;

pub(super) struct Evaluation {
    spec: DocumentSpec,
    data: Vec<DataSource>,
}

impl Evaluation {
    pub(super) fn new(spec: &DocumentSpec, data: &[DataSource]) -> Evaluation {
        Evaluation {
            spec: spec.clone(),
            data: data.to_vec(),
        }
    }
}

/// The KPI definitions, parsed once per run and shared by every evaluation.
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

/// A checked evaluation and the files it was made from, in the appendix's order.
pub(super) struct Checked {
    model: EvaluationModel,
    sources: Vec<Arc<SourceFile>>,
}

impl DocumentKind for Evaluation {
    type Model = Checked;
    type Part = ();
    type View = EvaluationView;

    fn inputs(&self, project: &Project) -> Vec<PathBuf> {
        let mut paths = vec![self.spec.narrative.clone(), project.kpi_definitions.clone()];
        paths.extend(self.data.iter().map(|d| d.path.clone()));
        paths
    }

    fn outputs(&self, _: &Context) -> Result<Vec<(String, ())>, Diagnostics> {
        Ok(vec![(String::new(), ())])
    }

    fn model(&self, context: &Context) -> (Option<Checked>, Diagnostics) {
        let run = context.definitions();
        let mut problems = run.unreadable.clone();
        let mut sources: Vec<Arc<SourceFile>> = run.source.iter().cloned().collect();
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
        let (model, found) = check(&run.definitions, &tables, &narrative);
        problems.extend(found);
        (model.map(|model| Checked { model, sources }), problems)
    }

    fn sources(&self, checked: &Checked) -> Vec<Arc<SourceFile>> {
        checked.sources.clone()
    }

    fn view(
        &self,
        checked: &Checked,
        _: &(),
        context: &Context,
        _: &mut Diagnostics,
    ) -> Option<EvaluationView> {
        Some(view(
            &checked.model,
            &checked.sources,
            &context.project.language,
        ))
    }

    fn template(&self, _: &()) -> String {
        self.spec.template.clone()
    }

    /// Its printed figures and every task's status.
    fn facts(&self, view: &EvaluationView) -> BTreeMap<String, Fact> {
        let mut facts = provenance_facts(&view.provenance);
        for task in view.goals.iter().flat_map(|g| &g.tasks) {
            facts.insert(
                format!("status {}", task.id),
                Fact {
                    label: format!("Status for oppgave {} ({})", task.number, task.id),
                    value: task.status_text.to_string(),
                    origin: task.status_origin.clone(),
                },
            );
        }
        facts
    }
}
