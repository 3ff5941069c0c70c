//! The view: a serialisable picture of one document for its template, every figure formatted
//! the Norwegian way once, every prose field resolved ([`prose::ProseView`]).
//!
//! Templates see this, not the model, so either can change without the other. Nothing here
//! knows Typst: the render stage turns the view into markup.

pub(crate) mod blocks;
pub mod document;
pub(crate) mod figures;
pub(crate) mod frame;
pub(crate) mod pictures;
pub mod printed;
pub(crate) mod prose;
pub(crate) mod rows;
pub(crate) mod table;

use std::sync::Arc;

use serde::Serialize;

use crate::diag::Origin;
use crate::load::SourceFile;
use printed::FigureSource;

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

/// The "Datagrunnlag" appendix: the files a document was made from, and the figures it
/// prints (listed by the render stage once it knows which the template printed).
#[derive(Debug, Serialize)]
pub struct ProvenanceView {
    pub rows: Vec<ProvenanceRow>,
    pub files: Vec<FileRow>,
}

impl ProvenanceView {
    /// The appendix of a document made from `inputs`, in the order it lists them; no figure
    /// listed yet.
    pub(crate) fn of_files(inputs: &[Arc<SourceFile>]) -> ProvenanceView {
        ProvenanceView {
            rows: Vec::new(),
            files: inputs
                .iter()
                .map(|i| FileRow {
                    path: i.path.display().to_string(),
                    sha256: i.sha256.clone(),
                })
                .collect(),
        }
    }

    /// Lists `printed`, one row per figure, by name and period.
    pub fn list(&mut self, printed: &[FigureSource]) {
        let sha_of = |origin: &Origin| {
            let path = origin.path().display().to_string();
            self.files
                .iter()
                .find(|f| f.path == path)
                .map(|f| f.sha256[..12].to_string())
                .unwrap_or_default()
        };
        let mut rows: Vec<ProvenanceRow> = printed
            .iter()
            .map(|figure| ProvenanceRow {
                id: figure.id.clone(),
                name: figure.name.clone(),
                period: figure.period.clone(),
                value: figure.value.clone(),
                origin: figure.origin.to_string(),
                sha: sha_of(&figure.origin),
            })
            .collect();
        rows.sort_by(|a, b| (&a.name, &a.period).cmp(&(&b.name, &b.period)));
        self.rows = rows;
    }
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
