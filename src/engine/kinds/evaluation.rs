//! The evaluation kind: one PDF from a narrative, the KPI definitions and the data sources.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::load::SourceFile;
use crate::project::{DataSource, DocumentSpec, Project};
use crate::validate::{ValidDocument, consistency, evaluation as validate};
use crate::view::evaluation::{EvaluationView, evaluation as view};

use super::{Context, DocumentKind, provenance_facts};
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

impl DocumentKind for Evaluation {
    type Model = ValidDocument;
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

    fn model(&self, context: &Context) -> (Option<ValidDocument>, Diagnostics) {
        let (valid, mut problems) = validate::document(context.project, &self.spec, &self.data);
        if let Some(valid) = &valid {
            problems.extend(consistency::lint(valid));
        }
        (valid, problems)
    }

    fn sources(&self, model: &ValidDocument, context: &Context) -> Vec<Arc<SourceFile>> {
        model
            .inputs
            .iter()
            .filter_map(|input| context.cache.read(&input.path).ok())
            .collect()
    }

    fn view(
        &self,
        model: &ValidDocument,
        _: &(),
        context: &Context,
        _: &mut Diagnostics,
    ) -> Option<EvaluationView> {
        Some(view(model, &context.project.language))
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
