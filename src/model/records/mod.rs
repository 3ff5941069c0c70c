//! KPI records: the model's first reading of a data table, one [`Record`] per figure. KPI
//! tables come in two shapes: long (one row per KPI and period) and wide (one row per KPI, a
//! column per year, as SSB tables and most hand-made sheets look). Columns are found by header names from the manifest; the
//! header row, SSB's extra header rows below it, and the shape are detected when not given.

mod header;

use serde::Deserialize;

pub(crate) use header::wrong_delimiter_hint;
pub use header::year_of;
use header::{column_labels, columns, header_rows_below, locate_header};

use crate::diag::{Diagnostic, Origin, closest};
use crate::ingest::csv::delimiter_name;
use crate::ingest::{Cell, CellValue, Table, row_number};

/// Which header names hold the KPI id, the period, the value, the source note, the unit and
/// the target. Each entry lists accepted names; the defaults recognise common Norwegian and
/// English headers.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnMapping {
    pub kpi: Vec<String>,
    pub year: Vec<String>,
    pub value: Vec<String>,
    pub note: Vec<String>,
    pub unit: Vec<String>,
    pub target: Vec<String>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        ColumnMapping {
            kpi: names(&["kpi", "nøkkeltall", "nokkeltall", "indikator", "id"]),
            year: names(&["år", "ar", "aar", "periode", "year", "period"]),
            value: names(&["verdi", "value", "tall"]),
            note: names(&["kilde", "merknad", "note", "source"]),
            unit: names(&["enhet", "unit", "måleenhet"]),
            target: names(&["mål", "maal", "target"]),
        }
    }
}

/// The shape of a KPI table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One row per KPI and period: columns for KPI, year and value.
    Long,
    /// One row per KPI, one column per year (`2017`, `2018`, `Lørenskog 2025`, `År: 2014`).
    Wide,
}

/// Keep only rows whose `column` holds one of `values` (`filter: { region: "0219 Bærum" }`).
#[derive(Debug, Clone)]
pub struct Filter {
    pub column: String,
    pub values: Vec<String>,
}

/// One figure of a KPI table.
#[derive(Debug, Clone)]
pub struct Record {
    /// The KPI as the table names it: an id, or in tables from elsewhere a name.
    pub kpi: Cell,
    pub year: i32,
    /// The year's cell (long) or column header (wide).
    pub year_origin: Origin,
    /// The value as the cell holds it; validation parses it with the KPI's unit in mind.
    pub value: Cell,
    pub note: String,
    /// The row's unit column (`enhet`), when the table has one.
    pub unit: Option<Cell>,
    /// The row's target column (`mål`), when the table has one.
    pub target: Option<Cell>,
    /// The column's header, in wide tables: `Lørenskog 2025`.
    pub column_label: Option<String>,
}

/// A table's records and the problems found in its rows.
#[derive(Debug, Default, Clone)]
pub struct Records {
    pub layout: Option<Layout>,
    pub records: Vec<Record>,
    pub problems: Vec<Diagnostic>,
    /// The KPI (as written) and, where it could be read, the year of each row that had a
    /// problem: the figures it would have given are missing because of a problem already told.
    pub failed: Vec<(String, Option<i32>)>,
}

/// The columns of a table once its header is known.
struct Columns {
    layout: Layout,
    kpi: usize,
    /// Long: the year column. Wide: unused.
    year: usize,
    /// Long: the value column.
    value: usize,
    /// Wide: (column, year, label, header cell) of every year column read.
    years: Vec<(usize, i32, String, Origin)>,
    note: Option<usize>,
    unit: Option<usize>,
    target: Option<usize>,
}

