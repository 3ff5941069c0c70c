//! Real Norwegian exports (`../shared/realdata/`, see its README.md) read through the real
//! ingest, each with the mapping a user would write for it, and a few known values asserted
//! per file (the files whose period is outside the table or below a year are read in
//! `realdata_periods.rs`). When the folder is absent the tests say so and pass, unless
//! `RAPPORTVERK_REQUIRE_REALDATA=1` (set by `.ci/run`) makes its absence a failure.

mod common;

use common::{check_evaluation, realdata};

use std::path::Path;

use rapportverk::ingest::number::{Missing, Parsed, looks_like_code, parse_number};
use rapportverk::ingest::{Cell, CellValue, ReadOptions, Table, read_table};
use rapportverk::model::kpi::Value;
use rapportverk::model::period::Period;
use rapportverk::model::records::{self as layout, ColumnMapping, Filter, Layout, Record, Records};
use rapportverk::project::Project;

/// Every file of the folder, each read by one test below.
const FILES: [&str; 15] = [
    "bergen_driftsbudsjett_2013.csv",
    "fad_lonn_t-b-tabell.csv",
    "imdi_bosatte_enslige_mindrearige_2022.csv",
    "kmd_partistotte_2014.csv",
    "lorenskog_kostra_2025_nokkeltall.xlsx",
    "nav_hl060_helt_ledige_202210.xlsx",
    "nvdb_kostra01_vegnett_hele_landet.xlsx",
    "oed_eiti_2011_totalt.csv",
    "sogndal_investeringsbudsjett_2013.csv",
    "ssb_11656_arbeidsforhold_naering_2024K4.csv",
    "ssb_folketall_elections-norway.csv",
    "ssb_kostra_13502_andel_barn_i_barnehage.xlsx",
    "ssb_kpi_03014_semikolon_1979-2016.csv",
    "stavangerskolen_nedlasting.csv",
    "udir_fag_antall_elever_2022-25.tsv",
];

fn table(dir: &Path, name: &str, options: ReadOptions) -> Table {
    let source = rapportverk::load::SourceCache::new()
        .read(&dir.join(name))
        .unwrap();
    read_table(&source, &options).unwrap_or_else(|d| panic!("{d}"))
}

fn mapping(kpi: &[&str], year: &[&str], value: &[&str]) -> ColumnMapping {
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut mapping = ColumnMapping::default();
    if !kpi.is_empty() {
        mapping.kpi = names(kpi);
    }
    if !year.is_empty() {
        mapping.year = names(year);
    }
    if !value.is_empty() {
        mapping.value = names(value);
    }
    mapping
}

fn records(table: &mut Table, mapping: &ColumnMapping, filters: &[Filter]) -> Records {
    let records = layout::records(table, mapping, None, filters);
    let problems: Vec<String> = records.problems.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    records
}

fn number(cell: &Cell) -> f64 {
    match &cell.value {
        CellValue::Number(n) => *n,
        CellValue::Text(t) => match parse_number(t) {
            Ok(Parsed::Value { value, .. }) => value,
            other => panic!("{} {t:?}: {other:?}", cell.origin),
        },
        other => panic!("{}: {other:?}", cell.origin),
    }
}

fn find<'a>(records: &'a Records, kpi: &str, year: i32) -> &'a Record {
    records
        .records
        .iter()
        .find(|r| r.kpi.value.as_text().trim() == kpi && r.period == Period::Year(year))
        .unwrap_or_else(|| panic!("no record for {kpi} {year}"))
}

/// The origin without the folder: `name:line:column` or `name[Sheet]!C7`.
fn at(cell: &Cell) -> String {
    let origin = cell.origin.to_string();
    origin.rsplit('/').next().unwrap().to_string()
}

/// Every value cell parses: a number or an SSB symbol, never an error.
fn all_parse(records: &Records) {
    for record in &records.records {
        if let CellValue::Text(t) = &record.value.value {
            assert!(parse_number(t).is_ok(), "{} {t:?}", record.value.origin);
        }
    }
}

#[test]
fn every_file_of_the_folder_is_read_by_a_test() {
    let Some(dir) = realdata() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    assert_eq!(names, FILES, "a new file in the folder needs a test here");
}

