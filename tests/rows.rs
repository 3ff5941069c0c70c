//! The `assignments` and `calendar` blocks in a project other than the sample
//! (`tests/fixtures/rows/`: tasks per school district, headers mapped with `columns:`): rows
//! filtered to the output's unit and to the units it is a partner of, a `where:` filter with an
//! amount summed, the calendar, the overview's groups, and a bad cell failing only its unit.

mod common;

use std::path::Path;

use common::{copy_dir, edit, has, pdf_text, repo, run, stderr, stdout};

const CSV: &str = "input/data/tiltak.csv";

/// The fixture with the repository's templates (the layout library and `_blokker.typ.j2`).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    copy_dir(&repo().join("tests/fixtures/rows"), dir.path());
    dir
}

fn build(dir: &Path) -> std::process::Output {
    run(dir, &["build"])
}

fn pdf(dir: &Path, name: &str) -> String {
    pdf_text(&dir.join(format!("output/tiltak-2024/{name}.pdf")))
}

/// The text between two headings of a PDF's text.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {text}"));
    let end = text[start..].find(to).map_or(text.len(), |e| start + e);
    &text[start..end]
}

#[test]
fn each_unit_gets_its_own_rows_and_the_rows_it_is_a_partner_in() {
    let dir = project();
    let output = build(dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let nord = pdf(dir.path(), "nord");
    let own = between(&nord, "Egne tiltak", "Tiltak vi deltar i");
    // Sorted by deadline: T-2 (15 March) before T-1 (2 May).
    let (t2, t1) = (own.find("T-2").unwrap(), own.find("T-1").unwrap());
    assert!(t2 < t1, "{own}");
    assert!(!own.contains("T-3") && !own.contains("T-4"), "{own}");
    assert!(
        has(own, "2. mai 2024") && has(own, "Samarbeid: Sør"),
        "{own}"
    );
    let partner = between(&nord, "Tiltak vi deltar i", "Sykkeltiltak");
    assert!(partner.contains("T-3") && has(partner, "Sør"), "{partner}");
    assert!(
        !partner.contains("T-1") && !partner.contains("T-4"),
        "{partner}"
    );
    // The Norwegian date of the text cell.
    assert!(has(partner, "15. september 2024"), "{partner}");
    let vest = pdf(dir.path(), "vest");
    let partner = between(&vest, "Tiltak vi deltar i", "Sykkeltiltak");
    assert!(
        partner.contains("T-3") && !partner.contains("T-4"),
        "{partner}"
    );
}

#[test]
fn a_where_filter_keeps_its_rows_and_sums_the_amount() {
    let dir = project();
    assert!(build(dir.path()).status.success());
    let nord = pdf(dir.path(), "nord");
    let bikes = between(&nord, "Sykkeltiltak", "Kalender");
    assert!(bikes.contains("T-1") && !bikes.contains("T-2"), "{bikes}");
    assert!(has(bikes, "12 000"), "{bikes}");
    let sor = pdf(dir.path(), "sor");
    let bikes = between(&sor, "Sykkeltiltak", "Kalender");
    // T-3 has no amount: printed as not estimated and counted.
    assert!(
        has(bikes, "ikke anslått") && has(bikes, "(1 uten anslag)"),
        "{bikes}"
    );
    let overview = pdf(dir.path(), "oversikt");
    assert!(
        has(
            &overview,
            "Totalt 4 tiltak, 3 sykkeltiltak for 14 500,5 kroner, 1 uten beløp."
        ),
        "{overview}"
    );
    assert!(
        has(&overview, "Nord: 2 tiltak, sykkel 12 000 kroner"),
        "{overview}"
    );
    assert!(
        has(&overview, "Vest: 1 tiltak, sykkel 2 500,5 kroner"),
        "{overview}"
    );
}

#[test]
fn the_calendar_holds_reports_dates_and_the_units_deadlines() {
    let dir = project();
    assert!(build(dir.path()).status.success());
    let nord = pdf(dir.path(), "nord");
    let calendar = between(&nord, "Kalender", "Vedlegg: Datagrunnlag");
    for expected in [
        "februar 1. februar: Plan levert",
        "mars 15. mars: Frist T-2: Leseuke",
        "april Rapport til skolesjefen",
        "mai 2. mai: Frist T-1: Sykkelparkering ved Nordby skole",
        "september 15. september: Frist T-3 (samarbeid med Sør): Trygg skolevei",
        "desember Årsrapport",
    ] {
        assert!(has(calendar, expected), "{expected:?} not in {calendar}");
    }
    assert!(!calendar.contains("T-4"), "{calendar}");
    // Every printed deadline and amount is in the appendix with its cell.
    let appendix = &nord[nord.find("Vedlegg: Datagrunnlag").unwrap()..];
    assert!(has(appendix, "input/data/tiltak.csv:2:1"), "{appendix}");
    assert!(has(appendix, "12 000"), "{appendix}");
}

#[test]
fn a_bad_date_fails_only_its_unit_with_the_cell_and_a_hint() {
    let dir = project();
    edit(&dir.path().join(CSV), "2024-10-01", "1. okt");
    let output = build(dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "error: \"1. okt\" is not a date\n --> {CSV}:5:25\n"
        )) && err.contains("= hint: write the deadline as 15.02.2022 or 2022-02-15"),
        "{err}"
    );
    let out = stdout(&output);
    assert!(out.contains("FAILED  tiltak-2024/vest"), "{out}");
    assert!(out.contains("FAILED  tiltak-2024/oversikt"), "{out}");
    assert!(dir.path().join("output/tiltak-2024/nord.pdf").exists());
    assert!(dir.path().join("output/tiltak-2024/sor.pdf").exists());
    assert!(!dir.path().join("output/tiltak-2024/vest.pdf").exists());
}

