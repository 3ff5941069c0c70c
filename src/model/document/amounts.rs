//! `table` blocks filled from their data table: the label, group, filter and amount columns
//! found in the header, every amount cell read exactly and scaled from the file's unit (the
//! data source's `unit:`) to the table's, rows with the same label summed, then subtotals per
//! group and the total, all from unrounded values. In a document made per unit, a table with
//! the unit column is also filled for each unit from its own rows. Each problem is told at the
//! block's line or the cell, with the fix.

use std::collections::HashMap;
use std::path::Path;

use super::rows::{RowInputs, RowTables, UnitRowProblems};
use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::number::{Parsed, parse_number};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{Cell, CellValue, Table, normalise_header};
use crate::model::content::table::{
    Amount, AmountTable, FilledTables, LineKind, TableLine, unit_key,
};
use crate::model::kpi::Unit;
use crate::model::narrative::table::TableBlock;
use crate::model::narrative::{Block, Section, all_blocks};
use crate::norsk::exact::Exact;

/// Builds every `table` block of `sections` into `filled`, keyed by the block's origin.
/// Problems of a block go to the document; a unit's (no rows of its own) to the unit's output.
pub(super) fn fill(
    sections: &[Section],
    file: &Path,
    inputs: &RowInputs,
    (problems, unit_problems): (&mut Diagnostics, &mut UnitRowProblems),
    filled: &mut FilledTables,
) {
    for block in all_blocks(sections) {
        if let Block::Table(spanned) = block
            && let Some(table) = build(spanned, file, inputs, (problems, unit_problems))
        {
            filled.insert(origin_of(file, spanned), table);
        }
    }
}

/// The columns a table block reads, found in its table's header.
struct Columns {
    label: usize,
    group: Option<usize>,
    /// The amount columns, one per printed column; in the long form the one amount column.
    amounts: Vec<usize>,
    filter: Vec<(usize, String)>,
    /// The long form: the column whose values pick the printed column, and those values
    /// (normalised) in the printed order.
    long: Option<(usize, Vec<String>)>,
}

impl Columns {
    /// How many columns of amounts the table prints.
    fn printed(&self) -> usize {
        match &self.long {
            Some((_, values)) => values.len(),
            None => self.amounts.len(),
        }
    }

    /// The printed columns a row's amounts go to: (printed column, the file's column).
    fn slots(&self, row: &[Cell]) -> Vec<(usize, usize)> {
        match &self.long {
            None => self.amounts.iter().copied().enumerate().collect(),
            Some((from, values)) => {
                let value = row
                    .get(*from)
                    .map(|c| normalise_header(&c.value.as_text()))
                    .unwrap_or_default();
                let amount = self.amounts[0];
                values
                    .iter()
                    .position(|v| *v == value)
                    .map(|slot| vec![(slot, amount)])
                    .unwrap_or_default()
            }
        }
    }
}

