//! Build: each document through validate → view → render → typeset → write, one broken
//! document never stopping the others, and PDFs written atomically.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::project::{DocumentSpec, Project};
use crate::render::Templates;
use crate::typeset::{PdfSettings, SharedWorld, typeset};
use crate::{validate, view};

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

#[derive(Debug)]
pub struct DocumentReport {
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
    /// Problems that concern the run, not one document (e.g. the layout library).
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildReport {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
            || self.documents.iter().any(|d| d.status == Status::Failed)
    }
}

/// Builds (or, with `check_only`, checks) every document of the project.
pub fn run(project: &Project, options: &Options) -> BuildReport {
    let mut report = BuildReport::default();
    let templates = Templates::new(&project.templates);
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
    for spec in &project.documents {
        let started = Instant::now();
        let output = options.output.join(format!("{}.pdf", spec.id));
        let (result, diagnostics) =
            document(project, spec, &templates, shared.as_ref(), options, &output);
        let (status, pages, bytes) = match result {
            Some(Outcome::Written { pages, bytes }) => (Status::Built, pages, bytes),
            Some(Outcome::Checked) => (Status::Checked, 0, 0),
            None => (Status::Failed, 0, 0),
        };
        report.documents.push(DocumentReport {
            id: spec.id.clone(),
            status,
            output,
            pages,
            bytes,
            millis: started.elapsed().as_millis(),
            diagnostics: diagnostics.into_vec(),
        });
        // Keep memory flat over many documents: drop cached results not used recently.
        typst::comemo::evict(10);
    }
    report
}

enum Outcome {
    Written { pages: usize, bytes: usize },
    Checked,
}

fn document(
    project: &Project,
    spec: &DocumentSpec,
    templates: &Templates,
    shared: Option<&SharedWorld>,
    options: &Options,
    output: &Path,
) -> (Option<Outcome>, Diagnostics) {
    let (valid, mut problems) = validate::document(project, spec);
    let Some(valid) = valid else {
        return (None, problems);
    };
    let view = view::evaluation(&valid, &project.language);
    let source = match templates.render(&spec.template, &view) {
        Ok(source) => source,
        Err(d) => {
            problems.push(d);
            return (None, problems);
        }
    };
    let Some(shared) = shared.filter(|_| !options.check_only) else {
        return (Some(Outcome::Checked), problems);
    };
    let typ_path = output.with_extension("typ");
    if options.emit_typst
        && let Err(d) = write_atomically(&typ_path, source.as_bytes())
    {
        problems.push(d);
    }
    let label = typ_path.display().to_string();
    let (typeset, typst_problems) = typeset(shared, source, &spec.id, &label, &options.pdf);
    let typst_failed = typst_problems.has_errors();
    problems.extend(typst_problems);
    if typst_failed && !options.emit_typst {
        problems.push(Diagnostic::warning(
            spec.origin.clone(),
            format!("typesetting {} failed in the source generated from {}", spec.id, spec.template),
        ).with_hint("run `rapportverk build --emit-typst` to keep the generated .typ the messages point into"));
    }
    let Some(typeset) = typeset else {
        return (None, problems);
    };
    match write_atomically(output, &typeset.pdf) {
        Ok(()) => (
            Some(Outcome::Written {
                pages: typeset.pages,
                bytes: typeset.pdf.len(),
            }),
            problems,
        ),
        Err(d) => {
            problems.push(d);
            (None, problems)
        }
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
        Diagnostic::error(Origin::file(path), format!("cannot write: {e}"))
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
