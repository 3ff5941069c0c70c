//! A diagnostic as a terminal shows it: the message, the source line with a caret under the
//! place, and the hint, laid out by annotate-snippets as rustc and typst-cli lay out theirs.
//!
//! Every message goes through here (CSV, Excel, YAML, templates, Typst), so they all look alike.

use std::path::Path;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Element, Group, Level, Renderer, Snippet};

use super::{Diagnostic, Origin, Severity};

/// Where the renderer finds the text of a file a message points into: the run's source cache
/// in the binary; `|_| None` where no file is at hand (then the origin is printed alone).
pub trait Sources {
    /// The decoded text of the file at `path`, as the run read it; `None` when it is not text
    /// or was not read.
    fn text(&self, path: &Path) -> Option<Arc<str>>;
}

impl<F: Fn(&Path) -> Option<Arc<str>>> Sources for F {
    fn text(&self, path: &Path) -> Option<Arc<str>> {
        self(path)
    }
}

impl Diagnostic {
    /// The message as a terminal shows it, over several lines:
    ///
    /// ```text
    /// error: "sju" is not a number; expected e.g. 7,3
    ///  --> input/data/nokkeltall.csv:3:18
    ///   |
    /// 3 | sykefravaer;2018;sju;prosent
    ///   |                  ^^^
    ///   |
    ///   = hint: …
    /// ```
    ///
    /// `styled` adds colour (for a terminal, never for a log or a test). Without the text of
    /// the origin's file the origin is printed alone (` --> file:3:18`).
    pub fn render(&self, sources: &dyn Sources, styled: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let text = self
            .origin
            .as_ref()
            .and_then(|origin| match origin {
                Origin::Text { .. } | Origin::Line { .. } => Some(origin),
                _ => None,
            })
            .and_then(|origin| sources.text(origin.path()));
        let mut elements = place(self, text.as_deref());
        if let Some(hint) = &self.hint {
            elements.push(
                Level::HELP
                    .with_name(Some("hint"))
                    .message(hint.as_str())
                    .into(),
            );
        }
        let mut report =
            vec![Group::with_title(level.primary_title(self.message.as_str())).elements(elements)];
        // The generated text behind the place, as a note of its own: annotate-snippets 0.12
        // drops the `:::` header of a second snippet in one group.
        if let Some(excerpt) = &self.excerpt {
            report.push(
                Group::with_title(Level::NOTE.secondary_title("in the generated Typst source"))
                    .element(
                        Snippet::source(excerpt.text.as_str())
                            .line_start(excerpt.first_line)
                            .path(excerpt.name.as_str())
                            .annotation(AnnotationKind::Primary.span(excerpt.span.clone())),
                    ),
            );
        }
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&report)
    }
}

/// The origin as a snippet of its line when its file's text is at hand, else as ` --> origin`.
fn place<'a>(diagnostic: &'a Diagnostic, text: Option<&'a str>) -> Vec<Element<'a>> {
    let Some(origin) = &diagnostic.origin else {
        return Vec::new();
    };
    let path = origin.path().to_string_lossy();
    let line_of = |line: usize| text.and_then(|text| nth_line(text, line));
    let element: Element<'a> = match origin {
        Origin::Text { line, column, .. } => match line_of(*line) {
            Some(source) => {
                let span = token(source, *column, is_table(origin.path()));
                Snippet::source(source)
                    .line_start(*line)
                    .path(path)
                    .annotation(AnnotationKind::Primary.span(span))
                    .into()
            }
            // The excerpt is this very text (generated Typst), and its snippet names the place.
            None if diagnostic.excerpt.is_some() => return Vec::new(),
            None => annotate_snippets::Origin::path(path)
                .line(*line)
                .char_column(*column)
                .into(),
        },
        // A whole line (a template line behind generated text): marked from its first
        // character to its last, so the snippet shows which line without claiming a column.
        Origin::Line { line, .. } => match line_of(*line) {
            Some(source) => {
                let start = source.len() - source.trim_start().len();
                let end = source.trim_end().len().max(start);
                let kind = if diagnostic.excerpt.is_some() {
                    AnnotationKind::Context
                } else {
                    AnnotationKind::Primary
                };
                Snippet::source(source)
                    .line_start(*line)
                    .path(path)
                    .annotation(kind.span(start..end))
                    .into()
            }
            None => annotate_snippets::Origin::path(path).line(*line).into(),
        },
        Origin::Cell { .. } | Origin::File { .. } => {
            annotate_snippets::Origin::path(origin.to_string()).into()
        }
    };
    vec![element]
}

/// The 1-based `line` of `text`, without its line break.
fn nth_line(text: &str, line: usize) -> Option<&str> {
    let found = text.split('\n').nth(line.checked_sub(1)?)?;
    Some(found.strip_suffix('\r').unwrap_or(found))
}

