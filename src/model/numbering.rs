//! How a narrative numbers its headings and captions: the chapter a document starts at
//! (chapter 2 of a larger plan prints 2, 2.1, 2.2 …), how many heading levels carry numbers,
//! and whether figures and tables count per chapter ("Figur 2.1") or through the document
//! ("Figur 1"). Written at the document (`document: numbering:`) or at one section
//! (`numbering:` beside its title); read here as written and checked into plain values.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::ingest::yaml::{Spanned, origin_of};

/// The deepest heading level Typst numbers here (and the deepest a narrative nests).
pub(crate) const MAX_DEPTH: u32 = 6;

/// How captions are counted.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Captions {
    /// Figur 1, Figur 2 … through the document (the default).
    #[default]
    Document,
    /// Figur 2.1, Figur 2.2 … restarting in every chapter (level-1 section), after its number.
    Chapter,
}

/// `numbering:` under `document:` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Numbering {
    /// The number of the first chapter (level-1 section); 1 when not given.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) start: Option<Spanned<u32>>,
    /// How many heading levels are numbered: 0 none, 1 chapters (the default), 2 for 2.1,
    /// 3 for 2.1.1.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) depth: Option<Spanned<u32>>,
    /// `document` (Figur 1, the default) or `chapter` (Figur 2.1).
    #[serde(default)]
    pub(crate) captions: Option<Captions>,
}

/// `numbering:` beside a section's title as written: the number its heading gets (those after
/// it count on from there) and how deep headings below it are numbered.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionNumbering {
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) start: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) depth: Option<Spanned<u32>>,
}

/// A document's numbering, checked, with the defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct DocumentNumbering {
    pub(crate) start: u32,
    pub(crate) depth: u32,
    pub(crate) captions: Captions,
}

impl Default for DocumentNumbering {
    fn default() -> DocumentNumbering {
        DocumentNumbering {
            start: 1,
            depth: 1,
            captions: Captions::Document,
        }
    }
}

/// A section's own numbering, checked: what it sets, nothing filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct SectionNumbers {
    pub(crate) start: Option<u32>,
    pub(crate) depth: Option<u32>,
}

impl Numbering {
    /// The checked numbering, or the problem of a depth out of range.
    pub(crate) fn checked(&self, file: &Path) -> Result<DocumentNumbering, Diagnostic> {
        let defaults = DocumentNumbering::default();
        Ok(DocumentNumbering {
            start: self.start.as_ref().map_or(defaults.start, |s| s.value),
            depth: match &self.depth {
                Some(depth) => checked_depth(file, depth)?,
                None => defaults.depth,
            },
            captions: self.captions.unwrap_or_default(),
        })
    }
}

impl SectionNumbering {
    pub(crate) fn checked(&self, file: &Path) -> Result<SectionNumbers, Diagnostic> {
        Ok(SectionNumbers {
            start: self.start.as_ref().map(|s| s.value),
            depth: match &self.depth {
                Some(depth) => Some(checked_depth(file, depth)?),
                None => None,
            },
        })
    }
}

fn checked_depth(file: &Path, depth: &Spanned<u32>) -> Result<u32, Diagnostic> {
    if depth.value <= MAX_DEPTH {
        return Ok(depth.value);
    }
    Err(Diagnostic::error(
        origin_of(file, depth),
        format!(
            "depth {} is deeper than headings go (at most {MAX_DEPTH})",
            depth.value
        ),
    )
    .with_hint("write depth: 2 for 2.1, 3 for 2.1.1, or 0 for no heading numbers"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        let file = crate::load::SourceFile::new("n.yaml", yaml.as_bytes().to_vec());
        crate::ingest::yaml::parse(&file).unwrap()
    }

    #[test]
    fn defaults_are_chapters_from_one_and_captions_through_the_document() {
        let n: Numbering = parse("{}");
        assert_eq!(
            n.checked(Path::new("n.yaml")).unwrap(),
            DocumentNumbering::default()
        );
        let n: Numbering = parse("{ start: 2, depth: 2, captions: chapter }");
        assert_eq!(
            n.checked(Path::new("n.yaml")).unwrap(),
            DocumentNumbering {
                start: 2,
                depth: 2,
                captions: Captions::Chapter
            }
        );
    }

    #[test]
    fn a_depth_past_six_is_an_error_at_its_line() {
        let n: SectionNumbering = parse("start: 3\ndepth: 9\n");
        let err = n.checked(Path::new("n.yaml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.yaml:2:8: error: depth 9 is deeper than headings go (at most 6)\n  hint: write depth: 2 for 2.1, 3 for 2.1.1, or 0 for no heading numbers"
        );
        let ok: SectionNumbering = parse("start: 3\n");
        assert_eq!(
            ok.checked(Path::new("n.yaml")).unwrap(),
            SectionNumbers {
                start: Some(3),
                depth: None
            }
        );
    }
}
