//! The third round of real exports (`../shared/realdata/`, see its README.md): statistics-bank
//! workbooks with the years down the side and a column per KPI (`layout: transposed`), headers
//! over two rows with a merged parent, footnotes below the data, and the choice of one column
//! among look-alikes. Each file is read as `rapportverk data` reads it, from a manifest
//! written as the guide's "Data files" says, and its figures are asserted against the cells.
//! Besides the two real workbooks, a statistics-bank table re-saved as Excel is made here
//! (title row, blank row, two header rows with merged parents, footnote rows), since the
//! folder holds none with the years in rows.

mod common;

use std::path::Path;

use common::realdata;
use rapportverk::engine::data_listing::{DataListing, data};
use rapportverk::project::Project;

/// Reads `file` (copied from `dir`, or written from `bytes`) with the data source options
/// `options` and the KPI definitions `definitions`, as `rapportverk data` does.
fn listing(file: &str, bytes: &[u8], options: &str, definitions: &str) -> DataListing {
    let project = tempfile::tempdir().unwrap();
    let input = project.path().join("input");
    std::fs::create_dir_all(input.join("data")).unwrap();
    std::fs::write(input.join("data").join(file), bytes).unwrap();
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

fn real(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
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

fn errors(listing: &DataListing) -> Vec<String> {
    problems(listing)
        .into_iter()
        .filter(|p| p.contains(": error: "))
        .collect()
}

/// Lørenskog's KOSTRA sheets: a statistic's title row over an `År \ Region` row, years as
/// text down the side, a column per region. Read transposed with `header_rows: 2`, each
/// column is named by the title and the region, and the rows after the block are notes.
#[test]
fn lorenskog_kostra_blocks_read_transposed_with_the_title_joined() {
    let Some(dir) = realdata() else { return };
    let file = "lorenskog_kostra_2025_nokkeltall.xlsx";
    let ndr = "Netto driftsresultat i % av brutto driftsinntekter (%)";
    let definitions = format!(
        "ndr_lorenskog;{ndr} / Lørenskog;%;1;høyere;ingen\n\
         ndr_landet;{ndr} / Landet;%;1;høyere;ingen\n"
    );
    let read = listing(
        file,
        &real(&dir, file),
        "sheet: Økonomi\nlayout: transposed\nheader_rows: 2\ncolumns: { value: [Lørenskog, Landet] }",
        &definitions,
    );
    assert_eq!(errors(&read), Vec::<String>::new());
    let at = |cell: &str| format!("{file}[Økonomi]!{cell}");
    let found = figures(&read);
    for expected in [
        row("ndr_landet", "2020", "2,7 %", &at("C6")),
        row("ndr_landet", "2021", "4,3 %", &at("C7")),
        row("ndr_landet", "2023", "0,8 %", &at("C9")),
        row("ndr_landet", "2024", "−0,4 %", &at("C10")),
        row("ndr_landet", "2025", "2,2 %", &at("C11")),
        row("ndr_lorenskog", "2024", "0,2 %", &at("B10")),
        row("ndr_lorenskog", "2025", "4,0 %", &at("B11")),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert_eq!(
        found.len(),
        8,
        "Landet 2020–2025 and Lørenskog 2024–2025: {found:?}"
    );
    let skipped = &read.sources[0].skipped;
    // Lørenskog has no figures before 2024: empty cells, each told once.
    assert!(
        skipped
            .iter()
            .any(|s| s.origin.ends_with("[Økonomi]!B6") && s.reason.starts_with("empty cell ("))
    );
    // The next block (a title, its header, its years) is notes below this table.
    assert!(
        skipped.iter().any(|s| s.origin.ends_with("[Økonomi]!A13")
            && s.reason
                == "a note below the table: \"Årets merforbruk i % av brutto driftsinntekter (%)\""),
        "{skipped:?}"
    );

    // Another sheet's second block, named by its own header rows.
    let grunnskole = "Netto driftsutgifter grunnskole i % av tot. netto driftsutgifter (%)";
    let read = listing(
        file,
        &real(&dir, file),
        "sheet: Grunnskole\nlayout: transposed\nheader_row: 13\nheader_rows: 2\ncolumns: { value: [Lørenskog, Oslo] }",
        &format!(
            "gs_lorenskog;{grunnskole} / Lørenskog;%;1;lavere;ingen\n\
             gs_oslo;{grunnskole} / Oslo;%;1;lavere;ingen\n"
        ),
    );
    assert_eq!(errors(&read), Vec::<String>::new());
    let at = |cell: &str| format!("{file}[Grunnskole]!{cell}");
    let found = figures(&read);
    for expected in [
        row("gs_oslo", "2020", "18,6 %", &at("F15")),
        row("gs_oslo", "2022", "19,4 %", &at("F17")),
        row("gs_lorenskog", "2024", "26,5 %", &at("B19")),
        row("gs_lorenskog", "2025", "25,8 %", &at("B20")),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
}

/// SSB's table 13502 as a user re-worked it: a region per row, `1-5 år` and `3-5 år` under a
/// merged `Barnehagedeltakelse` (B17:C17), the year only in the title cell A3, the region
/// column without a header (filtered by its letter).
#[test]
fn kostra_13502_two_kpi_columns_under_a_merged_parent() {
    let Some(dir) = realdata() else { return };
    let file = "ssb_kostra_13502_andel_barn_i_barnehage.xlsx";
    let read = listing(
        file,
        &real(&dir, file),
        "layout: transposed\nperiod: { cell: A3 }\nheader_row: 17\nheader_rows: 2\nfilter: { A: 3822 Nissedal }",
        "bhg_1_5;Barnehagedeltakelse / 1-5 år;%;1;høyere;ingen\n\
         bhg_3_5;Barnehagedeltakelse / 3-5 år;%;1;høyere;ingen\n",
    );
    assert_eq!(errors(&read), Vec::<String>::new());
    let sheet = format!("{file}[KOSandel150000]");
    assert_eq!(
        figures(&read),
        [
            row("bhg_1_5", "2021", "92,5 %", &format!("{sheet}!B25")),
            row("bhg_3_5", "2021", "102,2 %", &format!("{sheet}!C25")),
        ]
    );
    // Every other region is left out with its reason whole.
    let skipped = &read.sources[0].skipped;
    assert!(skipped.iter().any(|s| s.origin.ends_with("!A19")
        && s.reason == "left out by filter: A is \"3812 Siljan\", not \"3822 Nissedal\""));
}

/// A statistics-bank table with the years down the side, saved as Excel: a title, a blank
/// row, a statistic per merged parent cell over its groups (`Veitransport` under both), the
/// years, a blank row and SSB's notes.
fn statbank_workbook() -> Vec<u8> {
    let t = |s: &str| Value::Text(s.to_string());
    let n = Value::Number;
    let rows: Vec<(u32, Vec<(&str, Value)>)> = vec![
        (
            1,
            vec![(
                "A",
                t(
                    "12367: Utvalgte nøkkeltall for samferdsel, etter region, statistikkvariabel og år",
                ),
            )],
        ),
        (
            3,
            vec![
                ("B", t("Netto driftsutgifter (1000 kr)")),
                ("D", t("Brutto driftsutgifter (1000 kr)")),
            ],
        ),
        (
            4,
            vec![
                ("B", t("Veitransport")),
                ("C", t("Barnehage")),
                ("D", t("Veitransport")),
                ("E", t("Barnehage")),
            ],
        ),
        (11, vec![("A", t("Kilde: Statistisk sentralbyrå"))]),
        (
            12,
            vec![
                ("A", t("Netto driftsutgifter (1000 kr)")),
                ("B", t("2022: Tall for veitransport er skjermet.")),
            ],
        ),
        (
            13,
            vec![("A", t("2010")), ("B", t("Funksjon 330 ble delt i 2010."))],
        ),
    ];
    // The years: B to E for each, `..` (withheld) where NaN stands.
    let years = [
        (5, "2020", [41_112.0, 202_113.0, 55_310.0, 240_551.0]),
        (6, "2021", [43_870.0, 211_402.0, 58_004.0, 251_220.0]),
        (7, "2022", [f64::NAN, 219_977.0, 60_515.0, 263_108.0]),
        (8, "2023", [47_205.0, 231_640.0, 63_990.0, 275_004.0]),
        (9, "2024", [49_811.0, 240_002.0, 66_723.0, 288_117.0]),
    ];
    let mut rows = rows;
    for (at, (number, year, values)) in years.into_iter().enumerate() {
        let mut cells = vec![("A", t(year))];
        for (column, v) in ["B", "C", "D", "E"].into_iter().zip(values) {
            cells.push((column, if v.is_nan() { t("..") } else { n(v) }));
        }
        rows.insert(3 + at, (number, cells));
    }
    xlsx::workbook(&rows, &["B3:C3", "D3:E3"])
}

const STATBANK_DEFINITIONS: &str = "vei_netto;Netto driftsutgifter (1000 kr) / Veitransport;kr;0;lavere;ingen\n\
     bhg_netto;Netto driftsutgifter (1000 kr) / Barnehage;kr;0;lavere;ingen\n\
     vei_brutto;Brutto driftsutgifter (1000 kr) / Veitransport;kr;0;lavere;ingen\n";

#[test]
fn statbank_table_with_years_in_rows_two_header_rows_and_footnotes() {
    let file = "12367_samferdsel.xlsx";
    // Detected: the header rows above the first year, the parents carried across.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: transposed\nunknown_kpis: ignore",
        STATBANK_DEFINITIONS,
    );
    assert_eq!(errors(&read), Vec::<String>::new());
    let at = |cell: &str| format!("{file}[Sheet1]!{cell}");
    let found = figures(&read);
    for expected in [
        row("vei_netto", "2020", "41 112 kr", &at("B5")),
        row("vei_netto", "2024", "49 811 kr", &at("B9")),
        row("bhg_netto", "2021", "211 402 kr", &at("C6")),
        row("bhg_netto", "2023", "231 640 kr", &at("C8")),
        row("vei_brutto", "2022", "60 515 kr", &at("D7")),
        row("vei_brutto", "2024", "66 723 kr", &at("D9")),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    // 5 years × 3 defined columns, one of them withheld (`..`): 15 figures, none from notes.
    assert_eq!(found.len(), 15, "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.0 == "vei_netto" && f.1 == "2022" && f.2.starts_with('–'))
    );
    let skipped = &read.sources[0].skipped;
    let notes: Vec<&str> = skipped
        .iter()
        .filter(|s| s.reason.starts_with("a note below the table"))
        .map(|s| s.origin.rsplit('!').next().unwrap())
        .collect();
    assert_eq!(notes, ["A11", "A12", "A13"], "{skipped:?}");
    // The column no definition names is skipped under its joined name, not an error.
    assert!(
        skipped.iter().any(|s| s
            .reason
            .contains("\"Brutto driftsutgifter (1000 kr) / Barnehage\"")),
        "{skipped:?}"
    );

    // The same with header_rows: 2 given, and one column chosen among the look-alikes.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: transposed\nheader_rows: 2\ncolumns: { value: [Netto driftsutgifter (1000 kr) / Veitransport] }",
        STATBANK_DEFINITIONS,
    );
    assert_eq!(errors(&read), Vec::<String>::new());
    let found = figures(&read);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found.iter().all(|f| f.0 == "vei_netto"));
}

#[test]
fn statbank_look_alikes_and_names_that_find_nothing_are_errors() {
    let file = "12367_samferdsel.xlsx";
    // Read without joining the header rows, the groups repeat: which one is not guessed.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: transposed\nheader_row: 4",
        STATBANK_DEFINITIONS,
    );
    assert_eq!(
        errors(&read),
        [format!(
            "{file}[Sheet1]!A4: error: 2 columns are headed \"Veitransport\" (B, D); a KPI is read from one column"
        )]
    );
    // In the long layout too.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: long\nheader_row: 4\nperiod: 2024\ncolumns: { value: [Veitransport] }",
        STATBANK_DEFINITIONS,
    );
    assert_eq!(
        errors(&read),
        [format!(
            "{file}[Sheet1]!A4: error: 2 columns are headed \"Veitransport\" (B, D); which one to read is not clear"
        )]
    );
    // A value: name that finds no header is an error naming the closest ones.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: transposed\ncolumns: { value: [Vegtransport] }",
        STATBANK_DEFINITIONS,
    );
    let found = errors(&read);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("error: columns: value: \"Vegtransport\" finds no column (closest headers: \"Netto driftsutgifter (1000 kr) / Veitransport\""),
        "{found:?}"
    );
    // So is an exclude: name.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: transposed\ncolumns: { exclude: [Brudd] }",
        STATBANK_DEFINITIONS,
    );
    let found = errors(&read);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("columns: exclude: \"Brudd\" finds no column"),
        "{found:?}"
    );
    // exclude: drops the look-alike, so the other is read.
    let read = listing(
        file,
        &statbank_workbook(),
        "layout: transposed\nheader_rows: 2\nunknown_kpis: ignore\ncolumns: { exclude: [Brutto driftsutgifter (1000 kr)] }",
        STATBANK_DEFINITIONS,
    );
    assert_eq!(errors(&read), Vec::<String>::new());
    assert!(figures(&read).iter().all(|f| f.0 != "vei_brutto"));
    assert_eq!(figures(&read).len(), 10);
}