#[test]
fn sogndal_budget_codes_with_leading_zeros_stay_text() {
    let Some(dir) = realdata() else { return };
    let name = "sogndal_investeringsbudsjett_2013.csv";
    let mut t = table(&dir, name, ReadOptions::default());
    assert_eq!(t.delimiter, Some(b';'));
    assert_eq!(t.rows.len(), 191, "the empty last line is no row");
    let r = records(&mut t, &mapping(&["konto"], &[], &[]), &[]);
    assert_eq!(
        r.layout,
        Some(Layout::Wide),
        "rekneskap_2011 … budsjett_2013"
    );
    assert_eq!(r.records.len(), 191 * 3);
    all_parse(&r);
    let first = &r.records[0];
    assert_eq!(first.kpi.value, CellValue::Text("00300".into()));
    assert!(looks_like_code("00300"));
    assert_eq!(first.column_label.as_deref(), Some("rekneskap_2011"));
    assert_eq!(number(&first.value), 15_383.0);
    assert_eq!(at(&first.value), format!("{name}:2:102"));
    let last = find(&r, "09700", 2011);
    assert_eq!(number(&last.value), -2_819_077.0);
    assert_eq!(at(&last.value), format!("{name}:192:119"));
    assert_eq!(number(&find(&r, "09700", 2013).value), -8_745_000.0);
    // A responsibility code with letters, nynorsk headers.
    assert_eq!(t.rows[0][2].value, CellValue::Text("F357".into()));
    assert_eq!(t.header[6].value.as_text(), "rekneskap_2011");
}

#[test]
fn bergen_budget_excel_accounting_amounts_and_dash_zero() {
    let Some(dir) = realdata() else { return };
    let name = "bergen_driftsbudsjett_2013.csv";
    let mut t = table(&dir, name, ReadOptions::default());
    // Codes `02` and `01B` stay text; doubled quotes inside a quoted field.
    assert_eq!(t.rows[0][3].value, CellValue::Text("02".into()));
    assert_eq!(t.rows[104][3].value, CellValue::Text("01B".into()));
    assert_eq!(at(&t.rows[104][3]), format!("{name}:106:53"));
    assert_eq!(
        t.rows[843][9].value,
        CellValue::Text("Nesttun Dagsenter \"Fuglekasseprosjektet\"".into())
    );
    let r = records(&mut t, &mapping(&["tjeneste"], &[], &[]), &[]);
    assert_eq!(r.layout, Some(Layout::Wide));
    all_parse(&r);
    let first = &r.records[0];
    assert_eq!(first.kpi.value.as_text(), "24410");
    assert_eq!(first.period, Period::Year(2013));
    assert_eq!(number(&first.value), -1_362_250.0, "\" -1 362 250 \"");
    assert_eq!(at(&first.value), format!("{name}:2:128"));
    let dash = r
        .records
        .iter()
        .find(|r| at(&r.value) == format!("{name}:36:167"))
        .unwrap();
    assert_eq!(dash.value.value, CellValue::Text(" -   ".into()));
    assert_eq!(number(&dash.value), 0.0, "\" -   \" is a real zero");
}

#[test]
fn kmd_party_support_decimal_commas_and_no_final_newline() {
    let Some(dir) = realdata() else { return };
    let name = "kmd_partistotte_2014.csv";
    let mut t = table(&dir, name, ReadOptions::default());
    assert_eq!(t.rows.len(), 2709);
    let relativdel = t.column(&["relativdel"]).unwrap();
    assert_eq!(number(&t.rows[0][relativdel]), 40.1);
    let m = mapping(&["partinamn"], &["utbetalingsar"], &["totalt"]);
    let r = records(&mut t, &m, &[]);
    assert_eq!(r.layout, Some(Layout::Long));
    assert_eq!(r.records.len(), 2709);
    all_parse(&r);
    let first = find(&r, "ØSTFOLD ARBEIDERPARTI", 2014);
    assert_eq!(number(&first.value), 1_363_942.34);
    assert_eq!(at(&first.value), format!("{name}:2:83"));
    let last = r.records.last().unwrap();
    assert_eq!(last.kpi.value.as_text(), "Sør-Varanger Sv");
    assert_eq!(number(&last.value), 5_798.5);
    assert_eq!(at(&last.value), format!("{name}:2710:71"));
    // A trailing space in a name is kept as written; ids are trimmed where they are compared.
    assert!(
        r.records
            .iter()
            .any(|r| r.kpi.value.as_text() == "Tranøy Høyre ")
    );
}

