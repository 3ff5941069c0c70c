//! Assignment letters: one per department of the assignments table, each with exactly its own
//! and its partner assignments, Norwegian dates and CO₂e sums, and errors that name their cell.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{edit, has, normalise, pdf_text, run, sample_project, stderr, stdout};

const CSV: &str = "input/data/oppdrag-2022.csv";

/// The sample project with letters built from the CSV copy of the assignments table.
fn csv_project() -> tempfile::TempDir {
    let project = sample_project();
    edit(
        &project.path().join("input/rapportverk.yaml"),
        "source: oppdrag ",
        "source: oppdrag-csv ",
    );
    project
}

struct Row {
    id: String,
    department: String,
    deadline: String,
    climate: bool,
    co2e: Option<f64>,
    partners: Vec<String>,
}

/// The assignments table as the test reads it, independently of the tool.
fn rows(project: &Path) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(project.join(CSV))
        .unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                id: r[0].to_string(),
                department: r[1].to_string(),
                deadline: r[5].to_string(),
                climate: &r[7] == "ja",
                co2e: (!r[8].is_empty()).then(|| r[8].replace(',', ".").parse().unwrap()),
                partners: r[9]
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect(),
            }
        })
        .collect()
}

fn letter(project: &Path, slug: &str) -> std::path::PathBuf {
    project.join(format!("output/oppdragsbrev-2022/{slug}.pdf"))
}

fn ids_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("OPP-2022-"))
        .map(String::from)
        .collect()
}

#[test]
fn one_letter_per_department_with_exactly_its_assignments() {
    let project = csv_project();
    let output = run(project.path(), &["build", "--only", "oppdragsbrev-2022"]);
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let rows = rows(project.path());
    let departments: BTreeSet<&str> = rows.iter().map(|r| r.department.as_str()).collect();
    let pdfs: BTreeSet<String> = std::fs::read_dir(project.path().join("output/oppdragsbrev-2022"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pdfs.len(), departments.len() + 1, "{pdfs:?}");
    assert!(pdfs.contains("oversikt.pdf"));
    // æ/ø/å and commas become stable, readable names.
    assert!(pdfs.contains("okonomi-og-styring.pdf"), "{pdfs:?}");
    assert!(
        pdfs.contains("kultur-idrett-og-frivillighet.pdf"),
        "{pdfs:?}"
    );

    for department in &departments {
        let slug = rapportverk::norsk::slug(department);
        let text = pdf_text(&letter(project.path(), &slug));
        let own: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.department == *department)
            .map(|r| r.id.clone())
            .collect();
        let partner: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.partners.iter().any(|p| p == department))
            .map(|r| r.id.clone())
            .collect();
        let expected: BTreeSet<String> = own.union(&partner).cloned().collect();
        assert_eq!(ids_in(&text), expected, "ids in the letter of {department}");
        assert!(has(&text, &format!("Oppdrag for {department}")));
        if !partner.is_empty() {
            assert!(has(
                &text,
                &format!("Tverrgående oppdrag der {department} deltar")
            ));
            assert!(
                has(&text, "Eies av"),
                "partner assignments are not marked in {department}"
            );
        }
        // The CO₂e sum of the department's climate measures, the Norwegian way.
        let sum: f64 = rows
            .iter()
            .filter(|r| r.department == *department && r.climate)
            .filter_map(|r| r.co2e)
            .sum();
        if sum > 0.0 {
            let printed = if sum.fract() == 0.0 {
                format!("{sum}")
            } else {
                format!("{sum:.1}").replace('.', ",")
            };
            assert!(
                has(
                    &text,
                    &format!("Anslått samlet reduksjon er {printed} tonn")
                ),
                "{department}: sum {printed}"
            );
        }
    }
}

