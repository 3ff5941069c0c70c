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
    /// No numbers: "Figur" and "Tabell" captions print their text alone.
    None,
}

/// `numbering:` as written, under `document:` or beside a section's title. At a section,
/// `start` is the number its heading gets (those after it count on from there) and `depth`
/// how deep headings below it are numbered; `captions` is the document's alone.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Numbering {
    /// The number of the first chapter (level-1 section), or of this section; 1 for the
    /// document when not given.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) start: Option<Spanned<u32>>,
    /// How many heading levels are numbered: 0 none, 1 chapters (the default), 2 for 2.1,
    /// 3 for 2.1.1.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) depth: Option<Spanned<u32>>,
    /// How figures and captioned tables are numbered: `document` (Figur 1, Tabell 1, the
    /// default), `chapter` (Figur 2.1, Tabell 2.1) or `none`; under `document:` only.
    #[serde(default)]
    #[schemars(with = "Option<Captions>")]
    pub(crate) captions: Option<Spanned<Captions>>,
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
    /// The document's numbering checked, or the problem of a depth out of range.
    pub(crate) fn checked(&self, file: &Path) -> Result<DocumentNumbering, Diagnostic> {
        let defaults = DocumentNumbering::default();
        let own = self.section_checked(file, false)?;
        Ok(DocumentNumbering {
            start: own.start.unwrap_or(defaults.start),
            depth: own.depth.unwrap_or(defaults.depth),
            captions: self
                .captions
                .as_ref()
                .map_or(defaults.captions, |c| c.value),
        })
    }

    /// A section's numbering checked: a depth out of range, or captions (the document's to
    /// set), is an error at its line.
    pub(crate) fn section_checked(
        &self,
        file: &Path,
        section: bool,
    ) -> Result<SectionNumbers, Diagnostic> {
        if let Some(captions) = self.captions.as_ref().filter(|_| section) {
            return Err(Diagnostic::error(
                origin_of(file, captions),
                "captions are numbered for the whole document, not per section",
            )
            .with_hint("write captions: under document: numbering:"));
        }
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
        let n: Numbering = parse("start: 3\ndepth: 9\n");
        let err = n.section_checked(Path::new("n.yaml"), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.yaml:2:8: error: depth 9 is deeper than headings go (at most 6)\n  hint: write depth: 2 for 2.1, 3 for 2.1.1, or 0 for no heading numbers"
        );
        let ok: Numbering = parse("start: 3\n");
        assert_eq!(
            ok.section_checked(Path::new("n.yaml"), true).unwrap(),
            SectionNumbers {
                start: Some(3),
                depth: None
            }
        );
        let captions: Numbering = parse("start: 3\ncaptions: chapter\n");
        let err = captions
            .section_checked(Path::new("n.yaml"), true)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.yaml:2:11: error: captions are numbered for the whole document, not per section\n  hint: write captions: under document: numbering:"
        );
    }
}
