//! Narrative prose parsed once, into a tree the checks walk and the view resolves: a small safe
//! inline subset and figure references, nothing else.
//!
//! Prose may use `**bold**`, `*italic*`, `[text](url)`, footnote references `[^label]` (parsed
//! by pulldown-cmark) and figure references `{{ kpi("id") }}`, `{{ kpi("id", 2017) }}`,
//! `{{ change("id") }}`. Everything else is literal text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A prose field as parsed: inline nodes in reading order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prose(pub(crate) Vec<Inline>);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    /// Text between two pieces of markup; it prints as one literal (a footnote splits it).
    Run(Vec<Part>),
    Strong(Vec<Inline>),
    Emph(Vec<Inline>),
    Link {
        url: String,
        content: Vec<Inline>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Text(String),
    Figure(Reference),
    /// A footnote reference `[^label]`.
    Footnote(String),
}

/// A figure reference found in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub function: RefFunction,
    pub kpi: String,
    pub year: Option<i32>,
    /// The reference as written, for messages.
    pub written: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefFunction {
    /// The KPI's value with its unit.
    Kpi,
    /// The change from the previous period, signed, with its unit.
    Change,
}

// Private-use characters stand in for figure references while pulldown-cmark parses the text.
const PLACEHOLDER_START: char = '\u{e000}';
const PLACEHOLDER_END: char = '\u{e001}';
/// An `&` while pulldown-cmark parses: it would read `&amp;` or `&#x202E;` as an HTML entity,
/// and prose prints everything but its documented markup literally.
const AMPERSAND: char = '\u{e002}';

/// Footnote references without definitions in the text: a prose field's notes are defined
/// under the narrative's `footnotes:`, and a label not defined there is the checks' error.
/// Only the old footnote syntax makes a reference of `[^label]` without a definition
/// (GitHub's syntax leaves it as text); the flag includes `ENABLE_FOOTNOTES`.
const MARKDOWN: Options = Options::ENABLE_FOOTNOTES.union(Options::ENABLE_OLD_FOOTNOTES);

impl Prose {
    /// Parses a prose field; an error names the first figure reference not understood.
    pub(crate) fn parse(text: &str) -> Result<Prose, String> {
        let (with_placeholders, references) = extract_references(text)?;
        let source =
            neutralise_block_syntax(&with_placeholders).replace('&', &AMPERSAND.to_string());
        // pulldown-cmark splits text at every would-be markup character; gather runs of text
        // so each becomes one node.
        let mut tree = Tree::new(&references);
        for event in Parser::new_ext(&source, MARKDOWN) {
            match event {
                Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => tree.text(&t),
                Event::Code(t) => tree.text(&format!("`{t}`")),
                Event::SoftBreak | Event::HardBreak => tree.text(" "),
                Event::FootnoteReference(label) => tree.footnote(&label),
                Event::Start(tag @ (Tag::Strong | Tag::Emphasis | Tag::Link { .. })) => {
                    tree.open(tag)
                }
                Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Link) => tree.close(),
                _ => tree.end_run(),
            }
        }
        Ok(Prose(tree.finish()))
    }

    /// Every part, in reading order, however deep it is nested.
    pub(crate) fn parts(&self) -> Vec<&Part> {
        fn walk<'a>(nodes: &'a [Inline], out: &mut Vec<&'a Part>) {
            for node in nodes {
                match node {
                    Inline::Run(parts) => out.extend(parts),
                    Inline::Strong(c) | Inline::Emph(c) | Inline::Link { content: c, .. } => {
                        walk(c, out)
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }

    /// The figure references, in reading order.
    pub(crate) fn references(&self) -> impl Iterator<Item = &Reference> {
        self.parts().into_iter().filter_map(|p| match p {
            Part::Figure(r) => Some(r),
            _ => None,
        })
    }

    /// The footnote labels, in reading order.
    pub(crate) fn footnotes(&self) -> impl Iterator<Item = &str> {
        self.parts().into_iter().filter_map(|p| match p {
            Part::Footnote(label) => Some(label.as_str()),
            _ => None,
        })
    }

    /// The text as read, with each figure reference replaced by `stand_in`.
    pub(crate) fn plain_text(&self, stand_in: &str) -> String {
        self.parts()
            .into_iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Figure(_) => stand_in,
                Part::Footnote(_) => "",
            })
            .collect()
    }
}

/// The inline tree as pulldown-cmark's events build it: the open markup, each with the nodes
/// inside it so far, and the run of text being gathered.
struct Tree<'r> {
    references: &'r [Reference],
    stack: Vec<(Option<Tag<'static>>, Vec<Inline>)>,
    /// The run's parts before its pending text.
    run: Vec<Part>,
    pending: String,
}

