//! The bad-input corpus: every case under `tests/fixtures/bad/<case>/` is a tiny change to the
//! base project `tests/fixtures/bad/_base/`, and its reviewed insta snapshot
//! `tests/snapshots/bad_input__<case>.snap` holds the exit code of `rapportverk check` and
//! everything it prints on stderr: each message with its source line, the caret under the
//! place and the hint, exactly as a user sees it. No case may panic.
//!
//! A new case fails until its snapshot is reviewed and accepted (`cargo insta review`, or
//! rename the `.snap.new` insta writes beside it after reading it).

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use common::{copy_dir, repo, run, stderr};

fn corpus() -> PathBuf {
    repo().join("tests/fixtures/bad")
}

fn snapshots() -> PathBuf {
    repo().join("tests/snapshots")
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

/// What `rapportverk check` tells a user about the case: its exit code and its stderr.
fn check(case: &str) -> Result<String, String> {
    let dir = project(case);
    let output = run(dir.path(), &["check"]);
    let err = stderr(&output);
    match output.status.code() {
        Some(code) if !err.contains("panicked") => Ok(format!("exit: {code}\n\n{err}")),
        _ => Err(format!("{case}: the run panicked or was killed:\n{err}")),
    }
}

#[test]
fn the_base_project_is_clean() {
    assert_eq!(check("_base").unwrap(), "exit: 0\n\n");
}

/// Every case has its reviewed snapshot, and every corpus snapshot its case: insta would
/// otherwise write a missing one as `.snap.new` and a stale one would linger unnoticed.
#[test]
fn the_corpus_holds_at_least_thirty_cases_each_with_its_snapshot() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let missing: Vec<&String> = cases
        .iter()
        .filter(|case| !snapshots().join(format!("bad_input__{case}.snap")).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "no reviewed snapshot in tests/snapshots/ for {missing:?}"
    );
    let stale: Vec<String> = std::fs::read_dir(snapshots())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| {
            let case = name.strip_prefix("bad_input__")?.strip_suffix(".snap")?;
            (!cases.iter().any(|c| c == case)).then(|| name.clone())
        })
        .collect();
    assert!(stale.is_empty(), "snapshots without a case: {stale:?}");
}

#[test]
fn every_bad_input_gives_its_exact_message_and_exit_code() {
    let mut failures = Vec::new();
    for case in cases() {
        let shown = match check(&case) {
            Ok(shown) => shown,
            Err(failure) => {
                failures.push(failure);
                continue;
            }
        };
        // Every case is compared, not only up to the first difference.
        let compared = catch_unwind(AssertUnwindSafe(|| {
            let mut settings = insta::Settings::clone_current();
            settings.set_prepend_module_to_snapshot(false);
            settings.set_snapshot_path(snapshots());
            settings.set_description(format!("rapportverk check on tests/fixtures/bad/{case}"));
            settings.set_omit_expression(true);
            settings.bind(|| insta::assert_snapshot!(format!("bad_input__{case}"), shown));
        }));
        if compared.is_err() {
            failures.push(case);
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ from their snapshot: {}",
        failures.len(),
        failures.join(", ")
    );
}
