//! Ingest: a loaded file's bytes into raw tables (CSV, Excel) and YAML values, every cell
//! keeping its origin.
//!
//! Nothing here knows what a KPI is; [`crate::model`] turns tables into the model.
//! [`read_table`] decodes the file, finds the rows and the header, and drops the title lines
//! above and the footnotes below the table.

pub mod controls;
pub mod csv;
pub mod encoding;
pub mod excel;
pub mod limits;
pub mod number;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Origin};
pub use crate::load::SourceFile;
use chrono::NaiveDate;
use serde::Serialize;

/// Serialisers for fields whose types have no serde form of their own, written as the text a
/// message shows: the plan hashes how the manifest says to read each file (`engine::plan`).
pub(crate) mod as_text {
    use std::fmt::Display;
    use std::path::{Path, PathBuf};

    use serde::{Serialize, Serializer};

    pub(crate) fn display<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub(crate) fn option<T: Display, S: Serializer>(
        value: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().map(ToString::to_string).serialize(s)
    }

    /// A path, lossily where it is not UTF-8 (serde refuses those).
    pub(crate) fn path<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&path.display())
    }

    pub(crate) fn path_option<S: Serializer>(
        path: &Option<PathBuf>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        path.as_ref().map(|p| p.display().to_string()).serialize(s)
    }

    /// An encoding by its name (`windows-1252`).
    pub(crate) fn encoding<S: Serializer>(
        encoding: &Option<&'static encoding_rs::Encoding>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        encoding.map(encoding_rs::Encoding::name).serialize(s)
    }
}

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
    /// The workbook formats the cell as a percentage: it stored 0.073 and showed `7,3 %`. The
    /// number in `value` is already the one shown (7.3).
    pub percent_format: bool,
}

impl Cell {
    pub fn new(value: CellValue, origin: Origin) -> Cell {
        Cell {
            value,
            origin,
            percent_format: false,
        }
    }
}

/// How to read one data file; every field may be left to detection.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadOptions {
    /// Workbooks: the sheet's name (default the first sheet).
    pub sheet: Option<String>,
    /// Text files: the field delimiter (default detected; Excel's `sep=;` line is honoured).
    pub delimiter: Option<u8>,
    /// Text files: the encoding (default detected).
    #[serde(serialize_with = "as_text::encoding")]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The header's line (text) or row (workbook), 1-based (default detected).
    pub header_row: Option<usize>,
    /// A cell outside the table that holds its period (`period: { cell: "Metadata!B2" }`).
    pub period_cell: Option<CellRef>,
    /// The ceilings the file is read under (the manifest's `limits:`).
    pub limits: limits::Limits,
}

/// A cell named the spreadsheet way: `B6` on the table's own sheet (or line 6, field 2 of a
/// text file), or `Metadata!B2` on another sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellRef {
    pub sheet: Option<String>,
    /// 0-based row and column.
    pub row: u32,
    pub column: u32,
    /// Where the manifest names the cell, for messages about it.
    #[serde(serialize_with = "as_text::option")]
    pub named_at: Option<Origin>,
}

impl CellRef {
    /// Parses `B6`, `Metadata!B2` or `'0. Om tabellene'!B6`; `None` if it is not a cell.
    pub fn parse(text: &str) -> Option<CellRef> {
        let text = text.trim();
        let (sheet, cell) = match text.rsplit_once('!') {
            Some((sheet, cell)) => (Some(sheet.trim().trim_matches('\'').to_string()), cell),
            None => (None, text),
        };
        let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
        let digits = &cell[letters.len()..];
        if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
            return None;
        }
        let row: u32 = digits.parse().ok().filter(|r| *r >= 1)?;
        let column = letters
            .to_ascii_uppercase()
            .bytes()
            .fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1));
        Some(CellRef {
            sheet: sheet.filter(|s| !s.is_empty()),
            row: row - 1,
            column: column - 1,
            named_at: None,
        })
    }
}