impl<'r> Tree<'r> {
    fn new(references: &'r [Reference]) -> Self {
        Tree {
            references,
            stack: vec![(None, Vec::new())],
            run: Vec::new(),
            pending: String::new(),
        }
    }

    fn text(&mut self, text: &str) {
        self.pending.push_str(&text.replace(AMPERSAND, "&"));
    }

    /// A footnote splits the run: it is a part of it.
    fn footnote(&mut self, label: &str) {
        self.take_pending();
        self.run.push(Part::Footnote(label.replace(AMPERSAND, "&")));
    }

    fn take_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.run.extend(split_parts(&pending, self.references));
    }

    /// Ends the run of text: markup starts or ends.
    fn end_run(&mut self) {
        self.take_pending();
        let run = std::mem::take(&mut self.run);
        if let Some((_, nodes)) = self.stack.last_mut()
            && !run.is_empty()
        {
            nodes.push(Inline::Run(run));
        }
    }

    fn open(&mut self, tag: Tag) {
        self.end_run();
        self.stack.push((Some(tag.into_static()), Vec::new()));
    }

    fn close(&mut self) {
        self.end_run();
        if self.stack.len() < 2 {
            return;
        }
        let Some((Some(tag), content)) = self.stack.pop() else {
            return;
        };
        let node = match tag {
            Tag::Strong => Inline::Strong(content),
            Tag::Emphasis => Inline::Emph(content),
            Tag::Link { dest_url, .. } => Inline::Link {
                url: dest_url.replace(AMPERSAND, "&"),
                content,
            },
            _ => return,
        };
        if let Some((_, nodes)) = self.stack.last_mut() {
            nodes.push(node);
        }
    }

    fn finish(mut self) -> Vec<Inline> {
        self.end_run();
        self.stack.swap_remove(0).1
    }
}

/// One run's text split at its placeholders into text and figures.
fn split_parts(text: &str, references: &[Reference]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != PLACEHOLDER_START {
            literal.push(c);
            continue;
        }
        let index: String = chars
            .by_ref()
            .take_while(|d| *d != PLACEHOLDER_END)
            .collect();
        let figure = index.parse::<usize>().ok().and_then(|i| references.get(i));
        if let Some(reference) = figure {
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(Part::Figure(reference.clone()));
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    parts
}

/// Finds every `{{ … }}` in `text`; returns the text with placeholders and the references,
/// or a message naming the first reference that is not understood.
fn extract_references(text: &str) -> Result<(String, Vec<Reference>), String> {
    let mut out = String::with_capacity(text.len());
    let mut references = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!(
                "\"{{{{\" without a closing \"}}}}\" in \"{}\"",
                &rest[start..]
            ));
        };
        let written = format!("{{{{{}}}}}", &after[..end]);
        let reference = parse_reference(after[..end].trim(), &written)?;
        out.push(PLACEHOLDER_START);
        out.push_str(&references.len().to_string());
        out.push(PLACEHOLDER_END);
        references.push(reference);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok((out, references))
}

/// `kpi("id")`, `kpi("id", 2017)`, `change("id")`.
fn parse_reference(call: &str, written: &str) -> Result<Reference, String> {
    let usage = || {
        format!(
            "{written} is not a figure reference; write {{{{ kpi(\"id\") }}}}, \
             {{{{ kpi(\"id\", 2017) }}}} or {{{{ change(\"id\") }}}}"
        )
    };
    let (name, args) = call.split_once('(').ok_or_else(usage)?;
    let args = args.trim_end().strip_suffix(')').ok_or_else(usage)?;
    let function = match name.trim() {
        "kpi" => RefFunction::Kpi,
        "change" => RefFunction::Change,
        _ => return Err(usage()),
    };
    let mut parts = args.split(',').map(str::trim);
    let kpi = parts
        .next()
        .and_then(|p| p.strip_prefix('"').and_then(|p| p.strip_suffix('"')))
        .filter(|id| !id.is_empty())
        .ok_or_else(usage)?
        .to_string();
    let year = match parts.next() {
        Some(y) => Some(y.parse::<i32>().map_err(|_| usage())?),
        None => None,
    };
    if parts.next().is_some() {
        return Err(usage());
    }
    Ok(Reference {
        function,
        kpi,
        year,
        written: written.to_string(),
    })
}

/// Lists the figure references in `text` (for tests that check a narrative's references).
pub fn references(text: &str) -> Result<Vec<Reference>, String> {
    extract_references(text).map(|(_, refs)| refs)
}

