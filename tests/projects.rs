//! Projects other than the sample: a municipality writing nynorsk with a look of its own
//! (`tests/fixtures/projects/sogndal`), built with the repository's templates, prints its own
//! words, name, colour and logo.

mod common;

use std::path::Path;

use common::{copy_dir, has, pdf_text, repo, run, stderr};

/// A temp copy of a fixture project with the repository's templates beside its `input/`.
fn project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("tests/fixtures/projects").join(name),
        dir.path(),
    );
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    dir
}

/// The decoded content streams of every page, as text.
fn page_contents(pdf: &Path) -> String {
    let document = lopdf::Document::load(pdf).unwrap();
    document
        .get_pages()
        .values()
        .map(|id| String::from_utf8_lossy(&document.get_page_content(*id).unwrap()).into_owned())
        .collect()
}

/// Every text string in the PDF's objects (alt texts, titles), decoded.
fn strings(pdf: &Path) -> Vec<String> {
    let document = lopdf::Document::load(pdf).unwrap();
    let mut found = Vec::new();
    for object in document.objects.values() {
        if let Ok(dict) = object.as_dict() {
            for (_, value) in dict.iter() {
                if let Ok(text) = lopdf::decode_text_string(value) {
                    found.push(text);
                }
            }
        }
    }
    found
}

#[test]
fn a_nynorsk_project_prints_nynorsk_words_and_labels() {
    let dir = project("sogndal");
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/arsmelding-2018.pdf"));
    for expected in [
        // statuses of tasks and KPIs, in the narrative's language
        "✗ ikkje oppnådd",
        "ikkje nådd",
        "utan mål",
        // table headers, the date's month, the footer, the appendix
        "Nøkkeltal Eining 2017 2018 Mål Endring Status",
        "15. mars 2019",
        "side 1 av 3",
        "Tabellen viser kvart tal dokumentet trykkjer",
        "Periode Verdi Kjelde",
        // the section titles as written
        "Innleiing",
        "Oppgåver",
    ] {
        assert!(has(&text, expected), "lacks {expected:?}:\n{text}");
    }
    for bokmal in ["ikke oppnådd", "uten mål", "Enhet", "Kilde"] {
        assert!(!has(&text, bokmal), "bokmål {bokmal:?} in:\n{text}");
    }
}

#[test]
fn a_branded_project_shows_its_own_name_colour_and_logo() {
    let dir = project("sogndal");
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pdf = dir.path().join("output/arsmelding-2018.pdf");
    // The name from branding (the narrative gives none), in the title block and page header.
    let text = pdf_text(&pdf);
    assert!(has(&text, "SOGNDAL KOMMUNE"), "{text}");
    assert!(has(&text, "Sogndal kommune"), "{text}");
    // The accent colour #7a1f2b, in the colour operators of the pages.
    let contents = page_contents(&pdf);
    assert!(
        contents.contains("0.47843137 0.12156863 0.16862746"),
        "accent colour not used"
    );
    // The sample's accent (#1f3a5f) is nowhere.
    assert!(!contents.contains("0.12156863 0.22745098 0.37254903"));
    // The logo is in the PDF, as a figure whose alt text is the municipality's name.
    assert!(
        strings(&pdf).iter().any(|s| s == "Sogndal kommune"),
        "no logo alt text"
    );
    // The font from branding (embedded New Computer Modern) instead of Libertinus Serif.
    let bytes = std::fs::read(&pdf).unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("NewCM"), "the branded font is not embedded");
}

#[test]
fn the_sample_without_branding_keeps_the_library_look() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("input"), &dir.path().join("input"));
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    let output = run(dir.path(), &["build", "--only", "evaluering-2018"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let contents = page_contents(&dir.path().join("output/evaluering-2018.pdf"));
    assert!(contents.contains("0.12156863 0.22745098 0.37254903"));
}

#[test]
fn a_colour_that_is_no_colour_is_an_error_at_its_line() {
    let dir = project("sogndal");
    common::edit(
        &dir.path().join("input/rapportverk.yaml"),
        "  accent: \"#7a1f2b\"",
        "  accent: vinraud",
    );
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("error: \"vinraud\" is not a colour\n  --> input/rapportverk.yaml:10:11\n")
            && stderr(&output).contains("= hint: write a colour as #rrggbb, e.g. \"#1f3a5f\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_kpi_table_and_a_chart_print_tertials_next_to_last_years_figure() {
    let dir = project("sogndal");
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pdf = dir.path().join("output/arsmelding-2018.pdf");
    let text = pdf_text(&pdf);
    // Columns as listed: last year, then the tertials; the change from T2 to T3.
    assert!(
        has(
            &text,
            "Nøkkeltal Eining 2017 T1 2018 T2 2018 T3 2018 Endring Sjukefråvær % 6,8 6,9 6,1 6,3 +0,2"
        ),
        "{text}"
    );
    // The chart over the tertials, its text alternative from the same figures.
    assert!(has(&text, "T1 2018"), "{text}");
    let alt = strings(&pdf)
        .into_iter()
        .find(|s| s.starts_with("Sjukefråvær T1 2018–T3 2018"))
        .expect("the tertial chart's alt text");
    assert_eq!(
        alt.replace('\u{a0}', " "),
        "Sjukefråvær T1 2018–T3 2018: 6,9 %, 6,1 %, 6,3 %; mål 6,0 %"
    );
    // Each tertial figure printed is in the appendix with its origin.
    assert!(has(&text, "Sjukefråvær T2 2018 6,1 %"), "{text}");
}
