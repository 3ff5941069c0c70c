//! CSV as Norwegian systems export it: `;`-separated, decimal commas, quoted fields, CRLF.

use super::{Cell, CellValue, SourceFile, Table};
use crate::diag::{Diagnostic, Origin};

/// Reads a delimited text file into a [`Table`]; the first non-empty row is the header.
pub fn read_table(source: &SourceFile, delimiter: u8) -> Result<Table, Diagnostic> {
    let text = source.text()?;
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The csv crate's line number lags behind; its byte offset is exact, but it
                // counts blank lines skipped before the record, so step over those.
                let mut start = record.position().map_or(0, |p| p.byte() as usize);
                while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                let line = lines.line_at(text, start);
                let cells = cells_of(source, text, &record, start, line, delimiter);
                if cells.iter().all(|c| c.value.is_empty()) {
                    continue;
                }
                rows.push(cells);
            }
            Err(e) => {
                let (line, column) = match e.position() {
                    Some(p) => (lines.line_at(text, p.byte() as usize), 1),
                    None => (0, 0),
                };
                return Err(Diagnostic::error(
                    Origin::text(&source.path, line, column),
                    format!("the CSV cannot be read: {e}"),
                )
                .with_hint("check the quoting on this line"));
            }
        }
    }
    if rows.is_empty() {
        return Err(
            Diagnostic::error(Origin::file(&source.path), "the file holds no rows")
                .with_hint("export the table again, with a header row"),
        );
    }
    let header = rows.remove(0);
    let header_origin = header[0].origin.clone();
    Ok(Table {
        file: source.path.clone(),
        header,
        rows,
        header_origin,
    })
}

/// Cells of one record with `file:line:column` origins; columns count characters, 1-based.
fn cells_of(
    source: &SourceFile,
    text: &str,
    record: &::csv::ByteRecord,
    start: usize,
    line: usize,
    delimiter: u8,
) -> Vec<Cell> {
    // Columns are found by walking the raw line from the record's first byte.
    let raw_line = text
        .get(start..)
        .map(|rest| rest.split('\n').next().unwrap_or(""))
        .unwrap_or("");
    let starts = field_columns(raw_line, delimiter);
    record
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let column = starts.get(i).copied().unwrap_or(1);
            let value = if text.trim().is_empty() {
                CellValue::Empty
            } else {
                CellValue::Text(text)
            };
            Cell {
                value,
                origin: Origin::text(&source.path, line, column),
            }
        })
        .collect()
}

/// Line numbers of byte offsets, counted incrementally (offsets only grow).
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        if offset < self.offset {
            *self = LineCounter::default();
        }
        self.line += text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = offset;
        self.line + 1
    }
}

/// 1-based character columns where each field of a raw CSV line starts (quotes respected).
fn field_columns(line: &str, delimiter: u8) -> Vec<usize> {
    let mut columns = vec![1];
    let mut in_quotes = false;
    for (i, c) in line.chars().enumerate() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && c == delimiter as char {
            columns.push(i + 2);
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from("t.csv"),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn cells_know_line_and_column() {
        let table = read_table(
            &source("\u{feff}kpi;år;verdi\r\nsykefravaer;2018;\"7,3\"\r\n\r\nx;2017;7,5\r\n"),
            b';',
        )
        .unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0][2].value, CellValue::Text("7,3".into()));
        assert_eq!(table.rows[0][2].origin.to_string(), "t.csv:2:18");
        assert_eq!(table.rows[1][0].origin.to_string(), "t.csv:4:1");
        assert_eq!(table.column(&["År", "year"]), Some(1));
    }

    #[test]
    fn empty_file_is_an_error() {
        let err = read_table(&source("\n\n"), b';').unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: error: the file holds no rows\n  hint: export the table again, with a header row"
        );
    }
}
