//! Structure a screen reader can navigate, read back from the built sample PDFs: the title is
//! the first heading, the title block's and letterhead's key/value pairs are a list, and no
//! page is left mostly empty before a part (and its table) that could have started on it.

mod common;

use std::path::{Path, PathBuf};

use common::{has, pdf_text, run, sample_project, stderr};
use lopdf::{Document, Object, decode_text_string};

/// One element of a PDF's structure tree: its role (`/S`), its `/T` title if any, and its
/// element children in document order (marked content is left out).
#[derive(Debug)]
struct Element {
    role: String,
    title: Option<String>,
    children: Vec<Element>,
}

impl Element {
    /// Every element of the tree in document (depth-first) order.
    fn walk<'a>(&'a self, out: &mut Vec<&'a Element>) {
        out.push(self);
        for child in &self.children {
            child.walk(out);
        }
    }

    fn roles(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.role.as_str()).collect()
    }
}

fn element(doc: &Document, object: &Object) -> Option<Element> {
    let dict = doc.dereference(object).ok()?.1.as_dict().ok()?;
    let role = String::from_utf8_lossy(dict.get(b"S").ok()?.as_name().ok()?).into_owned();
    let title = dict.get(b"T").ok().and_then(|t| decode_text_string(t).ok());
    Some(Element {
        role,
        title,
        children: dict.get(b"K").map(|k| kids(doc, k)).unwrap_or_default(),
    })
}

fn kids(doc: &Document, k: &Object) -> Vec<Element> {
    match doc.dereference(k).map(|(_, o)| o) {
        Ok(Object::Array(items)) => items.iter().filter_map(|i| element(doc, i)).collect(),
        Ok(other) => element(doc, other).into_iter().collect(),
        Err(_) => Vec::new(),
    }
}

/// The structure tree of a PDF, from the root's kids (typst writes one `Document` element).
fn structure(path: &Path) -> Element {
    let doc = Document::load(path).unwrap();
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let root = doc.dereference(root).unwrap().1.as_dict().unwrap();
    Element {
        role: "StructTreeRoot".to_string(),
        title: None,
        children: kids(&doc, root.get(b"K").unwrap()),
    }
}

fn is_heading(role: &str) -> bool {
    role == "H" || (role.len() == 2 && role.starts_with('H') && role[1..].parse::<u8>().is_ok())
}

