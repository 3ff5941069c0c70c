//! Tests of reading KPI records from tables of every shape.

use super::header::header_period;
use super::*;
use crate::ingest::{ReadOptions, SourceFile, read_table};
use crate::model::period::Period;
use std::path::PathBuf;

fn table(text: &str) -> Table {
    let source = SourceFile::new(PathBuf::from("t.csv"), text.as_bytes().to_vec());
    read_table(&source, &ReadOptions::default()).unwrap()
}

fn read(text: &str, mapping: &ColumnMapping) -> Records {
    records(&mut table(text), mapping, None, &[])
}

fn summary(records: &Records) -> Vec<(String, i32, String)> {
    records
        .records
        .iter()
        .map(|r| {
            (
                r.kpi.value.as_text(),
                r.period.year(),
                r.value.value.as_text(),
            )
        })
        .collect()
}

fn messages(records: &Records) -> Vec<String> {
    records.problems.iter().map(|d| d.to_string()).collect()
}

#[test]
fn long_layout_below_a_title() {
    let r = read(
        "Nøkkeltall 2018\n\nkpi;år;verdi\nsykefravaer;2018;7,3\n",
        &ColumnMapping::default(),
    );
    assert_eq!(r.layout, Some(Layout::Long));
    assert_eq!(summary(&r), [("sykefravaer".into(), 2018, "7,3".into())]);
    assert_eq!(r.records[0].value.origin.to_string(), "t.csv:4:18");
}

#[test]
fn wide_layout_is_detected_from_year_headers() {
    let r = read(
        "nøkkeltall;2017;2018;enhet\nsykefravaer;7,5;7,3;%\nfritidsstipend;;237;antall\n",
        &ColumnMapping::default(),
    );
    assert_eq!(r.layout, Some(Layout::Wide));
    assert_eq!(
        summary(&r),
        [
            ("sykefravaer".into(), 2017, "7,5".into()),
            ("sykefravaer".into(), 2018, "7,3".into()),
            ("fritidsstipend".into(), 2018, "237".into()),
        ]
    );
    assert_eq!(r.records[2].value.origin.to_string(), "t.csv:3:17");
    assert_eq!(r.records[0].unit.as_ref().unwrap().value.as_text(), "%");
}

#[test]
fn ssb_two_row_header_and_blank_kpi_header() {
    let r = read(
        "\"Konsumprisindeks, etter konsumgruppe\"\n\n\" \";\"1979\";\"1980\"\n\" \";\"Konsumprisindeks (2015=100)\";\"Konsumprisindeks (2015=100)\"\n\"Matvarer\";27.5;29.9\n\n\"F.o.m. 2017 er referanseår 2015=100.\"\n",
        &ColumnMapping::default(),
    );
    assert_eq!(r.layout, Some(Layout::Wide));
    assert_eq!(
        summary(&r),
        [
            ("Matvarer".into(), 1979, "27.5".into()),
            ("Matvarer".into(), 1980, "29.9".into())
        ]
    );
    assert_eq!(
        r.records[0].column_label.as_deref(),
        Some("1979 / Konsumprisindeks (2015=100)")
    );
}

#[test]
fn value_names_choose_among_columns_of_the_same_year() {
    let mapping = ColumnMapping {
        value: vec!["Lørenskog".into()],
        ..ColumnMapping::default()
    };
    let r = read(
        "Indikator;Lørenskog 2024;Lørenskog 2025;Landet 2025;Enhet\nNetto driftsresultat;0,2;4;2,2;%\n",
        &mapping,
    );
    assert_eq!(
        summary(&r),
        [
            ("Netto driftsresultat".into(), 2024, "0,2".into()),
            ("Netto driftsresultat".into(), 2025, "4".into())
        ]
    );
}

