//! Prose as the template sees it: the model's parsed tree with every figure reference resolved
//! to its formatted text and every footnote to its body, handed to minijinja as an object the
//! render stage turns into Typst.

use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Object, ObjectRepr};

use crate::model::content::Text;
use crate::model::prose::{Inline, Part, Reference};

use super::printed::{FigureSource, PrintedFigure};

/// A prose field ready to print.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ProseView {
    /// Text that could not be parsed, shown as written (the checks have reported it).
    AsWritten(String),
    Nodes(Vec<InlineView>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InlineView {
    /// Literal text; a footnote splits it.
    Run(Vec<PartView>),
    Strong(Vec<InlineView>),
    Emph(Vec<InlineView>),
    Link {
        url: String,
        content: Vec<InlineView>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PartView {
    Text(String),
    Footnote(ProseView),
}

impl ProseView {
    /// Whether nothing would print (a template's `{% if %}` is false then).
    pub(crate) fn is_empty(&self) -> bool {
        fn empty(nodes: &[InlineView]) -> bool {
            nodes.iter().all(|node| match node {
                InlineView::Run(parts) => parts
                    .iter()
                    .all(|p| matches!(p, PartView::Text(t) if t.is_empty())),
                _ => false,
            })
        }
        match self {
            ProseView::AsWritten(text) => text.is_empty(),
            ProseView::Nodes(nodes) => empty(nodes),
        }
    }
}

impl Object for ProseView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.is_empty()
    }
}

/// A prose field with the figures its text prints, for the provenance appendix.
#[derive(Debug, Clone)]
pub(crate) struct PrintedProse {
    pub(crate) prose: ProseView,
    pub(crate) sources: Vec<FigureSource>,
}

impl Object for PrintedProse {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.prose.is_empty()
    }
}

/// What prose may refer to: figures from the data, footnotes from the narrative. `None` means
/// the reference cannot be printed here.
pub(crate) trait Resolve {
    fn figure(&self, _reference: &Reference) -> Option<PrintedFigure> {
        None
    }

    fn footnote(&self, _label: &str) -> Option<ProseView> {
        None
    }
}

/// Prose that refers to nothing.
pub(crate) struct Plain;
impl Resolve for Plain {}

/// A prose field for the template. The checks have reported any reference that does not
/// resolve; if one slips through, the text is shown as written rather than failing.
pub(crate) fn prose_value(text: &Text, context: &dyn Resolve) -> Value {
    let mut sources = Vec::new();
    let prose = printed_prose(text, context, &mut sources);
    Value::from_object(PrintedProse { prose, sources })
}

pub(crate) fn prose_view(text: &Text, context: &dyn Resolve) -> ProseView {
    printed_prose(text, context, &mut Vec::new())
}

/// The prose of `text`, and in `sources` the figures it prints.
fn printed_prose(text: &Text, context: &dyn Resolve, sources: &mut Vec<FigureSource>) -> ProseView {
    nodes(&text.prose.0, context, sources)
        .map(ProseView::Nodes)
        .unwrap_or_else(|| {
            sources.clear();
            ProseView::AsWritten(text.written.clone())
        })
}

fn nodes(
    nodes: &[Inline],
    context: &dyn Resolve,
    sources: &mut Vec<FigureSource>,
) -> Option<Vec<InlineView>> {
    nodes
        .iter()
        .map(|node| {
            Some(match node {
                Inline::Run(parts) => InlineView::Run(run(parts, context, sources)?),
                Inline::Strong(c) => InlineView::Strong(self::nodes(c, context, sources)?),
                Inline::Emph(c) => InlineView::Emph(self::nodes(c, context, sources)?),
                Inline::Link { url, content } => InlineView::Link {
                    url: url.clone(),
                    content: self::nodes(content, context, sources)?,
                },
            })
        })
        .collect()
}

/// A run's parts with figures printed into the text around them: one literal between footnotes.
fn run(
    parts: &[Part],
    context: &dyn Resolve,
    sources: &mut Vec<FigureSource>,
) -> Option<Vec<PartView>> {
    let mut out = Vec::new();
    let mut literal = String::new();
    for part in parts {
        match part {
            Part::Text(t) => literal.push_str(t),
            Part::Figure(reference) => {
                let figure = context.figure(reference)?;
                literal.push_str(&figure.text);
                sources.extend(figure.sources);
            }
            Part::Footnote(label) => {
                out.push(PartView::Text(std::mem::take(&mut literal)));
                out.push(PartView::Footnote(context.footnote(label)?));
            }
        }
    }
    out.push(PartView::Text(literal));
    Some(out)
}
