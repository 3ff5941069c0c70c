//! Real-world forms of data files read end to end (manifest → ingest → validation): every
//! encoding, Excel's `sep=` line, workbooks with titles, date cells, percent formats, formulas
//! and the 1904 date system, wide tables, units, SSB symbols, filters and a given header row.

mod common;

use std::path::Path;

use rapportverk::ingest::number::Missing;
use rapportverk::ingest::{CellValue, ReadOptions, read_table};
use rapportverk::model::kpi::{KpiData, Value};
use rapportverk::model::period::Period;
use rapportverk::project::Project;

use common::{check_evaluation, copy_dir, repo};

/// The corpus' base project with `files` (path under input/, bytes) laid over it and the data
/// source's manifest entry replaced by `source` (YAML lines under `data:`).
fn project(source: &str, files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures/bad/_base"), dir.path());
    for (path, bytes) in files {
        let target = dir.path().join("input").join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let manifest = dir.path().join("input/rapportverk.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replace(
        "  - id: nokkeltall\n    file: data/nokkeltall.csv\n",
        &format!("  - id: nokkeltall\n{source}"),
    );
    std::fs::write(&manifest, text).unwrap();
    dir
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/ingest").join(name)).unwrap()
}

/// Validates the project's evaluation; panics with every problem when there is an error.
fn validate(dir: &Path) -> (KpiData, Vec<String>) {
    let project = Project::load(&dir.join("input")).unwrap_or_else(|d| panic!("{d:?}"));
    let spec = &project.documents[0];
    let (valid, problems) = check_evaluation(&project, spec);
    let messages: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    let valid = valid.unwrap_or_else(|| panic!("{}", messages.join("\n")));
    (valid.model.kpis().clone(), messages)
}

fn number(kpis: &KpiData, id: &str, year: i32) -> f64 {
    match kpis
        .observations
        .get(&(id.to_string(), Period::Year(year)))
        .map(|o| o.value)
    {
        Some(Value::Number(n)) => n,
        other => panic!("{id} {year}: {other:?}"),
    }
}

fn origin(kpis: &KpiData, id: &str, year: i32) -> String {
    let origin = kpis.observations[&(id.to_string(), Period::Year(year))]
        .origin
        .to_string();
    origin.split("input/").last().unwrap().to_string()
}

#[test]
fn every_encoding_gives_the_same_figures_and_letters() {
    for name in [
        "nokkeltall-utf8-bom.csv",
        "nokkeltall-windows-1252.csv",
        "nokkeltall-utf16le-bom.txt",
        "nokkeltall-utf16le.txt",
        "nokkeltall-utf16be.txt",
        "nokkeltall-excel-sep.csv",
    ] {
        let dir = project(
            &format!("    file: data/{name}\n"),
            &[(&format!("data/{name}"), fixture(name))],
        );
        let (kpis, messages) = validate(dir.path());
        assert!(messages.is_empty(), "{name}: {messages:?}");
        assert_eq!(number(&kpis, "sykefravaer", 2018), 7.3, "{name}");
        assert_eq!(number(&kpis, "netto_driftsresultat", 2018), 558.0, "{name}");
        let note = &kpis.observations[&("fritidsstipend".to_string(), Period::Year(2018))].note;
        assert_eq!(note, "Evaluering – Bærum", "{name}");
        // Lines and columns count characters of the decoded text, after a `sep=` line too.
        let line = if name.contains("excel-sep") { 6 } else { 5 };
        let at = origin(&kpis, "fritidsstipend", 2018);
        assert_eq!(at, format!("data/{name}:{line}:21"), "{name}");
    }
}

#[test]
fn a_workbook_with_a_title_date_cells_percent_formats_text_numbers_and_formulas() {
    let dir = project(
        "    file: data/nokkeltall-lang.xlsx\n    sheet: Økonomi\n",
        &[("data/nokkeltall-lang.xlsx", fixture("nokkeltall-lang.xlsx"))],
    );
    let (kpis, messages) = validate(dir.path());
    assert!(messages.is_empty(), "{messages:?}");
    // Year 2017 comes from a date cell (31.12.2017); 7,5 % was stored as 0.075 in a 0.0% cell.
    assert_eq!(number(&kpis, "sykefravaer", 2017), 7.5);
    assert_eq!(number(&kpis, "sykefravaer", 2018), 7.3);
    assert_eq!(
        origin(&kpis, "sykefravaer", 2018),
        "data/nokkeltall-lang.xlsx[Økonomi]!C5"
    );
    // A number stored as text, and a year stored as text.
    assert_eq!(number(&kpis, "fritidsstipend", 2018), 237.0);
    // The formula =500+58 gives its cached value.
    assert_eq!(number(&kpis, "netto_driftsresultat", 2018), 558.0);
    assert_eq!(
        kpis.observations.len(),
        4,
        "empty trailing rows add nothing"
    );
}

#[test]
fn a_wide_workbook_in_the_1904_date_system_with_a_unit_in_a_cell() {
    let path = repo().join("tests/fixtures/ingest/nokkeltall-bred-1904.xlsx");
    let source = rapportverk::load::SourceCache::new().read(&path).unwrap();
    let table = read_table(&source, &ReadOptions::default()).unwrap();
    // The merged title is the provisional header; the date cell D3 is 31.12.2018 (1904 system).
    let date = &table.rows[1][3];
    assert_eq!(
        date.value,
        CellValue::Date(chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap())
    );
    assert!(
        date.origin
            .to_string()
            .ends_with("nokkeltall-bred-1904.xlsx[Ark1]!D3")
    );

    let dir = project(
        "    file: data/bred.xlsx\n",
        &[("data/bred.xlsx", fixture("nokkeltall-bred-1904.xlsx"))],
    );
    let (kpis, messages) = validate(dir.path());
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(number(&kpis, "sykefravaer", 2017), 7.5);
    assert_eq!(number(&kpis, "sykefravaer", 2018), 7.3);
    assert_eq!(number(&kpis, "fritidsstipend", 2018), 237.0);
    // "0,558 mrd." for a KPI measured in mill. kr.
    assert_eq!(number(&kpis, "netto_driftsresultat", 2018), 558.0);
    assert_eq!(
        origin(&kpis, "netto_driftsresultat", 2018),
        "data/bred.xlsx[Ark1]!C5"
    );
    assert!(
        !kpis
            .observations
            .contains_key(&("fritidsstipend".to_string(), Period::Year(2017)))
    );
}

#[test]
fn units_symbols_fractions_names_and_filters() {
    let csv = "\
Nøkkeltall for Testkommune, 2018\n\
\n\
region;indikator;år;verdi;enhet\n\
0219 Bærum;Sykefravær;2017;0,075;\n\
0219 Bærum;Sykefravær;2018;0,073;\n\
0219 Bærum;netto_driftsresultat;2017;..;\n\
0219 Bærum;netto_driftsresultat;2018;2,6;mrd. kr\n\
0219 Bærum;fritidsstipend;2018;-;antall\n\
0220 Asker;fritidsstipend;2018;99;antall\n\
\n\
Kilde: SSB og kommunens regnskap\n\
Merk: foreløpige tall\n";
    let dir = project(
        "    file: data/ssb.csv\n    percent_as_fraction: true\n    filter: { region: \"0219 Bærum\" }\n",
        &[("data/ssb.csv", csv.as_bytes().to_vec())],
    );
    let (kpis, messages) = validate(dir.path());
    assert!(messages.is_empty(), "{messages:?}");
    // By the definition's name; fractions for a percent KPI.
    assert_eq!(number(&kpis, "sykefravaer", 2018), 7.3);
    // "..": no value, with SSB's reason, never zero.
    assert_eq!(
        kpis.observations[&("netto_driftsresultat".to_string(), Period::Year(2017))].value,
        Value::Missing(Missing::NotAvailable)
    );
    // 2,6 in a row whose unit is "mrd. kr", for a KPI in mill. kr.
    assert_eq!(number(&kpis, "netto_driftsresultat", 2018), 2600.0);
    // "-" is a real zero; Asker's row is filtered out, so it is no duplicate.
    assert_eq!(number(&kpis, "fritidsstipend", 2018), 0.0);
    assert_eq!(origin(&kpis, "fritidsstipend", 2018), "data/ssb.csv:8:32");
}

#[test]
fn a_given_header_row_and_delimiter() {
    let csv = "kpi,år,verdi\nTittel som ser ut som en header: kpi,år,verdi\nkpi,år,verdi\nsykefravaer,2017,\"7,5\"\nsykefravaer,2018,\"7,3\"\nnetto_driftsresultat,2018,558\nfritidsstipend,2018,237\n";
    let dir = project(
        "    file: data/x.csv\n    delimiter: \",\"\n    header_row: 3\n",
        &[("data/x.csv", csv.as_bytes().to_vec())],
    );
    let (kpis, messages) = validate(dir.path());
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(number(&kpis, "sykefravaer", 2018), 7.3);
    assert_eq!(origin(&kpis, "sykefravaer", 2017), "data/x.csv:4:18");
}
