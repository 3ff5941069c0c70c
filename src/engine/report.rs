//! The build report, `output/build-report.json`: what a run did, per document, for people and schedulers; read
//! back by the next run to skip unchanged documents and to say what changed since.

use std::borrow::Cow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Severity};

use super::facts::Facts;
use super::write::write_atomically_with;
use super::{BuildReport, Config, DocumentReport, Status};

pub(crate) const REPORT_NAME: &str = "build-report.json";

/// The report's shape (documented in docs/src/commands.md, "The build report"): read back as
/// `DocumentEntry`s, written from borrowed `EntryOut`s.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ReportFile<Entry = DocumentEntry> {
    /// `rapportverk <version>`.
    pub tool: String,
    /// `final` or `draft`.
    pub mode: String,
    pub totals: Totals,
    pub documents: Vec<Entry>,
    /// Problems that concern a whole per-unit document or the run.
    #[serde(default)]
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Totals {
    /// Documents of this run; `documents` below also keeps entries of documents a run with
    /// `--only` or `--shard` did not select.
    pub documents: usize,
    pub built: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub pages: usize,
    pub bytes: usize,
    pub errors: usize,
    pub warnings: usize,
    pub millis: u128,
    /// The build process's peak resident memory (Linux; `null` elsewhere).
    #[serde(default)]
    pub peak_memory_kib: Option<u64>,
    /// The data rows read by the documents built: a per-unit document reads each table once.
    #[serde(default)]
    pub rows_read: usize,
    /// The units held by per-unit documents' models: a shard models only its own units.
    #[serde(default)]
    pub units_modelled: usize,
}

/// This process's peak resident set size so far, from `/proc/self/status` (Linux only).
pub(crate) fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct DocumentEntry {
    pub id: String,
    /// The manifest's document id (a per-unit document has many entries with one spec).
    pub spec: String,
    /// `built`, `unchanged`, `failed` or `checked`.
    pub status: String,
    pub output: String,
    /// SHA-256 over everything the document is made from: inputs, templates, options, tool.
    pub input_hash: String,
    pub pages: usize,
    pub bytes: usize,
    pub millis: u128,
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// The figures, statuses and deadlines the document prints, for "what changed".
    #[serde(default)]
    pub facts: Facts,
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Warnings the narrative acknowledges (`acknowledge:`), each with its reason.
    #[serde(default)]
    pub acknowledged: Vec<crate::model::acknowledge::Acknowledged>,
}

/// A document's entry as written: the same fields as [`DocumentEntry`], borrowed from this
/// run's report or the previous file's entry, so writing a report of a thousand documents
/// copies none of their facts.
#[derive(Serialize)]
pub(crate) struct EntryOut<'a> {
    id: &'a str,
    spec: &'a str,
    status: &'a str,
    output: Cow<'a, str>,
    input_hash: &'a str,
    pages: usize,
    bytes: usize,
    millis: u128,
    problems: Cow<'a, [Problem]>,
    facts: &'a Facts,
    changes: &'a [Change],
    acknowledged: &'a [crate::model::acknowledge::Acknowledged],
}

impl<'a> From<&'a DocumentEntry> for EntryOut<'a> {
    fn from(e: &'a DocumentEntry) -> Self {
        EntryOut {
            id: &e.id,
            spec: &e.spec,
            status: &e.status,
            output: Cow::Borrowed(&e.output),
            input_hash: &e.input_hash,
            pages: e.pages,
            bytes: e.bytes,
            millis: e.millis,
            problems: Cow::Borrowed(&e.problems),
            facts: &e.facts,
            changes: &e.changes,
            acknowledged: &e.acknowledged,
        }
    }
}

