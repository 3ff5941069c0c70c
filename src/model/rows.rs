//! Rows of a data table as `assignments` and `calendar` blocks print them (one row per task,
//! assignment or measure: id, unit, title, deadline, partners, an optional amount), checked
//! cell by cell. A bad row breaks only its unit's output; the other units' rows are kept.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::number::{Parsed, parse_number};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{Cell, CellValue, Table, normalise_header};

/// One checked row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) id: String,
    /// The value of the unit column ("" when the table has none).
    pub(crate) unit: String,
    pub(crate) title: String,
    pub(crate) description: String,
    /// Where the row comes from (opphav): a budget decision, a proposal …
    pub(crate) source: String,
    pub(crate) deadline: NaiveDate,
    pub(crate) responsible: String,
    /// The block's amount column, where the row has a figure.
    pub(crate) amount: Option<f64>,
    /// Other units that take part.
    pub(crate) partners: Vec<String>,
    /// Every cell's text by normalised header, for `where:` and `sort:`.
    pub(crate) cells: BTreeMap<String, String>,
    pub(crate) origin: Origin,
}

/// The fields a row is read into, and the headers each is found by unless `columns:` says.
pub(crate) const FIELDS: &[(&str, &[&str])] = &[
    ("id", &["id"]),
    ("unit", &[]),
    ("title", &["tittel", "title"]),
    ("description", &["beskrivelse", "description"]),
    ("source", &["opphav", "source"]),
    ("deadline", &["frist", "deadline"]),
    ("responsible", &["ansvarlig", "responsible"]),
    ("partners", &["samarbeid", "partnere", "partners"]),
];

/// How a block reads a table.
pub(crate) struct RowSpec<'a> {
    pub(crate) columns: &'a BTreeMap<String, Spanned<String>>,
    /// The column naming each row's unit: the document's `per_unit: column` by default.
    pub(crate) unit_column: Option<&'a str>,
    /// A column of numbers (`amount:`), with where it is written.
    pub(crate) amount: Option<&'a Spanned<String>>,
    /// Columns of ja/nei (`where: { klimatiltak: ja }`).
    pub(crate) flags: Vec<&'a str>,
    /// The document's year: a deadline in another year is told.
    pub(crate) year: i32,
    /// The narrative the block is written in.
    pub(crate) narrative: &'a std::path::Path,
    /// Optional fields the block requires (`required: [source, responsible]`): their column
    /// must be there and no cell of it empty.
    pub(crate) required: &'a [String],
}

/// A table's rows as a block reads them.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub(crate) rows: Vec<Row>,
    /// Each row's problems with the row's unit ("" for a row that names none).
    pub(crate) problems: Vec<(String, Diagnostic)>,
    /// Units with an error in one of their rows.
    pub(crate) broken: BTreeSet<String>,
}

/// Words a `where:` filter or a ja/nei column may hold.
pub(crate) fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "ja" | "j" | "x" | "yes" | "true" => Some(true),
        "nei" | "n" | "no" | "false" | "" => Some(false),
        _ => None,
    }
}

/// The header names `field` is found by.
fn names<'a>(spec: &'a RowSpec, field: &'a str) -> Vec<&'a str> {
    if let Some(mapped) = spec.columns.get(field) {
        return vec![mapped.value.as_str()];
    }
    if field == "unit" {
        return spec.unit_column.into_iter().collect();
    }
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(Vec::new(), |(_, n)| n.to_vec())
}

/// Reads the rows of `table` for a block; `None` when a required column is missing (told in
/// `problems`, at the header or at the block's `columns:` line).
pub(crate) fn check(
    table: &mut Table,
    spec: &RowSpec,
    problems: &mut Diagnostics,
) -> Option<Checked> {
    report_unknown_fields(spec, problems);
    let columns = Columns::find(table, spec, problems)?;
    let reader = RowReader::new(table, spec, columns);
    let mut checked = Checked::default();
    let mut seen_ids: BTreeMap<String, Origin> = BTreeMap::new();
    for row in &table.rows {
        reader.read(row, &mut seen_ids, &mut checked);
    }
    Some(checked)
}

