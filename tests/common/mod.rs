//! Shared helpers for the integration tests: a private copy of a project per test, running
//! the real binary, and reading PDFs back as text.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp folder holding a copy of the sample project (`input/`, `templates/`), so a test
/// can break files without touching the repository.
pub fn sample_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("input"), &dir.path().join("input"));
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    dir
}

/// Runs `rapportverk ARGS` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapportverk"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the rapportverk binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The PDF's text with every run of white space (incl. no-break spaces) made one space.
pub fn pdf_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    normalise(&pdf_extract::extract_text_from_mem(&bytes).expect("the PDF's text can be read"))
}

/// How many pages the PDF has.
pub fn pdf_pages(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lopdf::Document::load_mem(&bytes)
        .expect("a PDF")
        .get_pages()
        .len()
}

pub fn normalise(text: &str) -> String {
    // Text extraction is not exact about hyphens: a word hyphenated at a line end reads back
    // as "undervis -\nning" or with a soft hyphen, and a glyph first used as a soft hyphen
    // keeps reading as one. So: join hyphenated words, read soft hyphens as hyphens, and
    // ignore spaces around hyphens (on both sides of every comparison).
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '-' || c == '\u{ad}' {
            let mut j = i + 1;
            let mut newline = false;
            while j < chars.len() && chars[j].is_whitespace() {
                newline |= chars[j] == '\n';
                j += 1;
            }
            let joins = newline
                && out.trim_end().ends_with(char::is_alphabetic)
                && chars.get(j).is_some_and(|n| n.is_lowercase());
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            if !joins {
                out.push('-');
            }
            i = j;
            continue;
        }
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}' {
            if !out.is_empty() && !out.ends_with(' ') && !out.ends_with('-') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out.trim_end().to_string()
}

/// Whether normalised PDF text holds `expected` (normalised the same way).
pub fn has(text: &str, expected: &str) -> bool {
    text.contains(&normalise(expected))
}

/// Replaces `from` by `to` in a project file, failing the test if `from` is not there.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The evaluation checked as a build checks it, through the one loader: each file read once
/// through the cache, the KPI definitions parsed, then the data and the narrative checked.
pub fn check_evaluation(
    project: &rapportverk::project::Project,
    spec: &rapportverk::project::DocumentSpec,
) -> (
    Option<rapportverk::model::LoadedDocument>,
    rapportverk::diag::Diagnostics,
) {
    use rapportverk::model::{RunDefinitions, Units, load_document};
    let cache = rapportverk::load::SourceCache::new();
    let run = RunDefinitions::read(project, &cache);
    let units = Units::plan(spec, &cache).expect("a single document plans without reading");
    load_document(spec, &cache, &run, &units, None)
}

/// The provenance appendix of the sample evaluation under `root`, as a build renders it.
pub fn evaluation_provenance(root: &Path) -> rapportverk::view::ProvenanceView {
    let project = rapportverk::project::Project::load(&root.join("input")).unwrap();
    let cache = rapportverk::load::SourceCache::new();
    match rapportverk::engine::render_output(&project, &cache, "evaluering-2018") {
        Ok(rendered) => rendered.provenance,
        Err(problems) => panic!("{problems:?}"),
    }
}

/// The folder, or `None` (after saying so) when it is absent and not required.
pub fn realdata() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realdata"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("RAPPORTVERK_REQUIRE_REALDATA").as_deref() == Ok("1") {
        panic!(
            "{} is absent, and RAPPORTVERK_REQUIRE_REALDATA=1 requires it",
            dir.display()
        );
    }
    println!(
        "skipped: {} is absent, so the real-data tests read nothing",
        dir.display()
    );
    None
}

/// One document of the project at `dir` rendered as a build renders it (the generated Typst,
/// the figures it prints); panics with the problems when it does not render.
pub fn rendered(dir: &Path, id: &str) -> rapportverk::engine::RenderedOutput {
    let project = rapportverk::project::Project::load(&dir.join("input")).unwrap();
    rapportverk::engine::render_output(&project, &rapportverk::load::SourceCache::new(), id)
        .unwrap_or_else(|d| panic!("{d:?}"))
}
