//! The letters kind: one assignment letter per department of a table, and an overview.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::Table;
use crate::load::SourceFile;
use crate::model::letter::slug;
use crate::model::letters::{LettersModel, check, departments};
use crate::project::{DataSource, DocumentSpec, Project};
use crate::view::letter::{self as view, LetterView, OverviewView};

use super::{Context, DocumentKind, provenance_facts, table};
use crate::engine::report::Fact;

pub(super) struct Letters {
    spec: DocumentSpec,
    assignments: DataSource,
    departments: Option<PathBuf>,
    overview_template: String,
    /// The assignments table as read for planning, handed on to the model so it is parsed once.
    planned_table: Mutex<Option<Table>>,
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
            planned_table: Mutex::new(None),
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

/// Checked letters and the files they were made from, in the appendix's order.
pub(super) struct Checked {
    model: LettersModel,
    sources: Vec<Arc<SourceFile>>,
}

impl DocumentKind for Letters {
    type Model = Checked;
    type Part = Part;
    type View = LettersView;

    fn inputs(&self, _: &Project) -> Vec<PathBuf> {
        let mut paths = vec![self.spec.narrative.clone(), self.assignments.path.clone()];
        paths.extend(self.departments.iter().cloned());
        paths
    }

    /// One letter per department, in the order the table first names them, then the overview.
    fn outputs(&self, context: &Context) -> Result<Vec<(String, Part)>, Diagnostics> {
        let mut problems = Diagnostics::default();
        let assignments = &self.assignments;
        let read = table(
            context.cache,
            &assignments.path,
            &assignments.read,
            &mut Vec::new(),
            &mut problems,
        );
        let Some(mut table) = read else {
            problems.push(Diagnostic::error(
                None,
                "the letters' common inputs have errors; no letter written",
            ));
            return Err(problems);
        };
        let mut outputs: Vec<(String, Part)> = departments(&mut table)
            .into_iter()
            .map(|d| (slug(&d), Part::Department(d)))
            .collect();
        outputs.push(("oversikt".to_string(), Part::Overview));
        *self
            .planned_table
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(table);
        Ok(outputs)
    }

    fn model(&self, context: &Context) -> (Option<Checked>, Diagnostics) {
        let mut problems = Diagnostics::default();
        let mut sources = Vec::new();
        let mut read = |path: &PathBuf, problems: &mut Diagnostics| {
            let file = context
                .cache
                .read(path)
                .map_err(|d| problems.push(d))
                .ok()?;
            sources.push(Arc::clone(&file));
            Some(file)
        };
        let narrative = read(&self.spec.narrative, &mut problems);
        let texts = self
            .departments
            .as_ref()
            .and_then(|p| read(p, &mut problems));
        let planned = self
            .planned_table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let assignments = &self.assignments;
        let table = match planned {
            Some(planned) => {
                // Parsed while planning; the file is in the cache, for the appendix.
                sources.extend(context.cache.read(&assignments.path).ok());
                Some(planned)
            }
            None => table(
                context.cache,
                &assignments.path,
                &assignments.read,
                &mut sources,
                &mut problems,
            ),
        };
        let (Some(narrative), Some(table)) = (narrative, table) else {
            return (None, problems);
        };
        let (model, found) = check(&narrative, texts.as_deref(), table);
        problems.extend(found);
        (model.map(|model| Checked { model, sources }), problems)
    }

    fn sources(&self, checked: &Checked) -> Vec<Arc<SourceFile>> {
        checked.sources.clone()
    }

    fn view(
        &self,
        checked: &Checked,
        part: &Part,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<LettersView> {
        let language = &context.project.language;
        let (model, sources) = (&checked.model, &checked.sources);
        match part {
            Part::Department(department) => {
                for d in model.row_problems(department) {
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
                if model.is_broken(department) {
                    problems.push(Diagnostic::error(
                        None,
                        format!("rows of \"{department}\" have errors; its letter was not written (an earlier one is kept)"),
                    ));
                    return None;
                }
                Some(LettersView::Letter(Box::new(view::department_letter(
                    model, department, sources, language,
                ))))
            }
            Part::Overview => {
                if model.any_broken() {
                    problems.push(Diagnostic::error(
                        None,
                        "some departments' rows have errors; the overview would be incomplete",
                    ));
                    return None;
                }
                Some(LettersView::Overview(Box::new(view::overview(
                    model, sources, language,
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
