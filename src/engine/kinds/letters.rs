//! The letters kind: one assignment letter per department of a table, and an overview.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::SourceFile;
use crate::model::letter::slug;
use crate::project::{DataSource, DocumentSpec, Project};
use crate::validate::letters::{ValidLetters, letters as validate};
use crate::view::letter::{self as view, LetterView, OverviewView};

use super::{Context, DocumentKind, provenance_facts};
use crate::engine::report::Fact;

pub(super) struct Letters {
    spec: DocumentSpec,
    assignments: DataSource,
    departments: Option<PathBuf>,
    overview_template: String,
}

impl Letters {
    pub(super) fn new(
        spec: &DocumentSpec,
        assignments: &DataSource,
        departments: &Option<PathBuf>,
        overview_template: &str,
    ) -> Letters {
        Letters {
            spec: spec.clone(),
            assignments: assignments.clone(),
            departments: departments.clone(),
            overview_template: overview_template.to_string(),
        }
    }
}

pub(super) enum Part {
    Department(String),
    Overview,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
pub(super) enum LettersView {
    Letter(Box<LetterView>),
    Overview(Box<OverviewView>),
}

impl DocumentKind for Letters {
    type Model = ValidLetters;
    type Part = Part;
    type View = LettersView;

    fn inputs(&self, _: &Project) -> Vec<PathBuf> {
        let mut paths = vec![self.spec.narrative.clone(), self.assignments.path.clone()];
        paths.extend(self.departments.iter().cloned());
        paths
    }

    /// One letter per department, in the order the table first names them, then the overview.
    fn outputs(&self, context: &Context) -> Result<Vec<(String, Part)>, Diagnostics> {
        let (valid, problems) = self.model(context);
        let Some(letters) = valid else {
            let mut problems = problems;
            problems.push(Diagnostic::error(
                None,
                "the letters' common inputs have errors; no letter written",
            ));
            return Err(problems);
        };
        let mut outputs: Vec<(String, Part)> = letters
            .departments
            .iter()
            .map(|d| (slug(d), Part::Department(d.clone())))
            .collect();
        outputs.push(("oversikt".to_string(), Part::Overview));
        Ok(outputs)
    }

    fn model(&self, _: &Context) -> (Option<ValidLetters>, Diagnostics) {
        validate(&self.spec, &self.assignments, self.departments.as_deref())
    }

    fn sources(&self, model: &ValidLetters, context: &Context) -> Vec<Arc<SourceFile>> {
        model
            .inputs
            .iter()
            .filter_map(|input| context.cache.read(&input.path).ok())
            .collect()
    }

    fn view(
        &self,
        model: &ValidLetters,
        part: &Part,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<LettersView> {
        let language = &context.project.language;
        match part {
            Part::Department(department) => {
                for d in model.row_problems.get(department).into_iter().flatten() {
                    problems.push(d.clone());
                }
                let name = slug(department);
                if name.is_empty() || name == "oversikt" {
                    problems.push(Diagnostic::error(
                        None,
                        format!("department \"{department}\" has no usable file name"),
                    ));
                    return None;
                }
                if model.broken.contains(department) {
                    problems.push(Diagnostic::error(
                        None,
                        format!("rows of \"{department}\" have errors; its letter was not written (an earlier one is kept)"),
                    ));
                    return None;
                }
                Some(LettersView::Letter(Box::new(view::department_letter(
                    model, department, language,
                ))))
            }
            Part::Overview => {
                if !model.broken.is_empty() {
                    problems.push(Diagnostic::error(
                        None,
                        "some departments' rows have errors; the overview would be incomplete",
                    ));
                    return None;
                }
                Some(LettersView::Overview(Box::new(view::overview(
                    model, language,
                ))))
            }
        }
    }

    fn template(&self, part: &Part) -> String {
        match part {
            Part::Department(_) => self.spec.template.clone(),
            Part::Overview => self.overview_template.clone(),
        }
    }

    fn facts(&self, view: &LettersView) -> BTreeMap<String, Fact> {
        match view {
            LettersView::Letter(letter) => provenance_facts(&letter.provenance),
            LettersView::Overview(overview) => provenance_facts(&overview.provenance),
        }
    }
}
