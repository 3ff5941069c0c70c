//! Charts of several KPIs (`chart: { kpi, with: [...] }`): grouped bars or one line each on
//! one value axis, every figure drawn and printed with its sign, a legend, alt text that names
//! every KPI's figures; KPIs of another unit, unknown or twice are errors at their line.

mod common;

use common::{edit, has, pdf_text, run, sample_project, stderr};

/// The sample evaluation with two KPIs in mill. kr over 2016–2018 (the second without a 2017
/// figure) and one in per cent, and `chart` under the sick-leave chart.
fn with_chart(chart: &str) -> tempfile::TempDir {
    let dir = sample_project();
    let input = dir.path().join("input");
    let append = |file: &str, lines: &[&str]| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(input.join(file))
            .unwrap();
        for line in lines {
            writeln!(f, "{line}").unwrap();
        }
    };
    append(
        "data/kpi-definisjoner.csv",
        &[
            "drift_test;Driftsresultat;mill. kr;1;høyere;ingen;test",
            "fond_test;Disposisjonsfond;mill. kr;1;høyere;ingen;test",
        ],
    );
    append(
        "data/nokkeltall-2018.csv",
        &[
            "drift_test;2016;-31;test",
            "drift_test;2017;12,5;test",
            "drift_test;2018;-144,9;test",
            "fond_test;2016;210;test",
            "fond_test;2018;-16,5;test",
        ],
    );
    let chart = format!("          - chart: {{ kpi: sykefravaer }}\n          - chart: {chart}\n");
    edit(
        &input.join("narrativ/evaluering-2018.yaml"),
        "          - chart: { kpi: sykefravaer }\n",
        &chart,
    );
    dir
}

/// The generated Typst of the chart titled `title`.
fn chart_source(dir: &tempfile::TempDir, title: &str) -> String {
    let rendered = common::rendered(dir.path(), "evaluering-2018");
    let typst = &rendered.source;
    let start = typst
        .find(&format!(
            "#seriediagram(\n  form: \"bar\",\n  tittel: [#\"{title}\";]"
        ))
        .or_else(|| {
            typst.find(&format!(
                "#seriediagram(\n  form: \"line\",\n  tittel: [#\"{title}\";]"
            ))
        })
        .unwrap_or_else(|| panic!("no chart {title:?} in:\n{typst}"));
    typst[start..start + typst[start..].find("\n)").unwrap()].replace('\u{a0}', " ")
}

#[test]
fn grouped_bars_of_two_kpis_draw_every_figure_with_its_sign() {
    let dir =
        with_chart("{ kpi: drift_test, with: [fond_test], years: 2016-2018, title: \"Økonomi\" }");
    let chart = chart_source(&dir, "Økonomi");
    for value in ["(-31.0, ", "(12.5, ", "(-144.9, ", "(210.0, ", "(-16.5, "] {
        assert!(chart.contains(value), "{value} missing: {chart}");
    }
    // The year without a figure of the second KPI is left empty, not drawn as zero.
    assert!(chart.contains("none, (-16.5, "), "{chart}");
    assert!(chart.contains("minst: -200.0"), "{chart}");
    assert!(
        chart.contains("alt: \"Økonomi 2016–2018: Driftsresultat: 2016 −31,0 mill. kr, 2017 12,5 mill. kr, 2018 −144,9 mill. kr; Disposisjonsfond: 2016 210,0 mill. kr, 2018 −16,5 mill. kr\""),
        "{chart}"
    );
    let built = run(dir.path(), &["build", "--only", "evaluering-2018"]);
    assert!(built.status.success(), "{}", stderr(&built));
    // The caption names the unit once; every figure prints at its bar (only this chart has
    // them), with the legend's names.
    let printed = pdf_text(&dir.path().join("output/evaluering-2018.pdf"));
    assert!(has(&printed, "Økonomi (mill. kr)"), "{printed}");
    assert!(!printed.contains("(mill. kr) (mill. kr)"), "{printed}");
    for label in [
        "−144,9",
        "−31,0",
        "12,5",
        "210,0",
        "−16,5",
        "Driftsresultat",
        "Disposisjonsfond",
    ] {
        assert!(has(&printed, label), "{label} missing: {printed}");
    }
}

#[test]
fn lines_of_two_kpis_get_a_default_title_naming_both() {
    let dir = with_chart("{ kpi: drift_test, with: [fond_test], type: line }");
    let chart = chart_source(&dir, "Driftsresultat og Disposisjonsfond");
    assert!(
        chart.contains("perioder: ([#\"2016\";], [#\"2017\";], [#\"2018\";], )"),
        "{chart}"
    );
    let output = run(dir.path(), &["build", "--only", "evaluering-2018"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_kpi_of_another_unit_unknown_or_twice_is_an_error_at_its_line() {
    let dir = with_chart("{ kpi: drift_test, with: [sykefravaer, fond_tset, drift_test] }");
    let output = run(dir.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    for expected in [
        "\"sykefravaer\" is in %, \"drift_test\" in mill. kr: a chart has one value axis",
        "draw KPIs of different units in charts of their own",
        "unknown KPI \"fond_tset\"",
        "did you mean \"fond_test\"?",
        "the chart draws \"drift_test\" twice",
    ] {
        assert!(err.contains(expected), "{expected:?} not in:\n{err}");
    }
}
