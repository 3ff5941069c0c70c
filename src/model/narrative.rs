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

/// One block of prose: a paragraph, a run-in heading or a bullet list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Block {
    P(Text),
    Heading(Text),
    List(Vec<ListItem>),
}

/// A bullet: plain text, or a lead with sub-bullets.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ListItem {
    Plain(Text),
    Nested { text: Text, items: Vec<Text> },
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
            Block::List(items) => items
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

fn blocks_prose(blocks: &[Block]) -> impl Iterator<Item = &Text> {
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
