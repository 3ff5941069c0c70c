//! YAML (manifest and narrative) read with serde-saphyr, whose errors carry line and column.

use serde::de::DeserializeOwned;
pub use serde_saphyr::Spanned;

use super::SourceFile;
use crate::diag::{Diagnostic, Origin};

/// Deserialises a narrative YAML file; a syntax or type error becomes a diagnostic at its
/// `file:line:col`, with a hint pointing at README.md's "Write your own report".
pub fn parse<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    parse_documented(source, "Write your own report")
}

/// Like [`parse`], with the hint pointing at the README section `readme_section`.
pub(crate) fn parse_documented<T: DeserializeOwned>(
    source: &SourceFile,
    readme_section: &str,
) -> Result<T, Diagnostic> {
    let text = super::text(source)?;
    serde_saphyr::from_str::<T>(&text).map_err(|err| {
        let location = err.location().filter(|loc| loc.line() > 0);
        let origin = match location {
            Some(loc) => Origin::text(&source.path, loc.line() as usize, loc.column() as usize),
            None => Origin::file(&source.path),
        };
        let options = serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        };
        let rendered = err.render_with_options(options);
        let found =
            location.and_then(|loc| token_at(&text, loc.line() as usize, loc.column() as usize));
        Diagnostic::error(
            origin,
            friendly(&plain_message(&rendered), found.as_deref()),
        )
        .with_hint(format!(
            "see README.md, \"{readme_section}\", for the expected keys"
        ))
    })
}

/// serde-saphyr appends " at line X, column Y" to its message; the origin already says that.
fn plain_message(rendered: &str) -> String {
    let first_line = rendered.lines().next().unwrap_or(rendered).trim();
    match first_line.rfind(" at line ") {
        Some(i) => first_line[..i].to_string(),
        None => first_line.to_string(),
    }
}

/// Says what was expected and what was found: serde's "invalid i32" becomes "expected a
/// whole number, found "tjue"".
fn friendly(message: &str, found: Option<&str>) -> String {
    let expected = match message {
        "invalid i32" | "invalid i64" | "invalid u32" | "invalid u64" | "invalid u8"
        | "invalid u16" | "invalid usize" | "invalid i16" | "invalid i8" => {
            Some("expected a whole number")
        }
        "invalid f64" | "invalid f32" => Some("expected a number"),
        "invalid bool" => Some("expected true or false"),
        _ => None,
    };
    match (expected, found) {
        (Some(expected), Some(found)) => format!("{expected}, found \"{found}\""),
        (Some(expected), None) => expected.to_string(),
        (None, Some(found)) if message.starts_with("expected ") && !message.contains("found") => {
            format!("{message}, found \"{found}\"")
        }
        _ => message.to_string(),
    }
}

/// The scalar or flow item written at a 1-based line and column, for "found …" in messages.
fn token_at(text: &str, line: usize, column: usize) -> Option<String> {
    let line = text.lines().nth(line.checked_sub(1)?)?;
    let rest: String = line.chars().skip(column.checked_sub(1)?).collect();
    let token = rest
        .split(" #")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches(',');
    (!token.is_empty() && token.chars().count() <= 60).then(|| token.to_string())
}

/// The origin of a spanned YAML value.
pub(crate) fn origin_of<T>(file: &std::path::Path, spanned: &Spanned<T>) -> Origin {
    Origin::text(
        file,
        spanned.referenced.line() as usize,
        spanned.referenced.column() as usize,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::path::PathBuf;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: Spanned<String>,
        year: i32,
    }

    fn source(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("n.yaml"), text.as_bytes().to_vec())
    }

    #[test]
    fn spans_give_line_and_column() {
        let doc: Doc = parse(&source("year: 2018\nname: Bærum\n")).unwrap();
        assert_eq!(
            origin_of(&PathBuf::from("n.yaml"), &doc.name).to_string(),
            "n.yaml:2:7"
        );
    }

    #[test]
    fn type_errors_name_the_place_and_what_was_found() {
        let err = parse::<Doc>(&source("name: x\nyear: tjue\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.yaml:2:7: error: expected a whole number, found \"tjue\"\n  hint: see README.md, \"Write your own report\", for the expected keys"
        );
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let err = parse::<Doc>(&source("name: x\nyear: [2018\n")).unwrap_err();
        assert!(err.to_string().starts_with("n.yaml:"), "{err}");
    }
}
