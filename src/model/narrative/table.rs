//! The `table` block as the narrative writes it: rows of any data table with chosen columns
//! of amounts, rows summed by a label column, grouped with subtotals, and a total. Its checked
//! form is `model::content::table`; `model/document/amounts.rs` reads the rows into it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{PeriodWritten, Text as RawText};
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
    /// The columns of amounts, as the file's header names them (`[2021, 2022, 2023, 2024]`);
    /// with `columns_from:`, the values of that column to print as columns, in this order.
    #[schemars(with = "Vec<PeriodWritten>")]
    pub(crate) columns: Vec<Spanned<PeriodWritten>>,
    /// A file in the long form (one row per line and year: `sektor;år;beløp`): the column
    /// whose values become the table's columns (`år`). Needs `amount:`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) columns_from: Option<Spanned<String>>,
    /// With `columns_from:`, the column holding each row's amount (`beløp`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) amount: Option<Spanned<String>>,
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
