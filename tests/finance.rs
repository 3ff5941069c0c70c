//! Finance documents: amounts in a declared unit scaled exactly and printed alike in every
//! place, plan years, acknowledged warnings, the `table` block's groups, subtotals and total,
//! the sample's economic plan, and Bergen's real budget export read as it is.

mod common;

use common::{
    copy_dir, has, pdf_text, realdata, rendered, repo, run, sample_project, stderr, stdout,
};

/// A project of one plan document over a kroner export printed in mill. kr: the export's
/// `drift.csv` (long: kpi;år;verdi), `budsjett.csv` (rows of amounts) and `narrative`.
fn plan_project(drift: &str, budsjett: &str, narrative: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    let input = dir.path().join("input");
    std::fs::create_dir_all(input.join("data")).unwrap();
    std::fs::write(
        input.join("rapportverk.yaml"),
        "language: nb\ntemplates: ../templates\nkpi_definitions: data/kpi.csv\n\
         data:\n  - id: drift\n    file: data/drift.csv\n    unit: kr\n\
         \x20 - id: budsjett\n    file: data/budsjett.csv\n    unit: kr\n\
         documents:\n  - id: plan\n    template: rapport.typ.j2\n    narrative: plan.yaml\n\
         \x20   data: [drift]\n    tables: [budsjett]\n",
    )
    .unwrap();
    std::fs::write(
        input.join("data/kpi.csv"),
        "id;navn;enhet;desimaler;retning;mål;kilde\n\
         driftsresultat;Netto driftsresultat;mill. kr;1;høyere;ingen;test\n",
    )
    .unwrap();
    std::fs::write(input.join("data/drift.csv"), drift).unwrap();
    std::fs::write(input.join("data/budsjett.csv"), budsjett).unwrap();
    std::fs::write(input.join("plan.yaml"), narrative).unwrap();
    dir
}

const DRIFT: &str = "kpi;år;verdi\ndriftsresultat;2021;-1 234 567\ndriftsresultat;2022;1 150 000\ndriftsresultat;2023;16 549 999\n";

/// Three lines of 1 049 000 kr: each prints 1,0 mill. kr, their sum 3,147 prints 3,1.
const BUDSJETT: &str = "område;linje;2021\nDrift;A;1 049 000\nDrift;B;1 049 000\nDrift;C;1 049 000\nInvestering;D;2 000 000\n";

const NARRATIVE: &str = "document:\n  title: Plan\n  year: 2021\n  plan_years: 2021-2023\nsections:\n  - title: Tall\n    blocks:\n      - kpi_table: { kpis: [driftsresultat], columns: [unit] }\n      - chart: { kpi: driftsresultat }\n      - table:\n          table: budsjett\n          rows: linje\n          group: område\n          columns: [2021]\n          unit: mill. kr\n          decimals: 1\n          total: Sum\n          caption: Budsjett\n          note: \"Kilde: test\"\n";

#[test]
fn a_kroner_export_prints_the_same_mill_kr_in_table_chart_appendix_and_data() {
    let dir = plan_project(DRIFT, BUDSJETT, NARRATIVE);
    // 1 150 000 kr is 1,15 mill. kr: 1,2 (half away from zero on the decimal, where the
    // binary 1.15 rounds to 1,1); −1 234 567 kr is −1,2; 16 549 999 kr is 16,5.
    let expected = ["−1,2", "1,2", "16,5"];
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/plan.pdf"));
    let table_at = text.find("Netto driftsresultat").expect("the table prints");
    let table = &text[table_at..];
    assert!(
        has(table, "Netto driftsresultat mill. kr −1,2 1,2 16,5"),
        "{table}"
    );
    let out = rendered(dir.path(), "plan");
    assert!(
        out.source.replace('\u{a0}', " ").contains(
            "alt: \"Netto driftsresultat 2021–2023: −1,2 mill. kr, 1,2 mill. kr, 16,5 mill. kr"
        ),
        "{}",
        out.source
    );
    let appendix: Vec<(String, String)> = out
        .provenance
        .rows
        .iter()
        .filter(|r| r.id == "driftsresultat")
        .map(|r| (r.period.clone(), r.value.replace('\u{a0}', " ")))
        .collect();
    assert_eq!(
        appendix,
        [
            ("2021".into(), "−1,2 mill. kr".into()),
            ("2022".into(), "1,2 mill. kr".into()),
            ("2023".into(), "16,5 mill. kr".into())
        ]
    );
    let listing = run(dir.path(), &["data", "--json"]);
    assert!(listing.status.success(), "{}", stderr(&listing));
    let json: serde_json::Value = serde_json::from_str(&stdout(&listing)).unwrap();
    let listed: Vec<String> = json["sources"][0]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap().replace('\u{a0}', " "))
        .collect();
    let with_unit: Vec<String> = expected.iter().map(|v| format!("{v} mill. kr")).collect();
    assert_eq!(listed, with_unit);
}

