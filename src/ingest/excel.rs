//! Excel workbooks (xlsx, xls, ods via calamine): one sheet read into a [`Table`] with cell origins.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::{Cell, CellValue, SourceFile, Table};
use crate::diag::{Diagnostic, Origin, closest};

/// Reads `sheet` (or the first sheet) of a workbook; the first non-empty row is the header.
pub fn read_table(source: &SourceFile, sheet: Option<&str>) -> Result<Table, Diagnostic> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(source.bytes.as_slice())).map_err(|e| {
            Diagnostic::error(
                Origin::file(&source.path),
                format!("the workbook cannot be opened: {e}"),
            )
            .with_hint("save it again from Excel as .xlsx; is it really a workbook?")
        })?;
    let names = workbook.sheet_names();
    let sheet_name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
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
    })?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (r, row) in range.rows().enumerate() {
        let cells: Vec<Cell> = row
            .iter()
            .enumerate()
            .map(|(c, data)| Cell {
                value: cell_value(data),
                origin: Origin::cell(
                    &source.path,
                    &sheet_name,
                    first_row + r as u32,
                    first_col + c as u32,
                ),
            })
            .collect();
        if !cells.iter().all(|c| c.value.is_empty()) {
            rows.push(cells);
        }
    }
    if rows.is_empty() {
        return Err(Diagnostic::error(
            Origin::file(&source.path),
            format!("sheet \"{sheet_name}\" is empty"),
        ));
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

fn cell_value(data: &Data) -> CellValue {
    match data {
        Data::Empty => CellValue::Empty,
        Data::String(s) if s.trim().is_empty() => CellValue::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::Bool(b) => CellValue::Text(if *b { "ja" } else { "nei" }.to_string()),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(datetime) => CellValue::Date(datetime.date()),
            None => CellValue::Number(dt.as_f64()),
        },
        Data::Error(e) => CellValue::Text(format!("#{e:?}")),
    }
}