/// A table: a header row and the data rows below it.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: PathBuf,
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
    /// Where the header row is, for "column missing" messages.
    pub header_origin: Origin,
    /// The manifest named the header row (`header_row:`); detection leaves it alone.
    pub header_fixed: bool,
    /// The field delimiter of a text file, for hints when the header looks wrong.
    pub delimiter: Option<u8>,
    /// Text lines below the table (SSB's notes, "Kilde: …"), taken out of `rows`.
    pub footnotes: Vec<Cell>,
    /// Problems found while reading that do not stop it (a garbled letter, say).
    pub warnings: Vec<Diagnostic>,
    /// The cell `ReadOptions::period_cell` named, as read.
    pub period_cell: Option<Cell>,
}

/// The column of `header` named by one of `names`: exactly (headers normalised), else by
/// a looser match.
pub fn column_in(header: &[Cell], names: &[&str]) -> Option<usize> {
    let equal = |cell: &Cell| {
        let text = normalise_header(&cell.value.as_text());
        names.iter().any(|n| normalise_header(n) == text)
    };
    header.iter().position(equal).or_else(|| {
        header.iter().position(|cell| {
            let text = cell.value.as_text();
            names.iter().any(|n| header_matches(&text, n))
        })
    })
}

impl Table {
    /// A table whose first row is its header.
    pub(crate) fn from_rows(file: &Path, mut rows: Vec<Vec<Cell>>) -> Option<Table> {
        if rows.is_empty() {
            return None;
        }
        let header = rows.remove(0);
        let header_origin = header.first()?.origin.clone();
        Some(Table {
            file: file.to_path_buf(),
            header,
            rows,
            header_origin,
            header_fixed: false,
            delimiter: None,
            footnotes: Vec::new(),
            warnings: Vec::new(),
            period_cell: None,
        })
    }

    /// Index of the first column whose header matches one of `names` by [`header_matches`]:
    /// a header equal to a name wins over one that only adds a unit in brackets.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        column_in(&self.header, names)
    }

    /// Makes the first row that names a column from every group the header, dropping the title
    /// and blank rows above it; tables exported from Excel often start with a title. Leaves the
    /// table as it is when no row within the first 30 qualifies, or when the manifest named the
    /// header row.
    pub(crate) fn find_header(&mut self, groups: &[&[&str]]) {
        if self.header_fixed {
            return;
        }
        let names_all = |row: &[Cell]| {
            groups.iter().all(|group| {
                row.iter().any(|cell| {
                    let header = cell.value.as_text();
                    group.iter().any(|n| header_matches(&header, n))
                })
            })
        };
        if names_all(&self.header) {
            return;
        }
        if let Some(index) = self.rows.iter().take(30).position(|row| names_all(row)) {
            self.make_header(index);
        }
    }

    /// The header [`Table::find_header`] would settle on, without settling it: the header row
    /// and the rows below it (the table as it is when none names every group).
    pub(crate) fn header_found(&self, groups: &[&[&str]]) -> (&[Cell], &[Vec<Cell>]) {
        let names_all = |row: &[Cell]| {
            groups.iter().all(|group| {
                row.iter().any(|cell| {
                    let header = cell.value.as_text();
                    group.iter().any(|n| header_matches(&header, n))
                })
            })
        };
        if self.header_fixed || names_all(&self.header) {
            return (&self.header, &self.rows);
        }
        match self.rows.iter().take(30).position(|row| names_all(row)) {
            Some(index) => (&self.rows[index], &self.rows[index + 1..]),
            None => (&self.header, &self.rows),
        }
    }

    /// Makes data row `index` the header, dropping the rows above it.
    pub(crate) fn make_header(&mut self, index: usize) {
        if index >= self.rows.len() {
            return;
        }
        self.header = self.rows[index].clone();
        if let Some(first) = self.header.first() {
            self.header_origin = first.origin.clone();
        }
        self.rows.drain(..=index);
    }

    /// The header names as written, for messages.
    pub fn header_names(&self) -> Vec<String> {
        self.header.iter().map(|c| c.value.as_text()).collect()
    }

    /// Uses the row at 1-based line (text) or row (workbook) `number` as the header.
    fn use_header_row(&mut self, number: usize) -> Result<(), Diagnostic> {
        let is_at = |row: &[Cell]| row.first().and_then(|c| row_number(&c.origin)) == Some(number);
        if is_at(&self.header) {
            self.header_fixed = true;
            return Ok(());
        }
        if let Some(index) = self.rows.iter().position(|row| is_at(row)) {
            self.make_header(index);
            self.header_fixed = true;
            return Ok(());
        }
        let last = self
            .rows
            .last()
            .unwrap_or(&self.header)
            .first()
            .and_then(|c| row_number(&c.origin))
            .unwrap_or(0);
        let what = if self.delimiter.is_some() {
            "line"
        } else {
            "row"
        };
        let message = if number > last {
            format!("header_row is {number}, but the table ends at {what} {last}")
        } else {
            format!("header_row is {number}, but {what} {number} is empty")
        };
        Err(
            Diagnostic::error(Origin::file(&self.file), message).with_hint(format!(
                "give the number of the {what} that holds the column names"
            )),
        )
    }

    /// Moves text lines at the end of the table into `footnotes`: rows after the last row with
    /// two or more filled cells that hold text only in their first cell and either contain a
    /// space ("Kilde: SSB") or are shorter than the header.
    fn drop_footnotes(&mut self) {
        let filled = |row: &[Cell]| row.iter().filter(|c| !c.value.is_empty()).count();
        // A one-column list has no notes to tell apart. (The header may still be a title.)
        if !self.rows.iter().any(|row| filled(row) >= 2) {
            return;
        }
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        while let Some(row) = self.rows.last() {
            let only_first = filled(row) == 1 && row.first().is_some_and(|c| !c.value.is_empty());
            let is_note = only_first
                && row.first().is_some_and(|c| {
                    matches!(&c.value, CellValue::Text(t) if t.trim().contains(char::is_whitespace))
                        || row.len() < width
                });
            if !is_note {
                break;
            }
            if let Some(mut row) = self.rows.pop() {
                self.footnotes.insert(0, row.remove(0));
            }
        }
    }
}

