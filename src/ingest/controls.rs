//! Invisible format characters in input text: a right-to-left override (U+202E) shows the
//! rest of a line reversed in the council's PDF, a zero-width space splits a name that looks
//! whole. They print as written, so each file that holds one gets a warning at the first.

use super::{Cell, SourceFile, Table};
use crate::diag::{Diagnostic, Origin};

/// The bidi controls and zero-width format characters a reader cannot see. The soft hyphen
/// (U+00AD) is left out: Norwegian text uses it on purpose.
fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}'..='\u{2064}' => "INVISIBLE OPERATOR",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{FFF9}'..='\u{FFFB}' => "INTERLINEAR ANNOTATION",
        _ => return None,
    })
}

fn warning(origin: Origin, c: char, more: usize) -> Diagnostic {
    let also = match more {
        0 => String::new(),
        1 => " (and 1 more in this file)".to_string(),
        n => format!(" (and {n} more in this file)"),
    };
    Diagnostic::warning(
        origin,
        format!(
            "an invisible format character, U+{:04X} {}, which can reorder or hide the text around it{also}",
            c as u32,
            name(c).unwrap_or_default()
        ),
    )
    .with_hint("delete it (most editors do not show it); it prints as written")
}

/// A warning at the first cell of `table` holding a format character, if any does.
pub(crate) fn in_table(table: &Table) -> Option<Diagnostic> {
    let cells = std::iter::once(&table.header)
        .chain(&table.rows)
        .flatten()
        .chain(&table.footnotes);
    let mut found: Option<(&Cell, char)> = None;
    let mut more = 0;
    for cell in cells {
        let super::CellValue::Text(text) = &cell.value else {
            continue;
        };
        if let Some(c) = text.chars().find(|c| name(*c).is_some()) {
            match found {
                None => found = Some((cell, c)),
                Some(_) => more += 1,
            }
        }
    }
    let (cell, c) = found?;
    Some(warning(cell.origin.clone(), c, more))
}

/// The longest run of characters without white space the PDF writer takes: it refuses a
/// string over 32 767 characters, far from where the text came from.
const LONGEST_WORD: usize = 32_767;

/// Checks of a text file (a narrative) a reader cannot see: a warning at the first format
/// character, and an error at a word too long for the PDF writer.
pub fn in_text_file(source: &SourceFile) -> Vec<Diagnostic> {
    let Ok(text) = super::text(source) else {
        return Vec::new();
    };
    let mut found: Vec<Diagnostic> = format_character(source, &text).into_iter().collect();
    found.extend(long_word(source, &text));
    found
}

/// An error at the first word longer than the PDF writer takes.
fn long_word(source: &SourceFile, text: &str) -> Option<Diagnostic> {
    for (index, line) in text.lines().enumerate() {
        let (mut start, mut length) = (0usize, 0usize);
        for (column, c) in line.chars().enumerate() {
            if c.is_whitespace() {
                length = 0;
                continue;
            }
            if length == 0 {
                start = column;
            }
            length += 1;
            if length > LONGEST_WORD {
                let total = line
                    .chars()
                    .skip(start)
                    .take_while(|c| !c.is_whitespace())
                    .count();
                return Some(
                    Diagnostic::error(
                        Origin::text(&source.path, index + 1, start + 1),
                        format!(
                            "a word of {total} characters without a space; a PDF cannot hold a text run longer than {LONGEST_WORD}"
                        ),
                    )
                    .with_hint("break the word with spaces, or check that the text is what you meant to paste"),
                );
            }
        }
    }
    None
}

/// A warning at the first format character of a text, if it holds one; a byte-order mark at
/// the very start is an encoding's signature, not text.
fn format_character(source: &SourceFile, text: &str) -> Option<Diagnostic> {
    let mut found: Option<(usize, usize, char)> = None;
    let mut more = 0;
    for (index, line) in text.lines().enumerate() {
        for (column, c) in line.chars().enumerate() {
            if name(c).is_none() || (index == 0 && column == 0 && c == '\u{FEFF}') {
                continue;
            }
            match found {
                None => found = Some((index + 1, column + 1, c)),
                Some(_) => more += 1,
            }
        }
    }
    let (line, column, c) = found?;
    Some(warning(Origin::text(&source.path, line, column), c, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bidi_override_is_told_at_its_line_and_column() {
        let source = SourceFile::new(
            "n.yaml",
            "\u{feff}tittel: Rapport\ntekst: \"abc \u{202e}fed\u{200b}\"\n".into(),
        );
        let warning = in_text_file(&source).remove(0);
        assert_eq!(warning.origin.as_ref().unwrap().to_string(), "n.yaml:2:13");
        assert_eq!(
            warning.message,
            "an invisible format character, U+202E RIGHT-TO-LEFT OVERRIDE, which can reorder or hide the text around it (and 1 more in this file)"
        );
        let clean = SourceFile::new("n.yaml", "tekst: myk\u{ad}bindestrek\n".into());
        assert!(in_text_file(&clean).is_empty());
        let long = format!("p: \"kort {} ord\"\n", "a".repeat(33_000));
        let error = in_text_file(&SourceFile::new("n.yaml", long.into_bytes())).remove(0);
        assert!(error.is_error());
        assert_eq!(error.origin.as_ref().unwrap().to_string(), "n.yaml:1:10");
        assert!(
            error.message.starts_with("a word of 33000 characters"),
            "{error}"
        );
    }
}