/// A block's `columns:` may only map the fields a row has.
fn report_unknown_fields(spec: &RowSpec, problems: &mut Diagnostics) {
    for (field, header) in spec.columns {
        if !FIELDS.iter().any(|(f, _)| f == field) {
            let known: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            let mut d = Diagnostic::error(
                origin_of(spec.narrative, header),
                format!("\"{field}\" is not a field of a row"),
            )
            .with_hint(format!("map one of: {}", known.join(", ")));
            if let Some(near) = closest(field, known) {
                d = d.with_hint(format!("did you mean \"{near}\"?"));
            }
            problems.push(d);
        }
    }
}

/// Where each field of a row is in the table.
struct Columns<'a> {
    id: usize,
    unit: Option<usize>,
    title: usize,
    deadline: usize,
    description: Option<usize>,
    source: Option<usize>,
    responsible: Option<usize>,
    partners: Option<usize>,
    amount: Option<usize>,
    /// The ja/nei columns `where:` reads, with their names.
    flags: Vec<(usize, &'a str)>,
}

impl<'a> Columns<'a> {
    /// Finds the header row and every field's column; `None` when one that must be there is
    /// not (each told in `problems`).
    fn find(table: &mut Table, spec: &RowSpec<'a>, problems: &mut Diagnostics) -> Option<Self> {
        let id_names = names(spec, "id");
        let deadline_names = names(spec, "deadline");
        table.find_header(&[&id_names, &deadline_names]);
        let table = &*table;
        let mut missing = false;
        let mut column = |field: &str, required: bool| {
            field_column(table, spec, field, required).unwrap_or_else(|problem| {
                missing = true;
                problems.push(problem);
                None
            })
        };
        let wanted = |field: &str| spec.required.iter().any(|r| r == field);
        let id = column("id", true);
        let unit = column("unit", spec.unit_column.is_some());
        let title = column("title", true);
        let deadline = column("deadline", true);
        let description = column("description", wanted("description"));
        let source = column("source", wanted("source"));
        let responsible = column("responsible", wanted("responsible"));
        let partners = column("partners", false);
        let amount = amount_column(table, spec, problems);
        let flags = spec
            .flags
            .iter()
            .filter_map(|f| table.column(&[f]).map(|c| (c, *f)))
            .collect();
        let (Some(id), Some(title), Some(deadline), false) = (id, title, deadline, missing) else {
            return None;
        };
        if spec.amount.is_some() && amount.is_none() {
            return None;
        }
        Some(Columns {
            id,
            unit,
            title,
            deadline,
            description,
            source,
            responsible,
            partners,
            amount,
            flags,
        })
    }
}

/// The column of `field`, if the table has one; the problem when it has none and the field
/// is required or mapped by the block's `columns:` (told there, else at the header).
fn field_column(
    table: &Table,
    spec: &RowSpec,
    field: &str,
    required: bool,
) -> Result<Option<usize>, Diagnostic> {
    let wanted = names(spec, field);
    if wanted.is_empty() {
        return Ok(None);
    }
    let found = table.column(&wanted);
    let mapped = spec.columns.get(field);
    if found.is_some() || !(required || mapped.is_some()) {
        return Ok(found);
    }
    let origin = mapped.map_or(table.header_origin.clone(), |m| {
        origin_of(spec.narrative, m)
    });
    let quoted: Vec<String> = wanted.iter().map(|n| format!("\"{n}\"")).collect();
    Err(Diagnostic::error(
        origin,
        format!(
            "no column \"{}\" in {} (found: {})",
            wanted[0],
            table.file.display(),
            table.header_names().join(", ")
        ),
    )
    .with_hint(format!(
        "name a column {}, or map the {field} with columns: {{ {field}: <header> }}",
        quoted.join(" or ")
    )))
}

/// The column the block's `amount:` names, if it names one; its absence is a problem.
fn amount_column(table: &Table, spec: &RowSpec, problems: &mut Diagnostics) -> Option<usize> {
    let amount = spec.amount?;
    let found = table.column(&[amount.value.as_str()]);
    if found.is_none() {
        problems.push(
            Diagnostic::error(
                origin_of(spec.narrative, amount),
                format!(
                    "no column \"{}\" in {} (found: {})",
                    amount.value,
                    table.file.display(),
                    table.header_names().join(", ")
                ),
            )
            .with_hint("name a column of numbers to sum, as the table's header writes it"),
        );
    }
    found
}

