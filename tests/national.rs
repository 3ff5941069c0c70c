//! A document made per unit over one national file (a KOSTRA-like table of every
//! municipality) reads each row once, however many units there are, and its build stays far
//! under a memory ceiling. Counters and the process's own peak, not timers.

mod common;

use std::fmt::Write as _;

use common::{copy_dir, repo, run, stderr};

const UNITS: usize = 200;
const KPIS: usize = 3;
const YEARS: [i32; 2] = [2023, 2024];

/// A project of `UNITS` municipalities in one file `kommune;kpi;år;verdi`, one small PDF each.
fn national_project() -> tempfile::TempDir {
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
    std::fs::write(input.join("data/kpi.csv"), definitions).unwrap();
    std::fs::write(input.join("data/nasjonal.csv"), data).unwrap();
    std::fs::write(
        input.join("narrativ/kommunebilde.yaml"),
        "document: { title: Kommunebilde 2024, municipality: Testfylke, year: 2024 }\n\
         sections:\n  - title: Nøkkeltall\n    blocks:\n      - kpi_table: { kpis: [k1, k2, k3], years: 2023-2024, columns: [unit] }\n",
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

#[test]
fn a_national_file_is_read_once_for_every_unit_and_memory_stays_bounded() {
    let dir = national_project();
    let output = run(dir.path(), &["build", "--project", "input", "--jobs", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let totals = totals(dir.path());
    assert_eq!(totals["built"], UNITS, "{totals}");
    // Each of the file's rows once: before, every unit read the whole file twice
    // (2 × 200 × 1 200 = 480 000 rows).
    let rows = UNITS * KPIS * YEARS.len();
    assert_eq!(totals["rows_read"], rows, "{totals}");
    // The process's own peak: a few hundred one-page PDFs need no more than Typst and one
    // document's model (about 250 MB here); the ceiling is set well above it.
    if let Some(peak) = totals["peak_memory_kib"].as_u64() {
        assert!(peak < 600 * 1024, "peak {} MB", peak / 1024);
    }
    // Every unit's PDF holds its own figures (Kommune 007: 17,1 17,1 for k1 in 2023 and 2024).
    let text = common::pdf_text(&dir.path().join("output/kommunebilde-2024/kommune-007.pdf"));
    assert!(text.contains("Kommune 007"), "{text}");
    assert!(text.contains("17,1"), "{text}");
    assert!(!text.contains("Kommune 008"), "{text}");
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
    assert_eq!(totals(whole.path())["units_modelled"], UNITS);

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
        // Each shard reads the whole file once and models only the units it builds.
        assert_eq!(totals["rows_read"], UNITS * KPIS * YEARS.len(), "{totals}");
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