/// One table block built from its table; `None` (with its problems told) when it cannot be.
fn build(
    spanned: &Spanned<TableBlock>,
    file: &Path,
    inputs: &RowInputs,
    (problems, unit_problems): (&mut Diagnostics, &mut UnitRowProblems),
) -> Option<AmountTable> {
    let tables = inputs.tables;
    let spec = &spanned.value;
    let id = &spec.table.value;
    let mut table = match tables.copy(id) {
        Ok(Some(table)) => table,
        Ok(None) => return None,
        Err(known) => {
            let mut d = Diagnostic::error(
                origin_of(file, &spec.table),
                format!("no table \"{id}\" for this document"),
            )
            .with_hint("list the data source under the document's tables: in the manifest");
            if let Some(near) = closest(id, known.iter().map(String::as_str)) {
                d = d.with_hint(format!("did you mean \"{near}\"?"));
            }
            problems.push(d);
            return None;
        }
    };
    let mut wanted: Vec<&str> = vec![spec.rows.value.as_str()];
    wanted.extend(spec.group.iter().map(|g| g.value.as_str()));
    wanted.extend(spec.columns_from.iter().map(|g| g.value.as_str()));
    let groups: Vec<[&str; 1]> = wanted.iter().map(|w| [*w]).collect();
    let groups: Vec<&[&str]> = groups.iter().map(|g| g.as_slice()).collect();
    table.find_header(&groups);
    let columns = columns(spec, &table, file, problems)?;
    let (shift, unit) = scale(spec, tables, file, problems)?;
    let decimals = spec.decimals.unwrap_or(0);
    if decimals > 6 {
        problems.push(
            Diagnostic::error(
                origin_of(file, spanned),
                format!("decimals: {decimals} is more than 6"),
            )
            .with_hint("write decimals: 0 to 6"),
        );
        return None;
    }
    if !long_columns_found(spec, &table, &columns, file, problems) {
        return None;
    }
    let all_rows: Vec<&[Cell]> = table.rows.iter().map(Vec::as_slice).collect();
    let groups = read_rows(&all_rows, &columns, shift, &spec.rows.value, problems)?;
    let read = (&table, &columns, shift);
    let by_unit = unit_lines(spanned, file, read, inputs, unit_problems);
    // A header of the block's own (`headers:`), else the file's (the long form's columns are
    // named by the values written).
    let own_header = |written: &str| {
        let own = spec
            .headers
            .iter()
            .find(|(k, _)| normalise_header(k) == normalise_header(written));
        own.map(|(_, v)| v.clone())
    };
    let file_header = |index: usize| table.header[index].value.as_text().trim().to_string();
    let mut headers =
        vec![own_header(&spec.rows.value).unwrap_or_else(|| file_header(columns.label))];
    for (slot, written) in spec.columns.iter().enumerate() {
        let written = &written.value.0;
        headers.push(own_header(written).unwrap_or_else(|| match columns.long {
            Some(_) => written.trim().to_string(),
            None => file_header(columns.amounts[slot]),
        }));
    }
    Some(AmountTable {
        table: id.clone(),
        caption: None,
        note: None,
        headers,
        unit,
        decimals,
        lines: lines(spec, groups, columns.printed()),
        by_unit,
    })
}

/// In a document made per unit, over a table with the unit column (that `where:` does not
/// already choose by): each unit's lines from its own rows, found in one pass over the table.
/// A unit with no rows is a warning at the block, with that unit's output: its PDF would print
/// an empty table.
fn unit_lines(
    spanned: &Spanned<TableBlock>,
    file: &Path,
    (table, columns, shift): (&Table, &Columns, i32),
    inputs: &RowInputs,
    unit_problems: &mut UnitRowProblems,
) -> std::collections::BTreeMap<String, Vec<TableLine>> {
    let spec = &spanned.value;
    let mut by_unit = std::collections::BTreeMap::new();
    let Some(name) = inputs.unit_column else {
        return by_unit;
    };
    let chosen = spec
        .filter
        .keys()
        .any(|k| normalise_header(k) == normalise_header(name));
    let Some(column) = table.column(&[name]).filter(|_| !chosen) else {
        return by_unit;
    };
    let mut rows_of: HashMap<String, Vec<&[Cell]>> = HashMap::new();
    for row in &table.rows {
        let unit = row
            .get(column)
            .map(|c| unit_key(&c.value.as_text()))
            .unwrap_or_default();
        rows_of.entry(unit).or_default().push(row.as_slice());
    }
    // The rows' problems were told when every row was read above.
    let mut quiet = Diagnostics::default();
    for unit in &inputs.units {
        let key = unit_key(unit);
        let rows = rows_of.get(&key).map(Vec::as_slice).unwrap_or_default();
        if rows.is_empty() {
            unit_problems.by_unit.entry(unit.clone()).or_default().push(
                Diagnostic::warning(
                    origin_of(file, &spec.table),
                    format!(
                        "the table \"{}\" has no rows for {unit}; its PDF prints the table empty",
                        spec.table.value
                    ),
                )
                .with_hint(format!(
                    "add {unit}'s rows to {}, or acknowledge the warning (acknowledge:) when {unit} has none",
                    table.file.display()
                )),
            );
        }
        if let Some(groups) = read_rows(rows, columns, shift, &spec.rows.value, &mut quiet) {
            by_unit.insert(key, lines(spec, groups, columns.printed()));
        }
    }
    by_unit
}

