//! Charts of real figures: negative and mixed-sign values drawn from a zero line on an axis
//! that spans them, round ticks, a title that names its unit not given it twice, and a chart
//! that would draw nothing told at its line.

mod common;

use common::{edit, has, pdf_text, run, sample_project, stderr};

/// The sample evaluation with a KPI in mill. kr of −31,0, 12,5 and −144,9 (2016–2018), and a
/// chart of it under the sick-leave chart.
fn with_result_chart(chart: &str) -> tempfile::TempDir {
    let dir = sample_project();
    let input = dir.path().join("input");
    let definitions = input.join("data/kpi-definisjoner.csv");
    let mut text = std::fs::read_to_string(&definitions).unwrap();
    text.push_str("resultat_test;Resultat;mill. kr;1;høyere;ingen;test\n");
    std::fs::write(&definitions, text).unwrap();
    let data = input.join("data/nokkeltall-2018.csv");
    let mut text = std::fs::read_to_string(&data).unwrap();
    text.push_str("resultat_test;2016;-31;test\nresultat_test;2017;12,5;test\nresultat_test;2018;-144,9;test\n");
    std::fs::write(&data, text).unwrap();
    edit(
        &input.join("narrativ/evaluering-2018.yaml"),
        "          - chart: { kpi: sykefravaer }\n",
        &format!("          - chart: {{ kpi: sykefravaer }}\n          - chart: {chart}\n"),
    );
    dir
}

#[test]
fn a_chart_of_mixed_sign_figures_draws_every_bar_below_and_above_zero() {
    let dir = with_result_chart(
        "{ kpi: resultat_test, years: 2016-2018, title: \"Resultat (mill. kr)\" }",
    );
    let rendered = common::rendered(dir.path(), "evaluering-2018");
    let typst = &rendered.source;
    let start = typst
        .find("tittel: [#\"Resultat (mill. kr)\";]")
        .expect("the chart is in the source");
    let chart = typst[start..start + typst[start..].find("\n)").unwrap()].replace('\u{a0}', " ");
    // Every bar, the axis from below the lowest figure to zero and above, in round steps.
    for value in ["-31.0", "12.5", "-144.9"] {
        assert!(
            chart.contains(&format!(", {value}, ")),
            "{value} missing: {chart}"
        );
    }
    assert!(chart.contains("minst: -200.0"), "{chart}");
    assert!(chart.contains("maks: 50.0"), "{chart}");
    // The title names the unit; the caption does not add it again.
    assert!(chart.contains("enhet: none"), "{chart}");
    // The words for readers who cannot see it say the sign.
    assert!(
        chart.contains(
            "alt: \"Resultat (mill. kr) 2016–2018: −31,0 mill. kr, 12,5 mill. kr, −144,9 mill. kr"
        ),
        "{chart}"
    );

    let output = run(dir.path(), &["build", "--only", "evaluering-2018"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&dir.path().join("output/evaluering-2018.pdf"));
    let at = text
        .find("Resultat (mill. kr)")
        .expect("the chart's caption prints");
    let printed = &text[at..at + 400.min(text.len() - at)];
    assert!(!printed.contains("(mill. kr) (mill. kr)"), "{printed}");
    for label in ["−144,9", "12,5", "−31,0", "−200", "−100", "2016", "2018"] {
        assert!(has(printed, label), "{label} missing: {printed}");
    }
}

#[test]
fn a_chart_with_no_figure_for_its_years_is_an_error_at_its_line() {
    let dir = with_result_chart("{ kpi: resultat_test, years: 2010-2012 }");
    let output = run(dir.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("the chart of \"resultat_test\" has no data to draw for the years it gives"),
        "{err}"
    );
    assert!(err.contains("evaluering-2018.yaml:268:"), "{err}");
}

/// A chart of earlier years does not need a figure for the report year.
#[test]
fn a_chart_of_its_own_years_needs_no_report_year_figure() {
    let dir = with_result_chart("{ kpi: resultat_test, years: 2016-2017 }");
    let data = dir.path().join("input/data/nokkeltall-2018.csv");
    edit(&data, "resultat_test;2018;-144,9;test\n", "");
    let output = run(dir.path(), &["build", "--only", "evaluering-2018"]);
    assert!(output.status.success(), "{}", stderr(&output));
}