/// The 1-based line of a text origin or row of a workbook origin.
pub(crate) fn row_number(origin: &Origin) -> Option<usize> {
    match origin {
        Origin::Text { line, .. } | Origin::Line { line, .. } => Some(*line),
        Origin::Cell { row, .. } => Some(*row as usize + 1),
        Origin::File { .. } => None,
    }
}

/// A header or name as compared: lowercase, `_` and `-` as spaces, soft hyphens (which
/// Excel users put in long labels) removed, runs of white space as one space.
pub(crate) fn normalise_header(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .replace('\u{ad}', "")
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one rule by which a column name in the manifest finds a header, in both layouts:
/// equal once case, `_`, `-`, soft hyphens and runs of white space are folded, and a unit in
/// brackets at the header's end may be left out (`Lengde` finds `Lengde [m]`, `næring` finds
/// `næring (SN2007)`).
pub(crate) fn header_matches(header: &str, name: &str) -> bool {
    let (header, name) = (normalise_header(header), normalise_header(name));
    if name.is_empty() {
        return false;
    }
    header == name || without_bracketed_unit(&header) == name
}

/// `lengde [m]` → `lengde`; `næring (sn2007)` → `næring`; anything else as it is.
fn without_bracketed_unit(header: &str) -> &str {
    let trimmed = header.trim_end();
    let open = match trimmed.chars().last() {
        Some(']') => '[',
        Some(')') => '(',
        _ => return header,
    };
    match trimmed.rfind(open) {
        Some(at) if at > 0 => trimmed[..at].trim_end(),
        _ => header,
    }
}

/// Whether a path names a workbook (read with calamine) rather than a text file.
pub(crate) fn is_workbook(path: &Path) -> bool {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    matches!(extension.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
}

/// Whether a file name is an Office lock file (`~$okonomi.xlsx`), which Excel and LibreOffice
/// write beside a workbook while it is open; it holds the user's name, not the data.
pub(crate) fn is_lock_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("~$") || n.starts_with(".~lock."))
}

