//! Validate: raw tables and YAML into the model, collecting every problem instead of stopping
//! at the first. One submodule per kind of document; the helpers here are shared.

pub mod evaluation;
pub mod letters;

use std::path::Path;

use chrono::NaiveDate;

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{SourceFile, Table, csv, excel};

pub use evaluation::ValidDocument;

/// An input file a document was built from: path and SHA-256, for provenance and hashing.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: std::path::PathBuf,
    pub sha256: String,
}

/// Reads a table from a CSV or a workbook, by the file's extension.
pub fn read_table(
    source: &SourceFile,
    sheet: Option<&str>,
    delimiter: u8,
) -> Result<Table, Diagnostic> {
    let extension = source
        .path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => excel::read_table(source, sheet),
        _ => csv::read_table(source, delimiter),
    }
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

/// Reads a table (sheet of a workbook, or CSV with `delimiter`), remembering it as an input.
pub(crate) fn load_table(
    path: &Path,
    sheet: Option<&str>,
    delimiter: u8,
    inputs: &mut Vec<InputFile>,
    problems: &mut Diagnostics,
) -> Option<Table> {
    let source = SourceFile::read(path).map_err(|d| problems.push(d)).ok()?;
    inputs.push(input_file(&source));
    read_table(&source, sheet, delimiter)
        .map_err(|d| problems.push(d))
        .ok()
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
            .with_hint(format!("name a column {}", quoted_list(names))),
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