#[test]
fn ssb_population_long_export_filtered_to_one_region() {
    let Some(dir) = realdata() else { return };
    let name = "ssb_folketall_elections-norway.csv";
    let mut t = table(&dir, name, ReadOptions::default());
    let title = "Folkemengde 1. januar og endringer i kalenderåret, etter region, tid og statistikkvariabel";
    assert_eq!(t.header[3].value.as_text(), title);
    let m = mapping(&["statistikkvariabel"], &["tid"], &[title]);
    let filter = Filter {
        column: "region".into(),
        values: vec!["01 Østfold".into()],
    };
    let r = records(&mut t, &m, &[filter]);
    assert_eq!(r.records.len(), 325, "65 years × 5 variables");
    all_parse(&r);
    let first = find(&r, "Folkemengde", 1951);
    assert_eq!(number(&first.value), 185_492.0);
    assert_eq!(at(&first.value), format!("{name}:2:35"));
    assert_eq!(at(&first.kpi), format!("{name}:2:21"));
    assert_eq!(number(&find(&r, "Levendefødte", 1951).value), 3_177.0);
}

#[test]
fn stavanger_schools_bom_crlf_and_dots_for_missing() {
    let Some(dir) = realdata() else { return };
    let name = "stavangerskolen_nedlasting.csv";
    let t = table(&dir, name, ReadOptions::default());
    assert_eq!(
        t.header[0].value.as_text(),
        "Enhetsnavn",
        "the byte-order mark is gone"
    );
    assert_eq!(t.header[2].value.as_text(), "Vurderingsområde");
    let verdi = t.column(&["verdi"]).unwrap();
    assert_eq!(number(&t.rows[0][verdi]), 53.0);
    assert_eq!(at(&t.rows[0][verdi]), format!("{name}:2:118"));
    let mut missing = 0;
    for row in &t.rows {
        let text = row[verdi].value.as_text();
        match parse_number(&text) {
            Ok(Parsed::Missing(Missing::CannotOccur)) => missing += 1,
            Ok(Parsed::Value { .. }) => {}
            other => panic!("{}: {other:?}", row[verdi].origin),
        }
    }
    assert_eq!((t.rows.len(), missing), (6233, 2678), "43 % are \".\"");
    // School years are periods of their own (see docs/src/data-files.md).
    let periode = t.column(&["periode"]).unwrap();
    assert_eq!(
        layout::period_of(&t.rows[0][periode]).unwrap(),
        Period::SchoolYear { start: 2014 }
    );
}

#[test]
fn ssb_consumer_prices_windows_1252_two_header_rows_wide_and_footnotes() {
    let Some(dir) = realdata() else { return };
    let name = "ssb_kpi_03014_semikolon_1979-2016.csv";
    let mut t = table(&dir, name, ReadOptions::default());
    assert_eq!(t.footnotes.len(), 7);
    assert!(
        t.footnotes[0]
            .value
            .as_text()
            .starts_with("F.o.m. 2017 er referanseår 2015=100.")
    );
    assert_eq!(at(&t.footnotes[0]), format!("{name}:18:1"));
    let r = records(&mut t, &ColumnMapping::default(), &[]);
    assert_eq!(r.layout, Some(Layout::Wide));
    assert_eq!(r.records.len(), 12 * 38);
    all_parse(&r);
    let first = find(&r, "Matvarer og alkoholfrie drikkevarer", 1979);
    assert_eq!(number(&first.value), 27.5);
    assert_eq!(at(&first.value), format!("{name}:5:39"));
    assert_eq!(
        first.column_label.as_deref(),
        Some("1979 / Konsumprisindeks (2015=100)")
    );
    assert_eq!(at(&r.records[0].kpi), format!("{name}:5:1"));
    assert_eq!(number(&find(&r, "Klær og skotøy", 1979).value), 85.8);
    let last = find(&r, "Andre varer og tjenester", 2016);
    assert_eq!(number(&last.value), 101.9);
    assert_eq!(at(&last.value), format!("{name}:16:214"));
}

