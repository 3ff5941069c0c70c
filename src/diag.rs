//! Diagnostics: every problem a user sees, with where it came from and how to fix it.
//!
//! Stages never print; they collect [`Diagnostic`]s so that one run reports every problem at once.

mod render;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use render::Sources;

/// The file of an origin: one shared path, so the origins of a table's cells (150 000 rows in
/// a national file) hold one allocation of it, not one each.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FilePath(Arc<Path>);

impl std::ops::Deref for FilePath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for FilePath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl fmt::Debug for FilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&Path> for FilePath {
    fn from(path: &Path) -> Self {
        FilePath(Arc::from(path))
    }
}

impl From<PathBuf> for FilePath {
    fn from(path: PathBuf) -> Self {
        FilePath(Arc::from(path))
    }
}

impl From<&PathBuf> for FilePath {
    fn from(path: &PathBuf) -> Self {
        FilePath(Arc::from(path.as_path()))
    }
}

impl From<&str> for FilePath {
    fn from(path: &str) -> Self {
        FilePath(Arc::from(Path::new(path)))
    }
}

impl From<String> for FilePath {
    fn from(path: String) -> Self {
        FilePath(Arc::from(Path::new(&path)))
    }
}

impl From<&FilePath> for FilePath {
    fn from(path: &FilePath) -> Self {
        path.clone()
    }
}

/// Where a value or a problem came from: a place in a text file, a workbook cell, or a whole file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// `file:line:column`, both 1-based.
    Text {
        file: FilePath,
        line: usize,
        column: usize,
    },
    /// `file[Sheet]!C7`.
    Cell {
        file: FilePath,
        sheet: Arc<str>,
        row: u32,
        column: u32,
    },
    /// `file:line`, when the column is not known (a template line behind generated text).
    Line { file: FilePath, line: usize },
    /// A whole file, when no finer place applies.
    File { file: FilePath },
}

impl Origin {
    pub fn text(file: impl Into<FilePath>, line: usize, column: usize) -> Self {
        Origin::Text {
            file: file.into(),
            line,
            column,
        }
    }

    /// A workbook cell from calamine's 0-based (row, column).
    pub fn cell(file: impl Into<FilePath>, sheet: &str, row: u32, column: u32) -> Self {
        Origin::Cell {
            file: file.into(),
            sheet: Arc::from(sheet),
            row,
            column,
        }
    }

    pub fn file(file: impl Into<FilePath>) -> Self {
        Origin::File { file: file.into() }
    }

    pub fn path(&self) -> &Path {
        match self {
            Origin::Text { file, .. }
            | Origin::Cell { file, .. }
            | Origin::Line { file, .. }
            | Origin::File { file } => file,
        }
    }
}

/// Spreadsheet column letters for a 0-based column index: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn column_letters(column: u32) -> String {
    let mut n = column as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Text { file, line, column } => {
                write!(f, "{}:{line}:{column}", file.display())
            }
            Origin::Cell {
                file,
                sheet,
                row,
                column,
            } => write!(
                f,
                "{}[{sheet}]!{}{}",
                file.display(),
                column_letters(*column),
                row + 1
            ),
            Origin::Line { file, line } => write!(f, "{}:{line}", file.display()),
            Origin::File { file } => write!(f, "{}", file.display()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub origin: Option<Origin>,
    pub hint: Option<String>,
    /// Text to show under the message that is not in a file the run read (the generated Typst
    /// source behind a template line), with the place marked (boxed: most diagnostics have
    /// none, and each is moved around in `Result`s).
    pub excerpt: Option<Box<Excerpt>>,
}

/// Lines of a text with a place in them marked, shown under a message as its snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The name shown for the text, e.g. `output/evaluering-2018.typ`.
    pub name: String,
    /// The lines shown, without their final line break.
    pub text: String,
    /// The 1-based number of the first line of `text`.
    pub first_line: usize,
    /// The marked bytes of `text`.
    pub span: Range<usize>,
}

impl Diagnostic {
    pub fn error(origin: impl Into<Option<Origin>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            origin: origin.into(),
            hint: None,
            excerpt: None,
        }
    }

    pub fn warning(origin: impl Into<Option<Origin>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            origin: origin.into(),
            hint: None,
            excerpt: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Shows `excerpt` under the message, with its place marked.
    pub fn with_excerpt(mut self, excerpt: Excerpt) -> Self {
        self.excerpt = Some(Box::new(excerpt));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// So a diagnostic can be the source of another library's error (a template loader's).
impl std::error::Error for Diagnostic {}

impl fmt::Display for Diagnostic {
    /// `input/data/x.csv:14:3: error: "sju" is not a number; expected e.g. 7,3` and an indented
    /// hint: the short form, for logs and the build report; a terminal gets [`Diagnostic::render`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        write!(f, "{}: {}", self.severity, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The problems collected by one stage or one document.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Adds the diagnostic, if there is one.
    pub fn extend_one(&mut self, diagnostic: Option<Diagnostic>) {
        self.0.extend(diagnostic);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

/// The known name closest to `wanted`, if it is close enough to be a plausible misspelling.
pub(crate) fn closest<'a>(
    wanted: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    known
        .into_iter()
        .map(|k| {
            let k_lower = k.to_lowercase();
            // A shortened id ("oljetanker" for "oljetanker_fjernet") is as good as a typo.
            let distance = if wanted_lower.len() >= 4 && k_lower.starts_with(&wanted_lower) {
                1
            } else {
                strsim::levenshtein(&wanted_lower, &k_lower)
            };
            (distance, k)
        })
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_origin_uses_spreadsheet_letters() {
        let origin = Origin::cell("data/ok.xlsx", "Økonomi", 6, 2);
        assert_eq!(origin.to_string(), "data/ok.xlsx[Økonomi]!C7");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn diagnostic_prints_origin_message_and_hint() {
        let d = Diagnostic::error(Origin::text("a.csv", 3, 2), "bad").with_hint("fix it");
        assert_eq!(d.to_string(), "a.csv:3:2: error: bad\n  hint: fix it");
    }

    #[test]
    fn closest_suggests_only_near_names() {
        let known = ["sykefravaer", "resultatgrad", "bufferfond"];
        assert_eq!(closest("sykefravar", known), Some("sykefravaer"));
        assert_eq!(closest("helt-annet", known), None);
        assert_eq!(closest("buffer", known), Some("bufferfond"));
    }
}