fn letters(output: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(output.join("oppdragsbrev-2022"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    all.sort();
    all
}

/// A built sample PDF, the title it prints and the labels of its title block or letterhead.
struct Sample {
    pdf: PathBuf,
    title: String,
    labels: Vec<&'static str>,
}

/// The sample built once, with every PDF it writes.
fn built() -> (tempfile::TempDir, Vec<Sample>) {
    let project = sample_project();
    let output = run(project.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let narrative = yaml_values(&project.path().join("input/narrativ/oppdragsbrev-2022.yaml"));
    let letter_title = narrative["document"]["title"].as_str().unwrap().to_string();
    let evaluation = yaml_values(&project.path().join("input/narrativ/evaluering-2018.yaml"));
    let mut all = vec![Sample {
        pdf: project.path().join("output/evaluering-2018.pdf"),
        title: evaluation["document"]["title"]
            .as_str()
            .unwrap()
            .to_string(),
        labels: vec!["Periode", "Grunnlag", "Samtaler", "Dato"],
    }];
    for pdf in letters(&project.path().join("output")) {
        all.push(if pdf.file_stem().unwrap() == "oversikt" {
            Sample {
                pdf,
                title: "Oversikt over oppdrag 2022".to_string(),
                labels: vec!["Dato:", "J.postID:", "Arkivsaksnr:"],
            }
        } else {
            Sample {
                pdf,
                title: letter_title.clone(),
                labels: vec!["Dato:", "Arkivkode:", "J.postID:", "Arkivsaksnr:", "Til:"],
            }
        });
    }
    assert_eq!(all.len(), 9);
    (project, all)
}

/// A narrative read as plain YAML values, independently of the model's types.
fn yaml_values(path: &Path) -> serde_json::Value {
    let source = rapportverk::load::SourceCache::new().read(path).unwrap();
    rapportverk::ingest::yaml::parse(&source).unwrap()
}

#[test]
fn the_title_is_the_first_heading_and_the_key_value_pairs_a_list() {
    let (_project, all) = built();
    for Sample { pdf, title, labels } in &all {
        let name = pdf.display();
        let tree = structure(pdf);
        let mut elements = Vec::new();
        tree.walk(&mut elements);

        // The first heading is the document's title, at level 1 …
        let first = elements
            .iter()
            .find(|e| is_heading(&e.role))
            .unwrap_or_else(|| panic!("{name} has no heading"));
        assert!(
            first.role == "H1" || first.role == "H",
            "{name}: first heading is {}",
            first.role
        );
        assert_eq!(
            first.title.as_deref(),
            Some(title.as_str()),
            "{name}: the first heading is not the title"
        );

        // … and the title block's or letterhead's pairs are the document's first list, before
        // any other heading: one item per pair, each a label and a body, not loose Div/Span.
        let headings_before = |index: usize| {
            elements[..index]
                .iter()
                .filter(|e| is_heading(&e.role))
                .count()
        };
        let at = elements
            .iter()
            .position(|e| e.role == "L")
            .unwrap_or_else(|| panic!("{name} has no list"));
        assert!(
            headings_before(at) <= 1,
            "{name}: the key/value pairs are not a list at the head of the document"
        );
        let list = elements[at];
        assert_eq!(
            list.children.len(),
            labels.len(),
            "{name}: {:?}",
            list.roles()
        );
        for item in &list.children {
            assert_eq!(item.role, "LI", "{name}");
            assert_eq!(item.roles(), ["Lbl", "LBody"], "{name}");
        }
        // The labels are printed, in order.
        let text = pdf_text(pdf);
        let mut from = 0;
        for label in labels {
            from += text[from..]
                .find(label)
                .unwrap_or_else(|| panic!("{name}: no {label:?} after the title"))
                + label.len();
        }
    }
    // The pairs read in order, label then value, and the numbered headings keep their numbers.
    let text = pdf_text(&all[0].pdf);
    for pair in [
        "Periode 01.04.2018–31.03.2019 Grunnlag Vedtatt handlingsprogram",
        "Dato 26. april 2019 1 Innledning",
        "2 Avtalen for 2018",
        "3 Oversikt over måloppnåelse",
    ] {
        assert!(has(&text, pair), "the evaluation lacks {pair:?}");
    }
    assert!(has(
        &pdf_text(&all[1].pdf),
        "Dato: 17.12.2021 Arkivkode: J.postID: 21/248778 Arkivsaksnr: 21/21641 Til: Kommunalsjefområde"
    ));
}

/// Per page: the lowest line of body text (above the footer) and the page's text.
#[derive(Default)]
struct Pages {
    pages: Vec<(f64, String)>,
}

impl pdf_extract::OutputDev for Pages {
    fn begin_page(
        &mut self,
        _: u32,
        _: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.pages.push((f64::MAX, String::new()));
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        _: f64,
        _: f64,
        _: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let page = self.pages.last_mut().unwrap();
        page.1.push_str(char);
        // Body text lies between the footer (baseline about 48 pt from the page's foot) and
        // the running head; y grows upwards.
        if trm.m32 > BODY_BOTTOM - 4.0 && trm.m32 < BODY_TOP {
            page.0 = page.0.min(trm.m32);
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        self.pages.last_mut().unwrap().1.push(' ');
        Ok(())
    }
}

/// The text area of an A4 page in the library's margins (top 2.4 cm, bottom 2.6 cm), in PDF
/// points from the page's foot.
const BODY_TOP: f64 = 841.89 - 2.4 / 2.54 * 72.0;
const BODY_BOTTOM: f64 = 2.6 / 2.54 * 72.0;

/// How far down the text area each page's text reaches (1.0 = to the bottom margin), and
/// the page's text.
fn fill(pdf: &Path) -> Vec<(f64, String)> {
    let doc = pdf_extract::Document::load(pdf).unwrap();
    let mut pages = Pages::default();
    pdf_extract::output_doc(&doc, &mut pages).unwrap();
    pages
        .pages
        .into_iter()
        .map(|(lowest, text)| {
            let used = (BODY_TOP - lowest.min(BODY_TOP)) / (BODY_TOP - BODY_BOTTOM);
            (used, text)
        })
        .collect()
}

#[test]
fn no_page_is_left_mostly_empty_before_a_part_that_could_start_on_it() {
    let (_project, all) = built();
    for Sample { pdf, .. } in &all {
        let pages = fill(pdf);
        let name = pdf.display();
        // The appendix starts on a page of its own by design, so the page before it may be
        // short; so may the last page. Every other page is at least 60 % full.
        let appendix = pages
            .iter()
            .position(|(_, text)| has(&common::normalise(text), "Vedlegg: Datagrunnlag"))
            .unwrap_or_else(|| panic!("{name} has no appendix"));
        for (index, (used, _)) in pages.iter().enumerate() {
            if index + 1 == appendix || index + 1 == pages.len() {
                continue;
            }
            assert!(
                *used >= 0.6,
                "{name}: page {} is {:.0} % empty before the next part",
                index + 1,
                (1.0 - used) * 100.0
            );
        }
    }
    // In the letters the department's part now starts on the page where the common text ends.
    let letter = &all[1].pdf;
    let pages = fill(letter);
    let common_end = pages
        .iter()
        .position(|(_, t)| {
            has(
                &common::normalise(t),
                "innenfor de økonomiske rammene som er satt",
            )
        })
        .unwrap();
    assert!(
        has(&common::normalise(&pages[common_end].1), "Oppdrag for"),
        "{}: the department's assignments do not start on page {}",
        letter.display(),
        common_end + 1
    );
}
