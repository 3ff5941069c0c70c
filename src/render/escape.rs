//! Typst escaping: data never becomes markup.
//!
//! Every string from an input file reaches Typst as a string literal in markup position,
//! `#"…";`. Inside a literal only `\`, `"` and line breaks need escaping, and the closing `;`
//! keeps a following `.word` from being read as a field access.

/// The body of a Typst string literal (without the quotes).
pub(crate) fn string_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Other control characters cannot be typeset; a visible space keeps word boundaries.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Typst string literal, for code position: `"…"`.
pub(crate) fn string_literal(text: &str) -> String {
    format!("\"{}\"", string_body(text))
}

/// Text in markup position that prints exactly as given: `#"…";`.
pub(crate) fn markup_text(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    format!("#\"{}\";", string_body(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_specials_are_inside_a_literal() {
        assert_eq!(markup_text("#panic(\"x\")"), "#\"#panic(\\\"x\\\")\";");
        assert_eq!(markup_text("a\\b"), "#\"a\\\\b\";");
        assert_eq!(
            markup_text("$x$ *a* <b> @c [d] // e = f"),
            "#\"$x$ *a* <b> @c [d] // e = f\";"
        );
        assert_eq!(markup_text(""), "");
    }

    #[test]
    fn line_breaks_are_escaped() {
        assert_eq!(string_literal("a\nb"), "\"a\\nb\"");
    }
}
