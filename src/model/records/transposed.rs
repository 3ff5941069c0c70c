//! The transposed layout (`layout: transposed`): one row per period, one column per KPI, as
//! SSB's statistics bank saves a table with the years down the side and KOSTRA workbooks
//! write their `År \ Region` blocks. The header may span rows (a statistic over its groups,
//! merged across them), whose names are joined per column; the rows after the data (a blank
//! row, then `Kilde:`, footnotes, the next block) are notes, kept for `rapportverk data`.

use super::header::{Named, holds_figures, label_text, period_of, two_periods};
use super::{
    Cell, CellValue, ColumnMapping, Columns, Layout, Record, Records, RowReader, Skipped, choice,
};
use crate::diag::{Diagnostic, Origin};
use crate::ingest::number::parse_number;
use crate::ingest::{Table, normalise_header, row_number};
use crate::model::period::Period;

/// A column read as one KPI: its header rows joined, and the header cell naming it.
#[derive(Debug, Clone)]
pub(super) struct KpiColumn {
    pub(super) index: usize,
    pub(super) label: String,
    pub(super) origin: Origin,
}

/// Makes the header the rows right above the first data row: the last header row is the
/// first row of names (beside the stub column) followed by a row with figures; the rows above
/// it with an empty stub cell and names only belong to it (`header_rows:` says how many).
pub(super) fn locate_header(
    table: &mut Table,
    outside: Option<Period>,
    header_rows: Option<usize>,
) {
    if table.header_fixed {
        return;
    }
    let year = outside.map(|p| p.year());
    let rows: Vec<&Vec<Cell>> = std::iter::once(&table.header)
        .chain(table.rows.iter().take(30))
        .collect();
    let names_only =
        |row: &[Cell]| row.iter().skip(1).any(|c| !c.value.is_empty()) && !holds_figures(row, year);
    let Some(last) = (0..rows.len().saturating_sub(1))
        .find(|&i| names_only(rows[i]) && holds_figures(rows[i + 1], year))
    else {
        return;
    };
    let line = |i: usize| rows[i].first().and_then(|c| row_number(&c.origin));
    let first = match header_rows {
        Some(n) => last.saturating_sub(n.saturating_sub(1)),
        None => {
            let mut first = last;
            while first > 0
                && rows[first - 1].first().is_some_and(|c| c.value.is_empty())
                && names_only(rows[first - 1])
                && line(first - 1)
                    .zip(line(first))
                    .is_some_and(|(a, b)| a + 1 == b)
            {
                first -= 1;
            }
            first
        }
    };
    if first > 0 {
        table.make_header(first - 1);
    }
}

/// The columns of a transposed table: the period column (named, or the first whose cells are
/// periods), unless the period is given outside; every other column with a name and figures is
/// a KPI, less those `exclude:` drops, and only those `value:` picks when it names any.
pub(super) fn columns(
    table: &Table,
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
    named: &Named,
    outside: Option<Period>,
) -> Result<Columns, Vec<Diagnostic>> {
    let year = outside.map(|p| p.year());
    let period = match outside {
        Some(_) => {
            if let Some(c) = named.year {
                return Err(vec![two_periods(&table.header[c])]);
            }
            None
        }
        None => Some(
            named
                .year
                .or_else(|| period_column(table, labels.len()))
                .ok_or_else(|| vec![no_period_column(table)])?,
        ),
    };
    let others = [period, named.note, named.unit, named.target];
    let mut kpis: Vec<KpiColumn> = labels
        .iter()
        .enumerate()
        .filter(|(c, cells)| {
            !cells.is_empty() && !others.contains(&Some(*c)) && has_figures(table, *c)
        })
        .map(|(index, cells)| KpiColumn {
            index,
            label: label_text(cells),
            origin: cells[cells.len() - 1].origin.clone(),
        })
        .collect();
    let texts: Vec<String> = kpis.iter().map(|k| k.label.clone()).collect();
    kpis.retain(|k| !choice::excluded(&k.label, &mapping.exclude, year));
    if mapping.value_given() {
        let candidates: Vec<choice::Candidate> = kpis
            .iter()
            .map(|k| choice::Candidate {
                index: k.index,
                label: &k.label,
                period: None,
            })
            .collect();
        let Some(chosen) = choice::chosen(&candidates, &mapping.value, year) else {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            return Err(vec![choice::value_finds_nothing(
                table.header_origin.clone(),
                &mapping.value,
                &texts,
                year,
            )]);
        };
        kpis.retain(|k| chosen.contains(&k.index));
    }
    if let Some(d) = repeated(table, &kpis) {
        return Err(vec![d]);
    }
    if kpis.is_empty() {
        return Err(vec![no_kpi_columns(table)]);
    }
    Ok(Columns {
        layout: Layout::Transposed,
        kpi: period.unwrap_or(0),
        year: period,
        value: 0,
        periods: Vec::new(),
        kpi_columns: kpis,
        note: named.note,
        unit: named.unit,
        target: named.target,
    })
}

/// The first column whose first filled cell below the header is a period.
fn period_column(table: &Table, width: usize) -> Option<usize> {
    (0..width).find(|&c| {
        table
            .rows
            .iter()
            .filter_map(|row| row.get(c))
            .find(|cell| !cell.value.is_empty())
            .is_some_and(|cell| period_of(cell).is_ok())
    })
}

