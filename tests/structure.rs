//! The pipeline's structure, held to what it promises: the generated Typst of every sample
//! document is exactly its snapshot (a refactor changes no byte unless meant to), each input
//! is read once per run, a bug in one document fails only that document, and the output lock
//! cannot be raced or left stale.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{repo, run, sample_project, stderr, stdout};
use rapportverk::engine::{self, Config};
use rapportverk::load::SourceCache;
use rapportverk::project::Project;

fn typ_files(dir: &Path, below: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            typ_files(&path, below, into);
        } else if path.extension().is_some_and(|e| e == "typ") {
            into.push(path.strip_prefix(below).unwrap().to_path_buf());
        }
    }
}

/// A document's snapshot name: its output path without `.typ`, a unit after a dot
/// (`evaluering-2018`, `oppdragsbrev-2022.skole`).
fn snapshot_name(file: &Path) -> String {
    file.with_extension("")
        .to_string_lossy()
        .replace(['/', '\\'], ".")
}

/// Each document's Typst is an insta snapshot in `tests/snapshots/structure__<name>.snap`.
/// After an intended change, `INSTA_UPDATE=always cargo test --test structure` rewrites them;
/// review the diff before committing it. A missing snapshot fails (insta writes a `.snap.new`
/// beside it, or nothing on CI), and so does a snapshot no document matches any more.
#[test]
fn the_generated_typst_of_every_sample_document_is_its_snapshot() {
    let project = sample_project();
    let output = run(
        project.path(),
        &["build", "--emit-typst", "--force", "--jobs", "2"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let built = project.path().join("output");
    let mut emitted = Vec::new();
    typ_files(&built, &built, &mut emitted);
    emitted.sort();
    assert_eq!(emitted.len(), 13, "{emitted:?}");
    let mut names = Vec::new();
    for file in &emitted {
        let source = std::fs::read_to_string(built.join(file)).unwrap();
        let name = snapshot_name(file);
        insta::assert_snapshot!(name.clone(), source);
        names.push(name);
    }
    let mut stored: Vec<String> = std::fs::read_dir(repo().join("tests/snapshots"))
        .unwrap()
        .filter_map(|entry| {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            let name = file.strip_prefix("structure__")?.strip_suffix(".snap")?;
            Some(name.to_string())
        })
        .collect();
    stored.sort();
    names.sort();
    assert_eq!(
        stored, names,
        "tests/snapshots holds a snapshot of no document"
    );
}

#[test]
fn every_input_file_is_read_once_per_run() {
    let project = sample_project();
    let cache = SourceCache::new();
    let loaded = Project::load_from(&project.path().join("input"), &cache).unwrap();
    let mut config = Config::new(project.path().join("output"));
    config.jobs = 2;
    config.attach_sources = true;
    config.pdf = rapportverk::typeset::PdfSettings::archival(true);
    let report = engine::run(&loaded, &config, &cache, &|_| {});
    assert!(!report.failed(), "{:?}", report.diagnostics);
    assert_eq!(report.documents.len(), 13);
    let reads = cache.reads();
    let relative: BTreeMap<String, usize> = reads
        .iter()
        .map(|(path, n)| {
            let shown = path.strip_prefix(project.path()).unwrap_or(path);
            let shown = shown.to_string_lossy().replace('\\', "/");
            (shown.replace("input/../", ""), *n)
        })
        .collect();
    for wanted in [
        "input/rapportverk.yaml",
        "input/data/kpi-definisjoner.csv",
        "input/data/nokkeltall-2018.csv",
        "input/data/oppdrag-2022.xlsx",
        "input/narrativ/evaluering-2018.yaml",
        "input/narrativ/oppdragsbrev-2022.yaml",
        "input/data/arsrapport-2018-nokkeltall.csv",
        "input/narrativ/arsrapport-2018/eiendom.yaml",
        "templates/evaluering.typ.j2",
        "templates/_arsrapport.typ.j2",
        "templates/lib/rapport.typ",
    ] {
        assert!(
            relative.contains_key(wanted),
            "{wanted} not read through the cache: {relative:?}"
        );
    }
    let again: Vec<_> = relative.iter().filter(|(_, n)| **n != 1).collect();
    assert!(again.is_empty(), "read more than once: {again:?}");
}

fn report(project: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(project.join("output/build-report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_panic_in_one_document_fails_that_document_only() {
    let project = sample_project();
    let letters = ["--only", "oppdragsbrev-2022"];
    assert!(
        run(project.path(), &[&["build"][..], &letters].concat())
            .status
            .success()
    );
    let victim = "oppdragsbrev-2022/skole";
    let pdf = project.path().join("output/oppdragsbrev-2022/skole.pdf");
    let before = std::fs::read(&pdf).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_rapportverk"))
        .args(["build", "--force", "--jobs", "2"])
        .args(letters)
        .env("RAPPORTVERK_INJECT_PANIC", victim)
        .current_dir(project.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "error: internal error while building {victim}: fault injected for {victim} (RAPPORTVERK_INJECT_PANIC)"
        )),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains(&format!("FAILED  {victim}")));
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        before,
        "the earlier PDF is kept"
    );
    let documents = report(project.path())["documents"]
        .as_array()
        .unwrap()
        .clone();
    let status = |id: &str| {
        documents
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| d["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status(victim).as_deref(), Some("failed"));
    assert_eq!(
        documents.iter().filter(|d| d["status"] == "built").count(),
        7,
        "the batch's other letters and its overview"
    );
    let problem = &documents.iter().find(|d| d["id"] == victim).unwrap()["problems"][0];
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("internal error while building {victim}")),
        "{problem}"
    );
}

/// Holds the output folder's lock from this process as a build would.
fn hold_lock(project: &Path) -> std::fs::File {
    std::fs::create_dir_all(project.join("output")).unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(project.join("output/.rapportverk.lock"))
        .unwrap();
    file.try_lock().unwrap();
    std::fs::write(
        project.join("output/.rapportverk.lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    file
}

#[test]
fn a_build_stops_at_once_while_another_holds_the_output() {
    let project = sample_project();
    let held = hold_lock(project.path());
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(&format!(
            "error: another build (process {}) is writing to output\n --> output/.rapportverk.lock\n  = hint: wait for it to finish, or give this build another --output folder\n",
            std::process::id()
        )),
        "{}",
        stderr(&output)
    );
    assert!(!project.path().join("output/evaluering-2018.pdf").exists());
    drop(held);
    // The file stays behind; without a holder it blocks nothing.
    assert!(
        run(project.path(), &["build", "--only", "evaluering-2018"])
            .status
            .success()
    );
}

#[test]
fn of_two_builds_started_together_one_builds_and_the_other_stops() {
    let project = sample_project();
    for round in 0..5 {
        let start = || {
            Command::new(env!("CARGO_BIN_EXE_rapportverk"))
                .args(["build", "--force", "--only", "evaluering-2018"])
                .current_dir(project.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start(), start());
        let mut outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        outputs.sort_by_key(|o| o.status.code());
        let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
        assert_eq!(codes, [Some(0), Some(2)], "round {round}");
        // The holder's process id is named once it has written it into the file.
        assert!(
            stderr(&outputs[1]).starts_with("error: another build "),
            "round {round}: {}",
            stderr(&outputs[1])
        );
        assert!(stderr(&outputs[1]).contains(
            " is writing to output\n --> output/.rapportverk.lock\n  = hint: wait for it to finish"
        ));
        let pdf = std::fs::read(project.path().join("output/evaluering-2018.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF-") && pdf.trim_ascii_end().ends_with(b"%%EOF"));
    }
}

#[test]
fn a_killed_build_never_blocks_the_next() {
    let project = sample_project();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapportverk"))
        .args(["build", "--force", "--only", "evaluering-2018"])
        .current_dir(project.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it holds the lock (its process id is in the file), or when it is done.
    let lock = project.path().join("output/.rapportverk.lock");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline
        && std::fs::read_to_string(&lock).unwrap_or_default().trim() != child.id().to_string()
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert!(output.status.success(), "{}", stderr(&output));
    // No temporary file of the killed build is left beside the PDFs.
    let mut left = Vec::new();
    let out = project.path().join("output");
    for dir in [out.clone(), out.join("oppdragsbrev-2022")] {
        for entry in std::fs::read_dir(dir).into_iter().flatten() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                left.push(name);
            }
        }
    }
    assert!(left.is_empty(), "{left:?}");
}