/// Finds the header and the layout (unless given) and reads every figure of `table`.
pub fn records(
    table: &mut Table,
    mapping: &ColumnMapping,
    layout: Option<Layout>,
    filters: &[Filter],
) -> Records {
    let mut out = Records::default();
    locate_header(table, mapping, layout);
    let below = header_rows_below(table);
    let labels = column_labels(table, below);
    table.rows.drain(..below);
    let columns = match columns(table, &labels, mapping, layout) {
        Ok(columns) => columns,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    out.layout = Some(columns.layout);
    let filter_columns: Vec<(usize, &Filter)> = filters
        .iter()
        .filter_map(|f| match table.column(&[f.column.as_str()]) {
            Some(c) => Some((c, f)),
            None => {
                out.problems.push(missing_filter_column(table, f));
                None
            }
        })
        .collect();
    if filter_columns.len() != filters.len() {
        return out;
    }
    let header_width = table.header.len();
    for row in &table.rows {
        if !filter_columns
            .iter()
            .all(|(c, f)| row.get(*c).is_some_and(|cell| filter_matches(cell, f)))
        {
            continue;
        }
        // The KPI and year of a row that fails, so validation does not report the figure
        // missing as well.
        let failed = |out: &mut Records| {
            let kpi = row
                .get(columns.kpi)
                .map(|c| c.value.as_text().trim().to_string());
            let year = match columns.layout {
                Layout::Long => row.get(columns.year).and_then(|c| year_of(c).ok()),
                Layout::Wide => None,
            };
            if let Some(kpi) = kpi.filter(|k| !k.is_empty()) {
                out.failed.push((kpi, year));
            }
        };
        if let Some(d) = ragged(table, row, header_width) {
            out.problems.push(d);
            failed(&mut out);
            continue;
        }
        let Some(kpi) = row.get(columns.kpi).filter(|c| !c.value.is_empty()) else {
            let has_figures = columns.layout == Layout::Long
                || columns
                    .years
                    .iter()
                    .any(|(c, ..)| row.get(*c).is_some_and(|cell| !cell.value.is_empty()));
            if has_figures {
                let origin = row
                    .get(columns.kpi)
                    .or(row.first())
                    .map(|c| c.origin.clone());
                out.problems.push(
                    Diagnostic::error(origin, "the KPI id is empty")
                        .with_hint("fill in the KPI column or delete the row"),
                );
            }
            continue;
        };
        let text_of = |column: Option<usize>| -> String {
            column
                .and_then(|c| row.get(c))
                .map(|c| c.value.as_text().trim().to_string())
                .unwrap_or_default()
        };
        let optional = |column: Option<usize>| -> Option<Cell> {
            column
                .and_then(|c| row.get(c))
                .filter(|c| !c.value.is_empty())
                .cloned()
        };
        match columns.layout {
            Layout::Long => {
                let Some(year_cell) = row.get(columns.year) else {
                    out.problems.push(short_row(table, row, columns.year));
                    failed(&mut out);
                    continue;
                };
                let year = match year_of(year_cell) {
                    Ok(year) => year,
                    Err(d) => {
                        out.problems.push(d);
                        failed(&mut out);
                        continue;
                    }
                };
                let Some(value) = row.get(columns.value) else {
                    out.problems.push(short_row(table, row, columns.value));
                    failed(&mut out);
                    continue;
                };
                out.records.push(Record {
                    kpi: kpi.clone(),
                    year,
                    year_origin: year_cell.origin.clone(),
                    value: value.clone(),
                    note: text_of(columns.note),
                    unit: optional(columns.unit),
                    target: optional(columns.target),
                    column_label: None,
                });
            }
            Layout::Wide => {
                for (column, year, label, origin) in &columns.years {
                    let Some(value) = row.get(*column).filter(|c| !c.value.is_empty()) else {
                        continue;
                    };
                    out.records.push(Record {
                        kpi: kpi.clone(),
                        year: *year,
                        year_origin: origin.clone(),
                        value: value.clone(),
                        note: text_of(columns.note),
                        unit: optional(columns.unit),
                        target: optional(columns.target),
                        column_label: Some(label.clone()),
                    });
                }
            }
        }
    }
    out
}

fn missing_filter_column(table: &Table, filter: &Filter) -> Diagnostic {
    let names = table.header_names();
    let d = Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "no column \"{}\" to filter on (found: {})",
            filter.column,
            names.join(", ")
        ),
    );
    match closest(&filter.column, names.iter().map(String::as_str)) {
        Some(near) => d.with_hint(format!("did you mean \"{near}\"?")),
        None => d.with_hint("filter: names a column of the header and the values to keep"),
    }
}

/// Whether a cell holds one of the filter's values; a code stored as a number matches the
/// code written with its leading zeros (`0301` matches 301).
fn filter_matches(cell: &Cell, filter: &Filter) -> bool {
    let text = cell.value.as_text();
    let text = text.trim();
    filter.values.iter().any(|wanted| {
        let wanted = wanted.trim();
        if wanted.to_lowercase() == text.to_lowercase() {
            return true;
        }
        match (&cell.value, wanted.parse::<u64>()) {
            (CellValue::Number(n), Ok(code)) => *n == code as f64,
            _ => false,
        }
    })
}

/// A text row with filled cells beyond the header's columns was split wrongly (an unquoted
/// delimiter inside a value). Workbooks often keep notes to the right; those are ignored.
fn ragged(table: &Table, row: &[Cell], header_width: usize) -> Option<Diagnostic> {
    let delimiter = table.delimiter?;
    let named = table
        .header
        .iter()
        .rposition(|c| !c.value.is_empty())
        .map_or(header_width, |i| i + 1);
    let extra = row.iter().skip(named).find(|c| !c.value.is_empty())?;
    let fields = row
        .iter()
        .rposition(|c| !c.value.is_empty())
        .map_or(0, |i| i + 1);
    let delimiter_name = delimiter_name(delimiter);
    Some(
        Diagnostic::error(
            extra.origin.clone(),
            format!(
                "the row has {fields} fields, the header only {named}: \"{}\" is in no column",
                extra.value.as_text().trim()
            ),
        )
        .with_hint(format!(
            "a value holding the delimiter {delimiter_name} must be quoted, e.g. \"7{}3\"",
            delimiter as char
        )),
    )
}

fn short_row(table: &Table, row: &[Cell], wanted: usize) -> Diagnostic {
    let name = table
        .header
        .get(wanted)
        .map(|c| c.value.as_text())
        .unwrap_or_default();
    let origin = row.last().map(|c| c.origin.clone());
    Diagnostic::error(
        origin,
        format!(
            "the row ends after {} fields, before the \"{name}\" column (the header has {})",
            row.len(),
            table.header.len()
        ),
    )
    .with_hint("fill in the missing fields, or delete the row")
}

/// The line or row of a cell, for messages that compare two places.
pub(crate) fn same_row(a: &Origin, b: &Origin) -> bool {
    a.path() == b.path()
        && row_number(a) == row_number(b)
        && matches!(
            (a, b),
            (Origin::Text { .. }, Origin::Text { .. }) | (Origin::Cell { .. }, Origin::Cell { .. })
        )
}
#[cfg(test)]
mod tests;
