//! The `assignments` and `calendar` blocks as templates see them: the rows of the output's
//! unit (or, in an overview, of every unit in groups), deadlines as Norwegian dates, the sum
//! of an amount column, and the calendar's months with what is due. Every deadline and
//! amount carries its row's cell for the provenance appendix.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::locale::Locale;
use crate::model::content::{Assignments, Calendar, Match};
use crate::model::rows::Row;
use crate::norsk as format;

use minijinja::Value;

use super::printed::{FigureSource, PrintedFigure};

/// Which unit the blocks are for.
pub(crate) struct RowContext<'a> {
    /// The output's unit; `None` in an overview or a single document.
    pub(crate) unit: Option<&'a str>,
    /// Every unit in plan order, for an overview's groups.
    pub(crate) units: &'a [String],
    /// Units whose rows have errors (an overview marks them).
    pub(crate) broken: &'a BTreeSet<String>,
    pub(crate) year: i32,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowView {
    pub(crate) id: String,
    pub(crate) unit: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) source: String,
    /// `15. februar 2022`.
    pub(crate) deadline: Value,
    pub(crate) responsible: String,
    /// `12,5`, or empty where the row has no figure.
    pub(crate) amount: Value,
    /// `Skole, Helse og omsorg`.
    pub(crate) partners: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AssignmentsView {
    /// `unit`, `partner` or `all`.
    pub(crate) matching: &'static str,
    /// What a row is called (`Klimatiltak`), when the narrative says.
    pub(crate) label: Option<String>,
    pub(crate) rows: Vec<RowView>,
    pub(crate) count: usize,
    /// Whether the block sums an amount column.
    pub(crate) amount: bool,
    /// What the amount is (`tonn CO₂e`), and the same as a table header (`Tonn CO₂e`).
    pub(crate) amount_label: String,
    pub(crate) amount_header: String,
    /// The sum over the rows with a figure: `152,5`.
    pub(crate) sum: String,
    /// How many rows have no figure.
    pub(crate) missing: usize,
    /// In an overview: the rows of each unit, in plan order.
    pub(crate) groups: Vec<RowGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowGroup {
    pub(crate) unit: String,
    pub(crate) rows: Vec<RowView>,
    pub(crate) count: usize,
    pub(crate) sum: String,
    pub(crate) missing: usize,
    /// Whether the unit's own output could not be written (its rows have errors).
    pub(crate) broken: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CalendarView {
    pub(crate) months: Vec<CalendarMonth>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CalendarMonth {
    pub(crate) month: String,
    /// What is due, as lines: reports first, then dates in order.
    pub(crate) items: Vec<Value>,
}

/// A figure as the tables print it: whole numbers without decimals, others with one.
fn amount_text(value: f64) -> String {
    let decimals = if value.fract() == 0.0 { 0 } else { 1 };
    format::number(value, decimals)
}

/// A row's figure as the appendix lists it: `period` is what the figure is (`frist`).
fn row_source(row: &Row, period: String, value: String) -> FigureSource {
    FigureSource {
        id: row.id.clone(),
        name: row.title.clone(),
        period,
        value,
        origin: row.origin.clone(),
    }
}

/// How a block's rows print their deadline and amount.
struct RowPrinting {
    months: Vec<String>,
    /// What the appendix calls a deadline (`frist`) and the amount (`tonn CO₂e`).
    deadline: String,
    amount: String,
}

impl RowPrinting {
    fn row(&self, row: &Row) -> RowView {
        let deadline = format::long_date_in(row.deadline, &self.months);
        RowView {
            id: row.id.clone(),
            unit: row.unit.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            source: row.source.clone(),
            deadline: PrintedFigure::value(
                deadline.clone(),
                vec![row_source(row, self.deadline.clone(), deadline)],
            ),
            responsible: row.responsible.clone(),
            amount: match row.amount {
                Some(amount) => PrintedFigure::value(
                    amount_text(amount),
                    vec![row_source(row, self.amount.clone(), amount_text(amount))],
                ),
                None => Value::from(""),
            },
            partners: row.partners.join(", "),
        }
    }
}

fn matching_key(m: Match) -> &'static str {
    match m {
        Match::Unit => "unit",
        Match::Partner => "partner",
        Match::All => "all",
    }
}

/// Whether `row` belongs to `unit` under `matching`.
fn belongs(row: &Row, matching: Match, unit: &str) -> bool {
    match matching {
        Match::Unit => row.unit == unit,
        Match::Partner => row.partners.iter().any(|p| p == unit),
        Match::All => true,
    }
}

pub(crate) fn assignments(
    block: &Assignments,
    context: &RowContext,
    locale: &Locale,
) -> AssignmentsView {
    let matching = block.matching;
    let label = block
        .amount_label
        .clone()
        .or_else(|| block.amount.clone())
        .unwrap_or_default();
    let printing = RowPrinting {
        months: locale.months(),
        deadline: locale.text("table", "deadline").to_lowercase(),
        amount: label.clone(),
    };
    let row_view = |row: &Row| printing.row(row);
    let own: Vec<&Row> = match (context.unit, matching) {
        (Some(unit), _) => block
            .rows
            .iter()
            .filter(|r| belongs(r, matching, unit))
            .collect(),
        (None, Match::Partner) => block
            .rows
            .iter()
            .filter(|r| !r.partners.is_empty())
            .collect(),
        (None, _) => block.rows.iter().collect(),
    };
    let totals = |rows: &[&Row]| {
        let sum: f64 = rows.iter().filter_map(|r| r.amount).sum();
        (
            amount_text(sum),
            rows.iter().filter(|r| r.amount.is_none()).count(),
        )
    };
    let rows: Vec<RowView> = own.iter().map(|r| row_view(r)).collect();
    let groups = if context.unit.is_none() && matching != Match::All {
        context
            .units
            .iter()
            .map(|unit| {
                let mine: Vec<&Row> = own
                    .iter()
                    .copied()
                    .filter(|r| belongs(r, matching, unit))
                    .collect();
                let (sum, missing) = totals(&mine);
                RowGroup {
                    unit: unit.clone(),
                    rows: mine.iter().map(|r| row_view(r)).collect(),
                    count: mine.len(),
                    sum,
                    missing,
                    broken: context.broken.contains(unit),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let (sum, missing) = totals(&own);
    let mut header = label.chars();
    let amount_header = header
        .next()
        .map(|c| c.to_uppercase().chain(header).collect())
        .unwrap_or_default();
    AssignmentsView {
        matching: matching_key(matching),
        label: block.label.clone(),
        count: rows.len(),
        rows,
        amount: block.amount.is_some(),
        amount_label: label,
        amount_header,
        sum,
        missing: if block.amount.is_some() { missing } else { 0 },
        groups,
    }
}

pub(crate) fn calendar(block: &Calendar, context: &RowContext, locale: &Locale) -> CalendarView {
    let months = locale.months();
    let reporting: Vec<u32> = block
        .reporting
        .iter()
        .flat_map(|r| r.months.iter().copied())
        .collect();
    let last = reporting.iter().copied().max().unwrap_or(12);
    let day_month = |d: NaiveDate| {
        format!(
            "{}. {}",
            d.day(),
            months.get(d.month0() as usize).map_or("", String::as_str)
        )
    };
    let deadline_word = locale.text("calendar", "deadline");
    let with_word = locale.text("calendar", "with");
    // (date, what, the row's deadline for the appendix).
    let mut dated: Vec<(NaiveDate, String, Option<FigureSource>)> = block
        .dates
        .iter()
        .map(|(date, text)| (*date, text.clone(), None))
        .collect();
    let deadline_period = locale.text("table", "deadline").to_lowercase();
    for row in &block.rows {
        let what = match context.unit {
            Some(unit) if row.unit == unit => format!("{deadline_word} {}: {}", row.id, row.title),
            Some(unit) if row.partners.iter().any(|p| p == unit) => format!(
                "{deadline_word} {} ({with_word} {}): {}",
                row.id, row.unit, row.title
            ),
            Some(_) => continue,
            None => format!("{deadline_word} {}: {}", row.id, row.title),
        };
        let deadline = format::long_date_in(row.deadline, &months);
        let source = row_source(row, deadline_period.clone(), deadline);
        dated.push((row.deadline, what, Some(source)));
    }
    dated.retain(|(d, _, _)| d.year() == context.year);
    dated.sort();
    let mut out = Vec::new();
    for month in 1..=12u32 {
        let mut items = Vec::new();
        if reporting.contains(&month)
            && let Some(r) = &block.reporting
        {
            items.push(Value::from(match (&r.last, month == last) {
                (Some(last_text), true) => last_text.clone(),
                _ => r.text.clone(),
            }));
        }
        items.extend(dated.iter().filter(|(d, _, _)| d.month() == month).map(
            |(d, what, source)| {
                PrintedFigure::value(
                    format!("{}: {what}", day_month(*d)),
                    source.iter().cloned().collect(),
                )
            },
        ));
        if !items.is_empty() {
            out.push(CalendarMonth {
                month: months.get(month as usize - 1).cloned().unwrap_or_default(),
                items,
            });
        }
    }
    CalendarView { months: out }
}