/// What reading a row needs besides the row itself.
struct RowReader<'a> {
    spec: &'a RowSpec<'a>,
    columns: Columns<'a>,
    /// The units the unit column names, in the order it first names them: the partners a
    /// row may name.
    units: Vec<String>,
    /// What messages call a unit: the unit column's name.
    unit_word: &'a str,
    /// The table's headers, normalised: the keys of a row's `cells`.
    headers: Vec<String>,
}

impl<'a> RowReader<'a> {
    fn new(table: &Table, spec: &'a RowSpec<'a>, columns: Columns<'a>) -> Self {
        let mut units: Vec<String> = Vec::new();
        if let Some(c) = columns.unit {
            for row in &table.rows {
                let name = text_at(row, Some(c));
                if !name.is_empty() && !units.contains(&name) {
                    units.push(name);
                }
            }
        }
        RowReader {
            spec,
            columns,
            units,
            unit_word: spec.unit_column.unwrap_or("unit"),
            headers: table
                .header
                .iter()
                .map(|c| normalise_header(&c.value.as_text()))
                .collect(),
        }
    }

    /// Reads one row into `checked`: the row if it has no error, else its unit as broken,
    /// and its problems either way.
    fn read(&self, row: &[Cell], seen_ids: &mut BTreeMap<String, Origin>, checked: &mut Checked) {
        let columns = &self.columns;
        let origin = row[0].origin.clone();
        let mut problems = Diagnostics::default();
        let mut required =
            |column: usize, what: &str| required_text(row, column, what, &origin, &mut problems);
        let id = required(columns.id, "id");
        let unit = columns
            .unit
            .map_or_else(String::new, |c| required(c, self.unit_word));
        let title = required(columns.title, "title");
        let mut optional = |column: Option<usize>, field: &str, what: &str| match column {
            Some(c) if self.spec.required.iter().any(|r| r == field) => required(c, what),
            _ => text_at(row, column),
        };
        let description = optional(columns.description, "description", "description");
        let source = optional(columns.source, "source", "source");
        let responsible = optional(columns.responsible, "responsible", "person responsible");
        let deadline = self.deadline(row, &origin, &mut problems);
        check_unique_id(&id, row.get(columns.id), seen_ids, &mut problems);
        self.check_flags(row, &mut problems);
        let amount = columns.amount.and_then(|c| row.get(c)).and_then(|cell| {
            let column = self.spec.amount.map_or("", |a| &a.value);
            amount_of(cell, column, &mut problems)
        });
        let partners = columns.partners.map_or(Vec::new(), |c| {
            partners_of(
                row,
                c,
                &id,
                &unit,
                &self.units,
                self.unit_word,
                &mut problems,
            )
        });
        if problems.has_errors() {
            checked.broken.insert(unit.clone());
        } else if let Some(deadline) = deadline {
            checked.rows.push(Row {
                id,
                unit: unit.clone(),
                title,
                description,
                source,
                deadline,
                responsible,
                amount,
                partners,
                cells: self.cells(row),
                origin,
            });
        }
        for problem in problems.into_vec() {
            checked.problems.push((unit.clone(), problem));
        }
    }

    /// The row's deadline; one outside the document's year is told, and kept.
    fn deadline(
        &self,
        row: &[Cell],
        origin: &Origin,
        problems: &mut Diagnostics,
    ) -> Option<NaiveDate> {
        let deadline = deadline_of(row, self.columns.deadline, origin, problems);
        if let Some(date) = deadline
            && date.year() != self.spec.year
        {
            problems.push(
                Diagnostic::warning(
                    row[self.columns.deadline].origin.clone(),
                    format!(
                        "the deadline {} is outside the document's year {}",
                        date.format("%d.%m.%Y"),
                        self.spec.year
                    ),
                )
                .with_hint("check the year; the row is still listed"),
            );
        }
        deadline
    }