/// Whether the file is a delimited table, whose cells end at the delimiter rather than at a space.
fn is_table(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["csv", "txt", "tsv"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The bytes of `line` to mark for a 1-based character `column`: the CSV cell or YAML scalar
/// that starts there (a quoted one to its closing quote), at least one character. A column
/// past the end marks the end of the line.
fn token(line: &str, column: usize, table: bool) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let Some(first) = rest.chars().next() else {
        return start..start;
    };
    let len = if first == '"' || first == '\'' {
        quoted(rest, first)
    } else if table {
        let delimiter = [';', '\t', ','].into_iter().find(|d| line.contains(*d));
        rest.find(|c| Some(c) == delimiter).unwrap_or(rest.len())
    } else {
        // A plain YAML scalar or key: to a space, a flow delimiter, or a key's colon.
        let mut chars = rest.char_indices().peekable();
        let mut end = rest.len();
        while let Some((i, c)) = chars.next() {
            let key_colon = c == ':' && chars.peek().is_none_or(|(_, n)| n.is_whitespace());
            if c.is_whitespace() || matches!(c, ',' | ']' | '}') || key_colon {
                end = i;
                break;
            }
        }
        end
    };
    start..start + len.max(first.len_utf8())
}

/// The length of the quoted string `rest` starts with, to its closing quote (a backslash
/// escapes the next character in a double-quoted one), or all of `rest` when it is unclosed.
fn quoted(rest: &str, quote: char) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quote == '"' => escaped = true,
            c if c == quote => return i + c.len_utf8(),
            _ => {}
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Excerpt;

    fn sources(path: &Path) -> Option<Arc<str>> {
        match path.to_str()? {
            "d.csv" => Some("kpi;år;verdi\nsykefravaer;2018;sju;prosent\n".into()),
            "n.yaml" => Some(
                "title: x\r\nkpis: [sykefravar, bufferfond]\r\np: \"a {{ kpi(\\\"x\\\") }}\" # c\r\n".into(),
            ),
            "t.typ.j2" => Some("= Tittel\n  Innledning {{ x }}\n".into()),
            _ => None,
        }
    }

    #[test]
    fn a_csv_cell_is_marked_to_its_delimiter() {
        let d = Diagnostic::error(Origin::text("d.csv", 2, 18), "\"sju\" is not a number")
            .with_hint("write a number, e.g. 7,3");
        assert_eq!(
            d.render(&sources, false),
            "error: \"sju\" is not a number
 --> d.csv:2:18
  |
2 | sykefravaer;2018;sju;prosent
  |                  ^^^
  |
  = hint: write a number, e.g. 7,3"
        );
    }

    #[test]
    fn a_yaml_scalar_in_a_flow_list_is_marked_to_its_comma() {
        let d = Diagnostic::warning(Origin::text("n.yaml", 2, 8), "unknown KPI");
        assert_eq!(
            d.render(&sources, false),
            "warning: unknown KPI
 --> n.yaml:2:8
  |
2 | kpis: [sykefravar, bufferfond]
  |        ^^^^^^^^^^"
        );
    }

    #[test]
    fn a_key_is_marked_without_its_colon_and_a_string_to_its_closing_quote() {
        let key = Diagnostic::error(Origin::text("n.yaml", 1, 1), "unknown field");
        assert!(
            key.render(&sources, false)
                .ends_with("1 | title: x\n  | ^^^^^")
        );
        let prose = Diagnostic::error(Origin::text("n.yaml", 3, 4), "unknown KPI");
        let shown = prose.render(&sources, false);
        assert!(
            shown.contains(r#"3 | p: "a {{ kpi(\"x\") }}" # c"#),
            "{shown}"
        );
        assert!(
            shown.ends_with(&format!("  |    {}", "^".repeat(20))),
            "{shown}"
        );
    }

    #[test]
    fn without_the_text_the_origin_stands_alone() {
        let d = Diagnostic::error(Origin::text("gone.csv", 4, 2), "bad");
        assert_eq!(d.render(&sources, false), "error: bad\n --> gone.csv:4:2");
        let d = Diagnostic::error(Origin::cell("a.xlsx", "Ark1", 6, 2), "bad");
        assert_eq!(
            d.render(&sources, false),
            "error: bad\n --> a.xlsx[Ark1]!C7"
        );
        let d = Diagnostic::error(None, "no project").with_hint("run init");
        assert_eq!(
            d.render(&sources, false),
            "error: no project\n  |\n  = hint: run init"
        );
    }

    #[test]
    fn a_template_line_is_shown_above_the_generated_text() {
        let d = Diagnostic::warning(
            Origin::Line {
                file: "t.typ.j2".into(),
                line: 2,
            },
            "typst: no text within stars",
        )
        .with_excerpt(Excerpt {
            name: "output/t.typ (generated)".into(),
            text: "Innledning **".into(),
            first_line: 16,
            span: 11..13,
        });
        let shown = d.render(&sources, false);
        assert!(shown.contains("2 |   Innledning {{ x }}"), "{shown}");
        assert!(
            shown.contains("16 | Innledning **\n   |            ^^"),
            "{shown}"
        );
    }

    #[test]
    fn styled_output_has_colour_and_plain_has_none() {
        let d = Diagnostic::error(Origin::text("d.csv", 2, 18), "bad");
        assert!(d.render(&sources, true).contains('\u{1b}'));
        assert!(!d.render(&sources, false).contains('\u{1b}'));
    }
}