#[test]
fn imdi_settlement_three_header_rows_and_ssb_symbols() {
    let Some(dir) = realdata() else { return };
    let name = "imdi_bosatte_enslige_mindrearige_2022.csv";
    let mut t = table(&dir, name, ReadOptions::default());
    assert_eq!(t.rows[2].len(), 74);
    let m = mapping(&["region"], &[], &["Faktisk bosetting / Enhet: Personer"]);
    let filter = Filter {
        column: "navn".into(),
        values: vec!["Skien".into()],
    };
    let r = records(&mut t, &m, &[filter]);
    assert_eq!(r.layout, Some(Layout::Wide));
    let figures: Vec<(i32, String)> = r
        .records
        .iter()
        .map(|r| (r.period.year(), r.value.value.as_text()))
        .collect();
    let expected: Vec<(i32, String)> = [
        (2014, "5"),
        (2015, "6"),
        (2016, "11"),
        (2017, ":"),
        (2018, ":"),
        (2019, ":"),
        (2020, ":"),
        (2021, ":"),
        (2022, "0"),
    ]
    .iter()
    .map(|(y, v)| (*y, v.to_string()))
    .collect();
    assert_eq!(figures, expected);
    assert_eq!(r.records[0].kpi.value.as_text(), "K3807");
    assert_eq!(at(&r.records[0].value), format!("{name}:6:89"));
    assert_eq!(
        r.records[0].column_label.as_deref(),
        Some("Bosetting enslige mindreårige: Faktisk bosetting / Enhet: Personer / År: 2014")
    );
    assert_eq!(
        parse_number(":"),
        Ok(Parsed::Missing(Missing::Confidential)),
        "\":\" is confidential, never zero"
    );
    // Decimals with a point, Windows-1252 letters.
    let horten = &t.rows[0];
    assert_eq!(horten[1].value.as_text(), "Horten");
    assert_eq!(number(&horten[14]), 100.0);
    assert_eq!(number(horten.last().unwrap()), 83.33333333);
    assert!(t.header[2].value.as_text().contains("mindreårige"));
}

#[test]
fn nvdb_kostra_workbook_sheets_codes_as_numbers_and_long_floats() {
    let Some(dir) = realdata() else { return };
    let name = "nvdb_kostra01_vegnett_hele_landet.xlsx";
    let options = |sheet: &str| ReadOptions {
        sheet: Some(sheet.to_string()),
        ..ReadOptions::default()
    };
    let t = table(&dir, name, options("Tabell kommuner"));
    assert_eq!(t.header_names()[..2], ["fylke", "kommune"]);
    // Oslo's municipality code 0301 was stored as the number 301.
    assert_eq!(t.rows[0][1].value, CellValue::Number(301.0));
    assert_eq!(at(&t.rows[0][1]), format!("{name}[Tabell kommuner]!B2"));
    let t = table(&dir, name, options("Radvis per kommune og vegkat"));
    assert_eq!(t.rows[0][3].value, CellValue::Number(96.431153));
    let t = table(&dir, name, options("Metadata"));
    assert_eq!(t.rows.last().unwrap()[1].value.as_text(), "2025-12-31");
    let source = rapportverk::load::SourceCache::new()
        .read(&dir.join(name))
        .unwrap();
    let err = read_table(&source, &options("Tabell kommune")).unwrap_err();
    assert!(
        err.to_string().ends_with("(it has: Tabell fylker, Lengde kryssystem, Tabell kommuner, Radvis per fylke og vegkat, Radvis per kommune, Radvis per kommune og vegkat, Metadata)\n  hint: did you mean \"Tabell kommuner\"?"),
        "{err}"
    );
}

