//! The narratives as staff write them in YAML (evaluation, assignment letter), read into the
//! model's types: prose as a parsed tree, dates as dates, statuses as an enum.
//!
//! Every parsed field keeps what was written and where ([`Spanned`]), so a problem inside it
//! (a date that is no date, an unknown KPI reference) is reported at its line and column by
//! the checks. Unknown keys are errors: a misspelt key would otherwise silently drop text.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::TaskStatus;
use super::prose::Prose;
use crate::diag::{Diagnostic, Origin};
use crate::ingest::yaml::{Spanned, origin_of};

/// A field parsed as it is read: the text as written (with its place) and the value, or why
/// the text does not give one (reported by the checks; a checked model has none left).
#[derive(Debug)]
pub(crate) struct Parsed<T> {
    pub(crate) written: Spanned<String>,
    pub(crate) value: Result<T, String>,
}

/// How a narrative field's text becomes its value.
pub(crate) trait FromWritten: Sized {
    fn from_written(text: &str) -> Result<Self, String>;
}

impl FromWritten for Prose {
    fn from_written(text: &str) -> Result<Prose, String> {
        Prose::parse(text)
    }
}

impl FromWritten for NaiveDate {
    fn from_written(text: &str) -> Result<NaiveDate, String> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("\"{text}\" is not a date"))
    }
}

impl FromWritten for TaskStatus {
    fn from_written(text: &str) -> Result<TaskStatus, String> {
        TaskStatus::parse(text).ok_or_else(|| format!("\"{text}\" is not a task status"))
    }
}

impl<T: FromWritten> Parsed<T> {
    pub(crate) fn new(written: Spanned<String>) -> Parsed<T> {
        let value = T::from_written(&written.value);
        Parsed { written, value }
    }

    /// The value, once the checks have passed.
    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref().ok()
    }

    pub(crate) fn origin(&self, file: &Path) -> Origin {
        origin_of(file, &self.written)
    }
}

impl<'de, T: FromWritten> Deserialize<'de> for Parsed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Spanned::<String>::deserialize(deserializer).map(Parsed::new)
    }
}

/// A prose field.
pub(crate) type Text = Parsed<Prose>;
/// A date field, written `YYYY-MM-DD`.
pub(crate) type Date = Parsed<NaiveDate>;

