//! Build: each document through validate → view → render → typeset → write, one broken
//! document never stopping the others, and PDFs written atomically.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::letter::slug;
use crate::project::{DocumentKind, DocumentSpec, Project};
use crate::render::Templates;
use crate::typeset::{PdfSettings, SharedWorld, typeset};
use crate::validate::{evaluation as validate_evaluation, letters as validate_letters};
use crate::view;

#[derive(Debug, Clone)]
pub struct Options {
    pub output: PathBuf,
    /// Keep the generated `.typ` beside each PDF.
    pub emit_typst: bool,
    /// Stop after rendering: no typesetting, nothing written.
    pub check_only: bool,
    pub pdf: PdfSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Built,
    Checked,
    Failed,
}

/// What happened to one output file.
#[derive(Debug)]
pub struct DocumentReport {
    /// `evaluering-2018`, or `oppdragsbrev-2022/skole` for a letter of a batch.
    pub id: String,
    pub status: Status,
    pub output: PathBuf,
    pub pages: usize,
    pub bytes: usize,
    pub millis: u128,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub documents: Vec<DocumentReport>,
    /// Problems that concern the run or a whole batch, not one output file.
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildReport {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
            || self.documents.iter().any(|d| d.status == Status::Failed)
    }
}

/// What the rendering stages share for one run.
struct Run<'a> {
    project: &'a Project,
    options: &'a Options,
    templates: Templates,
    shared: Option<SharedWorld>,
}

/// Builds (or, with `check_only`, checks) every document of the project.
pub fn run(project: &Project, options: &Options) -> BuildReport {
    let mut report = BuildReport::default();
    let shared = if options.check_only {
        None
    } else {
        match SharedWorld::new(&project.templates) {
            Ok(shared) => Some(shared),
            Err(d) => {
                report.diagnostics.push(d);
                return report;
            }
        }
    };
    let run = Run {
        project,
        options,
        templates: Templates::new(&project.templates),
        shared,
    };
    for spec in &project.documents {
        match &spec.kind {
            DocumentKind::Evaluation { data } => {
                let started = Instant::now();
                let output = options.output.join(format!("{}.pdf", spec.id));
                let (valid, problems) = validate_evaluation::document(project, spec, data);
                let rendered = valid.map(|valid| {
                    let view = view::evaluation::evaluation(&valid, &project.language);
                    run.templates.render(&spec.template, &view)
                });
                report
                    .documents
                    .push(run.finish(spec, &spec.id, rendered, problems, &output, started));
            }
            DocumentKind::Letters {
                assignments,
                overview_template,
                departments,
            } => run.letters(
                spec,
                assignments,
                overview_template,
                departments.as_deref(),
                &mut report,
            ),
        }
    }
    report
}