/// A cell of the generated sheet.
enum Value {
    Text(String),
    Number(f64),
}

/// Just enough of the xlsx format to save a sheet as Excel does (inline strings, merged
/// cells), in a zip whose entries are stored, not compressed.
mod xlsx {
    use super::Value;

    pub(super) fn workbook(rows: &[(u32, Vec<(&str, Value)>)], merged: &[&str]) -> Vec<u8> {
        let mut sheet = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
        );
        for (number, cells) in rows {
            sheet.push_str(&format!("<row r=\"{number}\">"));
            for (column, value) in cells {
                let at = format!("{column}{number}");
                match value {
                    Value::Text(text) => sheet.push_str(&format!(
                        "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                        text.replace('&', "&amp;").replace('<', "&lt;")
                    )),
                    Value::Number(n) => sheet.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
                }
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData>");
        if !merged.is_empty() {
            sheet.push_str(&format!("<mergeCells count=\"{}\">", merged.len()));
            for range in merged {
                sheet.push_str(&format!("<mergeCell ref=\"{range}\"/>"));
            }
            sheet.push_str("</mergeCells>");
        }
        sheet.push_str("</worksheet>");
        let files = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_string(),
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_string(),
            ),
            (
                "xl/workbook.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
                 xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
                 <sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".to_string(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".to_string(),
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        stored_zip(&files)
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn stored_zip(files: &[(&str, String)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, text) in files {
            let data = text.as_bytes();
            let (crc, size) = (crc32(data), data.len() as u32);
            let offset = out.len() as u32;
            let header = |signature: u32, central: bool| {
                let mut h = Vec::new();
                h.extend(signature.to_le_bytes());
                if central {
                    h.extend(20u16.to_le_bytes());
                }
                h.extend(20u16.to_le_bytes()); // version needed
                h.extend(0u16.to_le_bytes()); // flags
                h.extend(0u16.to_le_bytes()); // stored
                h.extend(0u32.to_le_bytes()); // time and date
                h.extend(crc.to_le_bytes());
                h.extend(size.to_le_bytes());
                h.extend(size.to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend(0u16.to_le_bytes()); // extra
                if central {
                    h.extend([0u8; 6]); // comment, disk, internal attributes
                    h.extend(0u32.to_le_bytes()); // external attributes
                    h.extend(offset.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(header(0x0403_4b50, false));
            out.extend(data);
            central.extend(header(0x0201_4b50, true));
        }
        let start = out.len() as u32;
        let count = files.len() as u16;
        out.extend(&central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend(count.to_le_bytes());
        out.extend(count.to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }
}

/// Udir's dotted headers: the header minus its period picks the year columns exactly, with its
/// period one year's column only, and a name that finds no header names the closest ones.
#[test]
fn udir_value_names_exact_with_a_period_or_finding_nothing() {
    let Some(dir) = realdata() else { return };
    let file = "udir_fag_antall_elever_2022-25.tsv";
    let bytes = real(&dir, file);
    let definitions = "nor1267;NOR1267;antall;0;høyere;ingen\n";
    let read_with = |value: &str| {
        listing(
            file,
            &bytes,
            &format!(
                "columns: {{ kpi: [Vurderingsfagkode], value: [\"{value}\"] }}\nunknown_kpis: ignore"
            ),
            definitions,
        )
    };
    let read = read_with("Alle eierformer.Alle trinn.Alle kjønn.Antall elever");
    assert_eq!(
        figures(&read),
        [
            row("nor1267", "2022–23", "34 152", &format!("{file}:383:173")),
            row("nor1267", "2023–24", "33 720", &format!("{file}:383:179")),
            row("nor1267", "2024–25", "33 700", &format!("{file}:383:185")),
        ]
    );
    let read = read_with("2023-24.Alle eierformer.Alle trinn.Alle kjønn.Antall elever");
    assert_eq!(
        figures(&read),
        [row(
            "nor1267",
            "2023–24",
            "33 720",
            &format!("{file}:383:179")
        )]
    );
    let read = read_with("Antall elevr");
    assert_eq!(
        errors(&read),
        [format!(
            "{file}:1:1: error: columns: value: \"Antall elevr\" finds no column (closest headers: \
             \"2022-23.Alle eierformer.Alle trinn.Alle kjønn.Antall elever\", \
             \"2023-24.Alle eierformer.Alle trinn.Alle kjønn.Antall elever\", \
             \"2024-25.Alle eierformer.Alle trinn.Alle kjønn.Antall elever\")"
        )]
    );
    assert_eq!(
        read.problems[0].hint.as_deref(),
        Some(
            "write a header as it stands, or without its period (e.g. value: [\"Alle eierformer.Alle trinn.Alle kjønn.Antall elever\"] \
             for \"2022-23.Alle eierformer.Alle trinn.Alle kjønn.Antall elever\"); a name that is the header minus its period \
             wins over headers with more parts"
        )
    );
}