    /// Every ja/nei column holds ja, nei or nothing.
    fn check_flags(&self, row: &[Cell], problems: &mut Diagnostics) {
        for &(c, name) in &self.columns.flags {
            if let Some(cell) = row.get(c)
                && yes_no(&cell.value.as_text()).is_none()
            {
                problems.push(
                    Diagnostic::error(
                        cell.origin.clone(),
                        format!("\"{}\" is not ja or nei", cell.value.as_text().trim()),
                    )
                    .with_hint(format!(
                        "write ja or nei (or nothing) in the column \"{name}\""
                    )),
                );
            }
        }
    }

    /// Every cell's text by normalised header.
    fn cells(&self, row: &[Cell]) -> BTreeMap<String, String> {
        self.headers
            .iter()
            .zip(row)
            .map(|(h, cell)| (h.clone(), cell.value.as_text().trim().to_string()))
            .collect()
    }
}

/// The text of a cell that must not be empty; "" with a problem when it is.
fn required_text(
    row: &[Cell],
    column: usize,
    what: &str,
    row_origin: &Origin,
    problems: &mut Diagnostics,
) -> String {
    match row.get(column) {
        Some(cell) if !cell.value.is_empty() => cell.value.as_text().trim().to_string(),
        Some(cell) => {
            problems.push(
                Diagnostic::error(cell.origin.clone(), format!("the {what} is empty"))
                    .with_hint(format!("fill in the {what}, or delete the row")),
            );
            String::new()
        }
        None => {
            problems.push(Diagnostic::error(
                row_origin.clone(),
                format!("the row has no {what}"),
            ));
            String::new()
        }
    }
}

/// An id names one row: a second row with it is told at its id cell.
fn check_unique_id(
    id: &str,
    cell: Option<&Cell>,
    seen_ids: &mut BTreeMap<String, Origin>,
    problems: &mut Diagnostics,
) {
    let Some(cell) = cell.filter(|_| !id.is_empty()) else {
        return;
    };
    match seen_ids.get(id) {
        Some(first) => problems.push(
            Diagnostic::error(
                cell.origin.clone(),
                format!("the id \"{id}\" is used twice (first at {first})"),
            )
            .with_hint("give every row its own id"),
        ),
        None => {
            seen_ids.insert(id.to_string(), cell.origin.clone());
        }
    }
}

fn text_at(row: &[Cell], column: Option<usize>) -> String {
    column
        .and_then(|c| row.get(c))
        .map(|cell| cell.value.as_text().trim().to_string())
        .unwrap_or_default()
}

/// The partners named in a cell (`Skole; Helse og omsorg`), each a unit of the table.
fn partners_of(
    row: &[Cell],
    column: usize,
    id: &str,
    unit: &str,
    units: &[String],
    unit_word: &str,
    problems: &mut Diagnostics,
) -> Vec<String> {
    let Some(cell) = row.get(column) else {
        return Vec::new();
    };
    let text = cell.value.as_text();
    let mut partners: Vec<String> = Vec::new();
    for name in text.split(';').map(str::trim).filter(|n| !n.is_empty()) {
        if units.is_empty() || units.iter().any(|u| u == name) {
            if name == unit {
                problems.push(Diagnostic::warning(
                    cell.origin.clone(),
                    format!("{id} names its own {unit_word} \"{name}\" as a partner"),
                ));
            } else if !partners.iter().any(|p| p == name) {
                partners.push(name.to_string());
            }
        } else {
            let d = Diagnostic::error(
                cell.origin.clone(),
                format!("unknown {unit_word} \"{name}\" among the partners of {id}"),
            );
            problems.push(match closest(name, units.iter().map(String::as_str)) {
                Some(near) => d.with_hint(format!("did you mean \"{near}\"?")),
                None => d.with_hint(format!(
                    "partners must be values of the column \"{unit_word}\", separated by \";\""
                )),
            });
        }
    }
    partners
}

