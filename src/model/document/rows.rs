//! The `assignments` and `calendar` blocks of a document filled in with their table's rows:
//! each block's table, columns, filter, sort and months checked at its line, each row checked
//! at its cell. A row's problems go with its unit's output, so a bad row fails only that unit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, closest};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{Table, normalise_header};
use crate::load::SourceFile;
use crate::model::content::{FilledBlocks, FilledRows};
use crate::model::narrative::{Block, Match, Section, all_blocks};
use crate::model::rows::{self, RowSpec, SortKey};
use crate::norsk::month_number;

/// The tables `assignments` and `calendar` blocks may read, by data source id, each parsed
/// once for the document (`None`: it could not be read, its problem told already), with its file.
#[derive(Debug, Default)]
pub struct RowTables(
    BTreeMap<String, Option<ParsedTable>>,
    /// The unit each table's figures are in (its data source's `unit:`), where one is given.
    BTreeMap<String, crate::project::SourceUnit>,
);

/// A table as parsed, shared (never copied until a block checks its rows), and its file.
pub type ParsedTable = (Arc<Table>, Arc<SourceFile>);

impl RowTables {
    pub fn insert(&mut self, id: &str, table: Option<ParsedTable>) {
        self.0.insert(id.to_string(), table);
    }

    /// Notes the unit the table `id`'s figures are in (the data source's `unit:`).
    pub fn set_unit(&mut self, id: &str, unit: Option<&crate::project::SourceUnit>) {
        if let Some(unit) = unit {
            self.1.insert(id.to_string(), unit.clone());
        }
    }

    /// The unit the table `id`'s figures are in, when its data source says.
    pub(super) fn unit(&self, id: &str) -> Option<&crate::project::SourceUnit> {
        self.1.get(id)
    }

    pub fn has(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    /// The file of the table `id`, if it was read.
    pub fn file(&self, id: &str) -> Option<&Arc<SourceFile>> {
        self.0.get(id)?.as_ref().map(|(_, file)| file)
    }

    /// A copy of the table `id` to check rows in (a check settles its header): `Err` with the
    /// ids there are when no source has it, `Ok(None)` when it could not be read.
    pub(super) fn copy(&self, id: &str) -> Result<Option<Table>, Vec<String>> {
        match self.0.get(id) {
            Some(table) => Ok(table.as_ref().map(|(t, _)| Table::clone(t))),
            None => Err(self.0.keys().cloned().collect()),
        }
    }
}

/// What the blocks of one document are filled in with.
pub(super) struct RowInputs<'a> {
    pub(super) tables: &'a RowTables,
    /// The `per_unit: source` id, the default table.
    pub(super) default_table: Option<&'a str>,
    pub(super) unit_column: Option<&'a str>,
    /// The units the document is built for.
    pub(super) units: Vec<String>,
    pub(super) year: i32,
}

impl<'a> RowInputs<'a> {
    /// The same inputs for one unit's own narrative: its `table` blocks are that unit's.
    pub(super) fn of_unit(&self, unit: Option<&String>) -> RowInputs<'a> {
        RowInputs {
            tables: self.tables,
            default_table: self.default_table,
            unit_column: self.unit_column,
            units: unit.into_iter().cloned().collect(),
            year: self.year,
        }
    }
}

/// Row problems by the unit whose output they stop (or hold warnings for).
#[derive(Debug, Default)]
pub(crate) struct UnitRowProblems {
    pub(crate) by_unit: BTreeMap<String, Vec<Diagnostic>>,
    pub(crate) broken: BTreeSet<String>,
    seen: BTreeSet<(String, String)>,
}