#[test]
fn a_mapped_column_that_is_not_there_is_named_at_its_line() {
    let dir = project();
    edit(
        &dir.path().join("input/narrativ/tiltak.yaml"),
        "{ match: unit, sort: frist, columns: { id: nr,",
        "{ match: unit, sort: frist, columns: { id: nummer,",
    );
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("error: no column \"nummer\" in input/data/tiltak.csv (found: nr, skolekrets, navn, frist, ansvarlig, sykkel, kroner, partnere)\n  --> input/narrativ/tiltak.yaml:11:65\n"),
        "{err}"
    );
}

/// The fixture as one document (no `per_unit:`) reading the table, with this narrative; its
/// template names no unit.
fn single_document(narrative: &str) -> tempfile::TempDir {
    let dir = project();
    edit(
        &dir.path().join("input/rapportverk.yaml"),
        "    per_unit: { source: tiltak, column: skolekrets }\n    overview: tiltak-oversikt.typ.j2\n",
        "    tables: [tiltak]\n",
    );
    std::fs::write(dir.path().join("input/narrativ/tiltak.yaml"), narrative).unwrap();
    let template = dir.path().join("templates/tiltak.typ.j2");
    edit(
        &template,
        "{{ document.title }} – {{ unit.name }}",
        "{{ document.title }}",
    );
    edit(&template, ": {{ document.unit_title }} {{ unit.name }}", "");
    dir
}

#[test]
fn a_single_document_lists_the_rows_of_a_table_it_names() {
    let dir = single_document(
        "document: { title: Tiltak 2024, year: 2024, municipality: Testkommune }\n\
         sections:\n  - title: Alle tiltak\n    blocks:\n      - assignments: { table: tiltak, match: all, sort: navn, columns: { id: nr, title: navn, partners: partnere } }\n",
    );
    let output = build(dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/tiltak-2024.pdf"));
    // Sorted by title: Leseuke, Sykkelparkering, Sykkelverksted, Trygg skolevei.
    let order: Vec<usize> = ["T-2", "T-1", "T-4", "T-3"]
        .iter()
        .map(|id| {
            text.find(id)
                .unwrap_or_else(|| panic!("{id} missing in {text}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?} in {text}");
}

/// A task's own blocks are checked and filled like a section's: an `assignments` block under
/// a task lists its rows (it printed an empty table before the model was typed).
#[test]
fn an_assignments_block_inside_a_task_lists_its_rows() {
    let dir = single_document(
        "document: { title: Tiltak 2024, year: 2024, municipality: Testkommune }\n\
         sections:\n  - title: Alle tiltak\n    number: 1\n    blocks:\n      - tasks:\n          - id: A\n            title: Skolevei\n            status: oppnådd\n            blocks:\n              - assignments: { table: tiltak, match: all, sort: navn, columns: { id: nr, title: navn, partners: partnere } }\n",
    );
    let output = build(dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/tiltak-2024.pdf"));
    let task = &text[text.find("Skolevei").expect("the task prints")..];
    for id in ["T-1", "T-2", "T-3", "T-4"] {
        assert!(task.contains(id), "{id} missing after the task in {text}");
    }
}