/// Whether a column holds a figure (a label column, such as the region, holds none).
fn has_figures(table: &Table, column: usize) -> bool {
    table
        .rows
        .iter()
        .filter_map(|row| row.get(column))
        .any(|cell| match &cell.value {
            CellValue::Number(_) => true,
            CellValue::Text(t) => parse_number(t).is_ok(),
            _ => false,
        })
}

/// Two KPI columns with one name: the mapping must say which (or join the header rows).
fn repeated(table: &Table, kpis: &[KpiColumn]) -> Option<Diagnostic> {
    kpis.iter().find_map(|k| {
        let same: Vec<&KpiColumn> = kpis
            .iter()
            .filter(|o| normalise_header(&o.label) == normalise_header(&k.label))
            .collect();
        (same.len() > 1).then(|| {
            let places: Vec<String> = same
                .iter()
                .map(|o| super::header::column_letter(&o.origin, o.index))
                .collect();
            Diagnostic::error(
                table.header_origin.clone(),
                format!(
                    "{} columns are headed \"{}\" ({}); a KPI is read from one column",
                    same.len(),
                    k.label,
                    places.join(", ")
                ),
            )
            .with_hint(
                "give header_rows: with the number of header rows, so each column is named with \
                 the rows above it, or choose with columns: { value: [...] } or leave some out \
                 with columns: { exclude: [...] }",
            )
        })
    })
}

fn no_period_column(table: &Table) -> Diagnostic {
    Diagnostic::error(
        table.header_origin.clone(),
        "layout: transposed, but no column holds the periods (2015, 2016, …)",
    )
    .with_hint(
        "name the period column with columns: { year: [its header] }, or give the period \
         with period: when the rows are not periods",
    )
}

fn no_kpi_columns(table: &Table) -> Diagnostic {
    Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "layout: transposed, but no column beside the periods holds figures (found: {})",
            super::header_list(&table.header_names())
        ),
    )
    .with_hint("give header_row: with the row that names the KPI columns")
}

/// The index of the first row after the data: after the first period row, the first row
/// whose period cell is not a period, or that follows a blank row. All rows when the period
/// is given outside the table.
pub(super) fn notes_start(table: &Table, columns: &Columns) -> usize {
    let (Layout::Transposed, Some(column)) = (columns.layout, columns.year) else {
        return table.rows.len();
    };
    let mut seen = false;
    let mut last_line = None;
    for (i, row) in table.rows.iter().enumerate() {
        let line = row.iter().find_map(|c| row_number(&c.origin));
        let is_period = row
            .get(column)
            .is_some_and(|c| !c.value.is_empty() && period_of(c).is_ok());
        let after_blank = matches!((last_line, line), (Some(a), Some(b)) if b > a + 1);
        if seen && (!is_period || after_blank) {
            return i;
        }
        seen |= is_period;
        last_line = line;
    }
    table.rows.len()
}

/// A note row (or footnote cell) as skipped: its text, so `rapportverk data` shows it.
pub(super) fn note(cells: &[Cell], out: &mut Records) {
    let Some(first) = cells.iter().find(|c| !c.value.is_empty()) else {
        return;
    };
    let text: Vec<String> = cells
        .iter()
        .filter(|c| !c.value.is_empty())
        .map(|c| c.value.as_text().trim().to_string())
        .collect();
    let mut text = text.join(" ");
    if text.chars().count() > 80 {
        text = text.chars().take(79).collect::<String>() + "…";
    }
    out.skipped.push(Skipped {
        origin: first.origin.clone(),
        reason: format!("a note below the table: \"{text}\""),
    });
}

impl RowReader<'_> {
    /// The records of one row of a transposed table: a figure per filled KPI cell.
    pub(super) fn transposed_row(&self, row: &[Cell], out: &mut Records) {
        let (period, period_origin) = match (self.columns.year, &self.options.period) {
            (Some(column), _) => match row.get(column).map(period_of) {
                Some(Ok(period)) => (period, row[column].origin.clone()),
                // Before the data: a title or a row of units.
                _ if !holds_figures(row, None) => {
                    if let Some(first) = row.iter().find(|c| !c.value.is_empty()) {
                        out.skipped.push(Skipped {
                            origin: first.origin.clone(),
                            reason: "a title row: no period and no figure".into(),
                        });
                    }
                    return;
                }
                Some(Err(d)) => {
                    out.problems.push(d);
                    return;
                }
                None => {
                    out.problems.push(super::short_row(self.table, row, column));
                    return;
                }
            },
            (None, Some((period, origin))) => (*period, origin.clone()),
            (None, None) => return,
        };
        for column in &self.columns.kpi_columns {
            let cell = row.get(column.index);
            let Some(value) = cell.filter(|c| !c.value.is_empty()) else {
                if let Some(cell) = cell {
                    out.skipped.push(Skipped {
                        origin: cell.origin.clone(),
                        reason: format!(
                            "empty cell ({}, {})",
                            column.label,
                            self.options.period(period).label_nb()
                        ),
                    });
                }
                continue;
            };
            let kpi = Cell::new(CellValue::Text(column.label.clone()), column.origin.clone());
            let record: Record = self.record(
                row,
                &kpi,
                value,
                (period, period_origin.clone()),
                Some(column.label.clone()),
            );
            out.records.push(record);
        }
    }
}