/// Reads a table from a text file or a workbook, by the file's extension.
pub fn read_table(source: &SourceFile, options: &ReadOptions) -> Result<Table, Diagnostic> {
    read_table_skipping(source, options, &|_| false)
}

/// [`read_table`] without the rows whose first line (a workbook's: row number) `skip` names,
/// for a model of some units of a table that holds many: a text file's skipped rows become no
/// cells; a workbook's are read and dropped before anything else sees them.
pub fn read_table_skipping(
    source: &SourceFile,
    options: &ReadOptions,
    skip: &dyn Fn(usize) -> bool,
) -> Result<Table, Diagnostic> {
    let mut table = if is_workbook(&source.path) {
        let mut table = excel::read_table(source, options.sheet.as_deref(), &options.limits)?;
        table.rows.retain(|row| {
            !row.first()
                .and_then(|cell| row_number(&cell.origin))
                .is_some_and(skip)
        });
        table
    } else {
        let (delimiter, encoding) = (options.delimiter, options.encoding);
        csv::read_table_skipping(source, delimiter, encoding, &options.limits, skip)?
    };
    if let Some(wanted) = &options.period_cell {
        table.period_cell = Some(period_cell(source, &table, wanted, &options.limits)?);
    }
    if let Some(number) = options.header_row {
        table.use_header_row(number)?;
    }
    table.drop_footnotes();
    table.warnings.extend(controls::in_table(&table));
    Ok(table)
}

/// The cell `wanted` names: in the table as read (title rows included), or on another sheet.
fn period_cell(
    source: &SourceFile,
    table: &Table,
    wanted: &CellRef,
    limits: &limits::Limits,
) -> Result<Cell, Diagnostic> {
    let other;
    let (in_table, sheet_shown) = match &wanted.sheet {
        Some(sheet) if is_workbook(&source.path) => {
            other = excel::read_table(source, Some(sheet), limits)?;
            (&other, sheet.clone())
        }
        // The manifest refuses a sheet for a text file; read the cell in the file itself.
        _ => (table, String::new()),
    };
    // Workbook cells know their row and column; a text file's field is its place in the row.
    let found = std::iter::once(&in_table.header)
        .chain(&in_table.rows)
        .flat_map(|row| row.iter().enumerate())
        .find(|(field, cell)| match &cell.origin {
            Origin::Cell { row, column, .. } => *row == wanted.row && *column == wanted.column,
            origin => {
                row_number(origin) == Some(wanted.row as usize + 1)
                    && *field == wanted.column as usize
            }
        })
        .map(|(_, cell)| cell)
        .filter(|cell| !cell.value.is_empty());
    let name = column_name(wanted.column);
    found.cloned().ok_or_else(|| {
        let place = if sheet_shown.is_empty() {
            format!("{name}{}", wanted.row + 1)
        } else {
            format!("{sheet_shown}!{name}{}", wanted.row + 1)
        };
        Diagnostic::error(
            wanted
                .named_at
                .clone()
                .unwrap_or_else(|| Origin::file(&source.path)),
            format!(
                "period: the cell {place} of {} is empty",
                source.path.display()
            ),
        )
        .with_hint("name the cell that holds the period (workbook cells as Excel names them, text files as line and field: B6 is line 6, field 2)")
    })
}

