//! The `table` block: rows of any data table (budget or account lines, projects) with chosen
//! columns of amounts, rows summed by a label column, grouped with subtotals, and a total.
//! The narrative's schema ([`TableBlock`]) and the checked table ([`AmountTable`]) live here
//! together; `model/document/amounts.rs` reads the rows into the latter.
//!
//! Every amount is exact: scaled from the file's unit (the data source's `unit:`) to the
//! table's, summed unrounded, and rounded once where it prints, so a subtotal or total is
//! right to the last printed digit however its parts round.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::content::Text;
use super::narrative::{PeriodWritten, Text as RawText};
use crate::diag::Origin;
use crate::ingest::yaml::Spanned;

/// `table:` as the narrative writes it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TableBlock {
    /// A data source the document lists under `tables:` in the manifest.
    #[schemars(with = "String")]
    pub(crate) table: Spanned<String>,
    /// The column whose values name the rows; rows with the same name are summed into one.
    #[schemars(with = "String")]
    pub(crate) rows: Spanned<String>,
    /// A column to group the rows by: each group's rows under its name, then its subtotal.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) group: Option<Spanned<String>>,
    /// The columns of amounts, as the file's header names them (`[2021, 2022, 2023, 2024]`).
    #[schemars(with = "Vec<PeriodWritten>")]
    pub(crate) columns: Vec<Spanned<PeriodWritten>>,
    /// Header words of the table's own: the label column's and any amount column's
    /// (`{ sektor: Sektor, "2021": Budsjett 2021 }`); the file's header when not given.
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
    /// Only rows whose column holds this value (`{ art: drift }`).
    #[serde(default, rename = "where")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(crate) filter: BTreeMap<String, Spanned<String>>,
    /// The unit the table prints (`mill. kr`); the file's unit is its data source's `unit:`.
    /// The file's unit when not given.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) unit: Option<Spanned<String>>,
    /// Decimals printed (0 when not given).
    #[serde(default)]
    pub(crate) decimals: Option<u8>,
    /// The total row's label (`Sum netto driftsbudsjett`); no total row when not given.
    #[serde(default)]
    pub(crate) total: Option<String>,
    /// The subtotal rows' label, `{group}` standing for the group's name (`Sum {group}`).
    #[serde(default)]
    pub(crate) subtotal: Option<String>,
    /// A caption above the table.
    #[serde(default)]
    pub(crate) caption: Option<RawText>,
    /// A source or note line under the table (`Kilde: …`).
    #[serde(default)]
    pub(crate) note: Option<RawText>,
}

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

/// The table blocks of a narrative as the checks built them, by the block's origin.
pub(crate) type FilledTables = BTreeMap<Origin, AmountTable>;