/// Keeps block-level Markdown (headings, lists, quotes, code blocks) from starting: prose
/// fields are inline text, so a leading `- `, `# ` or `2. ` is literal.
fn neutralise_block_syntax(text: &str) -> String {
    let flat: String = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = flat.chars();
    let first = chars.next();
    let second = chars.next();
    let thematic_break = |c: char| {
        flat.chars().filter(|x| *x == c).count() >= 3 && flat.chars().all(|x| x == c || x == ' ')
    };
    match first {
        // List markers start a list only when followed by a space; emphasis like *ord* stays.
        Some(c @ ('-' | '+' | '*'))
            if second.is_none_or(char::is_whitespace) || thematic_break(c) =>
        {
            format!("\\{flat}")
        }
        Some('_') if thematic_break('_') => format!("\\{flat}"),
        // `[^note]: …` would define a footnote; the colon after a leading reference is text.
        Some('[') if flat.starts_with("[^") => match flat.find("]:") {
            Some(end) if !flat[2..end].contains(']') => {
                format!("{}\\{}", &flat[..end + 1], &flat[end + 1..])
            }
            _ => flat,
        },
        Some(c) if "#>=<|~`".contains(c) => format!("\\{flat}"),
        Some(c) if c.is_ascii_digit() => {
            let digits_end = flat
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(flat.len());
            if flat[digits_end..].starts_with(['.', ')']) {
                format!("{}\\{}", &flat[..digits_end], &flat[digits_end..])
            } else {
                flat
            }
        }
        _ => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Part {
        Part::Text(t.into())
    }

    #[test]
    fn markup_becomes_nodes_and_text_stays_literal() {
        let prose = Prose::parse("a **b** *c* [d](https://x.no)").unwrap();
        assert_eq!(
            prose.0,
            [
                Inline::Run(vec![text("a ")]),
                Inline::Strong(vec![Inline::Run(vec![text("b")])]),
                Inline::Run(vec![text(" ")]),
                Inline::Emph(vec![Inline::Run(vec![text("c")])]),
                Inline::Run(vec![text(" ")]),
                Inline::Link {
                    url: "https://x.no".into(),
                    content: vec![Inline::Run(vec![text("d")])]
                },
            ]
        );
        let literal = |t: &str| Prose::parse(t).unwrap().plain_text("");
        assert_eq!(literal("- item"), "- item");
        assert_eq!(literal("2. Avtalen"), "2. Avtalen");
        assert_eq!(literal("# heading"), "# heading");
        assert_eq!(
            literal("#panic(\"x\") $x$ @c [d]"),
            "#panic(\"x\") $x$ @c [d]"
        );
    }

    #[test]
    fn html_entities_print_as_written() {
        let literal = |t: &str| Prose::parse(t).unwrap().plain_text("");
        for written in [
            "&amp;",
            "&lt;b&gt;",
            "&#x41;",
            "&copy; 2018",
            "&#x202E;abc",
            "`a&amp;b`",
        ] {
            assert_eq!(
                literal(written).trim_matches('`'),
                written.trim_matches('`')
            );
        }
        let prose = Prose::parse("[lenke](https://x.no/?a=1&amp;b=2)").unwrap();
        assert!(
            matches!(&prose.0[0], Inline::Link { url, .. } if url == "https://x.no/?a=1&amp;b=2"),
            "{prose:?}"
        );
    }

    #[test]
    fn references_and_footnotes_are_parts() {
        let prose =
            Prose::parse("fra **{{ kpi(\"a\", 2017) }}** til {{change(\"b\")}}[^n].").unwrap();
        let refs: Vec<&Reference> = prose.references().collect();
        assert_eq!((refs[0].kpi.as_str(), refs[0].year), ("a", Some(2017)));
        assert_eq!(refs[1].function, RefFunction::Change);
        assert_eq!(prose.footnotes().collect::<Vec<_>>(), ["n"]);
        assert_eq!(prose.plain_text(" … "), "fra  …  til  … .");
        // A footnote needs no definition in the text; a leading one defines nothing.
        let leading = Prose::parse("[^a]: står *her*[^b]").unwrap();
        assert_eq!(leading.footnotes().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(leading.plain_text(""), ": står her");
        assert_eq!(Prose::parse("[^] [x]").unwrap().plain_text(""), "[^] [x]");
    }

    #[test]
    fn bad_references_are_errors() {
        assert!(Prose::parse("{{ kpi(a) }}").is_err());
        assert!(Prose::parse("{{ sum(\"a\") }}").is_err());
        assert!(Prose::parse("{{ kpi(\"a\"").is_err());
    }
}
