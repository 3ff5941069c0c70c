//! A document made per unit over one national file (a KOSTRA-like table of every
//! municipality) reads each row a fixed number of times, however many units there are, holds
//! one group of units' model at a time, and its build stays far under a memory ceiling; the
//! groups decide together, as one model would. Counters and the process's own peak, not timers.

mod common;

use std::fmt::Write as _;

use common::{copy_dir, repo, run, stderr};

/// More units than one model holds (64), so the document is built in four groups.
const UNITS: usize = 200;
const KPIS: usize = 3;
const YEARS: [i32; 2] = [2023, 2024];

/// A project of `UNITS` municipalities in one file `kommune;kpi;år;verdi`, one small PDF each.
fn national_project() -> tempfile::TempDir {
    national_project_with(|_| {}, "")
}

/// The line of the national file that holds unit `m`'s figure for KPI `k` in `year`.
fn line_of(m: usize, k: usize, year: i32) -> usize {
    let year_index = YEARS.iter().position(|y| *y == year).unwrap();
    2 + ((m - 1) * KPIS + (k - 1)) * YEARS.len() + year_index
}

/// [`national_project`] with its data's lines changed by `edit` and `narrative_tail` after
/// the narrative.
fn national_project_with(
    edit: impl FnOnce(&mut Vec<String>),
    narrative_tail: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    let input = dir.path().join("input");
    std::fs::create_dir_all(input.join("data")).unwrap();
    std::fs::create_dir_all(input.join("narrativ")).unwrap();
    let mut definitions = String::from("id;navn;enhet;desimaler;retning;mål\n");
    let mut data = String::from("kommune;kpi;år;verdi\n");
    for k in 1..=KPIS {
        writeln!(definitions, "k{k};Nøkkeltall {k};%;1;høyere;ingen").unwrap();
    }
    for m in 1..=UNITS {
        for k in 1..=KPIS {
            for year in YEARS {
                writeln!(data, "Kommune {m:03};k{k};{year};{},{}", 10 + m % 50, k).unwrap();
            }
        }
    }
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    edit(&mut lines);
    std::fs::write(input.join("data/kpi.csv"), definitions).unwrap();
    std::fs::write(input.join("data/nasjonal.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::write(
        input.join("narrativ/kommunebilde.yaml"),
        format!("document: {{ title: Kommunebilde 2024, municipality: Testfylke, year: 2024 }}\n\
         sections:\n  - title: Nøkkeltall\n    blocks:\n      - kpi_table: {{ kpis: [k1, k2, k3], years: 2023-2024, columns: [unit] }}\n{narrative_tail}"),
    )
    .unwrap();
    std::fs::write(
        input.join("rapportverk.yaml"),
        "language: nb\ntemplates: ../templates\nkpi_definitions: data/kpi.csv\n\
         data:\n  - id: nasjonal\n    file: data/nasjonal.csv\n\
         documents:\n  - id: kommunebilde-2024\n    template: arsrapport.typ.j2\n    narrative: narrativ/kommunebilde.yaml\n    data: [nasjonal]\n    per_unit: { source: nasjonal, column: kommune }\n",
    )
    .unwrap();
    dir
}

fn totals(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("output/build-report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["totals"].clone()
}

fn report(dir: &std::path::Path, output: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(output).join("build-report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_national_file_is_read_a_fixed_number_of_times_and_memory_stays_bounded() {
    let dir = national_project();
    let output = run(dir.path(), &["build", "--project", "input", "--jobs", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let totals = totals(dir.path());
    assert_eq!(totals["built"], UNITS, "{totals}");
    // Each of the file's rows twice, whatever the number of units: once as the groups of
    // units are checked for the verdict every PDF shares, once as each group's PDFs are built
    // (before issue 20: every unit read the whole file twice, 2 × 200 × 1 200 = 480 000 rows).
    let rows = UNITS * KPIS * YEARS.len();
    assert_eq!(totals["rows_read"], 2 * rows, "{totals}");
    assert_eq!(totals["units_modelled"], 2 * UNITS, "{totals}");
    // The process's own peak: a few hundred one-page PDFs need no more than Typst and one
    // group's model (about 130 MB here; before issue 20, 1.35 GB); the ceiling is set well
    // above it.
    if let Some(peak) = totals["peak_memory_kib"].as_u64() {
        assert!(peak < 400 * 1024, "peak {} MB", peak / 1024);
    }
    // Every unit's PDF holds its own figures (Kommune 007: 17,1 17,1 for k1 in 2023 and 2024).
    let text = common::pdf_text(&dir.path().join("output/kommunebilde-2024/kommune-007.pdf"));
    assert!(text.contains("Kommune 007"), "{text}");
    assert!(text.contains("17,1"), "{text}");
    assert!(!text.contains("Kommune 008"), "{text}");
}

/// An error in one unit's row, in the second group of units, fails every PDF of the
/// document, as it does when one model holds every unit; it is told once.
#[test]
fn an_error_in_one_units_row_fails_every_pdf_of_a_document_built_in_groups() {
    let line = line_of(150, 1, 2024);
    let dir = national_project_with(
        |lines| lines[line - 1] = "Kommune 150;k1;2024;tolv".to_string(),
        "",
    );
    let output = run(dir.path(), &["build", "--project", "input", "--jobs", "2"]);
    assert!(!output.status.success());
    let report = report(dir.path(), "output");
    assert_eq!(report["totals"]["built"], 0, "{}", report["totals"]);
    let place = format!("input/data/nasjonal.csv:{line}:");
    let told: Vec<&serde_json::Value> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["origin"].as_str().is_some_and(|o| o.starts_with(&place)))
        .collect();
    assert_eq!(told.len(), 1, "{}", report["problems"]);
    assert_eq!(told[0]["severity"], "error", "{}", told[0]);
}

/// A warning in one unit's rows that the narrative acknowledges is acknowledged for every
/// PDF, and the acknowledgment is not told as matching nothing in the groups without it.
#[test]
fn a_warning_in_one_units_rows_is_acknowledged_for_every_pdf_built_in_groups() {
    let dir = national_project_with(
        |lines| lines.push("Kommune 150;k1;2025;12,0".to_string()),
        "acknowledge:\n  - warning: after the report year 2024\n    reason: the plan's first year\n",
    );
    let output = run(dir.path(), &["build", "--project", "input", "--jobs", "2"]);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(!err.contains("matches no warning"), "{err}");
    let report = report(dir.path(), "output");
    assert_eq!(report["totals"]["built"], UNITS, "{}", report["totals"]);
    for entry in report["documents"].as_array().unwrap() {
        let acknowledged = entry["acknowledged"].as_array().unwrap();
        assert_eq!(acknowledged.len(), 1, "{entry}");
        assert!(
            acknowledged[0]["message"]
                .as_str()
                .unwrap()
                .contains("1 figure is for 2025, after the report year 2024"),
            "{entry}"
        );
    }
}

/// A shard models only its own units (the others' rows are dropped unread) and writes the
/// same bytes for them as a run that models every unit.
#[test]
fn a_shard_models_only_its_units_and_writes_the_same_pdfs() {
    let whole = national_project();
    let output = run(
        whole.path(),
        &["build", "--project", "input", "--jobs", "2"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // Two units' models each: once for the verdict, once as the PDFs are built.
    assert_eq!(totals(whole.path())["units_modelled"], 2 * UNITS);

    let sharded = national_project();
    let mut built = 0;
    for k in 1..=4 {
        let out = format!("out/shard-{k}");
        let shard = format!("{k}/4");
        let args = [
            "build",
            "--project",
            "input",
            "--shard",
            &shard,
            "--output",
            &out,
        ];
        let output = run(sharded.path(), &args);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = std::fs::read_to_string(sharded.path().join(&out).join("build-report.json"));
        let report: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
        let totals = &report["totals"];
        // Each shard reads only its units' rows (the others' are skipped as the file is
        // parsed) and models only the units it builds.
        let in_shard = totals["built"].as_u64().unwrap() as usize;
        assert_eq!(
            totals["rows_read"],
            in_shard * KPIS * YEARS.len(),
            "{totals}"
        );
        assert_eq!(totals["units_modelled"], totals["built"], "{totals}");
        assert!(
            totals["built"].as_u64().unwrap() < UNITS as u64 / 2,
            "{totals}"
        );
        for entry in report["documents"].as_array().unwrap() {
            let file = entry["output"].as_str().unwrap();
            let name = std::path::Path::new(file).file_name().unwrap();
            let alone = std::fs::read(sharded.path().join(file)).unwrap();
            let with_all =
                std::fs::read(whole.path().join("output/kommunebilde-2024").join(name)).unwrap();
            assert!(alone == with_all, "{file} differs from the whole run's");
            built += 1;
        }
    }
    assert_eq!(built, UNITS);
}
