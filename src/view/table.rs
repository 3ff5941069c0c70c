//! `table` blocks as templates see them: every amount printed once from its exact value
//! (rounded half away from zero to the table's decimals), each carrying the cells it sums for
//! the provenance appendix, and one width for the amount columns of all tables in a section,
//! so stacked tables line up.

use minijinja::Value;
use serde::Serialize;

use crate::diag::Origin;
use crate::locale::Locale;
use crate::model::content::table::{Amount, AmountTable, LineKind};
use crate::norsk as format;

use super::figures::NO_VALUE;
use super::printed::{FigureSource, PrintedFigure};
use super::prose::{Resolve, prose_value};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AmountTableView {
    pub(crate) caption: Option<Value>,
    pub(crate) note: Option<Value>,
    /// The label column's header, then each amount column's.
    pub(crate) headers: Vec<String>,
    /// The unit the amounts are in (`mill. kr`), for a line above the header; may be empty.
    pub(crate) unit: String,
    pub(crate) lines: Vec<LineView>,
    /// The width of every amount column in em, the same for the tables of one section.
    pub(crate) width: f64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LineView {
    /// `row`, `group`, `subtotal` or `total`.
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) cells: Vec<Value>,
}

/// A table block's view for the output of `unit` (its own rows where the table is split by
/// unit): amounts printed, sums with the cells they add up.
pub(crate) fn amount_table(
    table: &AmountTable,
    unit: Option<&str>,
    resolve: &dyn Resolve,
    locale: &Locale,
) -> AmountTableView {
    let mut widest = 0;
    let lines = table
        .lines_for(unit)
        .iter()
        .map(|line| {
            let cells = line
                .amounts
                .iter()
                .zip(table.headers.iter().skip(1))
                .map(|(amount, header)| {
                    let text = amount.value.map_or(NO_VALUE.to_string(), |v| {
                        format::exact_number(v, table.decimals)
                    });
                    widest = widest.max(text.chars().count());
                    let source = source(table, &line.label, header, &text, amount, locale);
                    PrintedFigure::value(text, source.into_iter().collect())
                })
                .collect();
            LineView {
                kind: match line.kind {
                    LineKind::Row => "row",
                    LineKind::Group => "group",
                    LineKind::Subtotal => "subtotal",
                    LineKind::Total => "total",
                },
                label: line.label.clone(),
                cells,
            }
        })
        .collect();
    for header in table.headers.iter().skip(1) {
        widest = widest.max(header.chars().count());
    }
    AmountTableView {
        caption: table.caption.as_ref().map(|t| prose_value(t, resolve)),
        note: table.note.as_ref().map(|t| prose_value(t, resolve)),
        headers: table.headers.clone(),
        unit: table.unit.clone(),
        lines,
        width: width_of(widest),
    }
}

/// Room for `chars` tabular figures and the cell's padding, in em.
fn width_of(chars: usize) -> f64 {
    (chars as f64 * 0.55 + 1.0).max(4.0)
}

/// The widest amount column of the section's tables, given to each, so they line up.
pub(crate) fn share_widths(widths: &mut [&mut f64]) {
    let widest = widths.iter().map(|w| **w).fold(0.0, f64::max);
    for width in widths {
        **width = widest;
    }
}

/// The appendix entry of one printed amount: the cell it is, or for a sum the first cell and
/// how many cells on which lines it adds up.
fn source(
    table: &AmountTable,
    label: &str,
    header: &str,
    text: &str,
    amount: &Amount,
    locale: &Locale,
) -> Option<FigureSource> {
    let first = amount.cells.first()?;
    let name = match amount.cells.len() {
        1 => label.to_string(),
        n => format!(
            "{label} ({} {n} {}: {} {})",
            locale.text("appendix", "sum_of"),
            locale.text("appendix", "cells"),
            locale.text("appendix", "lines"),
            line_ranges(&amount.cells)
        ),
    };
    let value = if table.unit.is_empty() {
        text.to_string()
    } else {
        format::with_unit(text.to_string(), &table.unit)
    };
    Some(FigureSource {
        // One entry per line and column: the appendix keys its figures by id and period.
        id: format!("{}: {label}", table.table),
        name,
        period: header.to_string(),
        value,
        origin: first.clone(),
    })
}

/// The lines (rows) of cells, as ranges: `2–5, 9, 12–13`.
fn line_ranges(cells: &[Origin]) -> String {
    let mut lines: Vec<u64> = cells
        .iter()
        .filter_map(|origin| match origin {
            Origin::Text { line, .. } | Origin::Line { line, .. } => Some(*line as u64),
            Origin::Cell { row, .. } => Some(u64::from(*row) + 1),
            Origin::File { .. } => None,
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_told_as_ranges() {
        let at = |line| Origin::text("b.csv", line, 11);
        assert_eq!(
            line_ranges(&[at(2), at(3), at(4), at(9), at(12), at(13)]),
            "2–4, 9, 12–13"
        );
    }

    #[test]
    fn widths_are_shared() {
        let (mut a, mut b) = (4.0, 7.3);
        share_widths(&mut [&mut a, &mut b]);
        assert_eq!((a, b), (7.3, 7.3));
    }
}