#[test]
fn header_periods() {
    let period = |t: &str| header_period(&CellValue::Text(t.into()), None);
    assert_eq!(period("2018"), Some(Period::Year(2018)));
    assert_eq!(period("År: 2014"), Some(Period::Year(2014)));
    assert_eq!(period("Lørenskog 2025"), Some(Period::Year(2025)));
    assert_eq!(period("budsjett_2013"), Some(Period::Year(2013)));
    assert_eq!(period("2017K4"), Some(Period::Quarter { year: 2017, n: 4 }));
    assert_eq!(period("2017M01"), Some(Period::Month { year: 2017, n: 1 }));
    assert_eq!(
        period("2022-23.Alle eierformer.Alle trinn.Alle kjønn.Antall elever"),
        Some(Period::SchoolYear { start: 2022 })
    );
    assert_eq!(
        period("2021.Alle eierformer.Oppfyller pedagognormen (andel)"),
        Some(Period::Year(2021))
    );
    assert_eq!(
        period("Antall jobber (arbeidsforhold) 2024K4 Begge kjønn"),
        Some(Period::Quarter { year: 2024, n: 4 })
    );
    assert_eq!(
        period("Sykefravær T2 2018"),
        Some(Period::Tertial { year: 2018, n: 2 })
    );
    assert_eq!(
        period("2014-2015"),
        Some(Period::SchoolYear { start: 2014 })
    );
    for no in [
        "2014 - 2015",
        "Endring 2017-2018",
        "Avvik 2017-18",
        "2017 2018",
        "(2015=100)",
        "Konsumprisindeks (2015=100)",
        "12018",
        "1850",
        "x2018",
        "Januar",
        "1-5 år",
    ] {
        assert_eq!(period(no), None, "{no}");
    }
    let with_year = |t: &str| header_period(&CellValue::Text(t.into()), Some(2022));
    assert_eq!(
        with_year("Januar"),
        Some(Period::Month { year: 2022, n: 1 })
    );
    assert_eq!(
        with_year("1. tertial"),
        Some(Period::Tertial { year: 2022, n: 1 })
    );
    assert_eq!(with_year("T3"), Some(Period::Tertial { year: 2022, n: 3 }));
    assert_eq!(with_year("K4"), Some(Period::Quarter { year: 2022, n: 4 }));
    assert_eq!(with_year("Mål"), None);
    assert_eq!(with_year("Kommune"), None);
    assert_eq!(with_year("Regnskap 2021"), Some(Period::Year(2021)));
    assert_eq!(
        header_period(&CellValue::Number(2018.0), None),
        Some(Period::Year(2018))
    );
}

#[test]
fn periods_from_cells() {
    let cell = |value| Cell::new(value, Origin::text("t.csv", 2, 5));
    let period = |value| period_of(&cell(value)).map_err(|d| d.to_string());
    assert_eq!(
        period(CellValue::Text(" 2018 ".into())),
        Ok(Period::Year(2018))
    );
    assert_eq!(period(CellValue::Number(2018.0)), Ok(Period::Year(2018)));
    assert_eq!(
        period(CellValue::Text("31.12.2018".into())),
        Ok(Period::Year(2018))
    );
    assert_eq!(
        period(CellValue::Date(
            chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap()
        )),
        Ok(Period::Year(2018))
    );
    assert_eq!(
        period(CellValue::Text("2O18".into())),
        Err("t.csv:2:5: error: \"2O18\" is not a year\n  hint: write the period as a four-digit year, e.g. 2018, or as a tertial (T2 2018), quarter (2018K4), month (2018M12) or school year (2020-21)".into())
    );
    assert_eq!(
        period(CellValue::Text("2014-2015".into())),
        Ok(Period::SchoolYear { start: 2014 })
    );
    assert_eq!(
        period(CellValue::Text("2017K4".into())),
        Ok(Period::Quarter { year: 2017, n: 4 })
    );
    assert_eq!(
        period(CellValue::Text("T2 2018".into())),
        Ok(Period::Tertial { year: 2018, n: 2 })
    );
    assert!(
        period(CellValue::Number(43465.0))
            .unwrap_err()
            .contains("date serial")
    );
}

