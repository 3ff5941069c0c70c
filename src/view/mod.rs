//! The view: a serialisable picture of one document for its template, every figure formatted
//! the Norwegian way once, every prose field resolved ([`prose::ProseView`]).
//!
//! Templates see this, not the model, so either can change without the other. Nothing here
//! knows Typst: the render stage turns the view into markup.

pub(crate) mod blocks;
pub mod document;
pub(crate) mod figures;
pub(crate) mod frame;
pub(crate) mod prose;
pub(crate) mod rows;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::diag::Origin;
use crate::load::SourceFile;

/// A date the Typst side builds a `datetime` from.
#[derive(Debug, Serialize)]
pub(crate) struct DateParts {
    year: i32,
    month: u32,
    day: u32,
}

impl From<chrono::NaiveDate> for DateParts {
    fn from(date: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        DateParts {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        }
    }
}

/// Every figure a document prints, noted where it is formatted, with where it came from.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// (id, period) → (name, printed value, origin).
    rows: RefCell<BTreeMap<(String, String), Noted>>,
}

type Noted = (String, String, Origin);

impl Ledger {
    /// Notes that the figure `id` for `period` (a year, "mål", "frist" …) was printed as `value`.
    pub(crate) fn note(
        &self,
        name: &str,
        id: &str,
        period: String,
        value: String,
        origin: &Origin,
    ) {
        self.rows
            .borrow_mut()
            .entry((id.to_string(), period))
            .or_insert_with(|| (name.to_string(), value, origin.clone()));
    }

    /// The appendix: one row per printed figure, then the input files with their SHA-256.
    pub(crate) fn view(&self, inputs: &[Arc<SourceFile>]) -> ProvenanceView {
        let sha_of = |origin: &Origin| {
            inputs
                .iter()
                .find(|i| i.path == origin.path())
                .map(|i| i.sha256[..12].to_string())
                .unwrap_or_default()
        };
        let mut rows: Vec<ProvenanceRow> = self
            .rows
            .borrow()
            .iter()
            .map(|((id, period), (name, value, origin))| ProvenanceRow {
                id: id.clone(),
                name: name.clone(),
                period: period.clone(),
                value: value.clone(),
                origin: origin.to_string(),
                sha: sha_of(origin),
            })
            .collect();
        rows.sort_by(|a, b| (&a.name, &a.period).cmp(&(&b.name, &b.period)));
        ProvenanceView {
            rows,
            files: inputs
                .iter()
                .map(|i| FileRow {
                    path: i.path.display().to_string(),
                    sha256: i.sha256.clone(),
                })
                .collect(),
        }
    }
}

/// The "Datagrunnlag" appendix.
#[derive(Debug, Serialize)]
pub struct ProvenanceView {
    pub rows: Vec<ProvenanceRow>,
    pub files: Vec<FileRow>,
}

#[derive(Debug, Serialize)]
pub struct ProvenanceRow {
    pub id: String,
    pub name: String,
    /// `2018`, `mål`, `frist` …
    pub period: String,
    pub value: String,
    /// `input/data/nokkeltall-2018.csv:3:18` or `…xlsx[Økonomi]!C3`.
    pub origin: String,
    /// The first 12 hex digits of the file's SHA-256 (the files table has all 64).
    pub sha: String,
}

#[derive(Debug, Serialize)]
pub struct FileRow {
    pub path: String,
    pub sha256: String,
}
