//! YAML (manifest and narrative) read with serde-saphyr, whose errors carry line and column:
//! a message is built from the error's own variant and location, never from its text.

use serde::de::DeserializeOwned;
pub use serde_saphyr::Spanned;
use serde_saphyr::{DefaultMessageFormatter, Error, MessageFormatter};

use super::SourceFile;
use crate::diag::{Diagnostic, Origin};

/// Deserialises a narrative YAML file; a syntax or type error becomes a diagnostic at its
/// `file:line:col`, with a hint pointing at the user guide's page on narratives.
pub fn parse<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    parse_documented(source, "docs/src/write-your-own-report.md")
}

/// Like [`parse`], with the hint pointing at the user-guide page `guide`.
pub(crate) fn parse_documented<T: DeserializeOwned>(
    source: &SourceFile,
    guide: &str,
) -> Result<T, Diagnostic> {
    let text = super::text(source)?;
    serde_saphyr::from_str::<T>(&text).map_err(|err| {
        let err = innermost(&err);
        let location = err.location().filter(|loc| loc.line() > 0);
        let origin = match location {
            Some(loc) => Origin::text(&source.path, loc.line() as usize, loc.column() as usize),
            None => Origin::file(&source.path),
        };
        let found =
            location.and_then(|loc| token_at(&text, loc.line() as usize, loc.column() as usize));
        Diagnostic::error(origin, message(err, found.as_deref()))
            .with_hint(format!("see {guide} for the expected keys"))
    })
}

/// The error itself, out of the wrappers that add an alias's place or a snippet (the
/// diagnostic shows its own snippet).
fn innermost(mut err: &Error) -> &Error {
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = err {
        err = error;
    }
    err
}

/// Says what was expected and what was found: serde's "invalid i32" becomes "expected a
/// whole number, found "tjue"". Other errors keep the YAML crate's words, without the place
/// (the diagnostic's origin says that).
fn message(err: &Error, found: Option<&str>) -> String {
    let expected = match err {
        Error::InvalidScalar { ty, .. } => match *ty {
            "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128"
            | "isize" | "usize" => Some("expected a whole number".to_string()),
            "f32" | "f64" => Some("expected a number".to_string()),
            "bool" => Some("expected true or false".to_string()),
            _ => None,
        },
        Error::Unexpected { expected, .. } => Some(format!("expected {expected}")),
        _ => None,
    };
    if let Error::Budget { breach, .. } = err {
        return budget_message(breach);
    }
    match (expected, found) {
        (Some(expected), Some(found)) => format!("{expected}, found \"{found}\""),
        (Some(expected), None) => expected,
        (None, _) => plain_words(&DefaultMessageFormatter.format_message(err)),
    }
}

/// A YAML limit (set by the YAML reader against hostile files) in plain words.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { depth } => format!(
            "the YAML nests {depth} levels deep, more than a narrative ever needs; check the indentation and the brackets"
        ),
        B::Aliases { .. } | B::AliasAnchorRatio { .. } | B::Anchors { .. } | B::MergeKeys { .. } => {
            "the file repeats its anchors (&name) and aliases (*name) more than a narrative needs; write the text out instead".to_string()
        }
        B::Events { .. } | B::Nodes { .. } | B::ScalarBytes { .. } | B::InputBytes { .. } | B::Documents { .. } => {
            "the YAML file is larger than a narrative or manifest can be; split it, or check that it is the file you meant".to_string()
        }
        other => format!("the YAML file goes beyond what the YAML reader allows ({other:?})"),
    }
}

/// serde's words for a value of none of the forms a field takes, without the Rust type name.
fn plain_words(message: &str) -> String {
    match message.split_once("did not match any variant of untagged enum ") {
        Some((_, "RawListItem")) => {
            "a list item is either a text or a text: with items: below it".to_string()
        }
        Some(_) => "this value has none of the forms this place takes".to_string(),
        None => message.to_string(),
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
            "n.yaml:2:7: error: expected a whole number, found \"tjue\"\n  hint: see docs/src/write-your-own-report.md for the expected keys"
        );
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let err = parse::<Doc>(&source("name: x\nyear: [2018\n")).unwrap_err();
        assert!(err.to_string().starts_with("n.yaml:"), "{err}");
    }

    #[test]
    fn yaml_limits_are_told_in_plain_words_at_their_line() {
        let deep = format!("a:\n  b: {}1{}\n", "[".repeat(100), "]".repeat(100));
        let source = SourceFile::new(PathBuf::from("n.yaml"), deep.into_bytes());
        let err = parse::<serde_json::Value>(&source).unwrap_err();
        assert!(
            err.message.starts_with("the YAML nests ") && err.message.contains("levels deep"),
            "{err}"
        );
        assert!(!err.message.contains("Depth {"), "{err}");
        assert!(
            err.origin
                .as_ref()
                .unwrap()
                .to_string()
                .starts_with("n.yaml:2:"),
            "{err}"
        );
    }
}
