//! Narrative prose to Typst markup: a small safe inline subset and KPI references, nothing else.
//!
//! Prose may use `**bold**`, `*italic*`, `[text](url)`, footnote references `[^label]` (parsed
//! by pulldown-cmark) and figure references `{{ kpi("id") }}`, `{{ kpi("id", 2017) }}`,
//! `{{ change("id") }}`. Everything else is literal text: it reaches Typst through
//! [`escape::markup_text`](super::escape::markup_text).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::escape::{markup_text, string_literal};

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

// Private-use characters stand in for references while pulldown-cmark parses the text.
const PLACEHOLDER_START: char = '\u{e000}';
const PLACEHOLDER_END: char = '\u{e001}';
const FOOTNOTE_START: char = '\u{e002}';
const FOOTNOTE_END: char = '\u{e003}';

/// Replaces every `[^label]` by a placeholder; returns the text and the labels in order.
fn extract_footnotes(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[^") {
        let after = &rest[start + 2..];
        match after.find(']') {
            Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                out.push_str(&rest[..start]);
                out.push(FOOTNOTE_START);
                out.push_str(&labels.len().to_string());
                out.push(FOOTNOTE_END);
                labels.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, labels)
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

/// Lists the references in `text` without rendering it (for checks).
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

/// Renders prose without footnotes to Typst markup; `resolve` turns each figure reference
/// into the text it prints.
pub fn to_typst(
    text: &str,
    resolve: impl FnMut(&Reference) -> Result<String, String>,
) -> Result<String, String> {
    to_typst_with_footnotes(text, resolve, |label| {
        Err(format!(
            "footnote [^{label}] is not defined; this text cannot have footnotes"
        ))
    })
}

/// Renders prose to Typst markup; `resolve` gives each figure reference's text, `footnote`
/// each footnote's body as Typst markup.
pub fn to_typst_with_footnotes(
    text: &str,
    mut resolve: impl FnMut(&Reference) -> Result<String, String>,
    mut footnote: impl FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let (with_placeholders, refs) = extract_references(text)?;
    let resolved = refs
        .iter()
        .map(&mut resolve)
        .collect::<Result<Vec<String>, String>>()?;
    let (with_placeholders, labels) = extract_footnotes(&with_placeholders);
    let notes = labels
        .iter()
        .map(|l| footnote(l).map(|body| format!("#footnote[{body}]")))
        .collect::<Result<Vec<String>, String>>()?;
    let source = neutralise_block_syntax(&with_placeholders);
    let mut out = String::new();
    // pulldown-cmark splits text at every would-be markup character; gather runs of text so
    // each becomes one literal.
    let mut pending = String::new();
    let mut paragraphs = 0;
    for event in Parser::new_ext(&source, Options::empty()) {
        match event {
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                pending.push_str(&t);
                continue;
            }
            Event::Code(t) => {
                pending.push_str(&format!("`{t}`"));
                continue;
            }
            Event::SoftBreak | Event::HardBreak => {
                pending.push(' ');
                continue;
            }
            _ => {}
        }
        out.push_str(&substitute(&pending, &resolved, &notes));
        pending.clear();
        match event {
            Event::Start(Tag::Strong) => out.push_str("#strong["),
            Event::Start(Tag::Emphasis) => out.push_str("#emph["),
            Event::Start(Tag::Link { dest_url, .. }) => {
                out.push_str(&format!("#link({})[", string_literal(&dest_url)));
            }
            Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Link) => out.push(']'),
            Event::Start(Tag::Paragraph) => {
                if paragraphs > 0 {
                    out.push(' ');
                }
                paragraphs += 1;
            }
            _ => {}
        }
    }
    out.push_str(&substitute(&pending, &resolved, &notes));
    Ok(out)
}

/// Literal text as markup, with figure placeholders printed as text and footnote placeholders
/// as Typst footnotes.
fn substitute(text: &str, resolved: &[String], notes: &[String]) -> String {
    let mut out = String::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != PLACEHOLDER_START && c != FOOTNOTE_START {
            literal.push(c);
            continue;
        }
        let index: String = chars
            .by_ref()
            .take_while(|d| *d != PLACEHOLDER_END && *d != FOOTNOTE_END)
            .collect();
        let index = index.parse::<usize>().ok();
        if c == PLACEHOLDER_START {
            if let Some(value) = index.and_then(|i| resolved.get(i)) {
                literal.push_str(value);
            }
        } else if let Some(note) = index.and_then(|i| notes.get(i)) {
            out.push_str(&markup_text(&literal));
            literal.clear();
            out.push_str(note);
        }
    }
    out.push_str(&markup_text(&literal));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        to_typst(text, |r| Ok(format!("<{}>", r.kpi))).unwrap()
    }

    #[test]
    fn bold_italic_and_links() {
        assert_eq!(
            plain("a **b** *c* [d](https://x.no)"),
            "#\"a \";#strong[#\"b\";]#\" \";#emph[#\"c\";]#\" \";#link(\"https://x.no\")[#\"d\";]"
        );
    }

    #[test]
    fn block_syntax_stays_literal() {
        assert_eq!(plain("- item"), "#\"- item\";");
        assert_eq!(plain("2. Avtalen"), "#\"2. Avtalen\";");
        assert_eq!(plain("# heading"), "#\"# heading\";");
        assert_eq!(plain("<b>"), "#\"<b>\";");
    }

    #[test]
    fn typst_specials_stay_literal() {
        assert_eq!(
            plain("#panic(\"x\") $x$ @c [d]"),
            "#\"#panic(\\\"x\\\") $x$ @c [d]\";"
        );
    }

    #[test]
    fn references_are_resolved_inside_emphasis() {
        assert_eq!(
            plain("fra **{{ kpi(\"a\", 2017) }}** til {{change(\"b\")}}."),
            "#\"fra \";#strong[#\"<a>\";]#\" til <b>.\";"
        );
        let refs = references("{{ kpi(\"a\", 2017) }} {{ change(\"b\") }}").unwrap();
        assert_eq!(refs[0].year, Some(2017));
        assert_eq!(refs[1].function, RefFunction::Change);
    }

    #[test]
    fn footnotes_become_typst_footnotes() {
        let out = to_typst_with_footnotes(
            "*Brevets[^a] formål*",
            |_| Ok(String::new()),
            |l| Ok(format!("#\"<{l}>\";")),
        )
        .unwrap();
        assert_eq!(out, "#emph[#\"Brevets\";#footnote[#\"<a>\";]#\" formål\";]");
        assert!(to_typst("x[^a]", |_| Ok(String::new())).is_err());
    }

    #[test]
    fn bad_references_are_errors() {
        assert!(to_typst("{{ kpi(a) }}", |_| Ok(String::new())).is_err());
        assert!(to_typst("{{ sum(\"a\") }}", |_| Ok(String::new())).is_err());
        assert!(to_typst("{{ kpi(\"a\"", |_| Ok(String::new())).is_err());
        let err = to_typst("{{ kpi(\"zz\") }}", |r| Err(format!("unknown {}", r.kpi))).unwrap_err();
        assert_eq!(err, "unknown zz");
    }
}