impl Run<'_> {
    /// One letter per department, then the overview, into `<output>/<id>/`.
    fn letters(
        &self,
        spec: &DocumentSpec,
        assignments: &crate::project::DataSource,
        overview_template: &str,
        departments: Option<&Path>,
        report: &mut BuildReport,
    ) {
        let started = Instant::now();
        let folder = self.options.output.join(&spec.id);
        let (valid, problems) = validate_letters::letters(spec, assignments, departments);
        // Row and narrative problems concern the batch; print them once.
        report.diagnostics.extend(problems.into_vec());
        let Some(letters) = valid else {
            report.documents.push(failed(
                &spec.id,
                &folder,
                started,
                "the letters' common inputs have errors; no letter written",
            ));
            return;
        };
        let language = &self.project.language;
        for department in &letters.departments {
            let started = Instant::now();
            let name = slug(department);
            let id = format!("{}/{name}", spec.id);
            let output = folder.join(format!("{name}.pdf"));
            if name.is_empty() || name == "oversikt" {
                report.documents.push(failed(
                    &id,
                    &output,
                    started,
                    &format!("department \"{department}\" has no usable file name"),
                ));
                continue;
            }
            if letters.broken.contains(department) {
                report.documents.push(failed(
                    &id,
                    &output,
                    started,
                    &format!("rows of \"{department}\" have errors; its letter was not written (an earlier one is kept)"),
                ));
                continue;
            }
            let view = view::letter::department_letter(&letters, department, language);
            let rendered = Some(self.templates.render(&spec.template, &view));
            report.documents.push(self.finish(
                spec,
                &id,
                rendered,
                Diagnostics::default(),
                &output,
                started,
            ));
        }
        let started = Instant::now();
        let id = format!("{}/oversikt", spec.id);
        let output = folder.join("oversikt.pdf");
        if !letters.broken.is_empty() {
            report.documents.push(failed(
                &id,
                &output,
                started,
                "some departments' rows have errors; the overview would be incomplete",
            ));
            return;
        }
        let view = view::letter::overview(&letters, language);
        let rendered = Some(self.templates.render(overview_template, &view));
        report.documents.push(self.finish(
            spec,
            &id,
            rendered,
            Diagnostics::default(),
            &output,
            started,
        ));
    }

    /// Typesets rendered source and writes the PDF; `rendered` is `None` when validation failed.
    fn finish(
        &self,
        spec: &DocumentSpec,
        id: &str,
        rendered: Option<Result<String, Diagnostic>>,
        mut problems: Diagnostics,
        output: &Path,
        started: Instant,
    ) -> DocumentReport {
        let outcome = match rendered {
            None => None,
            Some(Err(d)) => {
                problems.push(d);
                None
            }
            Some(Ok(source)) => self.typeset_and_write(spec, id, source, output, &mut problems),
        };
        // Keep memory flat over many documents: drop cached results not used recently.
        typst::comemo::evict(10);
        let (status, pages, bytes) = match outcome {
            Some(Outcome::Written { pages, bytes }) => (Status::Built, pages, bytes),
            Some(Outcome::Checked) => (Status::Checked, 0, 0),
            None => (Status::Failed, 0, 0),
        };
        DocumentReport {
            id: id.to_string(),
            status,
            output: output.to_path_buf(),
            pages,
            bytes,
            millis: started.elapsed().as_millis(),
            diagnostics: problems.into_vec(),
        }
    }

    fn typeset_and_write(
        &self,
        spec: &DocumentSpec,
        id: &str,
        source: String,
        output: &Path,
        problems: &mut Diagnostics,
    ) -> Option<Outcome> {
        let Some(shared) = self.shared.as_ref().filter(|_| !self.options.check_only) else {
            return Some(Outcome::Checked);
        };
        let typ_path = output.with_extension("typ");
        if self.options.emit_typst
            && let Err(d) = write_atomically(&typ_path, source.as_bytes())
        {
            problems.push(d);
        }
        let label = typ_path.display().to_string();
        let (typeset, typst_problems) = typeset(shared, source, id, &label, &self.options.pdf);
        if typst_problems.has_errors() && !self.options.emit_typst {
            problems.push(
                Diagnostic::warning(
                    spec.origin.clone(),
                    format!("typesetting {id} failed in the source generated from {}", spec.template),
                )
                .with_hint("run `rapportverk build --emit-typst` to keep the generated .typ the messages point into"),
            );
        }
        problems.extend(typst_problems);
        let typeset = typeset?;
        match write_atomically(output, &typeset.pdf) {
            Ok(()) => Some(Outcome::Written {
                pages: typeset.pages,
                bytes: typeset.pdf.len(),
            }),
            Err(d) => {
                problems.push(d);
                None
            }
        }
    }
}

enum Outcome {
    Written { pages: usize, bytes: usize },
    Checked,
}

fn failed(id: &str, output: &Path, started: Instant, why: &str) -> DocumentReport {
    DocumentReport {
        id: id.to_string(),
        status: Status::Failed,
        output: output.to_path_buf(),
        pages: 0,
        bytes: 0,
        millis: started.elapsed().as_millis(),
        diagnostics: vec![Diagnostic::error(None, why.to_string())],
    }
}

/// Writes to a temporary file in the same folder, then renames: a reader never sees half a
/// file, and a failure leaves the previous file untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| {
        Diagnostic::error(
            crate::diag::Origin::file(path),
            format!("cannot write: {e}"),
        )
        .with_hint("check that the output folder exists and is writable")
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            fail(e)
        })
}
