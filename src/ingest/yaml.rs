//! YAML (manifest and narrative) read with serde-saphyr, whose errors carry line and column.

use serde::de::DeserializeOwned;
pub use serde_saphyr::Spanned;

use super::SourceFile;
use crate::diag::{Diagnostic, Origin};

/// Deserialises a YAML file; a syntax or type error becomes a diagnostic at its `file:line:col`.
pub fn parse<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    let text = source.text()?;
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let origin = match err.location() {
            Some(loc) if loc.line() > 0 => {
                Origin::text(&source.path, loc.line() as usize, loc.column() as usize)
            }
            _ => Origin::file(&source.path),
        };
        let options = serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        };
        let rendered = err.render_with_options(options);
        Diagnostic::error(origin, plain_message(&rendered))
            .with_hint("see README.md, \"Writing the narrative\", for the expected keys")
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

/// The origin of a spanned YAML value.
pub fn origin_of<T>(file: &std::path::Path, spanned: &Spanned<T>) -> Origin {
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
        SourceFile {
            path: PathBuf::from("n.yaml"),
            bytes: text.as_bytes().to_vec(),
        }
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
    fn type_errors_name_the_place() {
        let err = parse::<Doc>(&source("name: x\nyear: tjue\n")).unwrap_err();
        assert!(err.to_string().starts_with("n.yaml:2:7: error: "), "{err}");
        assert!(!err.message.contains(" at line "), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let err = parse::<Doc>(&source("name: x\nyear: [2018\n")).unwrap_err();
        assert!(err.to_string().starts_with("n.yaml:"), "{err}");
    }
}