/// A 0-based column as letters: 0 → A, 27 → AB.
pub(crate) fn column_name(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The bytes as text, in the encoding detected (see [`encoding`]) or `given`.
pub(crate) fn decode(
    source: &SourceFile,
    given: Option<&'static encoding_rs::Encoding>,
) -> Result<encoding::Decoded, Diagnostic> {
    encoding::decode(&source.path, &source.bytes, given)
}

/// The bytes as text in the detected encoding, or an error saying how to fix it.
pub fn text(source: &SourceFile) -> Result<String, Diagnostic> {
    decode(source, None).map(|decoded| decoded.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> SourceFile {
        SourceFile::new(name, text.as_bytes().to_vec())
    }

    #[test]
    fn a_given_header_row_wins_over_detection() {
        let text = "Tittel\n\nkpi;år;verdi\nx;2018;1\n";
        let options = ReadOptions {
            header_row: Some(3),
            ..ReadOptions::default()
        };
        let mut table = read_table(&source("t.csv", text), &options).unwrap();
        assert_eq!(table.header_names(), ["kpi", "år", "verdi"]);
        table.find_header(&[&["x"]]);
        assert_eq!(table.header_names(), ["kpi", "år", "verdi"]);
        assert_eq!(table.rows.len(), 1);
    }

    #[test]
    fn a_header_row_outside_the_table_is_an_error() {
        let options = |n| ReadOptions {
            header_row: Some(n),
            ..ReadOptions::default()
        };
        let text = "a;b\n\n1;2\n";
        let err = read_table(&source("t.csv", text), &options(9)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: error: header_row is 9, but the table ends at line 3\n  hint: give the number of the line that holds the column names"
        );
        let err = read_table(&source("t.csv", text), &options(2)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv: error: header_row is 2, but line 2 is empty")
        );
    }

    #[test]
    fn footnotes_below_the_table_are_set_aside() {
        let text =
            "kpi;år;verdi\nx;2018;1\nklimatiltak;;\n\n\"Kilde: SSB\"\nMerk: foreløpige tall;;\n";
        let table = read_table(&source("t.csv", text), &ReadOptions::default()).unwrap();
        assert_eq!(table.rows.len(), 2, "a bare id is data, not a note");
        let notes: Vec<String> = table.footnotes.iter().map(|c| c.value.as_text()).collect();
        assert_eq!(notes, ["Kilde: SSB", "Merk: foreløpige tall"]);
        assert_eq!(table.footnotes[0].origin.to_string(), "t.csv:5:1");
    }

    #[test]
    fn column_names_match_without_case_spacing_or_a_unit_in_brackets() {
        assert!(header_matches("Lengde [m]", "lengde"));
        assert!(header_matches("næring (SN2007)", "Næring"));
        assert!(header_matches(
            "  Netto_drifts-resultat ",
            "netto drifts resultat"
        ));
        assert!(!header_matches("Lengde [m]", "Leng"));
        assert!(!header_matches("[m]", ""));
        let text = "Lengde;Lengde [m]\n1;2\n";
        let table = read_table(&source("t.csv", text), &ReadOptions::default()).unwrap();
        assert_eq!(table.column(&["lengde"]), Some(0), "the equal header wins");
        assert_eq!(table.column(&["lengde [m]"]), Some(1));
    }

    #[test]
    fn cell_references_read_as_spreadsheets_write_them() {
        let cell = |sheet: Option<&str>, row, column| CellRef {
            sheet: sheet.map(str::to_string),
            row,
            column,
            named_at: None,
        };
        assert_eq!(CellRef::parse("B6"), Some(cell(None, 5, 1)));
        assert_eq!(
            CellRef::parse("Metadata!B2"),
            Some(cell(Some("Metadata"), 1, 1))
        );
        assert_eq!(
            CellRef::parse("'0. Om tabellene'!AB10"),
            Some(cell(Some("0. Om tabellene"), 9, 27))
        );
        assert_eq!(column_name(27), "AB");
        for no in ["6B", "B0", "B", "Metadata!", "2018"] {
            assert_eq!(CellRef::parse(no), None, "{no}");
        }
    }

    #[test]
    fn lock_files_and_workbooks_are_told_apart() {
        assert!(is_lock_file(Path::new("data/~$okonomi.xlsx")));
        assert!(is_lock_file(Path::new(".~lock.okonomi.ods#")));
        assert!(!is_lock_file(Path::new("data/okonomi.xlsx")));
        assert!(is_workbook(Path::new("a.XLSX")));
        assert!(!is_workbook(Path::new("a.csv")));
    }
}