impl Date {
    /// The problem of a date that does not parse.
    pub(crate) fn problem(&self, file: &Path) -> Option<Diagnostic> {
        let message = self.value.as_ref().err()?;
        Some(
            Diagnostic::error(self.origin(file), message.clone())
                .with_hint("write dates as YYYY-MM-DD, e.g. 2019-04-26"),
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Evaluation {
    pub(crate) document: DocumentInfo,
    pub(crate) introduction: Introduction,
    pub(crate) agreement: Agreement,
    pub(crate) evaluation: Section,
    pub(crate) goals: Vec<Goal>,
    pub(crate) interplay: Section,
    pub(crate) signature: Signature,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocumentInfo {
    pub(crate) municipality: String,
    pub(crate) title: String,
    pub(crate) period: Period,
    /// The report year whose data the document prints.
    pub(crate) year: i32,
    pub(crate) author: String,
    #[serde(default)]
    pub(crate) subject: String,
    #[serde(default)]
    pub(crate) keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Period {
    pub(crate) from: Date,
    pub(crate) to: Date,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Introduction {
    pub(crate) basis_lead: Text,
    pub(crate) basis: Vec<Text>,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Agreement {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
    pub(crate) meetings_lead: Text,
    pub(crate) meetings: Vec<Date>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Section {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Goal {
    pub(crate) number: u32,
    pub(crate) title: Text,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
    #[serde(default)]
    pub(crate) kpis: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) chart: Option<Spanned<String>>,
    pub(crate) tasks: Vec<Task>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Task {
    pub(crate) id: Spanned<String>,
    pub(crate) title: Text,
    #[serde(default)]
    pub(crate) group: Option<Text>,
    pub(crate) status: Parsed<TaskStatus>,
    #[serde(default)]
    pub(crate) status_note: Option<Text>,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
}

/// One block of prose: a paragraph, a run-in heading, a bullet list or a numbered list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum Block {
    P(Text),
    Heading(Text),
    List(Vec<ListItem>),
    Ordered(Vec<ListItem>),
}

/// A bullet: plain text, or a lead with sub-bullets.
#[derive(Debug)]
pub(crate) enum ListItem {
    Plain(Text),
    Nested { text: Text, items: Vec<Text> },
}

/// A bullet as written; serde cannot keep spans inside an untagged enum, so the item's own
/// span is taken around it (sub-bullets share their lead's position).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawListItem {
    Plain(String),
    Nested(NestedItem),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NestedItem {
    text: String,
    items: Vec<String>,
}

impl<'de> Deserialize<'de> for ListItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: Spanned<RawListItem> = Spanned::deserialize(deserializer)?;
        let at = |text: String| Parsed::new(Spanned::new(text, raw.referenced, raw.defined));
        Ok(match raw.value {
            RawListItem::Plain(text) => ListItem::Plain(at(text)),
            RawListItem::Nested(NestedItem { text, items }) => ListItem::Nested {
                text: at(text),
                items: items.into_iter().map(at).collect(),
            },
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Signature {
    pub(crate) date: Date,
    pub(crate) name: String,
    pub(crate) role: String,
}

impl Block {
    fn prose(&self) -> Vec<&Text> {
        match self {
            Block::P(t) | Block::Heading(t) => vec![t],
            Block::List(items) | Block::Ordered(items) => items
                .iter()
                .flat_map(|item| match item {
                    ListItem::Plain(t) => vec![t],
                    ListItem::Nested { text, items } => {
                        std::iter::once(text).chain(items.iter()).collect()
                    }
                })
                .collect(),
        }
    }
}

pub(crate) fn blocks_prose(blocks: &[Block]) -> impl Iterator<Item = &Text> {
    blocks.iter().flat_map(Block::prose)
}

impl Evaluation {
    /// Every prose field, in document order: the fields that may hold markup and references.
    pub(crate) fn prose(&self) -> Vec<&Text> {
        let mut all: Vec<&Text> = Vec::new();
        all.push(&self.introduction.basis_lead);
        all.extend(&self.introduction.basis);
        all.extend(blocks_prose(&self.introduction.blocks));
        all.extend(blocks_prose(&self.agreement.blocks));
        all.push(&self.agreement.meetings_lead);
        all.extend(blocks_prose(&self.evaluation.blocks));
        for goal in &self.goals {
            all.push(&goal.title);
            all.extend(blocks_prose(&goal.blocks));
            for task in &goal.tasks {
                all.push(&task.title);
                all.extend(task.group.iter());
                all.extend(task.status_note.iter());
                all.extend(blocks_prose(&task.blocks));
            }
        }
        all.extend(blocks_prose(&self.interplay.blocks));
        all
    }
}

/// The common narrative of an assignment letter (oppdragsbrev), the same for every department.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LetterNarrative {
    pub(crate) letter: LetterInfo,
    pub(crate) reporting_months: Vec<Spanned<String>>,
    pub(crate) business_plan_deadline: Date,
    #[serde(default)]
    pub(crate) footnotes: std::collections::BTreeMap<String, Text>,
    pub(crate) sections: Vec<LetterSection>,
    pub(crate) closing: Text,
}

/// The letterhead: what the archive needs to file the letter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LetterInfo {
    pub(crate) municipality: String,
    pub(crate) title: String,
    pub(crate) year: Spanned<i32>,
    pub(crate) date: Date,
    #[serde(default)]
    pub(crate) archive_code: String,
    pub(crate) journal_post_id: String,
    pub(crate) case_number: String,
    pub(crate) author: String,
    #[serde(default)]
    pub(crate) subject: String,
    #[serde(default)]
    pub(crate) keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LetterSection {
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
    #[serde(default)]
    pub(crate) subsections: Vec<Section>,
}

impl LetterNarrative {
    /// Every prose field, in document order (footnote bodies last).
    pub(crate) fn prose(&self) -> Vec<&Text> {
        let mut all: Vec<&Text> = Vec::new();
        for section in &self.sections {
            all.extend(blocks_prose(&section.blocks));
            for sub in &section.subsections {
                all.extend(blocks_prose(&sub.blocks));
            }
        }
        all.push(&self.closing);
        all.extend(self.footnotes.values());
        all
    }
}

/// Optional paragraphs addressed to single departments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepartmentTexts {
    pub(crate) departments: Vec<DepartmentText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepartmentText {
    pub(crate) department: Spanned<String>,
    pub(crate) blocks: Vec<Block>,
}
