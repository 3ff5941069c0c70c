//! Ingest: raw tables read from CSV and Excel, every cell keeping its origin.
//!
//! Nothing here knows what a KPI is; [`crate::validate`] turns tables into the model.

pub mod csv;
pub mod excel;
pub mod number;
pub mod yaml;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Origin};

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl CellValue {
    /// The cell as text, the way a CSV would have written it.
    pub fn as_text(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(t) => t.clone(),
            CellValue::Number(n) => n.to_string(),
            CellValue::Date(d) => d.to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: CellValue,
    pub origin: Origin,
}

/// A table: a header row and the data rows below it.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: PathBuf,
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
    /// Where the header row is, for "column missing" messages.
    pub header_origin: Origin,
}

impl Table {
    /// Index of the first column whose header matches one of `names` (case- and space-insensitive).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|cell| {
            let header = normalise_header(&cell.value.as_text());
            names.iter().any(|n| normalise_header(n) == header)
        })
    }

    /// Makes the first row that names a column from every group the header, dropping the title
    /// and blank rows above it; tables exported from Excel often start with a title. Leaves the
    /// table as it is when no row within the first 30 qualifies.
    pub fn find_header(&mut self, groups: &[&[&str]]) {
        let names_all = |row: &[Cell]| {
            groups.iter().all(|group| {
                row.iter().any(|cell| {
                    let header = normalise_header(&cell.value.as_text());
                    group.iter().any(|n| normalise_header(n) == header)
                })
            })
        };
        if names_all(&self.header) {
            return;
        }
        if let Some(index) = self.rows.iter().take(30).position(|row| names_all(row)) {
            self.header = self.rows[index].clone();
            self.header_origin = self.header[0].origin.clone();
            self.rows.drain(..=index);
        }
    }

    /// The header names as written, for messages.
    pub fn header_names(&self) -> Vec<String> {
        self.header.iter().map(|c| c.value.as_text()).collect()
    }
}

fn normalise_header(text: &str) -> String {
    text.trim().to_lowercase().replace(['_', '-'], " ")
}

/// A file read once: its bytes, for hashing, and the path messages show.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl SourceFile {
    pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
        std::fs::read(path)
            .map(|bytes| SourceFile {
                path: path.to_path_buf(),
                bytes,
            })
            .map_err(|e| {
                Diagnostic::error(Origin::file(path), format!("cannot read the file: {e}"))
                    .with_hint("check the path in the manifest (paths are relative to it)")
            })
    }

    /// Lowercase hex SHA-256 of the bytes.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The bytes as UTF-8 text (a leading byte-order mark removed), or an error saying how to fix it.
    pub fn text(&self) -> Result<&str, Diagnostic> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let before = &bytes[..e.valid_up_to()];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            Diagnostic::error(
                Origin::text(&self.path, line, column),
                "the file is not valid UTF-8",
            )
            .with_hint("save the file as UTF-8 (in Excel: \"CSV UTF-8\")")
        })
    }
}