#[test]
fn filters_keep_matching_rows_and_codes_match_numbers() {
    let mut t = table(
        "region;tid;statistikkvariabel;verdi\n01 Østfold;1951;Folkemengde;185492\n02 Akershus;1951;Folkemengde;210000\n",
    );
    let mapping = ColumnMapping {
        kpi: vec!["statistikkvariabel".into()],
        year: vec!["tid".into()],
        ..ColumnMapping::default()
    };
    let filters = [Filter {
        column: "region".into(),
        values: vec!["01 østfold".into()],
    }];
    let r = records(&mut t, &mapping, None, &filters);
    assert_eq!(summary(&r), [("Folkemengde".into(), 1951, "185492".into())]);
    let cell = Cell::new(CellValue::Number(301.0), Origin::file("x"));
    let f = Filter {
        column: "kommune".into(),
        values: vec!["0301".into()],
    };
    assert!(filter_matches(&cell, &f));
    let r = records(
        &mut table("kpi;år;verdi\nx;2018;1\n"),
        &ColumnMapping::default(),
        None,
        &[Filter {
            column: "regoin".into(),
            values: vec![],
        }],
    );
    assert_eq!(
        messages(&r),
        [
            "t.csv:1:1: error: no column \"regoin\" to filter on (found: kpi, år, verdi)\n  hint: filter: names a column of the header and the values to keep"
        ]
    );
}

#[test]
fn ragged_and_short_rows() {
    let r = read(
        "kpi;år;verdi\nsykefravaer;2018;7;3\nx;2018\n",
        &ColumnMapping::default(),
    );
    assert_eq!(
        messages(&r),
        [
            "t.csv:2:20: error: the row has 4 fields, the header only 3: \"3\" is in no column\n  hint: a value holding the delimiter \";\" must be quoted, e.g. \"7;3\"",
            "t.csv:3:3: error: the row ends after 2 fields, before the \"verdi\" column (the header has 3)\n  hint: fill in the missing fields, or delete the row",
        ]
    );
}

#[test]
fn a_wrong_delimiter_is_named() {
    // Excel's `sep=` line wins over detection; when it is wrong, the header says so.
    let mut t = table("sep=,\nkpi;år;verdi\nx;2018;1\n");
    let r = records(&mut t, &ColumnMapping::default(), None, &[]);
    assert_eq!(
        messages(&r)[0],
        "t.csv:2:1: error: no column \"kpi\" in the header (found: kpi;år;verdi)\n  hint: the header is one column holding \";\": the file is \";\"-separated, not \",\"-separated; correct delimiter: in the manifest or remove it to detect the delimiter"
    );
}

fn with_options(text: &str, mapping: &ColumnMapping, options: &TableOptions) -> Records {
    read_records(&mut table(text), mapping, options)
}

fn given(period: Period) -> TableOptions {
    TableOptions {
        period: Some((period, Origin::text("m.yaml", 6, 13))),
        ..TableOptions::default()
    }
}

#[test]
fn a_period_given_outside_leaves_the_long_table_without_a_year_column() {
    let r = with_options(
        "kpi;verdi\nsykefravaer;7,3\n",
        &ColumnMapping::default(),
        &given(Period::Year(2018)),
    );
    assert_eq!(r.layout, Some(Layout::Long));
    assert_eq!(summary(&r), [("sykefravaer".into(), 2018, "7,3".into())]);
    assert_eq!(r.records[0].period_origin.to_string(), "m.yaml:6:13");
}

