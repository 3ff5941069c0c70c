//! Validate: raw tables and YAML into the model, collecting every problem instead of stopping
//! at the first. One submodule per kind of document; the helpers here are shared.

pub mod consistency;
pub mod evaluation;
pub mod letters;

use std::path::Path;

use chrono::NaiveDate;

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{ReadOptions, SourceFile, Table, read_table};
use crate::project::DataSource;

pub use evaluation::ValidDocument;

/// An input file a document was built from: path and SHA-256, for provenance and hashing.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: std::path::PathBuf,
    pub sha256: String,
}

/// Reads and parses a YAML file, remembering it as an input; a problem goes to `problems`.
pub(crate) fn load_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    inputs: &mut Vec<InputFile>,
    problems: &mut Diagnostics,
) -> Option<T> {
    let source = SourceFile::read(path).map_err(|d| problems.push(d)).ok()?;
    inputs.push(input_file(&source));
    crate::ingest::yaml::parse(&source)
        .map_err(|d| problems.push(d))
        .ok()
}

/// Reads a data source's table as the manifest says (sheet, delimiter, encoding, header row),
/// remembering it as an input; problems, and warnings such as a garbled letter, go to `problems`.
pub(crate) fn load_table(
    source: &DataSource,
    inputs: &mut Vec<InputFile>,
    problems: &mut Diagnostics,
) -> Option<Table> {
    load_file_table(&source.path, &source.read, inputs, problems)
}

/// Reads a table from `path` with `options`, remembering it as an input.
pub(crate) fn load_file_table(
    path: &Path,
    options: &ReadOptions,
    inputs: &mut Vec<InputFile>,
    problems: &mut Diagnostics,
) -> Option<Table> {
    let source = SourceFile::read(path).map_err(|d| problems.push(d)).ok()?;
    inputs.push(input_file(&source));
    let mut table = read_table(&source, options)
        .map_err(|d| problems.push(d))
        .ok()?;
    for warning in std::mem::take(&mut table.warnings) {
        problems.push(warning);
    }
    Some(table)
}

impl InputFile {
    /// Reads a file only to know its hash (the manifest, when it is attached).
    pub fn read(path: &Path) -> Result<InputFile, Diagnostic> {
        SourceFile::read(path).map(|source| input_file(&source))
    }
}

fn input_file(source: &SourceFile) -> InputFile {
    InputFile {
        path: source.path.clone(),
        sha256: source.sha256(),
    }
}

/// A required column's index, or an error at the header naming what was expected.
pub(crate) fn required_column(
    table: &Table,
    names: &[&str],
    problems: &mut Diagnostics,
) -> Option<usize> {
    let found = table.column(names);
    if found.is_none() {
        problems.push(
            Diagnostic::error(
                table.header_origin.clone(),
                format!(
                    "no column \"{}\" in the header (found: {})",
                    names[0],
                    table.header_names().join(", ")
                ),
            )
            .with_hint(
                crate::ingest::layout::wrong_delimiter_hint(table)
                    .unwrap_or_else(|| format!("name a column {}", quoted_list(names))),
            ),
        );
    }
    found
}

fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(" or ")
}

pub(crate) fn cell_text(row: &[crate::ingest::Cell], column: usize) -> (String, Option<Origin>) {
    match row.get(column) {
        Some(cell) => (
            cell.value.as_text().trim().to_string(),
            Some(cell.origin.clone()),
        ),
        None => (String::new(), None),
    }
}

pub fn parse_date(file: &Path, text: &Spanned<String>) -> Result<NaiveDate, Diagnostic> {
    NaiveDate::parse_from_str(text.value.trim(), "%Y-%m-%d").map_err(|_| {
        Diagnostic::error(
            origin_of(file, text),
            format!("\"{}\" is not a date", text.value),
        )
        .with_hint("write dates as YYYY-MM-DD, e.g. 2019-04-26")
    })
}