#[test]
fn letters_carry_letterhead_dates_calendar_and_footnotes() {
    let project = csv_project();
    assert!(
        run(project.path(), &["build", "--only", "oppdragsbrev-2022"])
            .status
            .success()
    );
    let text = pdf_text(&letter(project.path(), "skole"));
    for expected in [
        "Dato: 17.12.2021",
        "J.postID: 21/248778",
        "Arkivsaksnr: 21/21641",
        "Kommunedirektørens oppdragsbrev 2022 - bærekraftige Bærum i praksis",
        "Rapporteringskalender 2022",
        "15. februar: Virksomhetsplanen ferdigstilt",
        "Rapportering i Framsikt (årsrapport)",
        "Sammen skaper vi framtiden. Lykke til med arbeidet!",
        // footnote 1 as a footnote, not as "[^oppdragsbrev]"
        "Oppdragsbrevet erstatter det som i 2021 ble omtalt som forventningsbrev.",
    ] {
        assert!(has(&text, expected), "letter lacks {expected:?}");
    }
    assert!(
        !has(&text, "[^"),
        "a footnote reference was printed literally"
    );
    // Deadlines print as "30. juni 2022".
    let rows = rows(project.path());
    let first = rows.iter().find(|r| r.department == "Skole").unwrap();
    let date = chrono::NaiveDate::parse_from_str(&first.deadline, "%Y-%m-%d").unwrap();
    assert!(has(&text, &rapportverk::render::format::long_date(date)));
    let doc = lopdf::Document::load(letter(project.path(), "skole")).unwrap();
    let info = doc
        .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap();
    let title = info.get(b"Title").unwrap().as_str().unwrap();
    let title = String::from_utf16(
        &title[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(title, "Oppdragsbrev 2022 – Skole");
}

#[test]
fn workbook_and_csv_give_the_same_letters() {
    let from_xlsx = sample_project();
    assert!(
        run(from_xlsx.path(), &["build", "--only", "oppdragsbrev-2022"])
            .status
            .success()
    );
    let from_csv = csv_project();
    assert!(
        run(from_csv.path(), &["build", "--only", "oppdragsbrev-2022"])
            .status
            .success()
    );
    // Everything but the appendix, which names the file each figure came from.
    // Page totals may differ too, as the appendix's length does: "side 1 av 8" → "side 1".
    let body = |text: String| {
        let body = &text[..text.find("Vedlegg: Datagrunnlag").expect("an appendix")];
        let words: Vec<&str> = body.split(' ').collect();
        let mut kept = Vec::new();
        let mut i = 0;
        while i < words.len() {
            kept.push(words[i]);
            if words[i] == "side" && words.get(i + 2) == Some(&"av") {
                kept.push(words[i + 1]);
                i += 4;
                continue;
            }
            i += 1;
        }
        kept.join(" ")
    };
    for slug in ["skole", "okonomi-og-styring", "oversikt"] {
        assert_eq!(
            body(pdf_text(&letter(from_xlsx.path(), slug))),
            body(pdf_text(&letter(from_csv.path(), slug))),
            "{slug} differs between xlsx and csv"
        );
    }
}

#[test]
fn overview_counts_every_assignment_and_the_co2e_total() {
    let project = csv_project();
    assert!(
        run(project.path(), &["build", "--only", "oppdragsbrev-2022"])
            .status
            .success()
    );
    let rows = rows(project.path());
    let text = pdf_text(&letter(project.path(), "oversikt"));
    let total: f64 = rows.iter().filter_map(|r| r.co2e).sum();
    let climate = rows.iter().filter(|r| r.climate).count();
    let departments: BTreeSet<&str> = rows.iter().map(|r| r.department.as_str()).collect();
    let total_text = if total.fract() == 0.0 {
        format!("{total}")
    } else {
        format!("{total:.1}").replace('.', ",")
    };
    let sentence = format!(
        "{} oppdrag fordelt på {} kommunalsjefområder, hvorav {climate} klimatiltak med en anslått samlet reduksjon på {total_text} tonn",
        rows.len(),
        departments.len()
    );
    assert!(has(&text, &sentence), "overview lacks {sentence:?}");
    assert_eq!(ids_in(&text).len(), rows.len());
}

#[test]
fn adding_a_department_row_adds_a_letter() {
    let project = csv_project();
    let csv = project.path().join(CSV);
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("OPP-2022-900;Bærekraft og ærlighet;Nytt oppdrag;Et oppdrag for en ny avdeling.;Budsjettvedtak;2022-05-02;Kommunalsjef;nei;;Skole;Test\n");
    std::fs::write(&csv, text).unwrap();
    let output = run(project.path(), &["build", "--only", "oppdragsbrev-2022"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let new_letter = letter(project.path(), "baerekraft-og-aerlighet");
    let text = pdf_text(&new_letter);
    assert!(has(&text, "Oppdrag for Bærekraft og ærlighet"));
    assert!(has(&text, "2. mai 2022"));
    // The partner department lists it as a cross-cutting assignment.
    assert!(has(
        &pdf_text(&letter(project.path(), "skole")),
        "OPP-2022-900"
    ));
}

/// Builds, breaks one row with `from` → `to`, builds again; returns stderr and the broken line.
fn break_row(project: &Path, from: &str, to: &str) -> (String, usize) {
    let csv = project.join(CSV);
    edit(&csv, from, to);
    let line = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .position(|l| l.contains(to))
        .unwrap()
        + 1;
    let output = run(project, &["build", "--only", "oppdragsbrev-2022"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    (stderr(&output), line)
}

#[test]
fn a_misspelt_partner_is_named_with_the_closest_department() {
    let project = csv_project();
    let (err, line) = break_row(
        project.path(),
        "\"Skole; Bistand og mestring\"",
        "\"Skole; Bistand og mestrng\"",
    );
    let expected = format!("{CSV}:{line}:");
    assert!(err.contains(&expected), "{err}");
    assert!(
        err.contains("error: unknown kommunalsjefområde \"Bistand og mestrng\" among the partners of OPP-2022-001\n")
            && err.contains("= hint: did you mean \"Bistand og mestring\"?"),
        "{err}"
    );
}

#[test]
fn a_broken_department_gets_no_letter_and_keeps_its_old_one() {
    let project = csv_project();
    assert!(
        run(project.path(), &["build", "--only", "oppdragsbrev-2022"])
            .status
            .success()
    );
    let barn = letter(project.path(), "barn-og-unge");
    let skole = letter(project.path(), "skole");
    let good = std::fs::read(&barn).unwrap();
    let overview = letter(project.path(), "oversikt");
    let good_overview = std::fs::read(&overview).unwrap();
    std::fs::remove_file(&skole).unwrap();
    // OPP-2022-001 belongs to Barn og unge; its deadline becomes unreadable.
    let (err, line) = break_row(
        project.path(),
        "Budsjettvedtak;2022-06-30;",
        "Budsjettvedtak;30/6-22;",
    );
    let csv_line = std::fs::read_to_string(project.path().join(CSV))
        .unwrap()
        .lines()
        .nth(line - 1)
        .unwrap()
        .to_string();
    let column = csv_line.find("30/6-22").unwrap() + 1;
    let column = csv_line[..column - 1].chars().count() + 1;
    assert!(
        err.contains(&format!(
            "error: \"30/6-22\" is not a date\n{}--> {CSV}:{line}:{column}\n",
            " ".repeat(line.to_string().len())
        )) && err.contains("= hint: write the deadline as 15.02.2022 or 2022-02-15"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&barn).unwrap(),
        good,
        "the broken department's earlier letter changed"
    );
    assert!(
        skole.exists(),
        "the other departments' letters were not written"
    );
    // The overview would be incomplete: it is not rewritten either.
    assert_eq!(std::fs::read(&overview).unwrap(), good_overview);
    assert!(
        stdout(&run(
            project.path(),
            &["check", "--only", "oppdragsbrev-2022"]
        ))
        .contains("FAILED  oppdragsbrev-2022/barn-og-unge")
    );
}

#[test]
fn row_errors_are_all_reported_with_their_cells() {
    let project = csv_project();
    let csv = project.path().join(CSV);
    let original = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    // Row 3: empty deadline; row 4: duplicate id of row 2; row 5: empty title;
    // row 6: deadline in another year (a warning only).
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    edited[2] = edited[2].replacen(";2022-09-30;", ";;", 1);
    edited[3] = edited[3].replacen("OPP-2022-003", "OPP-2022-001", 1);
    let title_start = edited[4].find(';').unwrap() + 1;
    let title_field_start = edited[4][title_start..].find(';').unwrap() + title_start + 1;
    let title_end = edited[4][title_field_start..].find(';').unwrap() + title_field_start;
    edited[4].replace_range(title_field_start..title_end, "");
    edited[5] = edited[5].replacen(";2022-", ";2023-", 1);
    std::fs::write(&csv, edited.join("\n") + "\n").unwrap();
    let output = run(project.path(), &["check", "--only", "oppdragsbrev-2022"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let col = |line: &str, field: usize| {
        let mut column = 1;
        let mut in_quotes = false;
        let mut fields = 0;
        for (i, c) in line.chars().enumerate() {
            if fields == field {
                column = i + 1;
                break;
            }
            if c == '"' {
                in_quotes = !in_quotes;
            } else if c == ';' && !in_quotes {
                fields += 1;
                column = i + 2;
            }
        }
        column
    };
    let expectations = [
        format!(
            "error: the deadline is empty\n --> {CSV}:3:{}\n",
            col(&edited[2], 5)
        ),
        format!(
            "error: the id \"OPP-2022-001\" is used twice (first at {CSV}:2:1)\n --> {CSV}:4:1\n"
        ),
        format!(
            "error: the title is empty\n --> {CSV}:5:{}\n",
            col(&edited[4], 2)
        ),
        "warning: the deadline ".to_string(),
        format!(" --> {CSV}:6:{}\n", col(&edited[5], 5)),
    ];
    for expected in &expectations {
        assert!(
            err.contains(expected.as_str()),
            "missing {expected:?} in:\n{err}"
        );
    }
    assert!(err.contains("is outside the document's year 2022"), "{err}");
}

#[test]
fn per_department_paragraphs_reach_only_their_department() {
    let project = csv_project();
    assert!(
        run(project.path(), &["build", "--only", "oppdragsbrev-2022"])
            .status
            .success()
    );
    // Each department's own text is narrativ/oppdragsbrev-2022/<slug>.yaml.
    let folder = project.path().join("input/narrativ/oppdragsbrev-2022");
    let mut paragraphs: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
        let yaml = std::fs::read_to_string(&path).unwrap();
        for line in yaml.lines() {
            if let Some(p) = line.trim().strip_prefix("- p: ") {
                // the paragraph's first sentence is enough to recognise it
                let p = p.trim_matches('"');
                paragraphs.insert(slug.clone(), normalise(p.split(". ").next().unwrap()));
            }
        }
    }
    assert!(paragraphs.len() >= 2);
    for (owner, sentence) in &paragraphs {
        for other in ["skole", "okonomi-og-styring", "barn-og-unge"] {
            let text = pdf_text(&letter(project.path(), other));
            let is_owner = owner == other;
            assert_eq!(
                has(&text, sentence.as_str()),
                is_owner,
                "{owner}'s paragraph in {other}"
            );
        }
    }
}