#[test]
fn month_names_head_columns_when_the_year_is_given() {
    let text = "Kommune;Januar;Februar\n0301 Oslo;13613;11205\nRogaland;;\n;Januar;Februar\n1101 Eigersund;172;164\n";
    let r = with_options(text, &ColumnMapping::default(), &given(Period::Year(2022)));
    assert_eq!(r.layout, Some(Layout::Wide));
    let periods: Vec<(String, Period)> = r
        .records
        .iter()
        .map(|r| (r.kpi.value.as_text(), r.period))
        .collect();
    assert_eq!(
        periods,
        [
            ("0301 Oslo".into(), Period::Month { year: 2022, n: 1 }),
            ("0301 Oslo".into(), Period::Month { year: 2022, n: 2 }),
            ("1101 Eigersund".into(), Period::Month { year: 2022, n: 1 }),
            ("1101 Eigersund".into(), Period::Month { year: 2022, n: 2 }),
        ]
    );
    assert!(messages(&r).is_empty(), "{:?}", messages(&r));
    let skipped: Vec<(String, &str)> = r
        .skipped
        .iter()
        .map(|s| (s.origin.to_string(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("t.csv:3:1".to_string(), "no figures in the period columns"),
            ("t.csv:4:1".to_string(), "repeats the header")
        ]
    );
    // Without the year, month names are no periods: the table has no period columns.
    let r = read(text, &ColumnMapping::default());
    assert!(r.records.is_empty());
}

#[test]
fn school_years_stay_school_years_or_become_years_by_the_rule() {
    let text = "kpi;2020-21;2021-22\nelever;100;110\n";
    let r = read(text, &ColumnMapping::default());
    assert_eq!(r.records[0].period, Period::SchoolYear { start: 2020 });
    for (rule, year) in [(SchoolYearRule::Start, 2020), (SchoolYearRule::End, 2021)] {
        let options = TableOptions {
            school_year: Some(rule),
            ..TableOptions::default()
        };
        let r = with_options(text, &ColumnMapping::default(), &options);
        assert_eq!(r.records[0].period, Period::Year(year));
    }
}

#[test]
fn title_rows_inside_a_long_table_and_rows_without_a_kpi() {
    let text = "kpi;år;verdi\nsykefravaer;2018;7,3\n;Økonomi;\n;2018;558\n";
    let r = read(text, &ColumnMapping::default());
    assert_eq!(
        messages(&r),
        ["t.csv:4:1: error: the KPI id is empty\n  hint: fill in the KPI column or delete the row"]
    );
    assert_eq!(r.skipped[0].reason, "a title row: no KPI and no figure");
    let options = TableOptions {
        ignore_rows_without_kpi: true,
        ..TableOptions::default()
    };
    let r = with_options(text, &ColumnMapping::default(), &options);
    assert!(messages(&r).is_empty());
    assert_eq!(
        r.skipped[1].reason,
        "the KPI cell is empty (unknown_kpis: ignore)"
    );
}

#[test]
fn dotted_udir_headers_are_chosen_by_their_parts() {
    let text =
        "kode\t2021.Offentlig.Jenter\t2021.Offentlig.Gutter\t2021.Privat.Jenter\nA1\t1\t2\t3\n";
    let mapping = ColumnMapping {
        value: vec!["Offentlig.Jenter".into()],
        ..ColumnMapping::default()
    };
    let r = read(text, &mapping);
    assert_eq!(summary(&r), [("A1".into(), 2021, "1".into())]);
    // The same columns chosen by filters on the headers' parts, as no column is so named.
    let filters = [
        Filter {
            column: "eierform".into(),
            values: vec!["Offentlig".into()],
        },
        Filter {
            column: "kjønn".into(),
            values: vec!["Jenter".into()],
        },
    ];
    let r = records(&mut table(text), &ColumnMapping::default(), None, &filters);
    assert_eq!(summary(&r), [("A1".into(), 2021, "1".into())]);
    assert!(messages(&r).is_empty());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any bytes, read as a text file and then as KPI data in either layout, give
        /// a table or a diagnostic, never a panic.
        #[test]
        fn never_panics_on_any_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
            header_row in proptest::option::of(1usize..6),
        ) {
            let source = SourceFile::new("t.csv", bytes);
            let options = ReadOptions { header_row, ..ReadOptions::default() };
            if let Ok(mut t) = read_table(&source, &options) {
                for layout in [None, Some(Layout::Long), Some(Layout::Wide)] {
                    let mut copy = t.clone();
                    let _ = records(&mut copy, &ColumnMapping::default(), layout, &[]);
                }
                let _ = records(&mut t, &ColumnMapping::default(), None, &[]);
            }
        }

        /// Table-like text with the characters that matter (delimiters, quotes, years,
        /// symbols, line ends) in any order.
        #[test]
        fn never_panics_on_table_like_text(
            text in "([;,\t\"\r\n .]|kpi|år|verdi|2018|2017K4|T2 2018|2020-21|Januar|\\*|7,3|\\.\\.|:|-|æ|Ã¸|sep=;|sep=\t|\u{feff}){0,60}",
        ) {
            let source = SourceFile::new(PathBuf::from("t.csv"), text.into_bytes());
            if let Ok(mut t) = read_table(&source, &ReadOptions::default()) {
                // With a period given outside too, and a school-year rule.
                let mut options = given(Period::Year(2022));
                options.school_year = Some(SchoolYearRule::End);
                let _ = read_records(&mut t.clone(), &ColumnMapping::default(), &options);
                let _ = records(&mut t, &ColumnMapping::default(), None, &[]);
            }
        }
    }
}

