//! The `table` block as checked ([`AmountTable`]): every amount exact, scaled from the file's
//! unit (the data source's `unit:`) to the table's, summed unrounded and rounded once where it
//! prints, so a subtotal or total is right to the last printed digit however its parts round.

use std::collections::BTreeMap;

use super::Text;
use crate::diag::Origin;

/// A table block as checked: its header, its lines (rows, group headings, subtotals, the
/// total) with every amount exact and its cells known.
#[derive(Debug, Clone)]
pub(crate) struct AmountTable {
    /// The data source read.
    pub(crate) table: String,
    pub(crate) caption: Option<Text>,
    pub(crate) note: Option<Text>,
    /// The label column's header, then each amount column's.
    pub(crate) headers: Vec<String>,
    /// The printed unit's suffix (`mill. kr`), for the header; empty for a bare number.
    pub(crate) unit: String,
    pub(crate) decimals: u8,
    pub(crate) lines: Vec<TableLine>,
    /// In a document made per unit, over a table with the unit column: each unit's own
    /// lines, by [`unit_key`]; `lines` are then every unit's, for a volume or an overview of
    /// all units.
    pub(crate) by_unit: BTreeMap<String, Vec<TableLine>>,
}

impl AmountTable {
    /// The lines an output prints: its unit's own where the table is split by unit.
    pub(crate) fn lines_for(&self, unit: Option<&str>) -> &[TableLine] {
        match unit {
            Some(unit) if !self.by_unit.is_empty() => {
                self.by_unit.get(&unit_key(unit)).map_or(&[], Vec::as_slice)
            }
            _ => &self.lines,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// A row of the file (or rows with the same label, summed).
    Row,
    /// A group's name above its rows.
    Group,
    /// The sum of a group's rows.
    Subtotal,
    /// The sum of every row.
    Total,
}

#[derive(Debug, Clone)]
pub(crate) struct TableLine {
    pub(crate) kind: LineKind,
    pub(crate) label: String,
    /// One per amount column (none for a group heading).
    pub(crate) amounts: Vec<Amount>,
}

/// An amount in the table's unit, exact and unrounded, and the cells it is the sum of.
#[derive(Debug, Clone)]
pub(crate) struct Amount {
    /// `None`: no cell gave a figure (printed as a dash).
    pub(crate) value: Option<crate::norsk::exact::Exact>,
    pub(crate) cells: Vec<Origin>,
}

/// How a unit is matched between the per-unit table and a table block's rows: its name, case
/// aside, and a code by its digits (`0301` in one file is 301 in a workbook).
pub(crate) fn unit_key(text: &str) -> String {
    let text = text.trim();
    match text.parse::<u64>() {
        Ok(code) => format!("#{code}"),
        Err(_) => text.to_lowercase(),
    }
}

/// The table blocks of a narrative as the checks built them, by the block's origin.
pub(crate) type FilledTables = BTreeMap<Origin, AmountTable>;
