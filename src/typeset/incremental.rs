//! Generated sources edited, not parsed afresh, so text one document shares with the one
//! before keeps its Typst spans. Typst caches layout by content, and content carries the span
//! of the source it came from: a fresh parse numbers every span anew whenever the node count
//! changes anywhere, so seven letters with the same first pages laid all of them out seven
//! times. Edited line by line, the shared lines keep their spans and their layout is reused
//! (BENCHMARKS.md, "Warm typesetting"). Spans never reach the PDF, so the bytes are the same
//! either way.

use std::ops::Range;

use similar::{DiffTag, TextDiff};
use typst::syntax::Source;

/// Past this many changed runs of lines, the documents have little in common and a fresh
/// parse is cheaper than the edits.
const MAX_EDITS: usize = 64;

/// Turns `source` into one whose text is `new`, editing only the runs of lines that differ.
/// Returns false (and leaves `source` as it was) when the texts share too little for edits to
/// pay; the caller parses `new` afresh then.
pub(crate) fn edit_to(source: &mut Source, new: &str) -> bool {
    let old = source.text();
    if old == new {
        return true;
    }
    let diff = TextDiff::from_lines(old, new);
    let mut changed: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    // The runs must tile both texts in order; similar 2 could break that (its issue #78), and
    // a run out of place would typeset a wrong document, so anything else parses afresh.
    let (mut old_at, mut new_at) = (0, 0);
    for op in diff.ops() {
        let (old_range, new_range) = (op.old_range(), op.new_range());
        if old_range.start != old_at || new_range.start != new_at {
            return false;
        }
        (old_at, new_at) = (old_range.end, new_range.end);
        if op.tag() != DiffTag::Equal {
            changed.push((old_range, new_range));
        }
    }
    if changed.len() > MAX_EDITS {
        return false;
    }
    let old_lines = line_starts(old);
    let new_lines = line_starts(new);
    if old_at + 1 != old_lines.len() || new_at + 1 != new_lines.len() {
        return false;
    }
    let edits: Vec<(Range<usize>, &str)> = changed
        .into_iter()
        .map(|(old_range, new_range)| {
            (
                old_lines[old_range.start]..old_lines[old_range.end],
                &new[new_lines[new_range.start]..new_lines[new_range.end]],
            )
        })
        .collect();
    let before = source.clone();
    // From the end, so each edit's byte range is still where the old text had it.
    for (range, with) in edits.into_iter().rev() {
        source.edit(range, with);
    }
    if source.text() != new {
        *source = before;
        return false;
    }
    // Typst's incremental parser promises the tree a fresh parse gives; the tests hold it to
    // that for every document they build.
    debug_assert!(
        source
            .root()
            .spanless_eq(Source::new(source.id(), new.to_string()).root()),
        "an edited source parsed differently from a fresh parse"
    );
    true
}

/// The byte offset where each line starts, and the text's length as the end of the last.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
    if starts.last() != Some(&text.len()) {
        starts.push(text.len());
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::syntax::{LinkedNode, RootedPath, Side, VirtualPath, VirtualRoot};

    fn source(text: &str) -> Source {
        let id =
            RootedPath::new(VirtualRoot::Project, VirtualPath::new("/t.typ").unwrap()).intern();
        Source::new(id, text.to_string())
    }

    fn span_of(source: &Source, needle: &str) -> typst::syntax::Span {
        let at = source.text().find(needle).unwrap();
        LinkedNode::new(source.root())
            .leaf_at(at + 1, Side::Before)
            .unwrap_or_else(|| panic!("{needle:?} not found"))
            .span()
    }

    #[test]
    fn shared_lines_keep_their_spans_and_the_text_is_the_new_one() {
        let first = "= Felles\n\nSamme tekst i alle brev.\n\nTil: Skole\n";
        let second =
            "= Felles\n\nSamme tekst i alle brev.\n\nTil: Barn og unge\n\nEt avsnitt til.\n";
        let mut edited = source(first);
        let before = span_of(&edited, "Samme tekst");
        assert!(edit_to(&mut edited, second));
        assert_eq!(edited.text(), second);
        assert_eq!(span_of(&edited, "Samme tekst"), before);
        // A fresh parse of the longer text numbers the shared line differently.
        assert_ne!(span_of(&source(second), "Samme tekst"), before);
        // And the edited tree is the tree a fresh parse gives, spans apart.
        assert!(edited.root().spanless_eq(source(second).root()));
    }

    /// Lines of the kinds generated sources are made of, some opening or closing brackets
    /// across lines, so edits land inside calls, content blocks and strings alike.
    const LINES: &[&str] = &[
        "= #\"Overskrift\";",
        "#\"Et avsnitt med tekst.\";",
        "",
        "#brevhode(",
        "  felt: (([#\"Dato\";:], [#\"17.12.2021\";]),),",
        ")",
        "#kpitabell[",
        "]",
        "- #\"punkt\";",
        "#{",
        "}",
        "  #\"innrykket\";",
        "// kommentar",
        "#pagebreak(weak: true)",
    ];

    proptest::proptest! {
        /// Any source edited into any other reads as the other, and parses as a fresh parse of
        /// it does, spans apart.
        #[test]
        fn an_edited_source_is_the_new_text_and_parses_as_it(
            first in proptest::collection::vec(0..LINES.len(), 0..40),
            second in proptest::collection::vec(0..LINES.len(), 0..40),
        ) {
            let text = |lines: &[usize]| lines.iter().map(|&i| format!("{}\n", LINES[i])).collect::<String>();
            let (first, second) = (text(&first), text(&second));
            let mut edited = source(&first);
            if edit_to(&mut edited, &second) {
                proptest::prop_assert_eq!(edited.text(), second.as_str());
                proptest::prop_assert!(edited.root().spanless_eq(source(&second).root()));
            } else {
                proptest::prop_assert_eq!(edited.text(), first.as_str());
            }
        }
    }

    #[test]
    fn texts_with_little_in_common_are_left_to_a_fresh_parse() {
        let first: String = (0..200).map(|i| format!("a{i}\nsame\n")).collect();
        let second: String = (0..200).map(|i| format!("b{i}\nsame\n")).collect();
        let mut edited = source(&first);
        assert!(!edit_to(&mut edited, &second));
        assert_eq!(edited.text(), first);
    }
}
