//! `rapportverk data`: the listing of every figure the data sources give, checked against what
//! the sample evaluation prints (its provenance appendix), in both its forms, and its refusals.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{repo, run, sample_project, stderr, stdout};

/// (KPI, period, value as printed, origin) of every figure the sample evaluation prints, from
/// its provenance appendix, with origins relative to the project root.
fn printed_by_the_evaluation(root: &Path) -> BTreeSet<(String, String, String, String)> {
    let provenance = common::evaluation_provenance(root);
    let root = format!("{}/", root.display());
    provenance
        .rows
        .iter()
        // Targets and deadlines are printed too, but come from the definition list.
        .filter(|r| r.period.chars().all(|c| c.is_ascii_digit()))
        .map(|r| {
            (
                r.id.clone(),
                r.period.clone(),
                r.value.clone(),
                r.origin.trim_start_matches(&root).to_string(),
            )
        })
        .collect()
}

#[test]
fn the_json_listing_holds_every_figure_the_evaluation_prints_with_its_origin() {
    let project = sample_project();
    let output = run(project.path(), &["data", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let listed: BTreeSet<(String, String, String, String)> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["observations"].as_array().unwrap().iter())
        .map(|o| {
            let text = |key: &str| o[key].as_str().unwrap().to_string();
            (text("kpi"), text("period"), text("value"), text("origin"))
        })
        .collect();
    let printed = printed_by_the_evaluation(project.path());
    assert!(printed.len() >= 10, "{printed:?}");
    let missing: Vec<_> = printed.difference(&listed).collect();
    assert!(missing.is_empty(), "not listed: {missing:?}");
    // The stable form: sources with id and file, figures with their number, no problems.
    assert_eq!(json["sources"][0]["id"], "nokkeltall");
    assert_eq!(json["sources"][0]["file"], "input/data/nokkeltall-2018.csv");
    let first = &json["sources"][0]["observations"][1];
    assert_eq!(first["kpi"], "sykefravaer");
    assert_eq!(first["period"], "2018");
    assert_eq!(first["period_code"], "2018");
    assert_eq!(first["value"], "7,3\u{a0}%");
    assert_eq!(first["number"], 7.3);
    assert_eq!(first["origin"], "input/data/nokkeltall-2018.csv:3:18");
    assert_eq!(json["sources"][1]["id"], "okonomi");
    assert_eq!(json["problems"], serde_json::json!([]));
}

#[test]
fn the_text_listing_and_one_source() {
    let project = sample_project();
    let output = run(project.path(), &["data", "--source", "okonomi"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "okonomi (input/data/okonomi-2018.xlsx): 11 figure(s), 0 row(s) or cell(s) skipped"
    );
    assert_eq!(
        lines[2],
        "  netto_driftsresultat\t2018\t558 mill. kr\tinput/data/okonomi-2018.xlsx[Økonomi]!C3"
    );
    assert!(!text.contains("nokkeltall"));
}

#[test]
fn skipped_rows_and_problems_are_listed_and_an_unknown_source_is_refused() {
    let project = tempfile::tempdir().unwrap();
    common::copy_dir(&repo().join("tests/fixtures/bad/_base"), project.path());
    common::copy_dir(
        &repo().join("tests/fixtures/bad/csv-unknown-kpis-ignored/input"),
        &project.path().join("input"),
    );
    let output = run(project.path(), &["data"]);
    assert_eq!(output.status.code(), Some(0), "warnings only");
    let text = stdout(&output);
    assert!(
        text.contains("  skipped\tinput/data/nokkeltall.csv:6:1\t\"barnehage\" is no KPI of the definition list (unknown_kpis: ignore)"),
        "{text}"
    );
    assert_eq!(
        stderr(&output),
        "input/data/nokkeltall.csv:6:1: warning: 5 figures were ignored: their KPI is not in the definition list (\"barnehage\", \"legedekning\", \"vann\" and 1 other name)\n  hint: rapportverk data --source ID lists them; define a KPI in the definition list to read its rows\n"
    );
    let output = run(project.path(), &["data", "--source", "okonomi"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "input/rapportverk.yaml: error: no document reads a KPI data source with the id \"okonomi\"\n  hint: give the id of a data source that a document lists under data:\n"
    );
}

/// Udir's own form: UTF-16LE with a byte-order mark, a `sep=` line naming the tab, dotted
/// school-year headers, `*` for suppressed counts; read end to end with `school_year: start`.
#[test]
fn an_udir_export_in_utf16_with_a_tab_sep_line() {
    let project = tempfile::tempdir().unwrap();
    common::copy_dir(&repo().join("tests/fixtures/bad/_base"), project.path());
    let text = "sep=\t\r\nkpi\t2017-18.Alle eierformer.Andel\t2018-19.Alle eierformer.Andel\r\n\
                sykefravaer\t7,5\t7,3\r\nnetto_driftsresultat\t*\t558\r\nfritidsstipend\t\t237\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(project.path().join("input/data/nokkeltall.csv"), bytes).unwrap();
    let manifest = project.path().join("input/rapportverk.yaml");
    let yaml = std::fs::read_to_string(&manifest).unwrap().replace(
        "    file: data/nokkeltall.csv\n",
        "    file: data/nokkeltall.csv\n    school_year: start\n",
    );
    std::fs::write(&manifest, yaml).unwrap();
    let output = run(project.path(), &["data"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "nokkeltall (input/data/nokkeltall.csv): 5 figure(s), 1 row(s) or cell(s) skipped\n\
         \x20 sykefravaer\t2017\t7,5 %\tinput/data/nokkeltall.csv:3:13\n\
         \x20 sykefravaer\t2018\t7,3 %\tinput/data/nokkeltall.csv:3:17\n\
         \x20 netto_driftsresultat\t2017\t– (skjermet)\tinput/data/nokkeltall.csv:4:22\n\
         \x20 netto_driftsresultat\t2018\t558 mill. kr\tinput/data/nokkeltall.csv:4:24\n\
         \x20 fritidsstipend\t2018\t237\tinput/data/nokkeltall.csv:5:17\n\
         \x20 empty cell: 1 (input/data/nokkeltall.csv:5:16)\n\
         \x20 skipped\tinput/data/nokkeltall.csv:5:16\tempty cell (2017)\n"
    );
    // The document prints 2018 and 2017: with the school years read as the year they start
    // in, it has its figures (the suppressed one printed as a dash with its reason).
    let output = run(project.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
