//! Excel workbooks (xlsx, xls, ods via calamine): one sheet read into a [`Table`] with cell
//! origins (`file[Sheet]!C7`).
//!
//! Formula cells give their cached values, date cells (1900 or 1904 date system) give dates,
//! error cells give Excel's own text (`#DIV/0!`), and in xlsx workbooks a cell formatted as a
//! percentage gives the number it shows (0.073 formatted `0.0%` reads as 7.3).

use std::io::Cursor;

use calamine::{Data, Reader, Sheets, StyleRange, open_workbook_auto_from_rs};

use super::number::without_float_noise;
use super::{Cell, CellValue, SourceFile, Table};
use crate::diag::{Diagnostic, Origin, closest};

/// Reads `sheet` (or the first sheet) of a workbook into a [`Table`] whose header is, for now,
/// the first non-empty row.
pub(crate) fn read_table(source: &SourceFile, sheet: Option<&str>) -> Result<Table, Diagnostic> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(source.bytes.as_slice()))
        .map_err(|e| cannot_open(source, &e.to_string()))?;
    let names = workbook.sheet_names();
    let sheet_name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
            })
            .cloned()
            .ok_or_else(|| {
                let mut d = Diagnostic::error(
                    Origin::file(&source.path),
                    format!(
                        "the workbook has no sheet \"{wanted}\" (it has: {})",
                        names.join(", ")
                    ),
                );
                if let Some(near) = closest(wanted, names.iter().map(String::as_str)) {
                    d = d.with_hint(format!("did you mean \"{near}\"?"));
                }
                d
            })?,
        None => names.first().cloned().ok_or_else(|| {
            Diagnostic::error(Origin::file(&source.path), "the workbook has no sheets")
        })?,
    };
    let range = workbook.worksheet_range(&sheet_name).map_err(|e| {
        Diagnostic::error(
            Origin::file(&source.path),
            format!("sheet \"{sheet_name}\" cannot be read: {e}"),
        )
        .with_hint("open the workbook in Excel and save it again")
    })?;
    let styles = percent_styles(&mut workbook, &sheet_name);
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (r, row) in range.rows().enumerate() {
        let cells: Vec<Cell> = row
            .iter()
            .enumerate()
            .map(|(c, data)| {
                let (row, column) = (first_row + r as u32, first_col + c as u32);
                let percent = styles
                    .as_ref()
                    .is_some_and(|s| is_percent_cell(s, row, column));
                let mut cell = Cell::new(
                    cell_value(data),
                    Origin::cell(&source.path, &sheet_name, row, column),
                );
                if let (true, CellValue::Number(n)) = (percent, &cell.value) {
                    cell.value = CellValue::Number(without_float_noise(*n * 100.0));
                    cell.percent_format = true;
                }
                cell
            })
            .collect();
        if !cells.iter().all(|c| c.value.is_empty()) {
            rows.push(cells);
        }
    }
    Table::from_rows(&source.path, rows).ok_or_else(|| {
        Diagnostic::error(
            Origin::file(&source.path),
            format!("sheet \"{sheet_name}\" is empty"),
        )
        .with_hint("choose the sheet that holds the table with sheet: in the manifest")
    })
}

fn cannot_open(source: &SourceFile, reason: &str) -> Diagnostic {
    let bytes = &source.bytes;
    let d = Diagnostic::error(
        Origin::file(&source.path),
        format!("the workbook cannot be opened: {reason}"),
    );
    if bytes.is_empty() {
        d.with_hint("the file is empty (0 bytes); save the workbook again from Excel")
    } else if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        d.with_hint("the file is text, not a workbook; if it is a CSV export, name it .csv")
    } else {
        d.with_hint("the file is damaged or not a workbook; save it again from Excel as .xlsx")
    }
}

/// The cell styles of an xlsx sheet, where calamine can read them; other formats give none
/// (a manifest's `percent_as_fraction: true` covers those).
fn percent_styles(workbook: &mut Sheets<Cursor<&[u8]>>, sheet: &str) -> Option<StyleRange> {
    match workbook {
        Sheets::Xlsx(xlsx) => xlsx.worksheet_style(sheet).ok(),
        _ => None,
    }
}

fn is_percent_cell(styles: &StyleRange, row: u32, column: u32) -> bool {
    styles
        .get((row, column))
        .and_then(|style| style.number_format.as_ref())
        .is_some_and(|format| is_percent_format(&format.format_code))
}

/// Whether an Excel number format shows a percentage: a `%` outside quotes and escapes in its
/// first (positive) section, as in `0.0%` or `0,0 %`.
pub(crate) fn is_percent_format(code: &str) -> bool {
    let mut in_quotes = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' | '_' | '*' => escaped = true,
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => return false,
            '%' if !in_quotes => return true,
            _ => {}
        }
    }
    false
}

fn cell_value(data: &Data) -> CellValue {
    match data {
        Data::Empty => CellValue::Empty,
        Data::String(s) if s.trim().is_empty() => CellValue::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::Bool(b) => CellValue::Text(if *b { "ja" } else { "nei" }.to_string()),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(datetime) if dt.is_datetime() => CellValue::Date(datetime.date()),
            _ => CellValue::Number(dt.as_f64()),
        },
        // Excel's own text for the error (`#DIV/0!`), which validation recognises.
        Data::Error(e) => CellValue::Text(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        for yes in ["0%", "0.0%", "0,0 %", "#,##0.00%", "0.0%;[Red]-0.0%"] {
            assert!(is_percent_format(yes), "{yes}");
        }
        for no in [
            "General",
            "0.0",
            "#,##0\" %\"",
            "0.0\\%",
            "0;0%",
            "d.m.yyyy",
        ] {
            assert!(!is_percent_format(no), "{no}");
        }
    }

    #[test]
    fn shown_percent_has_no_float_noise() {
        let shown = |fraction: f64| without_float_noise(fraction * 100.0);
        assert_eq!(shown(0.073), 7.3);
        assert_eq!(shown(0.5), 50.0);
        assert_eq!(shown(-0.0123), -1.23);
    }

    #[test]
    fn random_bytes_are_not_a_workbook() {
        let source = SourceFile::new("x.xlsx", vec![0x13, 0x37, 0xC0, 0xFF, 0xEE, 0x00, 0x42]);
        let err = read_table(&source, None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.xlsx: error: the workbook cannot be opened: "),
            "{err}"
        );
        assert!(err.hint.unwrap().contains("damaged or not a workbook"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// Damaged workbooks (random bytes, or a zip signature followed by them) give a
            /// diagnostic, never a panic.
            #[test]
            fn damaged_workbooks_do_not_panic(
                zip in any::<bool>(),
                bytes in proptest::collection::vec(any::<u8>(), 0..600),
            ) {
                let mut data = if zip { b"PK\x03\x04".to_vec() } else { Vec::new() };
                data.extend(bytes);
                let source = SourceFile::new("x.xlsx", data);
                prop_assert!(read_table(&source, None).is_err());
            }
        }
    }
}
