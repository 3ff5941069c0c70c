//! Where each part of a generated Typst source came from: the template file and line, so a
//! Typst error caused by template text is reported there. minijinja keeps no such map, so each
//! template is also rendered from a copy with an invisible mark at the start of its lines; the
//! marks, stripped, give the map, and the stripped text must equal the plain render (a mark
//! that whitespace control would have moved shows as a difference, and then there is no map).

use std::fmt::Write;
use std::path::{Path, PathBuf};

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Byte offsets of a generated source, each mapped to a template file and line.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<PathBuf>,
    /// (offset in the generated source, index into `files`, 1-based line), by offset.
    marks: Vec<(usize, usize, usize)>,
}

impl SourceMap {
    /// The template file and line that produced the text at `offset`.
    pub fn place(&self, offset: usize) -> Option<(&Path, usize)> {
        let after = self.marks.partition_point(|(at, _, _)| *at <= offset);
        let (_, file, line) = self.marks.get(after.checked_sub(1)?)?;
        Some((self.files.get(*file)?.as_path(), *line))
    }
}

/// `text` (the template `name`) with a mark at the start of every line where one cannot change
/// the output: not inside a tag, a comment or an expression, and not where whitespace control
/// (`{%-`, `-%}`) would strip up to the line's start. The mark names the template, so the map
/// needs nothing remembered from loading.
pub(super) fn mark_lines(name: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut open: Option<&str> = None;
    let mut trims_into_this_line = false;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = line.trim_start();
        // Whitespace control strips across blank lines, up to the nearest other text: a mark
        // goes only on a line with text, and not where stripping reaches into that line.
        if start.is_empty() {
            out.push_str(line);
            continue;
        }
        let trims_back = ["{%-", "{{-", "{#-"].iter().any(|t| start.starts_with(t));
        if open.is_none() && !trims_back && !trims_into_this_line {
            let _ = write!(out, "{OPEN}{name}:{}{CLOSE}", index + 1);
        }
        out.push_str(line);
        open = still_open(line, open);
        let end = line.trim_end();
        trims_into_this_line = ["-%}", "-}}", "-#}"].iter().any(|t| end.ends_with(t));
    }
    out
}

/// The closing delimiter a line leaves us waiting for, given the one it started in.
fn still_open<'a>(line: &str, mut open: Option<&'a str>) -> Option<&'a str> {
    let mut rest = line;
    loop {
        match open {
            Some(close) => match rest.find(close) {
                Some(at) => {
                    rest = &rest[at + close.len()..];
                    open = None;
                }
                None => return open,
            },
            None => {
                let next = [("{%", "%}"), ("{{", "}}"), ("{#", "#}")]
                    .iter()
                    .filter_map(|(o, c)| rest.find(o).map(|at| (at, *o, *c)))
                    .min_by_key(|(at, _, _)| *at);
                match next {
                    Some((at, o, close)) => {
                        rest = &rest[at + o.len()..];
                        open = Some(close);
                    }
                    None => return None,
                }
            }
        }
    }
}

/// The marked render without its marks, and the map they give (template names below `dir`);
/// `None` if the marks changed the text (then the plain render is used without a map).
pub(super) fn unmark(marked: &str, plain: &str, dir: &Path) -> Option<SourceMap> {
    let mut text = String::with_capacity(marked.len());
    let mut marks = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut chars = marked.chars();
    while let Some(c) = chars.next() {
        if c != OPEN {
            text.push(c);
            continue;
        }
        let mark: String = chars.by_ref().take_while(|c| *c != CLOSE).collect();
        let (name, line) = mark.rsplit_once(':')?;
        let path = dir.join(name);
        let file = match files.iter().position(|f| *f == path) {
            Some(known) => known,
            None => {
                files.push(path);
                files.len() - 1
            }
        };
        marks.push((text.len(), file, line.parse().ok()?));
    }
    (text == plain).then_some(SourceMap { files, marks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_go_where_they_cannot_change_the_output() {
        let template = "a\n{%- if x %}\nb {{ y\n}} c\nd -%}\n  e\n{# note\n#}\nf\n\n";
        let marked = mark_lines("t.j2", template);
        let lines: Vec<&str> = marked.split_inclusive('\n').collect();
        assert!(lines[0].starts_with(OPEN), "{marked:?}");
        assert!(!lines[1].starts_with(OPEN), "{{%- trims back over the mark");
        assert!(lines[2].starts_with(OPEN));
        assert!(!lines[3].starts_with(OPEN), "inside an expression");
        assert!(lines[4].starts_with(OPEN));
        assert!(!lines[5].starts_with(OPEN), "-%}} trims into it");
        assert!(!lines[7].starts_with(OPEN), "inside a comment");
        assert!(lines[8].starts_with(OPEN));
    }

    #[test]
    fn the_map_places_offsets_and_refuses_a_changed_text() {
        let marked = format!("{OPEN}t.j2:1{CLOSE}ab\n{OPEN}m.j2:7{CLOSE}cd\n");
        let map = unmark(&marked, "ab\ncd\n", Path::new("tpl")).unwrap();
        assert_eq!(map.place(1), Some((Path::new("tpl/t.j2"), 1)));
        assert_eq!(map.place(3), Some((Path::new("tpl/m.j2"), 7)));
        assert!(unmark(&marked, "ab\n cd\n", Path::new("tpl")).is_none());
    }
}