impl<'a> From<&'a DocumentReport> for EntryOut<'a> {
    fn from(d: &'a DocumentReport) -> Self {
        EntryOut {
            id: &d.id,
            spec: &d.spec_id,
            status: d.status.word(),
            output: Cow::Owned(d.output.display().to_string()),
            input_hash: &d.input_hash,
            pages: d.pages,
            bytes: d.bytes,
            millis: d.millis,
            problems: Cow::Owned(d.diagnostics.iter().map(Into::into).collect()),
            facts: &d.facts,
            changes: &d.changes,
            acknowledged: &d.acknowledged,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Problem {
    /// `error` or `warning`.
    pub severity: String,
    pub origin: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Problem {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_string(),
            origin: d.origin.as_ref().map(ToString::to_string),
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

/// A fact that differs from the previous build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub label: String,
    /// `None` when the fact is new.
    pub from: Option<String>,
    /// `None` when the fact is gone.
    pub to: Option<String>,
    pub origin: String,
}

/// The previous run's report, if there is a readable one.
pub(crate) fn previous(output: &Path) -> Option<ReportFile> {
    let text = std::fs::read_to_string(output.join(REPORT_NAME)).ok()?;
    serde_json::from_str(&text).ok()
}

/// What changed between two sets of facts.
pub(crate) fn changes(before: &Facts, after: &Facts) -> Vec<Change> {
    let (before, after) = (before.open(), after.open());
    let before = before.by_key();
    let mut all = Vec::new();
    for (key, label, value, origin) in after.iter() {
        match before.get(key) {
            Some(old) if old.2 == value => {}
            old => all.push(Change {
                label: label.to_string(),
                from: old.map(|o| o.2.to_string()),
                to: Some(value.to_string()),
                origin: origin.to_string(),
            }),
        }
    }
    let after = after.by_key();
    for (key, (_, label, value, origin)) in before {
        if !after.contains_key(key) {
            all.push(Change {
                label: label.to_string(),
                from: Some(value.to_string()),
                to: None,
                origin: origin.to_string(),
            });
        }
    }
    all
}

impl Change {
    /// `Sykefravær 2018: 7,3 % → 7,4 % (input/data/nokkeltall-2018.csv:3:18)`.
    pub fn describe(&self) -> String {
        let from = self.from.as_deref().unwrap_or("(ny)");
        let to = self.to.as_deref().unwrap_or("(fjernet)");
        format!("{}: {from} → {to} ({})", self.label, self.origin)
    }
}

/// The previous build's entry for an output that needs no work this time.
pub(crate) fn carry_over(entry: &DocumentEntry) -> DocumentReport {
    DocumentReport {
        id: entry.id.clone(),
        spec_id: entry.spec.clone(),
        status: Status::Unchanged,
        output: entry.output.clone().into(),
        input_hash: entry.input_hash.clone(),
        pages: entry.pages,
        bytes: entry.bytes,
        millis: 0,
        diagnostics: Vec::new(),
        facts: entry.facts.clone(),
        changes: Vec::new(),
        acknowledged: entry.acknowledged.clone(),
    }
}

/// Writes `output/build-report.json` (atomically) for this run, keeping `kept`: the entries
/// of documents the run did not select.
pub(crate) fn write(
    output: &Path,
    config: &Config,
    report: &BuildReport,
    kept: &[&DocumentEntry],
) -> Result<(), Diagnostic> {
    let mut documents: Vec<EntryOut> = report.documents.iter().map(Into::into).collect();
    let this_run = documents.len();
    documents.extend(kept.iter().map(|e| EntryOut::from(*e)));
    let count = |s: Status| report.documents.iter().filter(|d| d.status == s).count();
    let all_problems = report
        .diagnostics
        .iter()
        .chain(report.documents.iter().flat_map(|d| &d.diagnostics));
    let errors = all_problems.clone().filter(|d| d.is_error()).count();
    let warnings = all_problems.count() - errors;
    let file = ReportFile {
        tool: format!("rapportverk {}", env!("CARGO_PKG_VERSION")),
        mode: if config.draft.is_some() {
            "draft"
        } else {
            "final"
        }
        .to_string(),
        totals: Totals {
            documents: this_run,
            built: count(Status::Built),
            unchanged: count(Status::Unchanged),
            failed: count(Status::Failed),
            pages: report.documents.iter().map(|d| d.pages).sum(),
            bytes: report.documents.iter().map(|d| d.bytes).sum(),
            errors,
            warnings,
            millis: report.millis,
            peak_memory_kib: peak_memory_kib(),
            rows_read: report.rows_read,
            units_modelled: report.units_modelled,
        },
        documents,
        problems: report.diagnostics.iter().map(Into::into).collect(),
    };
    write_atomically_with(&output.join(REPORT_NAME), |out| {
        serde_json::to_writer_pretty(out, &file).map_err(std::io::Error::other)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::facts::Fact;
    use std::collections::BTreeMap;

    fn fact(value: &str) -> Fact {
        Fact {
            label: "Sykefravær 2018".into(),
            value: value.into(),
            origin: "k.csv:3:18".into(),
        }
    }

    #[test]
    fn changes_name_old_and_new_values() {
        let before = Facts::from(BTreeMap::from([
            ("a".to_string(), fact("7,3 %")),
            ("gone".to_string(), fact("1")),
        ]));
        let after = Facts::from(BTreeMap::from([
            ("a".to_string(), fact("7,4 %")),
            ("new".to_string(), fact("2")),
        ]));
        let found: Vec<String> = changes(&before, &after)
            .iter()
            .map(Change::describe)
            .collect();
        assert_eq!(
            found,
            [
                "Sykefravær 2018: 7,3 % → 7,4 % (k.csv:3:18)",
                "Sykefravær 2018: (ny) → 2 (k.csv:3:18)",
                "Sykefravær 2018: 1 → (fjernet) (k.csv:3:18)"
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
