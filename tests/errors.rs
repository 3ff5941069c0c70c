//! Bad input gets a clear message at its file and line, a non-zero exit, and no PDF; an
//! earlier good PDF survives a failed build.

mod common;

use std::path::Path;

use common::{edit, run, sample_project, stderr};

/// 1-based line of the first line containing `needle`.
fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{} has no line with {needle:?}", path.display()))
        + 1
}

#[test]
fn a_word_in_a_number_cell_names_file_line_and_column() {
    let project = sample_project();
    let csv = project.path().join("input/data/nokkeltall-2018.csv");
    edit(&csv, "sykefravaer;2018;7,3;", "sykefravaer;2018;sju;");
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let line = line_of(&csv, "sykefravaer;2018;sju;");
    let expected = format!(
        "input/data/nokkeltall-2018.csv:{line}:18: error: \"sju\" is not a number; expected e.g. 7,3"
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert!(!project.path().join("output/evaluering-2018.pdf").exists());
}

#[test]
fn a_yaml_syntax_error_names_file_and_line() {
    let project = sample_project();
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    edit(
        &yaml,
        "  author: Erik Kjeldstadli",
        "  author: Erik: Kjeldstadli",
    );
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let line = line_of(&yaml, "  author: Erik: Kjeldstadli");
    let expected = format!(
        "input/narrativ/evaluering-2018.yaml:{line}:15: error: mapping values are not allowed in this context"
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert!(!project.path().join("output/evaluering-2018.pdf").exists());
}

#[test]
fn an_unknown_kpi_id_names_file_line_and_suggests_the_right_one() {
    let project = sample_project();
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    edit(
        &yaml,
        "kpis: [flyktninger_arbeid_utdanning,",
        "kpis: [flyktninger_arbeid_utdaning,",
    );
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let line = line_of(&yaml, "flyktninger_arbeid_utdaning,");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let written = text.lines().nth(line - 1).unwrap();
    let column = written.find("[flyktninger").unwrap() + 2;
    let expected = format!(
        "input/narrativ/evaluering-2018.yaml:{line}:{column}: error: unknown KPI \"flyktninger_arbeid_utdaning\"\n  hint: did you mean \"flyktninger_arbeid_utdanning\"?"
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert!(!project.path().join("output/evaluering-2018.pdf").exists());
}

#[test]
fn an_unknown_kpi_in_a_prose_reference_is_reported_at_its_line() {
    let project = sample_project();
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    edit(
        &yaml,
        "{{ kpi(\"fritidsstipend\") }}",
        "{{ kpi(\"fritidstipend\") }}",
    );
    let output = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let line = line_of(&yaml, "fritidstipend");
    let expected = format!("input/narrativ/evaluering-2018.yaml:{line}:");
    let err = stderr(&output);
    assert!(
        err.contains(&expected) && err.contains("unknown KPI \"fritidstipend\""),
        "{err}"
    );
}

#[test]
fn a_failed_build_keeps_the_previous_good_pdf() {
    let project = sample_project();
    assert!(
        run(project.path(), &["build", "--only", "evaluering-2018"])
            .status
            .success()
    );
    let pdf = project.path().join("output/evaluering-2018.pdf");
    let good = std::fs::read(&pdf).unwrap();
    edit(
        &project.path().join("input/data/nokkeltall-2018.csv"),
        "klimatiltak;2018;67;",
        "klimatiltak;2018;6x7;",
    );
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        good,
        "the earlier PDF was changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(project.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "stray files: {leftovers:?}");
}

#[test]
fn every_problem_of_a_run_is_reported_together() {
    let project = sample_project();
    let csv = project.path().join("input/data/nokkeltall-2018.csv");
    edit(&csv, "klimatiltak;2018;67;", "klimatiltak;2018;mange;");
    edit(&csv, "oljetanker_fjernet;2018;153;", "oljetanker;2018;153;");
    let output = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("\"mange\" is not a number"), "{err}");
    assert!(
        err.contains("unknown KPI \"oljetanker\"\n  hint: did you mean \"oljetanker_fjernet\"?"),
        "{err}"
    );
}

#[test]
fn a_manifest_path_outside_the_project_is_refused() {
    let project = sample_project();
    let manifest = project.path().join("input/rapportverk.yaml");
    edit(
        &manifest,
        "file: data/nokkeltall-2018.csv",
        "file: ../../etc/passwd",
    );
    let output = run(project.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2));
    let line = line_of(&manifest, "../../etc/passwd");
    let expected = format!(
        "input/rapportverk.yaml:{line}:11: error: \"../../etc/passwd\" points outside the project folder"
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
}

#[test]
fn a_missing_project_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("input/rapportverk.yaml: error: cannot read the file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_typst_problem_is_told_at_the_template_line_that_wrote_it() {
    let project = sample_project();
    let template = project.path().join("templates/evaluering.typ.j2");
    edit(
        &template,
        "\n{{ tittelblokk() }}",
        "\n\nInnledning **\n{{ tittelblokk() }}",
    );
    let line = line_of(&template, "Innledning **");
    let output = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let expected = format!(
        "templates/evaluering.typ.j2:{line}: warning: typst: no text within stars\n   ┌─ output/evaluering-2018.typ:16:12 (generated)\n   │\n16 │ Innledning **\n   │            ^^\n"
    );
    assert!(err.contains(&expected), "{err}");

    // In the layout library: its own file, line and column.
    let library = project.path().join("templates/lib/rapport.typ");
    let mut text = std::fs::read_to_string(&library).unwrap();
    text.push_str("\n#let feil = [**]\n");
    std::fs::write(&library, text).unwrap();
    edit(&template, "\nInnledning **\n", "\n");
    let line = line_of(&library, "#let feil = [**]");
    let err = stderr(&run(
        project.path(),
        &["check", "--only", "evaluering-2018"],
    ));
    assert!(
        err.contains(&format!(
            "templates/lib/rapport.typ:{line}:14: warning: typst: no text within stars"
        )),
        "{err}"
    );
}

#[test]
fn a_section_the_template_needs_is_named_with_the_template_line_and_the_narrative() {
    let project = sample_project();
    let yaml = project.path().join("input/narrativ/oppdragsbrev-2022.yaml");
    edit(&yaml, "  - id: hilsen", "  - id: avslutning");
    let template = project.path().join("templates/oppdragsbrev.typ.j2");
    let line = line_of(&template, "section.hilsen.blocks");
    let output = run(
        project.path(),
        &["check", "--only", "oppdragsbrev-2022/skole"],
    );
    assert_eq!(output.status.code(), Some(1));
    let expected = format!(
        "templates/oppdragsbrev.typ.j2:{line}:1: error: the template needs the section \"hilsen\", which input/narrativ/oppdragsbrev-2022.yaml does not have\n  hint: add a section with id: hilsen under sections: in input/narrativ/oppdragsbrev-2022.yaml"
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
}