#[test]
fn a_hint_proposes_only_a_row_of_names_for_the_header() {
    // A statistics-bank table: a title, then a header whose parent row names one statistic,
    // then the years. The first row of two cells is a data row and never the proposal.
    let r = read(
        "12367: Samferdsel etter år\n;Netto driftsutgifter\n2020;41112\n2021;43870\n",
        &ColumnMapping::default(),
    );
    let hints: Vec<String> = r.problems.iter().filter_map(|d| d.hint.clone()).collect();
    assert!(
        hints.iter().all(|h| !h.contains("header_row: 3")),
        "a data row proposed: {hints:?}"
    );
    let r = read(
        "12367: Samferdsel etter år\nstatistikk;Veitransport;Barnehage\n2020;41112;202113\n",
        &ColumnMapping::default(),
    );
    let hints: Vec<String> = r.problems.iter().filter_map(|d| d.hint.clone()).collect();
    assert!(
        hints.iter().any(|h| h.contains(
            "if line 2 (statistikk, Veitransport, Barnehage) names the columns, give header_row: 2"
        )),
        "{hints:?}"
    );
}

#[test]
fn a_statistics_bank_table_under_a_title_gets_the_hint_to_read_it_transposed() {
    let text = "12367: Samferdsel etter statistikkvariabel og år\n\n\
                ;Netto driftsutgifter (1000 kr);;Brutto driftsutgifter (1000 kr);\n\
                ;Veitransport;Barnehage;Veitransport;Barnehage\n\
                2020;41112;202113;55310;240551\n2021;43870;211402;58004;251220\n\n\
                Kilde: Statistisk sentralbyrå\n";
    let r = read(text, &ColumnMapping::default());
    assert_eq!(r.problems.len(), 1, "{:?}", messages(&r));
    assert_eq!(
        r.problems[0].hint.as_deref(),
        Some(
            "the first line is a title; if line 3 (Netto driftsutgifter (1000 kr), Brutto \
             driftsutgifter (1000 kr)) names the columns, give header_row: 3 and header_rows: 2; \
             the periods run down the first column, so add layout: transposed (a column per KPI)"
        )
    );
    // Read so, the parents carried over their groups.
    let mut t = table(text);
    let options = TableOptions {
        layout: Some(Layout::Transposed),
        header_rows: Some(2),
        ..TableOptions::default()
    };
    let r = read_records(&mut t, &ColumnMapping::default(), &options);
    assert_eq!(
        summary(&r)[..3],
        [
            (
                "Netto driftsutgifter (1000 kr) / Veitransport".into(),
                2020,
                "41112".into()
            ),
            (
                "Netto driftsutgifter (1000 kr) / Barnehage".into(),
                2020,
                "202113".into()
            ),
            (
                "Brutto driftsutgifter (1000 kr) / Veitransport".into(),
                2020,
                "55310".into()
            ),
        ]
    );
    assert_eq!(r.records.len(), 8);
}
