//! Excel workbooks (xlsx, xls, ods via calamine): one sheet read into a [`Table`] with cell
//! origins (`file[Sheet]!C7`).
//!
//! Formula cells give their cached values, date cells (1900 or 1904 date system) give dates,
//! error cells give Excel's own text (`#DIV/0!`), and in xlsx workbooks a cell formatted as a
//! percentage gives the number it shows (0.073 formatted `0.0%` reads as 7.3).

use std::io::Cursor;

use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};

use super::limits::{Limits, breached};
use super::number::without_float_noise;
use super::{Cell, CellValue, SourceFile, Table, column_name};
use crate::diag::{Diagnostic, FilePath, Origin, closest};

/// A filled cell as the sheet holds it, before the table is laid out.
struct Found {
    row: u32,
    column: u32,
    value: CellValue,
    percent: bool,
}

/// Reads `sheet` (or the first sheet) of a workbook into a [`Table`] whose header is, for now,
/// the first non-empty row. xlsx and xlsb sheets are read cell by cell under `limits`, so a
/// stray far cell or a zip bomb is an error here, never an allocation of its whole range.
pub(crate) fn read_table(
    source: &SourceFile,
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<Table, Diagnostic> {
    check_unpacked_size(source, limits)?;
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(source.bytes.as_slice()))
        .map_err(|e| cannot_open(source, &e.to_string()))?;
    let sheet_name = sheet_named(source, &workbook.sheet_names(), sheet)?;
    let unreadable = |e: String| {
        Diagnostic::error(
            Origin::file(&source.path),
            format!("sheet \"{sheet_name}\" cannot be read: {e}"),
        )
        .with_hint("open the workbook in Excel and save it again")
    };
    let place = Place {
        source,
        file: FilePath::from(&source.path),
        sheet: std::sync::Arc::from(sheet_name.as_str()),
        limits,
    };
    let found = match &mut workbook {
        Sheets::Xlsx(xlsx) => match xlsx.worksheet_cells_reader(&sheet_name) {
            Ok(mut reader) => {
                let mut next = || -> Result<_, calamine::XlsxError> {
                    let Some((cell, style)) = reader.next_cell_with_style_id()? else {
                        return Ok(None);
                    };
                    let percent = reader
                        .styles()
                        .get(style)
                        .and_then(|s| s.number_format.as_ref())
                        .is_some_and(|f| is_percent_format(&f.format_code));
                    Ok(Some((
                        cell.get_position(),
                        Data::from(cell.get_value().clone()),
                        percent,
                    )))
                };
                place.collect(std::iter::from_fn(|| next().transpose()))?
            }
            Err(calamine::XlsxError::NotAWorksheet(_)) => Vec::new(),
            Err(e) => return Err(unreadable(e.to_string())),
        },
        Sheets::Xlsb(xlsb) => {
            let mut reader = xlsb
                .worksheet_cells_reader(&sheet_name)
                .map_err(|e| unreadable(e.to_string()))?;
            let cells = std::iter::from_fn(|| {
                reader
                    .next_cell()
                    .map(|c| {
                        c.map(|c| (c.get_position(), Data::from(c.get_value().clone()), false))
                    })
                    .transpose()
            });
            place.collect(cells)?
        }
        // xls (at most 65 536 × 256 cells by its format) and ods are read whole.
        other => {
            let range = other
                .worksheet_range(&sheet_name)
                .map_err(|e| unreadable(e.to_string()))?;
            let (first_row, first_col) = range.start().unwrap_or((0, 0));
            let cells = range.cells().map(|(r, c, data)| {
                let position = (first_row + r as u32, first_col + c as u32);
                Ok::<_, String>((position, data.clone(), false))
            });
            place.collect(cells)?
        }
    };
    place.table(found)
}

/// The sheet the manifest names (exactly, or by case and spaces), or the first.
fn sheet_named(
    source: &SourceFile,
    names: &[String],
    sheet: Option<&str>,
) -> Result<String, Diagnostic> {
    match sheet {
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
            }),
        None => names.first().cloned().ok_or_else(|| {
            Diagnostic::error(Origin::file(&source.path), "the workbook has no sheets")
        }),
    }
}

/// A zipped workbook (xlsx, xlsb, ods) whose parts would unpack to more than the limit is
/// refused before any part is unpacked. The zip reader holds each part to the size its
/// directory declares, so the declared sizes bound what reading can cost.
fn check_unpacked_size(source: &SourceFile, limits: &Limits) -> Result<(), Diagnostic> {
    if !source.bytes.starts_with(b"PK") {
        return Ok(());
    }
    // A damaged archive is left to calamine, whose message says so.
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(source.bytes.as_slice())) else {
        return Ok(());
    };
    let mut total = 0u64;
    let mut largest = (0u64, String::new());
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(index) else {
            continue;
        };
        total = total.saturating_add(part.size());
        if part.size() > largest.0 {
            largest = (
                part.size(),
                part.name().map(|n| n.to_string()).unwrap_or_default(),
            );
        }
    }
    if total <= limits.unpacked_bytes() {
        return Ok(());
    }
    Err(breached(
        Origin::file(&source.path),
        format!(
            "the workbook unpacks to {} MB (its largest part, {}, to {} MB)",
            total.div_ceil(1024 * 1024),
            largest.1,
            largest.0.div_ceil(1024 * 1024)
        ),
        "unpacked_mb",
        limits.unpacked_mb,
        "check that the file is the export you meant (a workbook this size is often damaged or hostile)",
    ))
}

