//! A table read once for every unit of a document made per unit: its records, skipped rows
//! and problems split by the value of the unit column, in one pass, so each unit's document
//! sees its own rows and the work is linear in the rows, not rows × units.

use std::collections::HashMap;
use std::ops::Range;

use crate::diag::{Diagnostic, Origin};
use crate::ingest::{Cell, CellValue, Table};
use crate::model::records::{Record, Records, Skipped};

use super::UnitColumn;

/// Where a row is: the line of a text file, or the sheet and row of a workbook.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RowKey {
    Line(usize),
    Cell(std::sync::Arc<str>, u32),
}

fn row_key(origin: &Origin) -> Option<RowKey> {
    match origin {
        Origin::Text { line, .. } | Origin::Line { line, .. } => Some(RowKey::Line(*line)),
        Origin::Cell { sheet, row, .. } => Some(RowKey::Cell(sheet.clone(), *row)),
        Origin::File { .. } => None,
    }
}

/// Whose a row is.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Unit(usize),
    /// The unit cell is empty: the row's problems are told, it gives no unit a figure.
    Nobody,
    /// A unit this document is not made for: the row is none of its business.
    Other,
    /// A unit of the document that this reading is not for (another shard's): dropped unread.
    Elsewhere,
}

/// The units by the text of their cells: as written (case aside), and a code stored as a
/// number by its digits (`0301` in one file is 301 in a workbook).
/// Units read elsewhere are numbered after the units read here.
pub(crate) struct UnitNames {
    map: HashMap<String, usize>,
    read_here: usize,
}

impl UnitNames {
    pub(crate) fn new(names: &[String], elsewhere: &[String]) -> UnitNames {
        let mut map = HashMap::with_capacity((names.len() + elsewhere.len()) * 2);
        for (i, name) in names.iter().chain(elsewhere).enumerate() {
            map.entry(name.trim().to_lowercase()).or_insert(i);
            if let Ok(code) = name.trim().parse::<u64>() {
                map.entry(format!("#{code}")).or_insert(i);
            }
        }
        UnitNames {
            map,
            read_here: names.len(),
        }
    }

    /// The position (among the names read here, then elsewhere) of the unit `cell` names.
    pub(crate) fn position(&self, cell: Option<&Cell>) -> Option<usize> {
        self.lookup(cell.filter(|c| !c.value.is_empty())?)
    }

    fn lookup(&self, cell: &Cell) -> Option<usize> {
        let text = cell.value.as_text().trim().to_lowercase();
        let by_code = match &cell.value {
            CellValue::Number(n) if n.fract() == 0.0 && *n >= 0.0 => {
                self.map.get(&format!("#{}", *n as u64))
            }
            _ => None,
        };
        self.map.get(&text).or(by_code).copied()
    }

    fn owner(&self, cell: Option<&Cell>) -> Owner {
        let Some(cell) = cell.filter(|c| !c.value.is_empty()) else {
            return Owner::Nobody;
        };
        match self.lookup(cell) {
            Some(i) if i < self.read_here => Owner::Unit(i),
            Some(_) => Owner::Elsewhere,
            None => Owner::Other,
        }
    }
}

/// One table's records split by unit: the records sorted by unit (each unit's a range, in
/// row order), and each unit's skipped rows and problems.
pub(super) struct Split {
    pub(super) records: Vec<Record>,
    pub(super) ranges: Vec<Range<usize>>,
    pub(super) skipped: Vec<Vec<Skipped>>,
    pub(super) problems: Vec<Vec<Diagnostic>>,
}

/// Splits `read` (the records of `table`, whose header is settled) by the unit named in
/// column `column` of each row, for `names.len()` units in plan order. Rows without a unit and
/// rows of other units give no figures; they are listed as skipped with the first unit, and
/// the problems of rows without a unit are told there too. The records are sorted in place,
/// not copied: a national file is held once.
pub(super) fn by_unit(read: Records, table: &Table, column: usize, unit: UnitColumn) -> Split {
    let (column_name, names) = (unit.column, unit.names);
    let units = UnitNames::new(names, unit.elsewhere);
    let mut owners: HashMap<RowKey, Owner> = HashMap::with_capacity(table.rows.len());
    for row in &table.rows {
        let owner = units.owner(row.get(column));
        // A text row may span lines (a quoted line break): each of its lines is the row's.
        for cell in row {
            if let Some(key) = row_key(&cell.origin) {
                owners.entry(key).or_insert(owner);
            }
        }
    }
    let owner_of = |origin: Option<&Origin>| {
        origin
            .and_then(row_key)
            .and_then(|key| owners.get(&key).copied())
            .unwrap_or(Owner::Nobody)
    };
    let count = names.len().max(1);
    // Rows of units read elsewhere sort last and are dropped.
    let unit_of = |owner: Owner| match owner {
        Owner::Unit(i) => i,
        Owner::Elsewhere => count + 1,
        _ => count,
    };
    let mut records = read.records;
    // The value's cell is in the row also where the KPI is named in the header.
    records.sort_by_cached_key(|r| unit_of(owner_of(Some(&r.value.origin))));
    let mut ranges = Vec::with_capacity(count);
    let mut start = 0;
    for unit in 0..count {
        let end = start
            + records[start..]
                .iter()
                .take_while(|r| unit_of(owner_of(Some(&r.value.origin))) == unit)
                .count();
        ranges.push(start..end);
        start = end;
    }
    let mut skipped: Vec<Vec<Skipped>> = vec![Vec::new(); count];
    let mut problems: Vec<Vec<Diagnostic>> = vec![Vec::new(); count];
    for s in read.skipped {
        match owner_of(Some(&s.origin)) {
            Owner::Elsewhere => {}
            owner => skipped[unit_of(owner).min(count - 1)].push(s),
        }
    }
    for problem in read.problems {
        match owner_of(problem.origin.as_ref()) {
            Owner::Unit(i) => problems[i].push(problem),
            Owner::Nobody => problems[0].push(problem),
            Owner::Other | Owner::Elsewhere => {}
        }
    }
    let elsewhere_from = start
        + records[start..]
            .iter()
            .take_while(|r| unit_of(owner_of(Some(&r.value.origin))) == count)
            .count();
    records.truncate(elsewhere_from);
    // The records of no unit this document is made for, listed once per row.
    let mut listed_rows = std::collections::HashSet::new();
    for record in records.drain(start..) {
        let origin = record.value.origin;
        if !row_key(&origin).is_some_and(|key| listed_rows.insert(key)) {
            continue;
        }
        skipped[0].push(Skipped {
            reason: match owner_of(Some(&origin)) {
                Owner::Other => {
                    format!("its {column_name} is not a unit this document is made for")
                }
                _ => format!("no {column_name} in the row, so it is no unit's figure"),
            },
            origin,
        });
    }
    Split {
        records,
        ranges,
        skipped,
        problems,
    }
}
