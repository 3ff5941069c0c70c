//! The second round of real exports (`../shared/realdata/`, see its README.md): files whose
//! period is outside the table (in the file name, a title cell, the manifest) or below a year
//! (quarters, months, school years), with Udir's and SSB's headers, suppressed cells and rows
//! nobody defined. Each is read as `rapportverk data` reads it, from a manifest written as
//! the guide's "Data files" (docs/src/data-files.md) says, and its known values are asserted as the documents print them.

mod common;

use std::path::Path;

use common::realdata;
use rapportverk::engine::data_listing::{DataListing, data};
use rapportverk::project::Project;

/// Reads `file` with the data source options `options` (YAML lines of the source entry) and
/// the KPI definition list `definitions`, as a project would.
fn listing(dir: &Path, file: &str, options: &str, definitions: &str) -> DataListing {
    let project = tempfile::tempdir().unwrap();
    let input = project.path().join("input");
    std::fs::create_dir_all(input.join("data")).unwrap();
    std::fs::copy(dir.join(file), input.join("data").join(file)).unwrap();
    std::fs::write(
        input.join("data/definisjoner.csv"),
        format!("id;navn;enhet;desimaler;retning;mål\n{definitions}"),
    )
    .unwrap();
    let options: String = options.lines().map(|l| format!("    {l}\n")).collect();
    std::fs::write(
        input.join("rapportverk.yaml"),
        format!(
            "kpi_definitions: data/definisjoner.csv\n\
             data:\n  - id: kilde\n    file: data/{file}\n{options}\
             documents:\n  - id: evaluering\n    template: t.typ.j2\n    narrative: n.yaml\n    data: [kilde]\n"
        ),
    )
    .unwrap();
    let project = Project::load(&input).unwrap_or_else(|d| panic!("{d:?}"));
    data(&project, None).unwrap_or_else(|d| panic!("{d}"))
}