/// The label, group, filter and amount columns, each error at the narrative's line.
fn columns(
    spec: &TableBlock,
    table: &Table,
    file: &Path,
    problems: &mut Diagnostics,
) -> Option<Columns> {
    let long = long_form(spec, file, problems);
    let mut failed = matches!(long, Some(None));
    let mut find = |name: &str, at: Origin, what: &str| {
        let found = table.column(&[name]);
        if found.is_none() {
            failed = true;
            let headers = table.header_names();
            let mut d = Diagnostic::error(
                at,
                format!(
                    "no column \"{name}\" in {} {what} (found: {})",
                    table.file.display(),
                    headers.join(", ")
                ),
            );
            if let Some(near) = closest(name, headers.iter().map(String::as_str)) {
                d = d.with_hint(format!("did you mean \"{near}\"?"));
            }
            problems.push(d);
        }
        found
    };
    let label = find(
        &spec.rows.value,
        origin_of(file, &spec.rows),
        "to name the rows",
    );
    let group = spec
        .group
        .as_ref()
        .map(|g| find(&g.value, origin_of(file, g), "to group the rows by"));
    // The long form reads one amount column and the column its printed columns come from.
    let from = match &long {
        Some(Some((from, _))) => find(
            &from.value,
            origin_of(file, from),
            "to take the columns from",
        ),
        _ => None,
    };
    let amounts: Vec<Option<usize>> = match &long {
        Some(Some((_, amount))) => vec![find(
            &amount.value,
            origin_of(file, amount),
            "holding the amounts",
        )],
        Some(None) => Vec::new(),
        None => spec
            .columns
            .iter()
            .map(|c| find(c.value.0.trim(), origin_of(file, c), "to print"))
            .collect(),
    };
    let filter: Vec<Option<(usize, String)>> = spec
        .filter
        .iter()
        .map(|(column, value)| {
            find(column, origin_of(file, value), "to filter on").map(|i| (i, value.value.clone()))
        })
        .collect();
    if spec.columns.is_empty() {
        failed = true;
        problems.push(
            Diagnostic::error(
                origin_of(file, &spec.table),
                "the table names no columns of amounts",
            )
            .with_hint("write columns: [2021, 2022] with the headers of the columns to print"),
        );
    }
    if failed {
        return None;
    }
    let long = from.map(|from| {
        let values = spec
            .columns
            .iter()
            .map(|c| normalise_header(&c.value.0))
            .collect();
        (from, values)
    });
    Some(Columns {
        label: label?,
        group: group.flatten(),
        amounts: amounts.into_iter().flatten().collect(),
        filter: filter.into_iter().flatten().collect(),
        long,
    })
}

/// In the long form, whether every listed column is a value some row holds; an error at the
/// column's line names the values found.
fn long_columns_found(
    spec: &TableBlock,
    table: &Table,
    columns: &Columns,
    file: &Path,
    problems: &mut Diagnostics,
) -> bool {
    let Some((from, values)) = &columns.long else {
        return true;
    };
    let mut found: Vec<String> = Vec::new();
    for row in &table.rows {
        if let Some(cell) = row.get(*from)
            && !cell.value.is_empty()
        {
            let text = cell.value.as_text().trim().to_string();
            if !found.contains(&text) {
                found.push(text);
            }
        }
    }
    let held: Vec<String> = found.iter().map(|f| normalise_header(f)).collect();
    let mut all = true;
    for (written, value) in spec.columns.iter().zip(values) {
        if held.contains(value) {
            continue;
        }
        all = false;
        let name = spec.columns_from.as_ref().map_or("", |c| c.value.as_str());
        let shown: Vec<&str> = found.iter().take(12).map(String::as_str).collect();
        let mut d = Diagnostic::error(
            origin_of(file, written),
            format!(
                "no row of {} has {name} {} (found: {})",
                table.file.display(),
                written.value.0.trim(),
                shown.join(", ")
            ),
        )
        .with_hint(format!("list values of {name} that the file holds"));
        // A near name is a likely typo; a near year is just another year.
        let year = written.value.0.trim().parse::<i64>().is_ok();
        if !year
            && let Some(near) = closest(written.value.0.trim(), found.iter().map(String::as_str))
        {
            d = d.with_hint(format!("did you mean \"{near}\"?"));
        }
        problems.push(d);
    }
    all
}