#[test]
fn lorenskog_kostra_workbook_merged_titles_years_as_text_soft_hyphens() {
    let Some(dir) = realdata() else { return };
    let name = "lorenskog_kostra_2025_nokkeltall.xlsx";
    let sheet = |sheet: &str, header_row: Option<usize>| ReadOptions {
        sheet: Some(sheet.to_string()),
        header_row,
        ..ReadOptions::default()
    };
    // The overview: five title rows (merged) above the header; "Lørenskog 2024",
    // "Lørenskog 2025" and "Landet 2025" columns, of which the mapping picks Lørenskog's.
    let mut t = table(&dir, name, sheet("Oversikt", None));
    let r = layout::records(&mut t, &mapping(&[], &[], &["Lørenskog"]), None, &[]);
    assert_eq!(at(&t.header[0]), format!("{name}[Oversikt]!A6"));
    assert_eq!(r.layout, Some(Layout::Wide));
    let result = find(&r, "Netto driftsresultat", 2025);
    assert_eq!(number(&result.value), 4.0);
    assert_eq!(at(&result.value), format!("{name}[Oversikt]!C12"));
    assert_eq!(number(&find(&r, "Netto driftsresultat", 2024).value), 0.2);
    assert_eq!(
        number(&find(&r, "Innbyggere per 1.1.", 2025).value),
        51_511.0
    );
    assert_eq!(result.unit.as_ref().unwrap().value.as_text(), "%");
    let soft = find(
        &r,
        "Netto drifts\u{ad}utgifter grunnskole i % av tot. netto drift",
        2025,
    );
    assert_eq!(number(&soft.value), 25.8);
    // The note below the table is set aside, not read as a KPI.
    assert!(
        t.footnotes[0]
            .value
            .as_text()
            .starts_with("* DKI = delkostnadsindeks")
    );

    // A KOSTRA sheet: "År \ Region" blocks with years stored as text.
    let t = table(&dir, name, sheet("Økonomi", Some(5)));
    assert_eq!(t.header[0].value.as_text(), "År \\ Region");
    assert_eq!(t.rows[0][0].value, CellValue::Text("2020".into()));
    assert_eq!(
        layout::period_of(&t.rows[0][0]).unwrap(),
        Period::Year(2020)
    );
    assert_eq!(t.rows[5][1].value, CellValue::Number(4.0));
    assert_eq!(at(&t.rows[5][1]), format!("{name}[Økonomi]!B11"));
}

/// End to end: a manifest, a KPI definition list naming two rows of the overview by their
/// labels (one with a soft hyphen), and `check`'s validation of the real workbook.
#[test]
fn lorenskog_overview_read_as_kpi_data_by_a_project() {
    let Some(dir) = realdata() else { return };
    let project = tempfile::tempdir().unwrap();
    let input = project.path().join("input");
    std::fs::create_dir_all(input.join("data")).unwrap();
    std::fs::create_dir_all(project.path().join("templates")).unwrap();
    std::fs::copy(
        dir.join("lorenskog_kostra_2025_nokkeltall.xlsx"),
        input.join("data/lorenskog.xlsx"),
    )
    .unwrap();
    std::fs::write(
        input.join("data/definisjoner.csv"),
        "id;navn;enhet;desimaler;retning;mål\n\
         netto_driftsresultat;Netto driftsresultat;%;1;høyere;1,75\n\
         grunnskole_andel;Netto driftsutgifter grunnskole i % av tot. netto drift;%;1;lavere;ingen\n",
    )
    .unwrap();
    std::fs::write(
        input.join("rapportverk.yaml"),
        "kpi_definitions: data/definisjoner.csv\n\
         data:\n  - id: kostra\n    file: data/lorenskog.xlsx\n    sheet: Oversikt\n\
         \x20   columns: { value: [Lørenskog] }\n\
         \x20   filter: { indikator: [Netto driftsresultat, \"Netto drifts\u{ad}utgifter grunnskole i % av tot. netto drift\"] }\n\
         documents:\n  - id: evaluering-2025\n    template: t.typ.j2\n    narrative: n.yaml\n    data: [kostra]\n",
    )
    .unwrap();
    std::fs::write(
        input.join("n.yaml"),
        std::fs::read_to_string(
            common::repo().join("tests/fixtures/bad/_base/input/narrativ/evaluering.yaml"),
        )
        .unwrap()
        .replace("year: 2018", "year: 2025")
        .replace(
            "kpis: [sykefravaer, netto_driftsresultat, fritidsstipend]",
            "kpis: [netto_driftsresultat, grunnskole_andel]",
        )
        .replace(
            "{{ kpi(\\\"sykefravaer\\\") }}",
            "{{ kpi(\\\"netto_driftsresultat\\\") }}",
        ),
    )
    .unwrap();
    let project = Project::load(&input).unwrap_or_else(|d| panic!("{d:?}"));
    let spec = &project.documents[0];
    let (valid, problems) = check_evaluation(&project, spec);
    let messages: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    let valid = valid.unwrap_or_else(|| panic!("{}", messages.join("\n")));
    assert!(messages.is_empty(), "{messages:?}");
    let value = |id: &str, year: i32| {
        valid.model.kpis().observations[&(id.to_string(), Period::Year(year))].value
    };
    assert_eq!(value("netto_driftsresultat", 2025), Value::Number(4.0));
    assert_eq!(value("netto_driftsresultat", 2024), Value::Number(0.2));
    assert_eq!(value("grunnskole_andel", 2025), Value::Number(25.8));
    assert_eq!(valid.model.kpis().observations.len(), 4);
}
