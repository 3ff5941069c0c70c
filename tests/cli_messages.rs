//! Command-line messages that must not mislead: `--only` that matches nothing is an error
//! naming the documents (never a silent exit 0), and `--project .` run from inside the input
//! folder reads the project as from the folder above it.

mod common;

use common::{run, sample_project, stderr, stdout};

#[test]
fn only_that_matches_nothing_is_an_error_naming_the_documents() {
    let dir = sample_project();
    for command in ["build", "check"] {
        let output = run(dir.path(), &[command, "--only", "evaluring-2018"]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let err = stderr(&output);
        assert!(
            err.starts_with(
                "error: --only \"evaluring-2018\" matches no document of input/rapportverk.yaml\n  = hint: the documents are evaluering-2018, oppdragsbrev-2022, arsrapport-2018, handlingsprogram-2021;"
            ),
            "{err}"
        );
    }
    assert!(!dir.path().join("output/build-report.json").exists());
    // A pattern for one unit of a per-unit document selects it.
    let output = run(dir.path(), &["check", "--only", "arsrapport-2018/eiendom"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("checked arsrapport-2018/eiendom"));
}

#[test]
fn project_dot_from_inside_the_input_folder() {
    let dir = sample_project();
    let input = dir.path().join("input");
    for project in [".", "rapportverk.yaml"] {
        let output = run(
            &input,
            &["check", "--project", project, "--only", "evaluering-2018"],
        );
        assert!(output.status.success(), "{project}: {}", stderr(&output));
        assert!(!stderr(&output).contains("points outside the project folder"));
    }
    let output = run(
        &input,
        &["build", "--project", ".", "--only", "evaluering-2018"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("output/evaluering-2018.pdf").is_file());
}