/// Fills in every `assignments` and `calendar` block of `sections` (written in `file`):
/// their rows go to `filled`, by the block's origin. Problems of the blocks themselves, and
/// of rows no unit owns, go to `problems`.
pub(super) fn fill(
    sections: &[Section],
    file: &Path,
    inputs: &RowInputs,
    problems: &mut Diagnostics,
    units: &mut UnitRowProblems,
    filled: &mut FilledBlocks,
) {
    for block in all_blocks(sections) {
        let found = match block {
            Block::Assignments(spanned) => fill_assignments(spanned, file, inputs, problems, units)
                .map(|rows| (origin_of(file, spanned), rows)),
            Block::Calendar(spanned) => fill_calendar(spanned, file, inputs, problems, units)
                .map(|rows| (origin_of(file, spanned), rows)),
            _ => None,
        };
        if let Some((at, rows)) = found {
            filled.insert(at, rows);
        }
    }
}

/// An `assignments` block filled with its table's rows, selected and sorted as it asks.
fn fill_assignments(
    spanned: &Spanned<crate::model::narrative::Assignments>,
    file: &Path,
    inputs: &RowInputs,
    problems: &mut Diagnostics,
    units: &mut UnitRowProblems,
) -> Option<FilledRows> {
    let at = origin_of(file, spanned);
    let a = &spanned.value;
    let matching = a.matching.unwrap_or(if inputs.unit_column.is_some() {
        Match::Unit
    } else {
        Match::All
    });
    let flags: Vec<&str> = a
        .filter
        .iter()
        .filter(|(_, v)| rows::yes_no(&v.value).is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    let spec = RowSpec {
        columns: &a.columns,
        unit_column: inputs.unit_column,
        amount: a.amount.as_ref(),
        flags,
        year: inputs.year,
        narrative: file,
        required: &a.required,
    };
    let (table_id, table, checked) =
        read(a.table.as_ref(), &spec, file, &at, inputs, problems, units)?;
    let unit_known = spec.unit_column.is_some() || a.columns.contains_key("unit");
    if matching != Match::All && !unit_known {
        problems.push(
            Diagnostic::error(
                at.clone(),
                "this block matches rows to the document's unit, but the document is not built per unit",
            )
            .with_hint("write match: all, or build the document with per_unit:"),
        );
        return None;
    }
    let mut filter = Vec::new();
    for (column, value) in &a.filter {
        match table.column(&[column]) {
            Some(_) => filter.push((normalise_header(column), value.value.clone())),
            None => problems.push(no_column(file, value, column, &table)),
        }
    }
    let key = match &a.sort {
        None => SortKey::Deadline,
        Some(sort) => match rows::sort_key(&sort.value, &table, &spec) {
            Ok(key) => key,
            Err(message) => {
                problems.push(
                    Diagnostic::error(origin_of(file, sort), message)
                        .with_hint("sort by a column of the table, e.g. sort: frist"),
                );
                return None;
            }
        },
    };
    let selected = rows::select(&checked.rows, &filter, &key);
    // A figure the filter leaves out would be missing from the sum unnoticed.
    if let Some(amount) = &a.amount {
        for row in checked.rows.iter().filter(|r| r.amount.is_some()) {
            if selected.iter().all(|kept| kept.id != row.id) {
                let wanted: Vec<String> = a
                    .filter
                    .iter()
                    .map(|(c, v)| format!("{c}: {}", v.value))
                    .collect();
                let warning = Diagnostic::warning(
                    row.origin.clone(),
                    format!(
                        "{} has a figure in \"{}\" but is left out by where: {{ {} }}",
                        row.id,
                        amount.value,
                        wanted.join(", ")
                    ),
                )
                .with_hint("correct the row's filter column, or remove the figure");
                tell(&row.unit, warning, inputs, problems, units);
            }
        }
    }
    Some(FilledRows {
        table: Some(table_id),
        matching,
        rows: selected,
    })
}

/// A `calendar` block's months and dates checked, and its table's rows by deadline.
fn fill_calendar(
    spanned: &Spanned<crate::model::narrative::Calendar>,
    file: &Path,
    inputs: &RowInputs,
    problems: &mut Diagnostics,
    units: &mut UnitRowProblems,
) -> Option<FilledRows> {
    let at = origin_of(file, spanned);
    let c = &spanned.value;
    if let Some(reporting) = &c.reporting {
        for month in &reporting.months {
            if month_number(&month.value).is_none() {
                problems.push(
                    Diagnostic::error(
                        origin_of(file, month),
                        format!("\"{}\" is not a month", month.value),
                    )
                    .with_hint("write the month's Norwegian name, e.g. februar"),
                );
            }
        }
    }
    for item in &c.dates {
        if let Some(d) = item.date.problem(file) {
            problems.push(d);
        }
    }
    if c.table.is_none() && inputs.default_table.is_none() {
        return None;
    }
    let spec = RowSpec {
        columns: &c.columns,
        unit_column: inputs.unit_column,
        amount: None,
        flags: Vec::new(),
        year: inputs.year,
        narrative: file,
        required: &[],
    };
    let (table_id, _, checked) = read(c.table.as_ref(), &spec, file, &at, inputs, problems, units)?;
    Some(FilledRows {
        table: Some(table_id),
        matching: Match::All,
        rows: rows::select(&checked.rows, &[], &SortKey::Deadline),
    })
}

/// The block's table and its rows; the rows' problems are sorted to their units.
fn read(
    table_id: Option<&Spanned<String>>,
    spec: &RowSpec,
    file: &Path,
    at: &crate::diag::Origin,
    inputs: &RowInputs,
    problems: &mut Diagnostics,
    units: &mut UnitRowProblems,
) -> Option<(String, Table, rows::Checked)> {
    let Some(id) = table_id.map(|t| t.value.as_str()).or(inputs.default_table) else {
        problems.push(
            Diagnostic::error(at.clone(), "the block names no table")
                .with_hint("write table: <a data source id of the manifest>"),
        );
        return None;
    };
    let origin = table_id.map_or(at.clone(), |t| origin_of(file, t));
    let mut table = match inputs.tables.copy(id) {
        Ok(Some(table)) => table,
        Ok(None) => return None,
        Err(known) => {
            let mut d = Diagnostic::error(
                origin,
                format!("no table \"{id}\" for this document"),
            )
            .with_hint(
                "list the data source under the document's tables: in the manifest (or use its per_unit: source)",
            );
            if let Some(near) = closest(id, known.iter().map(String::as_str)) {
                d = d.with_hint(format!("did you mean \"{near}\"?"));
            }
            problems.push(d);
            return None;
        }
    };
    // Several blocks may read one table: its problems are told once.
    let mut found = Diagnostics::default();
    let checked = rows::check(&mut table, spec, &mut found);
    for problem in found.into_vec() {
        if units.seen.insert((String::new(), problem.to_string())) {
            problems.push(problem);
        }
    }
    let checked = checked?;
    for (unit, problem) in &checked.problems {
        tell(unit, problem.clone(), inputs, problems, units);
    }
    for unit in &checked.broken {
        if inputs.units.contains(unit) {
            units.broken.insert(unit.clone());
        }
    }
    Some((id.to_string(), table, checked))
}

/// Tells a row's problem once: with its unit's output, or with the document when no planned
/// unit owns the row.
fn tell(
    unit: &str,
    problem: Diagnostic,
    inputs: &RowInputs,
    problems: &mut Diagnostics,
    units: &mut UnitRowProblems,
) {
    let owner = inputs
        .units
        .iter()
        .any(|u| u == unit)
        .then(|| unit.to_string());
    if !units
        .seen
        .insert((owner.clone().unwrap_or_default(), problem.to_string()))
    {
        return;
    }
    match owner {
        Some(unit) => units.by_unit.entry(unit).or_default().push(problem),
        None => problems.push(problem),
    }
}

fn no_column(file: &Path, at: &Spanned<String>, column: &str, table: &Table) -> Diagnostic {
    let mut d = Diagnostic::error(
        origin_of(file, at),
        format!(
            "no column \"{column}\" in {} to filter on (found: {})",
            table.file.display(),
            table.header_names().join(", ")
        ),
    );
    let headers = table.header_names();
    if let Some(near) = closest(column, headers.iter().map(String::as_str)) {
        d = d.with_hint(format!("did you mean \"{near}\"?"));
    }
    d
}