/// Every figure read: (KPI, period, value as printed, origin without the folder).
fn figures(listing: &DataListing) -> Vec<(String, String, String, String)> {
    listing.sources[0]
        .observations
        .iter()
        .map(|o| {
            (
                o.kpi.clone(),
                o.period.clone(),
                o.value.replace('\u{a0}', " "),
                o.origin.rsplit('/').next().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(kpi: &str, period: &str, value: &str, origin: &str) -> (String, String, String, String) {
    (kpi.into(), period.into(), value.into(), origin.into())
}

/// The problems as `check` prints them, without the folder.
fn problems(listing: &DataListing) -> Vec<String> {
    listing
        .problems
        .iter()
        .map(|p| {
            let origin = p.origin.as_deref().unwrap_or("");
            let origin = origin.rsplit('/').next().unwrap();
            format!("{origin}: {}: {}", p.severity, p.message)
        })
        .collect()
}

#[test]
fn oed_accounts_take_their_year_from_the_file_name() {
    let Some(dir) = realdata() else { return };
    let file = "oed_eiti_2011_totalt.csv";
    let read = listing(
        &dir,
        file,
        "period: file_name\ncolumns: { kpi: [navn], value: [avvik-myndighet] }\nunknown_kpis: ignore",
        "shell;A/S Norske Shell;kr;0;høyere;ingen\n",
    );
    assert_eq!(
        figures(&read),
        [row("shell", "2011", "−14 927 kr", &format!("{file}:3:40"))]
    );
    assert_eq!(
        problems(&read),
        [format!(
            "{file}:2:1: warning: 64 figures were ignored: their KPI is not in the definition list (\"4Sea Energy AS\", \"Agora Oil & Gas AS\", \"Altinex Oil Norway AS\" and 61 other names)"
        )]
    );
    let read = listing(
        &dir,
        file,
        "period: file_name\ncolumns: { kpi: [navn], value: [sum-rettighetshaver] }\nunknown_kpis: ignore",
        "petoro;Petoro AS;kr;0;høyere;ingen\n",
    );
    assert_eq!(
        figures(&read),
        [row(
            "petoro",
            "2011",
            "128 083 414 kr",
            &format!("{file}:45:11")
        )]
    );
}

#[test]
fn udir_school_years_in_dotted_headers() {
    let Some(dir) = realdata() else { return };
    let file = "udir_fag_antall_elever_2022-25.tsv";
    let definitions =
        "nor1267;NOR1267;antall;0;høyere;ingen\nfkat100;FKAT100;antall;0;høyere;ingen\n";
    let options =
        "columns: { kpi: [Vurderingsfagkode], value: [Antall elever] }\nunknown_kpis: ignore";
    let read = listing(&dir, file, options, definitions);
    let found = figures(&read);
    assert_eq!(found.len(), 6, "{found:?}");
    assert!(found.contains(&row(
        "nor1267",
        "2022–23",
        "34 152",
        &format!("{file}:383:173")
    )));
    assert!(found.contains(&row("fkat100", "2024–25", "9 932", &format!("{file}:2:99"))));
    // The listing reads school years as they are; only a document printing years warns.
    assert!(
        problems(&read).iter().all(|p| !p.contains("not years")),
        "{:?}",
        problems(&read)
    );
    // The manifest's rule reads school years as the year they start in.
    let read = listing(
        &dir,
        file,
        &format!("{options}\nschool_year: start"),
        definitions,
    );
    assert!(figures(&read).contains(&row(
        "nor1267",
        "2022",
        "34 152",
        &format!("{file}:383:173")
    )));
}

#[test]
fn nav_months_with_the_year_from_a_metadata_cell_and_suppressed_counts() {
    let Some(dir) = realdata() else { return };
    let file = "nav_hl060_helt_ledige_202210.xlsx";
    let read = listing(
        &dir,
        file,
        "sheet: 3. Kommune Antall\nperiod: { cell: \"'0. Om tabellene'!B6\" }\nunknown_kpis: ignore",
        "oslo;0301 Oslo;antall;0;lavere;ingen\nkvitsoy;1144 Kvitsøy;antall;0;lavere;ingen\n",
    );
    let found = figures(&read);
    assert_eq!(found.len(), 20);
    let sheet = format!("{file}[3. Kommune Antall]");
    assert_eq!(
        found[0],
        row("oslo", "januar 2022", "13 613", &format!("{sheet}!C10"))
    );
    assert_eq!(
        found[9],
        row("oslo", "oktober 2022", "7 683", &format!("{sheet}!L10"))
    );
    assert_eq!(
        found[10],
        row("kvitsoy", "januar 2022", "4", &format!("{sheet}!C31"))
    );
    assert_eq!(
        found[12],
        row(
            "kvitsoy",
            "mars 2022",
            "– (skjermet)",
            &format!("{sheet}!E31")
        )
    );
    assert_eq!(read.sources[0].observations[12].period_code, "2022M03");
    assert_eq!(read.sources[0].observations[12].number, None);
    assert!(
        !read.problems.iter().any(|p| p.severity == "error"),
        "{:?}",
        problems(&read)
    );
    // The per-county blocks repeat the header: read on purpose as no figures.
    assert!(
        read.sources[0]
            .skipped
            .iter()
            .any(|s| s.origin.ends_with("!B12") && s.reason == "repeats the header")
    );
}

#[test]
fn ssb_quarter_inside_the_value_header() {
    let Some(dir) = realdata() else { return };
    let file = "ssb_11656_arbeidsforhold_naering_2024K4.csv";
    let read = listing(
        &dir,
        file,
        // `næring` finds `næring (SN2007)`: a part in brackets may be left out.
        "columns: { kpi: [næring] }\nunknown_kpis: ignore",
        "jordbruk;01 Jordbruk og tilhørende tjenester, jakt;antall;0;høyere;ingen\n\
         undervisning;85 Undervisning;antall;0;høyere;ingen\n",
    );
    assert_eq!(
        figures(&read),
        [
            row("jordbruk", "K4 2024", "23 315", &format!("{file}:4:58")),
            row(
                "undervisning",
                "K4 2024",
                "265 022",
                &format!("{file}:78:32")
            ),
        ]
    );
}

#[test]
fn kostra_workbook_with_the_year_in_a_title_cell() {
    let Some(dir) = realdata() else { return };
    let file = "ssb_kostra_13502_andel_barn_i_barnehage.xlsx";
    let definitions =
        "sandefjord;3804 Sandefjord;%;1;høyere;ingen\nnissedal;3822 Nissedal;%;1;høyere;ingen\n";
    let sheet = format!("{file}[KOSandel150000]");
    let read = listing(
        &dir,
        file,
        "period: { cell: A3 }\nheader_row: 4\ncolumns: { value: [1-5 år] }\nunknown_kpis: ignore",
        definitions,
    );
    assert_eq!(
        figures(&read),
        [
            row("sandefjord", "2021", "91,3 %", &format!("{sheet}!B5")),
            row("nissedal", "2021", "92,5 %", &format!("{sheet}!B25")),
        ]
    );
    let read = listing(
        &dir,
        file,
        "period: { cell: A3 }\nheader_row: 4\ncolumns: { value: [3-5 år] }\nunknown_kpis: ignore",
        definitions,
    );
    assert_eq!(
        figures(&read)[1],
        row("nissedal", "2021", "102,2 %", &format!("{sheet}!C25"))
    );
    // A share over 100 is real here (children counted where they live and where they go),
    // and a warning, never a refusal.
    assert!(problems(&read).contains(&format!(
        "{sheet}!C25: warning: nissedal 2021 is 102,2 %, outside 0–100"
    )));
    assert!(!read.problems.iter().any(|p| p.severity == "error"));
}

#[test]
fn fad_pay_table_with_a_constant_year_and_nbsp_thousands() {
    let Some(dir) = realdata() else { return };
    let file = "fad_lonn_t-b-tabell.csv";
    let read = listing(
        &dir,
        file,
        "period: 2024\ncolumns: { kpi: [trinn], value: [brutto-aar] }\nunknown_kpis: ignore",
        "trinn2;2;kr;0;høyere;ingen\n",
    );
    assert_eq!(
        figures(&read),
        [row("trinn2", "2024", "1 600 kr", &format!("{file}:3:5"))]
    );
    let read = listing(
        &dir,
        file,
        "period: 2024\ncolumns: { kpi: [trinn], value: [netto-dag-260] }\nunknown_kpis: ignore",
        "trinn110;110;kr;2;høyere;ingen\n",
    );
    assert_eq!(
        figures(&read),
        [row(
            "trinn110",
            "2024",
            "331,60 kr",
            &format!("{file}:111:51")
        )]
    );
}