/// A number of the amount column; an empty or SSB "missing" cell has none.
fn amount_of(cell: &Cell, column: &str, problems: &mut Diagnostics) -> Option<f64> {
    match &cell.value {
        CellValue::Number(n) => Some(*n),
        CellValue::Text(t) => match parse_number(t) {
            Ok(Parsed::Value { value, .. }) => Some(value),
            Ok(Parsed::Missing(_)) => None,
            Err(e) => {
                problems.push(
                    Diagnostic::error(cell.origin.clone(), format!("{e} (column {column})"))
                        .with_hint("write a number such as 12,5, or leave the cell empty"),
                );
                None
            }
        },
        _ => None,
    }
}

/// A deadline from a date cell or an ISO or Norwegian date text.
fn deadline_of(
    row: &[Cell],
    column: usize,
    row_origin: &Origin,
    problems: &mut Diagnostics,
) -> Option<NaiveDate> {
    let Some(cell) = row.get(column) else {
        problems.push(Diagnostic::error(
            row_origin.clone(),
            "the row has no deadline",
        ));
        return None;
    };
    if cell.value.is_empty() {
        problems.push(
            Diagnostic::error(cell.origin.clone(), "the deadline is empty")
                .with_hint("write a date, e.g. 15.02.2022 or 2022-02-15"),
        );
        return None;
    }
    let parsed = match &cell.value {
        CellValue::Date(d) => Some(*d),
        CellValue::Text(t) => {
            let t = t.trim();
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
                .ok()
        }
        // A date cell arrives as a date (calamine converts both workbook date systems); a
        // plain number is no date.
        CellValue::Number(_) | CellValue::Empty => None,
    };
    if parsed.is_none() {
        problems.push(
            Diagnostic::error(
                cell.origin.clone(),
                format!("\"{}\" is not a date", cell.value.as_text()),
            )
            .with_hint("write the deadline as 15.02.2022 or 2022-02-15"),
        );
    }
    parsed
}

/// How a block's rows are ordered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortKey {
    Deadline,
    Amount,
    /// The text of a column, by normalised header.
    Column(String),
}

/// The sort key a block names (a field or a column header), or why it names none.
pub(crate) fn sort_key(written: &str, table: &Table, spec: &RowSpec) -> Result<SortKey, String> {
    let wanted = normalise_header(written);
    if wanted == "deadline"
        || names(spec, "deadline")
            .iter()
            .any(|n| normalise_header(n) == wanted)
    {
        return Ok(SortKey::Deadline);
    }
    if spec
        .amount
        .is_some_and(|a| normalise_header(&a.value) == wanted)
    {
        return Ok(SortKey::Amount);
    }
    let column = FIELDS
        .iter()
        .find(|(f, _)| *f == written)
        .map_or_else(|| vec![written], |(f, _)| names(spec, f));
    match table.column(&column) {
        Some(c) => Ok(SortKey::Column(normalise_header(
            &table.header[c].value.as_text(),
        ))),
        None => Err(format!(
            "no column \"{written}\" to sort by (found: {})",
            table.header_names().join(", ")
        )),
    }
}

/// The rows that pass every `where:` filter, sorted by `key`, then by id.
pub(crate) fn select(rows: &[Row], filter: &[(String, String)], key: &SortKey) -> Vec<Row> {
    let matches = |row: &Row| {
        filter.iter().all(|(column, wanted)| {
            let have = row.cells.get(column).map_or("", String::as_str);
            match (yes_no(wanted), yes_no(have)) {
                (Some(w), Some(h)) => w == h,
                _ => have.to_lowercase() == wanted.trim().to_lowercase(),
            }
        })
    };
    let mut selected: Vec<Row> = rows.iter().filter(|r| matches(r)).cloned().collect();
    selected.sort_by(|a, b| {
        let by_key = match key {
            SortKey::Deadline => a.deadline.cmp(&b.deadline),
            SortKey::Amount => a
                .amount
                .partial_cmp(&b.amount)
                .unwrap_or(std::cmp::Ordering::Equal),
            SortKey::Column(c) => a.cells.get(c).cmp(&b.cells.get(c)),
        };
        by_key.then_with(|| a.id.cmp(&b.id))
    });
    selected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_words() {
        assert_eq!(yes_no("Ja"), Some(true));
        assert_eq!(yes_no(" x "), Some(true));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("kanskje"), None);
    }
}
