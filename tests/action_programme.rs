//! The action programme in the sample (Handlingsprogram 2021–2024, chapters 2 and 3, seeds
//! 003 and 004), made from a narrative and the general template only: a final build with no
//! warning whose text holds every heading (numbered 2.1 … 3.4), paragraph and list item of
//! both seeds, Figur 2.1 with its source line, and whose structure tree gives the figure its
//! alt text.

mod common;

use std::path::{Path, PathBuf};

use common::{repo, run, sample_project, stderr};
use lopdf::{Document, Object, decode_text_string};

/// A seed text from `../shared/seeds`, or `None` (after saying so) where the shared folder is
/// absent and not required, as for the real-data tests (`RAPPORTVERK_REQUIRE_REALDATA=1`).
fn seed(prefix: &str) -> Option<String> {
    let seeds = repo().join("../shared/seeds");
    if !seeds.is_dir() && std::env::var("RAPPORTVERK_REQUIRE_REALDATA").as_deref() != Ok("1") {
        println!("skipped: {} is absent", seeds.display());
        return None;
    }
    let found = std::fs::read_dir(&seeds)
        .unwrap_or_else(|e| panic!("{}: {e}", seeds.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}_* in {}", seeds.display()));
    Some(std::fs::read_to_string(found).unwrap())
}

/// Letters and digits only, lowercased: text compared this way is the same words in the same
/// order whatever the line breaks, hyphenation, spacing and dashes (the seeds' own extraction
/// lost spaces, "2020,og"; the PDF hyphenates "kommune-planen").
fn letters(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The body text of the PDF, page by page with each page's header and footer (the short
/// title, the municipality, "side 3 av 9") taken out, as letters.
fn body_letters(pdf: &Path) -> String {
    let bytes = std::fs::read(pdf).unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes).unwrap();
    let furniture = page_furniture(&letters("Handlingsprogram 2021–2024"), pages.len());
    let mut all = String::new();
    for page in pages {
        let mut text = letters(&page);
        for f in &furniture {
            text = text.replace(f.as_str(), "");
        }
        all.push_str(&text);
    }
    all
}

/// The header and footer lines of every page, as letters.
fn page_furniture(short_title: &str, pages: usize) -> Vec<String> {
    let mut all = vec![format!("{short_title}bærumkommune")];
    for n in (1..=pages).rev() {
        all.push(format!("{short_title}side{n}av{pages}"));
    }
    all
}

fn build() -> (tempfile::TempDir, PathBuf) {
    let project = sample_project();
    let output = run(
        project.path(),
        &["build", "--only", "handlingsprogram-2021"],
    );
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(
        !err.contains("warning"),
        "a final build with warnings: {err}"
    );
    let pdf = project.path().join("output/handlingsprogram-2021.pdf");
    (project, pdf)
}

#[test]
fn every_heading_paragraph_and_item_of_both_seed_chapters_is_printed() {
    let (Some(seed_003), Some(seed_004)) = (seed("003"), seed("004")) else {
        return;
    };
    let (_project, pdf) = build();
    let body = body_letters(&pdf);
    let mut missing = Vec::new();
    let mut lines = 0;
    for seed in [&seed_003, &seed_004] {
        for line in seed.lines() {
            let wanted = letters(line.trim().trim_start_matches('•'));
            if wanted.is_empty() {
                continue;
            }
            lines += 1;
            if !body.contains(&wanted) {
                missing.push(line.trim().to_string());
            }
        }
    }
    assert!(lines >= 90, "only {lines} seed lines read");
    assert!(
        missing.is_empty(),
        "{} seed lines not in the PDF:\n{}",
        missing.len(),
        missing.join("\n")
    );
    // The headings carry their numbers, in order, from chapter 2.
    let headings = [
        "2.1 Veikart til fremtidens kommune",
        "2.2 Omstilling 2024",
        "2.3 Behov for virksomhetsovergripende tiltak",
        "2.4 Veien videre i 2021",
        "3.1 Bakgrunn",
        "3.2 Formålet med omstillingen",
        "3.3 Ekstern kvalitetssikring",
        "3.4 Planlegging og operasjonalisering",
    ];
    let mut from = 0;
    for heading in headings {
        let at = body[from..]
            .find(&letters(heading))
            .unwrap_or_else(|| panic!("{heading:?} not after the heading before it"));
        from += at;
    }
}

#[test]
fn figure_2_1_has_its_caption_source_line_and_alt_text() {
    let (_project, pdf) = build();
    let text = common::pdf_text(&pdf);
    for expected in [
        "Figur 2.1: Illustrasjon av virksomhetsstyring",
        "Kilde: Basert på KPMGs beste praksis for virksomhetsstyring",
        "1: Et trygt arbeidsliv med lav ledighet og høy sysselsetting",
        "3: Velstandsveksten må nå frem til alle",
    ] {
        assert!(common::has(&text, expected), "{expected:?} not in:\n{text}");
    }
    // One figure, numbered in its chapter: no "Figur 1" of a count through the document.
    assert_eq!(text.matches("Figur 2.1").count(), 1, "{text}");
    assert!(!text.contains("Figur 1:"), "{text}");
    let alts = figure_alts(&pdf);
    assert!(
        alts.iter()
            .any(|alt| alt.starts_with("Et hjul med fire trinn som gjentas i sirkel")),
        "no figure with its alt text in the structure tree: {alts:?}"
    );
}

#[test]
fn the_appendix_table_is_numbered_in_its_chapter_with_its_caption_in_the_table_element() {
    let (_project, pdf) = build();
    let text = common::pdf_text(&pdf);
    assert!(
        common::has(
            &text,
            "Tabell 4.1: Netto driftsbudsjett per sektor 2021–2024"
        ),
        "{text}"
    );
    assert!(!text.contains("Tabell 1:"), "{text}");
    // PDF/UA: a captioned table is a Table element whose first child is its Caption; the
    // document's one `table` block has one, its KPI tables (titled, not captioned) none.
    assert_eq!(captioned_tables(&pdf), 1);
}

/// How many `Table` elements of the PDF's structure tree open with a `Caption`.
fn captioned_tables(pdf: &Path) -> usize {
    fn role(doc: &Document, object: &Object) -> Option<(Vec<u8>, lopdf::Dictionary)> {
        let (_, resolved) = doc.dereference(object).ok()?;
        let dict = resolved.as_dict().ok()?;
        let role = dict.get(b"S").and_then(Object::as_name).ok()?.to_vec();
        Some((role, dict.clone()))
    }
    fn kids(doc: &Document, dict: &lopdf::Dictionary) -> Vec<Object> {
        match dict.get(b"K").map(|k| doc.dereference(k)) {
            Ok(Ok((_, Object::Array(items)))) => items.clone(),
            Ok(Ok((_, other))) => vec![other.clone()],
            _ => Vec::new(),
        }
    }
    fn walk(doc: &Document, object: &Object, depth: usize) -> usize {
        let Some((name, dict)) = role(doc, object).filter(|_| depth < 200) else {
            return 0;
        };
        let children = kids(doc, &dict);
        let opens_with_caption = name == b"Table"
            && children
                .first()
                .and_then(|k| role(doc, k))
                .is_some_and(|(first, _)| first == b"Caption");
        let below: usize = children.iter().map(|k| walk(doc, k, depth + 1)).sum();
        usize::from(opens_with_caption) + below
    }
    let doc = Document::load(pdf).unwrap();
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let root = doc.dereference(root).unwrap().1.as_dict().unwrap().clone();
    kids(&doc, &root).iter().map(|k| walk(&doc, k, 0)).sum()
}

/// The `/Alt` of every `Figure` element of the PDF's structure tree.
fn figure_alts(pdf: &Path) -> Vec<String> {
    fn walk(doc: &Document, object: &Object, found: &mut Vec<String>, depth: usize) {
        let Ok((_, resolved)) = doc.dereference(object) else {
            return;
        };
        match resolved {
            Object::Array(items) if depth < 200 => {
                for item in items {
                    walk(doc, item, found, depth + 1);
                }
            }
            Object::Dictionary(dict) if depth < 200 => {
                let role = dict.get(b"S").and_then(Object::as_name).ok();
                if role == Some(b"Figure".as_slice())
                    && let Ok(alt) = dict.get(b"Alt")
                    && let Ok(text) = decode_text_string(alt)
                {
                    found.push(text);
                }
                if let Ok(kids) = dict.get(b"K") {
                    walk(doc, kids, found, depth + 1);
                }
            }
            _ => {}
        }
    }
    let doc = Document::load(pdf).unwrap();
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let mut found = Vec::new();
    walk(&doc, root, &mut found, 0);
    found
}

/// The sample with the action programme's narrative changed by `edit`.
fn edited(from: &str, to: &str) -> tempfile::TempDir {
    let project = sample_project();
    common::edit(
        &project
            .path()
            .join("input/narrativ/handlingsprogram-2021.yaml"),
        from,
        to,
    );
    project
}

/// A section's own numbering: its chapter number, and headings numbered deeper within it only.
#[test]
fn a_section_sets_its_own_number_and_depth() {
    let project = edited(
        "  - title: Langsiktig omstilling av virksomheten\n    id: kapittel-3\n",
        "  - title: Et eget kapittel\n    numbering: { start: 7, depth: 3 }\n    sections:\n      - title: Oversikt\n        sections:\n          - title: Detaljer\n            blocks:\n              - p: Tekst.\n  - title: Langsiktig omstilling av virksomheten\n    id: kapittel-3\n",
    );
    let output = run(
        project.path(),
        &["build", "--only", "handlingsprogram-2021"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = common::pdf_text(&project.path().join("output/handlingsprogram-2021.pdf"));
    for expected in [
        "7 Et eget kapittel",
        "7.1 Oversikt",
        "7.1.1 Detaljer",
        // The chapters after it count on from it, numbered to the document's depth again.
        "8 Langsiktig omstilling av virksomheten",
        "8.1 Bakgrunn",
    ] {
        assert!(common::has(&text, expected), "{expected:?} not in:\n{text}");
    }
    assert!(!text.contains("8.1.1"), "{text}");
}

/// The figure's image is an input: changing it builds the action programme again, alone.
#[test]
fn a_changed_image_rebuilds_the_document_that_shows_it() {
    let project = sample_project();
    assert!(run(project.path(), &["build"]).status.success());
    let svg = project
        .path()
        .join("input/narrativ/figurer/virksomhetsstyring.svg");
    common::edit(&svg, "4 Evaluere", "4 Vurdere");
    let again = run(project.path(), &["build"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(project.path().join("output/build-report.json")).unwrap(),
    )
    .unwrap();
    let built: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "built")
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(built, ["handlingsprogram-2021"]);
}
