//! The evaluation's narrative as staff write it in YAML: goals, tasks, results, signature.
//!
//! Prose fields are [`Spanned`] so that a problem inside them (an unknown KPI reference, say)
//! is reported at its line and column. Unknown keys are errors: a misspelt key would otherwise
//! silently drop text from the document.

use serde::Deserialize;

use crate::ingest::yaml::Spanned;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub document: DocumentInfo,
    pub introduction: Introduction,
    pub agreement: Agreement,
    pub evaluation: Section,
    pub goals: Vec<Goal>,
    pub interplay: Section,
    pub signature: Signature,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInfo {
    pub municipality: String,
    pub title: String,
    pub period: Period,
    /// The report year whose data the document prints.
    pub year: i32,
    pub author: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Introduction {
    pub basis_lead: Text,
    pub basis: Vec<Text>,
    #[serde(default)]
    pub blocks: Vec<Block>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub title: String,
    #[serde(default)]
    pub blocks: Vec<Block>,
    pub meetings_lead: Text,
    pub meetings: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    #[serde(default)]
    pub blocks: Vec<Block>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub number: u32,
    pub title: Text,
    #[serde(default)]
    pub blocks: Vec<Block>,
    #[serde(default)]
    pub kpis: Vec<Spanned<String>>,
    #[serde(default)]
    pub chart: Option<Spanned<String>>,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: Spanned<String>,
    pub title: Text,
    #[serde(default)]
    pub group: Option<Text>,
    pub status: Spanned<String>,
    #[serde(default)]
    pub status_note: Option<Text>,
    #[serde(default)]
    pub blocks: Vec<Block>,
}

/// One block of prose: a paragraph, a run-in heading, a bullet list or a numbered list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Block {
    P(Text),
    Heading(Text),
    List(Vec<ListItem>),
    Ordered(Vec<ListItem>),
}

/// A bullet: plain text, or a lead with sub-bullets.
#[derive(Debug)]
pub enum ListItem {
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
        let at = |text: String| Spanned::new(text, raw.referenced, raw.defined);
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
pub struct Signature {
    pub date: Spanned<String>,
    pub name: String,
    pub role: String,
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

pub fn blocks_prose(blocks: &[Block]) -> impl Iterator<Item = &Text> {
    blocks.iter().flat_map(Block::prose)
}

impl Evaluation {
    /// Every prose field, in document order: the fields that may hold markup and references.
    pub fn prose(&self) -> Vec<&Text> {
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
pub struct LetterNarrative {
    pub letter: LetterInfo,
    pub reporting_months: Vec<Spanned<String>>,
    pub business_plan_deadline: Spanned<String>,
    #[serde(default)]
    pub footnotes: std::collections::BTreeMap<String, Text>,
    pub sections: Vec<LetterSection>,
    pub closing: Text,
}

/// The letterhead: what the archive needs to file the letter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterInfo {
    pub municipality: String,
    pub title: String,
    pub year: Spanned<i32>,
    pub date: Spanned<String>,
    #[serde(default)]
    pub archive_code: String,
    pub journal_post_id: String,
    pub case_number: String,
    pub author: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterSection {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub blocks: Vec<Block>,
    #[serde(default)]
    pub subsections: Vec<Section>,
}

impl LetterNarrative {
    /// Every prose field, in document order (footnote bodies last).
    pub fn prose(&self) -> Vec<&Text> {
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
pub struct DepartmentTexts {
    pub departments: Vec<DepartmentText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentText {
    pub department: Spanned<String>,
    pub blocks: Vec<Block>,
}
