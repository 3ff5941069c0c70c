//! The bad-input corpus: every case under `tests/fixtures/bad/<case>/` is a tiny change to the
//! base project `tests/fixtures/bad/_base/`, and `expected.txt` holds the exit code of
//! `rapportverk check` and the exact messages it prints, each with its file and line (or
//! workbook cell). No case may panic.

mod common;

use std::path::PathBuf;

use common::{copy_dir, repo, run, stderr};

fn corpus() -> PathBuf {
    repo().join("tests/fixtures/bad")
}

/// The case's project: the base with the case's files laid over it.
fn project(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&corpus().join("_base"), dir.path());
    let overlay = corpus().join(case).join("input");
    if overlay.exists() {
        copy_dir(&overlay, &dir.path().join("input"));
    }
    dir
}

/// The messages of a run: every line that names a place in the project, with its hints.
/// Lines of the build summary (which name no file) are not part of a case's expectation.
fn messages(stderr: &str) -> String {
    let mut out = Vec::new();
    let mut in_message = false;
    for line in stderr.lines() {
        if line.starts_with("input/") || line.starts_with("templates/") {
            in_message = true;
            out.push(line);
        } else if in_message && line.starts_with("  hint: ") {
            out.push(line);
        } else {
            in_message = false;
        }
    }
    out.join("\n")
}

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('_'))
        .collect();
    cases.sort();
    cases
}

#[test]
fn the_base_project_is_clean() {
    let dir = project("_base");
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(messages(&stderr(&output)), "");
}

#[test]
fn the_corpus_holds_at_least_thirty_cases() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    for case in &cases {
        let expected = corpus().join(case).join("expected.txt");
        assert!(expected.exists(), "{case} has no expected.txt");
    }
}

#[test]
fn every_bad_input_gives_its_exact_message_and_exit_code() {
    let mut failures = Vec::new();
    for case in cases() {
        let expected =
            std::fs::read_to_string(corpus().join(&case).join("expected.txt")).unwrap_or_default();
        let (first, rest) = expected.split_once('\n').unwrap_or((expected.as_str(), ""));
        let exit: i32 = first
            .strip_prefix("exit: ")
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{case}/expected.txt must start with \"exit: N\""));
        let dir = project(&case);
        let output = run(dir.path(), &["check"]);
        let err = stderr(&output);
        if err.contains("panicked") || output.status.code().is_none() {
            failures.push(format!("{case}: the run panicked or was killed:\n{err}"));
            continue;
        }
        let got = messages(&err);
        if output.status.code() != Some(exit) || got != rest.trim_end() {
            failures.push(format!(
                "{case}: expected exit {exit} and\n{}\n--- got exit {:?} and\n{got}\n--- full stderr:\n{err}",
                rest.trim_end(),
                output.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