/// `columns_from:` and `amount:` (the long form), or `None` for the wide form; an error at
/// the one written when the other is missing (`Some(None)`).
fn long_form<'a>(
    spec: &'a TableBlock,
    file: &Path,
    problems: &mut Diagnostics,
) -> Option<Option<(&'a Spanned<String>, &'a Spanned<String>)>> {
    match (&spec.columns_from, &spec.amount) {
        (None, None) => None,
        (Some(from), Some(amount)) => Some(Some((from, amount))),
        (Some(written), None) | (None, Some(written)) => {
            problems.push(
                Diagnostic::error(
                    origin_of(file, written),
                    "columns_from: and amount: go together",
                )
                .with_hint("for a file with one row per line and year, write columns_from: with the year column and amount: with the amount column; for one column per year, leave both out"),
            );
            Some(None)
        }
    }
}

/// How far the decimal point moves from the file's unit to the table's, and the table's unit
/// as printed: `unit: mill. kr` over a file in kroner moves it six places left.
fn scale(
    spec: &TableBlock,
    tables: &RowTables,
    file: &Path,
    problems: &mut Diagnostics,
) -> Option<(i32, String)> {
    let source = tables.unit(&spec.table.value);
    let from = source.map(|u| u.unit.exponent());
    let Some(written) = &spec.unit else {
        // The file's own unit, as its data source names it.
        return Some((0, source.map(|u| u.written.clone()).unwrap_or_default()));
    };
    let unit = Unit::parse(&written.value);
    let (Some(to), Some(from)) = (unit.kroner_exponent(), from) else {
        let message = match unit.kroner_exponent() {
            None => format!("unit: \"{}\" is not a unit of kroner", written.value.trim()),
            Some(_) => format!(
                "the table prints {}, but the data source \"{}\" does not say which unit its figures are in",
                written.value.trim(),
                spec.table.value
            ),
        };
        problems.push(
            Diagnostic::error(origin_of(file, written), message).with_hint(
                "write the file's unit in its data source (unit: kr, 1 000 kr, mill. kr or mrd. kr) and the table's here, or leave unit: out to print the file's figures as they are",
            ),
        );
        return None;
    };
    Some((from - to, unit.suffix().to_string()))
}

/// Rows with their group's name, in order of first appearance: (group, [(label, amounts)]).
type Groups = Vec<(String, Vec<(String, Vec<Amount>)>)>;

/// The file's rows that pass the filter, summed by label within their group.
fn read_rows(
    rows: &[&[Cell]],
    columns: &Columns,
    shift: i32,
    label_name: &str,
    problems: &mut Diagnostics,
) -> Option<Groups> {
    let mut groups: Groups = Vec::new();
    let mut place: HashMap<(String, String), (usize, usize)> = HashMap::new();
    let mut failed = false;
    let text = |row: &[Cell], i: usize| row.get(i).map(|c| c.value.as_text().trim().to_string());
    for &row in rows {
        if row.iter().all(|c| c.value.is_empty()) {
            continue;
        }
        let kept = columns.filter.iter().all(|(i, want)| {
            text(row, *i).is_some_and(|t| t.to_lowercase() == want.trim().to_lowercase())
        });
        // In the long form, a row of a year the table does not print has no slot: left out.
        let slots = columns.slots(row);
        if !kept || slots.is_empty() {
            continue;
        }
        let label = text(row, columns.label).unwrap_or_default();
        if label.is_empty() {
            failed = true;
            let origin = row.first().map(|c| c.origin.clone());
            problems.push(
                Diagnostic::error(
                    origin,
                    format!("the row has no \"{label_name}\" to name it by"),
                )
                .with_hint("fill in the cell, or leave the row out with where:"),
            );
            continue;
        }
        let group = columns.group.and_then(|g| text(row, g)).unwrap_or_default();
        let key = (group.clone(), label.clone());
        let (gi, li) = *place.entry(key).or_insert_with(|| {
            let gi = match groups.iter().position(|(g, _)| *g == group) {
                Some(gi) => gi,
                None => {
                    groups.push((group.clone(), Vec::new()));
                    groups.len() - 1
                }
            };
            let blank = vec![
                Amount {
                    value: None,
                    cells: Vec::new()
                };
                columns.printed()
            ];
            groups[gi].1.push((label.clone(), blank));
            (gi, groups[gi].1.len() - 1)
        });
        for (slot, index) in slots {
            let Some(cell) = row.get(index) else {
                continue;
            };
            match amount_of(cell, shift) {
                Ok(Some(value)) => {
                    let amount = &mut groups[gi].1[li].1[slot];
                    amount.value = Some(add(amount.value, value));
                    amount.cells.push(cell.origin.clone());
                }
                Ok(None) => {}
                Err(d) => {
                    failed = true;
                    problems.push(d);
                }
            }
        }
    }
    (!failed).then_some(groups)
}