#[test]
fn a_sum_is_right_to_the_last_printed_digit_when_its_parts_round_differently() {
    let dir = plan_project(DRIFT, BUDSJETT, NARRATIVE);
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/plan.pdf"));
    // Each line prints 1,0; their sum 3,147 prints 3,1, not 3,0; the total 5,147 prints 5,1.
    assert!(
        has(&text, "Drift A 1,0 B 1,0 C 1,0 Sum Drift 3,1"),
        "{text}"
    );
    assert!(
        has(&text, "Investering D 2,0 Sum Investering 2,0 Sum 5,1"),
        "{text}"
    );
    assert!(has(&text, "Kilde: test"), "{text}");
    // The sum's provenance names the cells it adds up.
    let out = rendered(dir.path(), "plan");
    let sum = out
        .provenance
        .rows
        .iter()
        .find(|r| r.name.starts_with("Sum Drift"))
        .unwrap_or_else(|| {
            panic!(
                "the subtotal is not in the appendix: {:?}",
                out.provenance.rows
            )
        });
    assert_eq!(sum.name, "Sum Drift (sum av 3 celler: linje 2–4)");
    assert_eq!(sum.value.replace('\u{a0}', " "), "3,1 mill. kr");
    assert!(
        sum.origin.ends_with("input/data/budsjett.csv:2:9"),
        "{}",
        sum.origin
    );
    let lines: Vec<&str> = out
        .provenance
        .rows
        .iter()
        .filter(|r| r.id.starts_with("budsjett"))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        lines,
        [
            "A",
            "B",
            "C",
            "D",
            "Sum (sum av 4 celler: linje 2–5)",
            "Sum Drift (sum av 3 celler: linje 2–4)",
            "Sum Investering"
        ]
    );
}

