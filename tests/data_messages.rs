//! Messages about data that must not mislead: a file several sources read is judged on all
//! their years; `rapportverk data` gives every skipped row's reason whole, lists each row
//! once and sums the skipped rows up by reason; a ragged row whose unit cell is empty is the
//! error a ragged row is everywhere, not "left out by filter". Each case runs the binary on a
//! copy of the sample project.

mod common;

use common::{edit, run, sample_project, stderr, stdout};

/// The sample's evaluation with two more sources reading one file: one gives only years long
/// before the report year, the other the report year.
fn two_sources_of_one_file(both: bool) -> tempfile::TempDir {
    let dir = sample_project();
    let input = dir.path().join("input");
    std::fs::write(
        input.join("data/historikk.csv"),
        "kpi;år;verdi\nsykefravaer;2014;8,4\nsykefravaer;2015;8,1\nandel_kvinner;2018;78\n",
    )
    .unwrap();
    std::fs::write(
        input.join("data/bred.csv"),
        "kpi;2016;2017;2018\nukjent_tall;1;2;3\nheltidsandel;40;41;42\n",
    )
    .unwrap();
    let second = if both {
        "  - id: hist-b\n    file: data/historikk.csv\n    filter: { kpi: andel_kvinner }\n\
         \x20 - id: bred\n    file: data/bred.csv\n    unknown_kpis: ignore\n"
    } else {
        ""
    };
    edit(
        &input.join("rapportverk.yaml"),
        "documents:\n",
        &format!(
            "  - id: hist-a\n    file: data/historikk.csv\n    filter: {{ kpi: sykefravaer }}\n{second}\ndocuments:\n"
        ),
    );
    let list = if both {
        "[nokkeltall, okonomi, hist-a, hist-b, bred]"
    } else {
        "[nokkeltall, okonomi, hist-a]"
    };
    edit(
        &input.join("rapportverk.yaml"),
        "    data: [nokkeltall, okonomi]\n",
        &format!("    data: {list}\n"),
    );
    dir
}

#[test]
fn a_file_two_sources_read_is_judged_on_the_years_of_both() {
    const OLD: &str = "warning: the file holds no figures for 2018 or 2017 (only 2014–2015)\n --> input/data/historikk.csv\n";
    let alone = two_sources_of_one_file(false);
    let err = stderr(&run(alone.path(), &["check", "--only", "evaluering-2018"]));
    assert!(
        err.contains(OLD),
        "one source of only old years is told: {err}"
    );

    let both = two_sources_of_one_file(true);
    let err = stderr(&run(both.path(), &["check", "--only", "evaluering-2018"]));
    assert!(
        !err.contains("holds no figures"),
        "the other source gives 2018 from the same file: {err}"
    );
}

#[test]
fn data_gives_whole_reasons_each_row_once_and_a_summary_by_reason() {
    let dir = two_sources_of_one_file(true);
    let output = run(dir.path(), &["data", "--source", "hist-a"]);
    let out = stdout(&output);
    assert!(
        out.contains(
            "  skipped\tinput/data/historikk.csv:4:1\tleft out by filter: kpi is \"andel_kvinner\", not \"sykefravaer\"\n"
        ),
        "{out}"
    );
    assert!(
        !out.contains("left out by filter:\n"),
        "a reason cut short: {out}"
    );
    // The summary: the reason's kind, how many, the first origins.
    assert!(
        out.contains("  left out by filter: 1 (input/data/historikk.csv:4:1)\n"),
        "{out}"
    );

    // A wide row of a KPI nobody defined gives a record per year, all at its KPI cell: the
    // row is listed once, and counted once.
    let output = run(dir.path(), &["data", "--source", "bred", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let source = &json["sources"][0];
    let skipped: Vec<(&str, &str)> = source["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["origin"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [(
            "input/data/bred.csv:2:1",
            "\"ukjent_tall\" is no KPI of the definition list (unknown_kpis: ignore)"
        )]
    );
    assert_eq!(
        source["skipped_by_reason"],
        serde_json::json!([{
            "reason": "no KPI of the definition list (unknown_kpis: ignore)",
            "count": 1,
            "first": ["input/data/bred.csv:2:1"]
        }])
    );
    assert_eq!(source["observations"].as_array().unwrap().len(), 3);
}

#[test]
fn a_ragged_row_without_its_unit_is_an_error_not_a_filtered_row() {
    let dir = sample_project();
    let csv = dir.path().join("input/data/arsrapport-2018-nokkeltall.csv");
    // A value holding the delimiter, unquoted, and the sector left out: the fields shift left.
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, format!("{text};sykefravaer;2018;7;3;kilde\n")).unwrap();
    let output = run(dir.path(), &["data", "--source", "arsrapport"]);
    let out = stdout(&output);
    let err = stderr(&output);
    assert!(
        !out.contains("left out by filter: sektor is empty"),
        "{out}"
    );
    assert!(
        err.contains("error: the row has 6 fields, the header only 5"),
        "{err}"
    );
}
