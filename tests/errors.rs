//! Bad input gets a clear message at its file and line, a non-zero exit, and no PDF; an
//! earlier good PDF survives a failed build.

mod common;

use std::path::Path;

use common::{edit, run, sample_project, stderr};

/// The message printed at `place` (`file:line:col`, as after ` --> `): its title, source
/// line, caret and hint, as the user reads it.
fn message_at<'a>(stderr: &'a str, place: &str) -> &'a str {
    let arrow = format!("--> {place}\n");
    stderr
        .split("\n\n")
        .find(|m| m.contains(&arrow))
        .unwrap_or_else(|| panic!("no message at {place} in:\n{stderr}"))
}

/// The gutter of a snippet whose line number is `line`: spaces as wide as the number.
fn gutter(line: usize) -> String {
    " ".repeat(line.to_string().len())
}

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
    let written = std::fs::read_to_string(&csv).unwrap();
    let written = written.lines().nth(line - 1).unwrap();
    let g = gutter(line);
    let expected = format!(
        "error: \"sju\" is not a number; expected e.g. 7,3\n{g}--> input/data/nokkeltall-2018.csv:{line}:18\n{g} |\n{line} | {written}\n{g} |                  ^^^"
    );
    let err = stderr(&output);
    assert_eq!(
        message_at(&err, &format!("input/data/nokkeltall-2018.csv:{line}:18")),
        expected
    );
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
    let g = gutter(line);
    let expected = format!(
        "error: mapping values are not allowed in this context\n{g}--> input/narrativ/evaluering-2018.yaml:{line}:15\n{g} |\n{line} |   author: Erik: Kjeldstadli\n{g} |               ^\n{g} |\n{g} = hint: see docs/src/write-your-own-report.md for the expected keys"
    );
    let err = stderr(&output);
    assert_eq!(
        message_at(
            &err,
            &format!("input/narrativ/evaluering-2018.yaml:{line}:15")
        ),
        expected
    );
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
    let g = gutter(line);
    let caret = format!(
        "{}{}",
        " ".repeat(column - 1),
        "^".repeat("flyktninger_arbeid_utdaning".len())
    );
    let expected = format!(
        "error: unknown KPI \"flyktninger_arbeid_utdaning\"\n{g}--> input/narrativ/evaluering-2018.yaml:{line}:{column}\n{g} |\n{line} | {written}\n{g} | {caret}\n{g} |\n{g} = hint: did you mean \"flyktninger_arbeid_utdanning\"? KPIs are defined in the KPI definition list"
    );
    let err = stderr(&output);
    let place = format!("input/narrativ/evaluering-2018.yaml:{line}:{column}");
    assert_eq!(message_at(&err, &place), expected);
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
    let expected = format!("--> input/narrativ/evaluering-2018.yaml:{line}:");
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "error: unknown KPI \"fritidstipend\"\n{}{expected}",
            gutter(line)
        )),
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
        err.contains("unknown KPI \"oljetanker\"\n")
            && err.contains("= hint: did you mean \"oljetanker_fjernet\"?"),
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
    let err = stderr(&output);
    let shown = message_at(&err, &format!("input/rapportverk.yaml:{line}:11"));
    assert!(
        shown.starts_with("error: \"../../etc/passwd\" points outside the project folder")
            && shown.contains(&format!("{line} |     file: ../../etc/passwd\n")),
        "{shown}"
    );
    assert!(shown.contains(&format!(
        "{} |           {}\n",
        gutter(line),
        "^".repeat(16)
    )));
}

#[test]
fn a_missing_project_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["build"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: cannot read the file: No such file or directory (os error 2)\n --> input/rapportverk.yaml\n"
        ),
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
    let g = gutter(line);
    let expected = format!(
        "warning: typst: no text within stars\n{g}--> templates/evaluering.typ.j2:{line}:1\n{g} |\n{line} | Innledning **\n{g} | -------------\n{g} |\n{g} = hint: using multiple consecutive stars (e.g. **) has no additional effect\nnote: in the generated Typst source\n  --> output/evaluering-2018.typ:16:12\n   |\n16 | Innledning **\n   |            ^^"
    );
    assert_eq!(
        message_at(&err, &format!("templates/evaluering.typ.j2:{line}:1")),
        expected
    );

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
            "warning: typst: no text within stars\n{}--> templates/lib/rapport.typ:{line}:14\n",
            gutter(line)
        )) && err.contains(&format!(
            "{line} | #let feil = [**]\n{} |              ^^\n",
            gutter(line)
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
    let err = stderr(&output);
    let shown = message_at(&err, &format!("templates/oppdragsbrev.typ.j2:{line}:1"));
    let g = gutter(line);
    assert!(
        shown.starts_with(&format!("error: the template needs the section \"hilsen\", which input/narrativ/oppdragsbrev-2022.yaml does not have\n{g}--> templates/oppdragsbrev.typ.j2:{line}:1\n{g} |\n{line} | {{{{ blocks(section.hilsen.blocks) }}}}\n{g} | ^^\n")),
        "{shown}"
    );
    assert!(
        shown.contains("= hint: add a section with id: hilsen under sections: in input/narrativ/oppdragsbrev-2022.yaml"),
        "{shown}"
    );
}
