//! Prose views to Typst markup: text always as string literals, markup only from the tree.

use super::escape::{markup_text, string_literal};
use crate::view::prose::{InlineView, PartView, ProseView};

/// The Typst markup of a prose field.
pub(crate) fn to_typst(prose: &ProseView) -> String {
    let mut out = String::new();
    match prose {
        ProseView::AsWritten(text) => out.push_str(&markup_text(text)),
        ProseView::Nodes(nodes) => write_nodes(nodes, &mut out),
    }
    out
}

fn write_nodes(nodes: &[InlineView], out: &mut String) {
    for node in nodes {
        match node {
            InlineView::Run(parts) => {
                for part in parts {
                    match part {
                        PartView::Text(text) => out.push_str(&markup_text(text)),
                        PartView::Footnote(body) => {
                            out.push_str("#footnote[");
                            out.push_str(&to_typst(body));
                            out.push(']');
                        }
                    }
                }
            }
            InlineView::Strong(content) => wrapped("#strong[", content, out),
            InlineView::Emph(content) => wrapped("#emph[", content, out),
            InlineView::Link { url, content } => {
                wrapped(&format!("#link({})[", string_literal(url)), content, out);
            }
        }
    }
}

fn wrapped(open: &str, content: &[InlineView], out: &mut String) {
    out.push_str(open);
    write_nodes(content, out);
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;
    use crate::model::content::Text;
    use crate::model::prose::Prose;
    use crate::model::prose::Reference;
    use crate::view::printed::PrintedFigure;
    use crate::view::prose::{Resolve, prose_view};

    struct Context;
    impl Resolve for Context {
        fn figure(&self, reference: &Reference) -> Option<PrintedFigure> {
            Some(PrintedFigure {
                text: format!("<{}>", reference.kpi),
                sources: Vec::new(),
            })
        }
        fn footnote(&self, label: &str) -> Option<ProseView> {
            Some(ProseView::AsWritten(format!("<{label}>")))
        }
    }

    fn typst(text: &str) -> String {
        let text = Text {
            prose: Prose::parse(text).expect("the test's prose parses"),
            written: text.to_string(),
            origin: Origin::file("test.yaml"),
        };
        to_typst(&prose_view(&text, &Context))
    }

    #[test]
    fn bold_italic_and_links() {
        assert_eq!(
            typst("a **b** *c* [d](https://x.no)"),
            "#\"a \";#strong[#\"b\";]#\" \";#emph[#\"c\";]#\" \";#link(\"https://x.no\")[#\"d\";]"
        );
    }

    #[test]
    fn block_syntax_and_typst_specials_stay_literal() {
        assert_eq!(typst("- item"), "#\"- item\";");
        assert_eq!(typst("2. Avtalen"), "#\"2. Avtalen\";");
        assert_eq!(typst("# heading"), "#\"# heading\";");
        assert_eq!(typst("<b>"), "#\"<b>\";");
        assert_eq!(
            typst("#panic(\"x\") $x$ @c [d]"),
            "#\"#panic(\\\"x\\\") $x$ @c [d]\";"
        );
    }

    #[test]
    fn references_are_resolved_inside_emphasis() {
        assert_eq!(
            typst("fra **{{ kpi(\"a\", 2017) }}** til {{change(\"b\")}}."),
            "#\"fra \";#strong[#\"<a>\";]#\" til <b>.\";"
        );
    }

    #[test]
    fn a_reference_that_cannot_be_printed_leaves_the_text_as_written() {
        let written = "fra {{ kpi(\"a\") }} *til*";
        let text = Text {
            prose: Prose::parse(written).expect("the test's prose parses"),
            written: written.to_string(),
            origin: Origin::file("test.yaml"),
        };
        let view = prose_view(&text, &crate::view::prose::Plain);
        assert_eq!(to_typst(&view), "#\"fra {{ kpi(\\\"a\\\") }} *til*\";");
    }

    #[test]
    fn footnotes_become_typst_footnotes() {
        assert_eq!(
            typst("*Brevets[^a] formål*"),
            "#emph[#\"Brevets\";#footnote[#\"<a>\";]#\" formål\";]"
        );
    }
}
