//! How the manifest says a KPI table is read: which header names hold what, the table's
//! shape, row filters and school years. Plain settings the manifest deserialises and the
//! model's record reader follows (the model imports them from here, never the other way).

use serde::{Deserialize, Serialize};

/// Which header names hold the KPI id, the period, the value, the source note, the unit and
/// the target, and which look-alike columns to leave out (`exclude`). Each entry lists
/// accepted names; the defaults recognise common Norwegian and English headers.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnMapping {
    pub kpi: Vec<String>,
    pub year: Vec<String>,
    pub value: Vec<String>,
    pub note: Vec<String>,
    pub unit: Vec<String>,
    pub target: Vec<String>,
    /// Parts (`Brudd`) or whole headers of columns never read as figures, for look-alikes
    /// of the wanted column: a note column beside each year's figures, a subgroup.
    pub exclude: Vec<String>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        ColumnMapping {
            kpi: names(&[
                "kpi",
                "nøkkeltall",
                "nokkeltall",
                "indikator",
                "id",
                "statistikkvariabel",
            ]),
            // SSB's long exports head the period `tid`, `kvartal` or `måned`.
            year: names(&[
                "år", "ar", "aar", "periode", "year", "period", "tid", "kvartal", "måned", "maned",
                "tertial", "skoleår", "skolear",
            ]),
            value: names(&["verdi", "value", "tall"]),
            note: names(&["kilde", "merknad", "note", "source"]),
            unit: names(&["enhet", "unit", "måleenhet"]),
            target: names(&["mål", "maal", "target"]),
            exclude: Vec::new(),
        }
    }
}

/// The shape of a KPI table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Layout {
    /// One row per KPI and period: columns for KPI, year and value.
    Long,
    /// One row per KPI, one column per year (`2017`, `2018`, `Lørenskog 2025`, `År: 2014`).
    Wide,
    /// One row per period, one column per KPI (SSB statistics-bank tables with the years
    /// down the side): the column's header, its header rows joined, names the KPI.
    Transposed,
}

impl ColumnMapping {
    /// Whether the manifest named the value column(s) itself, rather than the defaults.
    pub fn value_given(&self) -> bool {
        self.value != ColumnMapping::default().value
    }
}

/// Keep only rows whose `column` holds one of `values` (`filter: { region: "0219 Bærum" }`).
#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    pub column: String,
    pub values: Vec<String>,
}

/// How school years (`2020-21`) are read: kept as school years, or as the year they start or
/// end in, for annual documents (`school_year: start` in the manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SchoolYearRule {
    Start,
    End,
}