/// The sheet being read, for origins and limits.
struct Place<'a> {
    source: &'a SourceFile,
    /// Shared by every cell's origin, as the sheet's name is.
    file: FilePath,
    sheet: std::sync::Arc<str>,
    limits: &'a Limits,
}

impl Place<'_> {
    fn origin(&self, row: u32, column: u32) -> Origin {
        Origin::Cell {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column,
        }
    }

    /// The filled cells (calamine's empty cells skipped as they stream past), each checked
    /// against the limits as it is read.
    fn collect<E: ToString>(
        &self,
        cells: impl Iterator<Item = Result<((u32, u32), Data, bool), E>>,
    ) -> Result<Vec<Found>, Diagnostic> {
        let mut found = Vec::new();
        for cell in cells {
            let ((row, column), data, percent) = cell.map_err(|e| {
                Diagnostic::error(
                    Origin::file(&self.source.path),
                    format!("sheet \"{}\" cannot be read: {}", self.sheet, e.to_string()),
                )
                .with_hint("open the workbook in Excel and save it again")
            })?;
            if matches!(data, Data::Empty) {
                continue;
            }
            if found.len() as u64 >= self.limits.cells {
                return Err(breached(
                    self.origin(row, column),
                    format!(
                        "the sheet \"{}\" holds more filled cells than the limit allows",
                        self.sheet
                    ),
                    "cells",
                    self.limits.cells,
                    "read a smaller sheet, or split the export",
                ));
            }
            let mut value = cell_value(&data);
            let percent = percent && matches!(value, CellValue::Number(_));
            if let CellValue::Text(text) = &value {
                self.check_chars(text, row, column)?;
            }
            if let (true, CellValue::Number(n)) = (percent, &value) {
                value = CellValue::Number(without_float_noise(*n * 100.0));
            }
            found.push(Found {
                row,
                column,
                value,
                percent,
            });
        }
        Ok(found)
    }

    fn check_chars(&self, text: &str, row: u32, column: u32) -> Result<(), Diagnostic> {
        // Bytes bound characters from above: count only when the bytes could exceed.
        if text.len() as u64 <= self.limits.cell_chars
            || text.chars().count() as u64 <= self.limits.cell_chars
        {
            return Ok(());
        }
        Err(breached(
            self.origin(row, column),
            format!("the cell holds {} characters", text.chars().count()),
            "cell_chars",
            self.limits.cell_chars,
            "shorten the cell's text",
        ))
    }

    /// Lays the filled cells out as rows over the columns they use, refusing a used range
    /// (rows with something in them × columns from the first to the last used) above the
    /// cell limit at the cell that stretches it.
    fn table(&self, mut found: Vec<Found>) -> Result<Table, Diagnostic> {
        found.sort_by_key(|f| (f.row, f.column));
        let first_col = found.iter().map(|f| f.column).min().unwrap_or(0);
        let last_col = found.iter().map(|f| f.column).max().unwrap_or(0);
        let width = u64::from(last_col - first_col) + 1;
        let mut row_count = 0u64;
        let mut previous = None;
        for f in &found {
            if previous != Some(f.row) {
                row_count += 1;
                previous = Some(f.row);
            }
        }
        if row_count.saturating_mul(width) > self.limits.cells {
            let far = found
                .iter()
                .max_by_key(|f| f.column)
                .map_or((0, 0), |f| (f.row, f.column));
            return Err(breached(
                self.origin(far.0, far.1),
                format!(
                    "the sheet's used range is {row_count} rows × {width} columns (to column {}), {} cells with the empty ones inside it",
                    column_name(last_col),
                    row_count.saturating_mul(width)
                ),
                "cells",
                self.limits.cells,
                "clear the stray cell far from the table (in Excel, Ctrl+End goes to it)",
            ));
        }
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut found = found.into_iter().peekable();
        while let Some(row) = found.peek().map(|f| f.row) {
            let mut cells: Vec<Cell> = (first_col..=last_col)
                .map(|column| Cell::new(CellValue::Empty, self.origin(row, column)))
                .collect();
            while let Some(f) = found.next_if(|f| f.row == row) {
                let cell = &mut cells[(f.column - first_col) as usize];
                cell.value = f.value;
                cell.percent_format = f.percent;
            }
            if !cells.iter().all(|c| c.value.is_empty()) {
                rows.push(cells);
            }
        }
        Table::from_rows(&self.source.path, rows).ok_or_else(|| {
            Diagnostic::error(
                Origin::file(&self.source.path),
                format!("sheet \"{}\" is empty", self.sheet),
            )
            .with_hint("choose the sheet that holds the table with sheet: in the manifest")
        })
    }
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
        // Beyond 2⁵³ a float no longer holds every whole number: kept as text, which the
        // number reader refuses at the cell if it is read as a figure.
        Data::Int(i) if i.unsigned_abs() >= 1 << 53 => CellValue::Text(i.to_string()),
        Data::Float(f) if f.abs() >= super::number::EXACT_UP_TO => CellValue::Text(f.to_string()),
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
        let err = read_table(&source, None, &Limits::default()).unwrap_err();
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
                prop_assert!(read_table(&source, None, &Limits::default()).is_err());
            }
        }
    }
}
