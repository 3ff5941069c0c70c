//! Paths of the manifest: resolved against the manifest's folder and kept inside the project
//! (lexically and through symlinks), and document ids that can be file names.

use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, closest};
use crate::ingest::yaml::{Spanned, origin_of};

/// Document ids become file names: keep them to `[a-z0-9-]`.
pub(super) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) struct Resolver<'a> {
    pub(super) manifest: &'a Path,
    pub(super) base: &'a Path,
    pub(super) root: &'a Path,
}

impl Resolver<'_> {
    /// Joins a manifest path to the manifest's folder and refuses one that leaves the project.
    pub(super) fn resolve(
        &self,
        relative: &Spanned<String>,
        problems: &mut Diagnostics,
    ) -> PathBuf {
        let joined = self.base.join(&relative.value);
        let inside = Path::new(&relative.value).is_relative()
            && lexically_within(&joined, self.root)
            && canonical_within(&joined, self.root);
        if !inside {
            problems.push(
                Diagnostic::error(
                    origin_of(self.manifest, relative),
                    format!(
                        "\"{}\" points outside the project folder {}",
                        relative.value,
                        self.root.display()
                    ),
                )
                .with_hint("keep data, narratives and templates inside the project, with paths relative to the manifest"),
            );
        }
        joined
    }
}

impl Resolver<'_> {
    /// [`Resolver::resolve`] for a path that must name an existing file: a misspelt one is
    /// told at the manifest's line, with the closest name in its folder.
    pub(super) fn resolve_file(
        &self,
        relative: &Spanned<String>,
        problems: &mut Diagnostics,
        kind: Missing,
    ) -> PathBuf {
        let before = problems.len();
        let joined = self.resolve(relative, problems);
        // An Office lock file named instead of its workbook is told by the data source's check.
        if problems.len() == before
            && !crate::ingest::is_lock_file(&joined)
            && let Some(missing) = missing_file(self.manifest, relative, &joined, kind)
        {
            problems.push(missing);
        }
        joined
    }
}

/// How a file the manifest names and that does not exist is told at the manifest's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Missing {
    /// Always (data files: the manifest is wrong).
    Always,
    /// Only when a file of a close name exists, a misspelling (a template or narrative not yet
    /// written is told where it is read).
    Misspelt,
}

/// An error at the line naming `joined` when it is not a file, or `None`.
pub(super) fn missing_file(
    manifest: &Path,
    relative: &Spanned<String>,
    joined: &Path,
    kind: Missing,
) -> Option<Diagnostic> {
    if joined.is_file() {
        return None;
    }
    let origin = origin_of(manifest, relative);
    if joined.is_dir() {
        return Some(
            Diagnostic::error(origin, format!("\"{}\" is a folder", relative.value))
                .with_hint("name a file in it"),
        );
    }
    let d = Diagnostic::error(origin, format!("there is no file \"{}\"", relative.value));
    let folder = joined.parent().filter(|p| p.is_dir());
    let names: Vec<String> = folder
        .and_then(|f| std::fs::read_dir(f).ok())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let wanted = joined
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match closest(&wanted, names.iter().map(String::as_str)) {
        Some(near) => {
            let written = Path::new(&relative.value).with_file_name(near);
            Some(d.with_hint(format!("did you mean \"{}\"?", written.display())))
        }
        None if kind == Missing::Always => Some(d.with_hint(
            "check the path; paths in the manifest are relative to the manifest's folder",
        )),
        None => None,
    }
}

/// The parts of `path` with `.` and `..` resolved as text.
pub(super) fn lexical_parts(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // Leaving the folder we started from: only fine if there is something to pop.
                if parts.pop().is_none() || parts.last().is_some_and(|l| l == "..") {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts
}

/// Whether `path`, with `.` and `..` resolved as text, stays below `root`.
fn lexically_within(path: &Path, root: &Path) -> bool {
    let (p, r) = (lexical_parts(path), lexical_parts(root));
    p.len() >= r.len() && p[..r.len()] == r[..] && !p.contains(&"..".to_string())
}

/// Where the file exists, symlinks resolved must also stay below the root.
fn canonical_within(path: &Path, root: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_may_not_leave_the_root() {
        let root = Path::new("proj");
        assert!(lexically_within(
            Path::new("proj/input/../templates/x"),
            root
        ));
        assert!(!lexically_within(
            Path::new("proj/input/../../etc/passwd"),
            root
        ));
        assert!(lexically_within(
            Path::new("input/data/x.csv"),
            Path::new("")
        ));
        assert!(!lexically_within(Path::new("input/../../x"), Path::new("")));
        assert!(lexically_within(Path::new("./input/x"), Path::new(".")));
    }

    #[test]
    fn slugs() {
        assert!(is_slug("evaluering-2018"));
        assert!(!is_slug("Evaluering"));
        assert!(!is_slug("a/b"));
        assert!(!is_slug(""));
    }
}
