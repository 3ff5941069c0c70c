//! The model: tables and narrative YAML turned into typed, checked values (KPIs with numbers
//! and units, dates as dates, statuses as an enum, prose as a parsed tree), collecting every
//! problem instead of stopping at the first. It knows KPIs, not templates: nothing here
//! imports the view or the render stage.

pub mod acknowledge;
pub(crate) mod consistency;
pub mod content;
pub mod document;
pub(crate) mod image;
pub mod kpi;
mod loader;
pub mod narrative;
pub(crate) mod numbering;
/// Periods are a ground-floor value (the manifest names them too); kept at this path.
pub use crate::period;
pub mod prose;
pub mod records;
pub(crate) mod rows;

pub use image::figure_files;
pub use loader::{
    LoadedDocument, RunDefinitions, Units, data_tables, load_document, load_unacknowledged,
};
pub(crate) use loader::{images_shown, per_unit};

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ingest::{Cell, Table};

/// How far a task of the agreement got; always shown as text and symbol, colour only as a third cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskStatus {
    Achieved,
    Partly,
    NotAchieved,
    InProgress,
}

impl TaskStatus {
    pub(crate) const ALL: [TaskStatus; 4] = [
        TaskStatus::Achieved,
        TaskStatus::Partly,
        TaskStatus::NotAchieved,
        TaskStatus::InProgress,
    ];

    /// The word the narrative uses and the document prints.
    pub(crate) fn text(self) -> &'static str {
        match self {
            TaskStatus::Achieved => "oppnådd",
            TaskStatus::Partly => "delvis",
            TaskStatus::NotAchieved => "ikke oppnådd",
            TaskStatus::InProgress => "pågår",
        }
    }

    /// A stable ASCII key the Typst library maps to symbol and colour.
    pub(crate) fn key(self) -> &'static str {
        match self {
            TaskStatus::Achieved => "oppnaadd",
            TaskStatus::Partly => "delvis",
            TaskStatus::NotAchieved => "ikke-oppnaadd",
            TaskStatus::InProgress => "paagaar",
        }
    }

    /// The status a narrative writes, in bokmål or nynorsk ("ikke oppnådd", "ikkje oppnådd").
    pub(crate) fn parse(text: &str) -> Option<TaskStatus> {
        let wanted = text.trim().to_lowercase();
        let wanted = wanted.replace("ikkje", "ikke");
        TaskStatus::ALL.into_iter().find(|s| s.text() == wanted)
    }
}

/// The values of `column` (the units a document is built for: sectors, departments, schools),
/// in the order the table first names them, and the header row's origin; `None` (with the
/// header found) when no header row names the column. The table is left as it is.
pub fn units(table: &Table, column: &str) -> Result<(Vec<String>, Origin), Origin> {
    let (header, rows) = table.header_found(&[&[column]]);
    let origin = header
        .first()
        .map_or(table.header_origin.clone(), |c| c.origin.clone());
    let index = crate::ingest::column_in(header, &[column]).ok_or_else(|| origin.clone())?;
    let mut units: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let (name, _) = cell_text(row, index);
        if !name.is_empty() && seen.insert(name.clone()) {
            units.push(name);
        }
    }
    Ok((units, origin))
}

/// A required column's index, or an error at the header naming what was expected.
pub(crate) fn required_column(
    table: &Table,
    names: &[&str],
    problems: &mut Diagnostics,
) -> Option<usize> {
    let found = table.column(names);
    if found.is_none() {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        problems.push(
            Diagnostic::error(
                table.header_origin.clone(),
                format!(
                    "no column \"{}\" in the header (found: {})",
                    names[0],
                    records::header_list(&table.header_names())
                ),
            )
            .with_hint(
                records::wrong_delimiter_hint(table)
                    .unwrap_or_else(|| format!("name a column {}", quoted.join(" or "))),
            ),
        );
    }
    found
}

/// A cell's text, trimmed, and where it is; an empty text and no origin past the row's end.
pub(crate) fn cell_text(row: &[Cell], column: usize) -> (String, Option<Origin>) {
    match row.get(column) {
        Some(cell) => (
            cell.value.as_text().trim().to_string(),
            Some(cell.origin.clone()),
        ),
        None => (String::new(), None),
    }
}