#[test]
fn a_table_block_captions_are_numbered_as_the_document_counts_figures() {
    for (numbering, expected) in [
        ("", "Tabell 1: Budsjett"),
        (
            "  numbering: { start: 4, captions: chapter }\n",
            "Tabell 4.1: Budsjett",
        ),
        ("  numbering: { captions: none }\n", "Budsjett"),
    ] {
        let narrative = NARRATIVE.replace("sections:\n", &format!("{numbering}sections:\n"));
        let dir = plan_project(DRIFT, BUDSJETT, &narrative);
        let output = run(dir.path(), &["build"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = pdf_text(&dir.path().join("output/plan.pdf"));
        assert!(has(&text, expected), "{expected:?} not in: {text}");
        if numbering.contains("none") {
            assert!(!text.contains("Tabell 1"), "{text}");
            assert!(!text.contains("Figur 1"), "{text}");
        }
    }
}

/// A budget in the long form: one row per sector and year.
const LONG_BUDGET: &str = "sektor;år;beløp\nOppvekst;2021;1 049 000\nOppvekst;2022;1 150 000\nHelse;2021;2 000 000\nHelse;2020;9 000 000\nHelse;2022;2 549 999\nOppvekst;2021;1 049 000\n";

const LONG_TABLE: &str = "document:\n  title: Plan\n  year: 2021\n  plan_years: 2021-2023\nsections:\n  - title: Tall\n    blocks:\n      - table:\n          table: budsjett\n          rows: sektor\n          columns_from: år\n          amount: beløp\n          columns: [2021, 2022]\n          headers: { \"2022\": Plan 2022 }\n          unit: mill. kr\n          decimals: 1\n          total: Sum\n";

#[test]
fn a_long_file_prints_its_years_as_columns() {
    let dir = plan_project(DRIFT, LONG_BUDGET, LONG_TABLE);
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/plan.pdf"));
    // Oppvekst 2021 is two rows summed (2,098 → 2,1); 2020 is not a column, so Helse's
    // 9 mill. is in no sum; 2 549 999 kr prints 2,5 and the 2022 total 3,699999 prints 3,7.
    assert!(has(&text, "2021 Plan 2022"), "{text}");
    assert!(
        has(&text, "Oppvekst 2,1 1,2 Helse 2,0 2,5 Sum 4,1 3,7"),
        "{text}"
    );
    let half = LONG_TABLE.replace("          amount: beløp\n", "");
    let dir = plan_project(DRIFT, LONG_BUDGET, &half);
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("columns_from: and amount: go together"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("plan.yaml:11:25"),
        "{}",
        stderr(&output)
    );
}

/// A per-unit document over a budget with the unit column: each sector's PDF prints a table
/// block of its own lines and sum, the warning names a unit without rows.
#[test]
fn in_a_document_per_unit_a_table_block_prints_the_units_own_rows() {
    let budget = "sektor;linje;2021\nOppvekst;Skole;1 000 000\nHelse;Sykehjem;2 000 000\nOppvekst;Barnehage;500 000\nHelse;Hjemmetjeneste;700 000\n";
    let narrative = "document:\n  title: Budsjett\n  year: 2021\n  plan_years: 2021-2023\nsections:\n  - title: Tall\n    blocks:\n      - table: { table: budsjett, rows: linje, columns: [2021], unit: mill. kr, decimals: 1, total: Sum }\n";
    let dir = plan_project(DRIFT, budget, narrative);
    let manifest = dir.path().join("input/rapportverk.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}    per_unit: {{ source: budsjett, column: sektor }}\n"),
    )
    .unwrap();
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let oppvekst = pdf_text(&dir.path().join("output/plan/oppvekst.pdf"));
    // The general template names the unit in a per-unit PDF's title.
    assert!(has(&oppvekst, "Budsjett: Oppvekst"), "{oppvekst}");
    assert!(
        has(&oppvekst, "Skole 1,0 Barnehage 0,5 Sum 1,5"),
        "{oppvekst}"
    );
    assert!(!oppvekst.contains("Sykehjem"), "{oppvekst}");
    let helse = pdf_text(&dir.path().join("output/plan/helse.pdf"));
    assert!(
        has(&helse, "Sykehjem 2,0 Hjemmetjeneste 0,7 Sum 2,7"),
        "{helse}"
    );
    // A `where:` on the unit column chooses the rows itself: every unit prints Helse's.
    let chosen = narrative.replace("total: Sum }", "total: Sum, where: { sektor: Helse } }");
    std::fs::write(dir.path().join("input/plan.yaml"), chosen).unwrap();
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let oppvekst = pdf_text(&dir.path().join("output/plan/oppvekst.pdf"));
    assert!(
        has(&oppvekst, "Sykehjem 2,0 Hjemmetjeneste 0,7 Sum 2,7"),
        "{oppvekst}"
    );
}

/// A unit without rows in the table: a warning with that unit's PDF alone, which a final
/// build then does not write; the other units' PDFs are written.
#[test]
fn a_unit_without_rows_in_a_table_block_warns_with_its_own_pdf() {
    let budget = "sektor;linje;2021\nOppvekst;Skole;1 000 000\nHelse;Sykehjem;2 000 000\n";
    let narrative = "document:\n  title: Budsjett\n  year: 2021\n  plan_years: 2021-2023\nsections:\n  - title: Tall\n    blocks:\n      - table: { table: budsjett, rows: linje, columns: [2021], total: Sum }\n";
    let dir = plan_project(DRIFT, budget, narrative);
    let input = dir.path().join("input");
    std::fs::write(
        input.join("data/enheter.csv"),
        "sektor;leder\nOppvekst;A\nHelse;B\nKultur;C\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(input.join("rapportverk.yaml")).unwrap();
    let manifest = manifest.replace(
        "documents:",
        "\x20 - id: enheter\n    file: data/enheter.csv\ndocuments:",
    );
    std::fs::write(
        input.join("rapportverk.yaml"),
        format!("{manifest}    per_unit: {{ source: enheter, column: sektor }}\n"),
    )
    .unwrap();
    let output = run(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(
            "warning: the table \"budsjett\" has no rows for Kultur; its PDF prints the table empty"
        ),
        "{err}"
    );
    assert_eq!(err.matches("has no rows for").count(), 1, "{err}");
    assert!(dir.path().join("output/plan/oppvekst.pdf").exists());
    assert!(dir.path().join("output/plan/helse.pdf").exists());
    assert!(!dir.path().join("output/plan/kultur.pdf").exists());
}

#[test]
fn plan_years_print_without_warnings_and_later_years_warn_only_when_unprinted() {
    // The plan's years 2021–2023 print; 2024 is after them, printed by nothing.
    let later = format!("{DRIFT}driftsresultat;2024;2 000 000\n");
    let dir = plan_project(&later, BUDSJETT, NARRATIVE);
    let output = run(dir.path(), &["check"]);
    assert_eq!(
        stderr(&output)
            .lines()
            .filter(|l| l.contains("warning:"))
            .map(|l| l.split("warning: ").nth(1).unwrap().to_string())
            .collect::<Vec<_>>(),
        ["1 figure is for 2024, after the report year 2021; the document does not print it"],
        "{}",
        stderr(&output)
    );
    // A table that lists 2024 prints it: no warning.
    let printed = NARRATIVE.replace("columns: [unit] }", "years: 2021-2024, columns: [unit] }");
    let dir = plan_project(&later, BUDSJETT, &printed);
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}

#[test]
fn an_acknowledged_warning_lets_a_final_build_proceed_and_is_in_the_build_report() {
    let later = format!("{DRIFT}driftsresultat;2024;2 000 000\n");
    let narrative = format!(
        "{NARRATIVE}acknowledge:\n  - warning: after the report year 2021\n    reason: 2024 is the next plan's first year\n"
    );
    let dir = plan_project(&later, BUDSJETT, &narrative);
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("output/build-report.json")).unwrap(),
    )
    .unwrap();
    let document = &report["documents"][0];
    assert_eq!(document["problems"], serde_json::json!([]));
    assert_eq!(
        document["acknowledged"],
        serde_json::json!([{
            "origin": "input/data/drift.csv:5:16",
            "message": "1 figure is for 2024, after the report year 2021; the document does not print it",
            "reason": "2024 is the next plan's first year",
            "acknowledged_at": "input/plan.yaml:21:14"
        }])
    );
    // An acknowledgment that matches nothing is a warning at its line.
    let dir = plan_project(DRIFT, BUDSJETT, &narrative);
    let output = run(dir.path(), &["build"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("warning: acknowledge: \"after the report year 2021\" matches no warning of this document\n  --> input/plan.yaml:21:14"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_undeclared_scale_warns_at_the_cell_and_names_the_manifest_line() {
    let dir = plan_project(DRIFT, BUDSJETT, NARRATIVE);
    let manifest = dir.path().join("input/rapportverk.yaml");
    common::edit(
        &manifest,
        "    file: data/drift.csv\n    unit: kr\n",
        "    file: data/drift.csv\n",
    );
    std::fs::write(
        dir.path().join("input/data/drift.csv"),
        "kpi;år;verdi\ndriftsresultat;2021;-16 500\ndriftsresultat;2022;1,5\ndriftsresultat;2023;2\n",
    )
    .unwrap();
    let output = run(dir.path(), &["check"]);
    let err = stderr(&output);
    assert!(
        err.contains("warning: driftsresultat 2021 is −16 500,0 mill. kr, and the data source \"drift\" does not say which unit its figures are in: a whole figure this large looks like kroner or 1 000 kr\n --> input/data/drift.csv:2:21"),
        "{err}"
    );
    assert!(
        err.contains(
            "say the file's unit in its manifest entry at input/rapportverk.yaml:5:9: unit: kr"
        ),
        "{err}"
    );
}

#[test]
fn the_action_programme_appendix_builds_final_with_subtotals_that_add_up() {
    let dir = sample_project();
    let output = run(dir.path(), &["build", "--only", "handlingsprogram-2021"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/handlingsprogram-2021.pdf"));
    for expected in [
        "Netto driftsbudsjett per sektor 2021–2024",
        "Sum Oppvekst",
        "Sum netto driftsbudsjett",
        "100–150 millioner kroner",
        "Netto driftsresultat i prosent av driftsinntektene",
    ] {
        assert!(has(&text, expected), "{expected} missing: {text}");
    }
    // Every subtotal and the total equal the sums of the rows as printed (the sample's
    // amounts are whole tenths of a million, so no rounding stands between them).
    let out = rendered(dir.path(), "handlingsprogram-2021");
    let table = table_in(&out.source);
    let (mut group, mut all) = (vec![0i64; 4], vec![0i64; 4]);
    let mut subtotals = 0;
    for (kind, values) in table {
        match kind.as_str() {
            "row" => {
                for (i, v) in values.iter().enumerate() {
                    group[i] += v;
                    all[i] += v;
                }
            }
            "subtotal" => {
                assert_eq!(values, group, "a subtotal");
                group = vec![0; 4];
                subtotals += 1;
            }
            "total" => assert_eq!(values, all, "the total"),
            _ => {}
        }
    }
    assert_eq!(subtotals, 4);
}

/// The `beloptabell` lines of a generated source: (kind, amounts in tenths).
fn table_in(source: &str) -> Vec<(String, Vec<i64>)> {
    source
        .lines()
        .filter(|l| l.trim_start().starts_with("(type: "))
        .map(|l| {
            let kind = l.split('"').nth(1).unwrap().to_string();
            let values = l
                .split("verdier: (")
                .nth(1)
                .unwrap()
                .split("], ")
                .filter_map(|v| {
                    let digits: String = v
                        .chars()
                        .filter(|c| c.is_ascii_digit() || *c == '\u{2212}')
                        .collect();
                    let negative = digits.starts_with('\u{2212}');
                    let n: i64 = digits.trim_start_matches('\u{2212}').parse().ok()?;
                    Some(if negative { -n } else { n })
                })
                .collect();
            (kind, values)
        })
        .collect()
}

/// Bergen's operating budget 2013 read as it is (kroner, a column per year), printed in
/// mill. kr per sector with subtotals per department: the totals equal the file's sums.
#[test]
fn bergen_operating_budget_in_kroner_prints_in_mill_kr() {
    let Some(realdata) = realdata() else { return };
    let file = realdata.join("bergen_driftsbudsjett_2013.csv");
    let budget = std::fs::read_to_string(&file).unwrap();
    let narrative = "document:\n  title: Driftsbudsjett\n  year: 2013\n  plan_years: 2013-2016\nsections:\n  - title: Budsjett\n    blocks:\n      - table:\n          table: budsjett\n          rows: tjenesteomraade-tekst\n          group: avdeling-tekst\n          columns: [2013, 2014, 2015, 2016]\n          unit: mill. kr\n          decimals: 1\n          total: Sum Bergen kommune\n";
    let dir = plan_project(
        DRIFT
            .replace("2021", "2013")
            .replace("2022", "2014")
            .replace("2023", "2015")
            .as_str(),
        &budget,
        narrative,
    );
    let output = run(dir.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Each department's own sum of 2013 in kroner, to the krone, and the whole budget's.
    let mut sums: Vec<(String, i128)> = Vec::new();
    for line in budget.lines().skip(1) {
        let fields: Vec<&str> = line.split(';').collect();
        let digits: String = fields[10]
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        // Excel's accounting zero (` -   `) is 0.
        let kroner = digits.parse::<i128>().unwrap_or_else(|_| {
            assert!(digits.chars().all(|c| c == '-'), "{:?}", fields[10]);
            0
        });
        match sums.iter_mut().find(|(d, _)| d == fields[1]) {
            Some((_, sum)) => *sum += kroner,
            None => sums.push((fields[1].to_string(), kroner)),
        }
    }
    let total: i128 = sums.iter().map(|(_, s)| s).sum();
    sums.push(("Bergen kommune".into(), total));
    let text = pdf_text(&dir.path().join("output/plan.pdf"));
    assert!(sums.len() > 5, "{sums:?}");
    for (department, kroner) in &sums {
        let label = common::normalise(&format!("Sum {department}")) + " ";
        let at = text
            .find(&label)
            .unwrap_or_else(|| panic!("{label} missing"));
        let printed = &text[at + label.len()..];
        assert!(
            printed.starts_with(&mill_kr(*kroner)),
            "{department}: {} expected, {}",
            mill_kr(*kroner),
            &printed[..40.min(printed.len())]
        );
    }
}

/// Kroner as mill. kr at one decimal, rounded half away from zero, as the document prints.
fn mill_kr(kroner: i128) -> String {
    let tenths = (kroner.abs() + 50_000) / 100_000;
    let sign = if kroner < 0 && tenths != 0 { "−" } else { "" };
    format!("{sign}{},{}", group_digits(tenths / 10), tenths % 10)
}

fn group_digits(n: i128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