fn add(sum: Option<Exact>, value: Exact) -> Exact {
    match sum {
        Some(s) => s.plus(value).unwrap_or(s),
        None => value,
    }
}

/// An amount cell in the table's unit: a number, `None` for an empty cell or SSB's "no
/// value", an error at the cell for anything else.
fn amount_of(cell: &Cell, shift: i32) -> Result<Option<Exact>, Diagnostic> {
    let value = match &cell.value {
        CellValue::Empty => return Ok(None),
        CellValue::Number(n) => *n,
        CellValue::Text(text) => match parse_number(text) {
            Ok(Parsed::Value { value, unit: None }) => value,
            Ok(Parsed::Value { unit: Some(_), .. }) => {
                return Err(Diagnostic::error(
                    cell.origin.clone(),
                    format!("\"{}\" carries a unit of its own; the table's figures are in its data source's unit", text.trim()),
                )
                .with_hint("write the figure without a unit, and the file's unit once as unit: in its data source"));
            }
            Ok(Parsed::Missing(_)) => return Ok(None),
            Err(e) => return Err(Diagnostic::error(cell.origin.clone(), e.to_string())),
        },
        CellValue::Date(_) => {
            return Err(Diagnostic::error(
                cell.origin.clone(),
                "a date where an amount was expected",
            )
            .with_hint("format the cell as a number"));
        }
    };
    let exact = Exact::from_f64(value).and_then(|e| e.shifted(shift));
    exact.map(Some).ok_or_else(|| {
        Diagnostic::error(cell.origin.clone(), "the amount cannot be scaled exactly")
            .with_hint("check the figure and the data source's unit:")
    })
}

/// The table's lines: each group's heading, rows and subtotal (a table without `group:` has
/// its rows only), then the total; every sum made of the unrounded amounts.
fn lines(spec: &TableBlock, groups: Groups, width: usize) -> Vec<TableLine> {
    let mut lines = Vec::new();
    let grouped = spec.group.is_some();
    for (group, rows) in &groups {
        if grouped {
            lines.push(TableLine {
                kind: LineKind::Group,
                label: group.clone(),
                amounts: Vec::new(),
            });
        }
        for (label, amounts) in rows {
            lines.push(TableLine {
                kind: LineKind::Row,
                label: label.clone(),
                amounts: amounts.clone(),
            });
        }
        if grouped {
            let label = spec
                .subtotal
                .as_deref()
                .unwrap_or("Sum {group}")
                .replace("{group}", group);
            let amounts = sum_of(rows.iter().map(|(_, a)| a), width);
            lines.push(TableLine {
                kind: LineKind::Subtotal,
                label,
                amounts,
            });
        }
    }
    if let Some(label) = &spec.total {
        let all = groups
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|(_, a)| a));
        lines.push(TableLine {
            kind: LineKind::Total,
            label: label.clone(),
            amounts: sum_of(all, width),
        });
    }
    lines
}

/// The exact sums of rows of amounts, column by column, with the cells each adds up.
fn sum_of<'a>(rows: impl Iterator<Item = &'a Vec<Amount>>, width: usize) -> Vec<Amount> {
    let mut total = vec![
        Amount {
            value: None,
            cells: Vec::new()
        };
        width
    ];
    for row in rows {
        for (slot, amount) in row.iter().enumerate() {
            if let Some(v) = amount.value {
                total[slot].value = Some(add(total[slot].value, v));
                total[slot].cells.extend(amount.cells.iter().cloned());
            }
        }
    }
    total
}
