//! The batch engine: incremental builds, subsets and shards, the output lock, drafts against
//! finals, the build report and its change summary.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{edit, has, pdf_text, run, sample_project, stderr, stdout};

fn report(project: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(project.join("output/build-report.json")).expect("a build report");
    serde_json::from_str(&text).expect("the build report is JSON")
}

fn statuses(project: &Path) -> Vec<(String, String)> {
    report(project)["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn with_status(project: &Path, status: &str) -> BTreeSet<String> {
    statuses(project)
        .into_iter()
        .filter(|(_, s)| s == status)
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn unchanged_documents_are_skipped_and_a_touched_row_rebuilds_its_users() {
    let project = sample_project();
    assert!(run(project.path(), &["build"]).status.success());
    assert_eq!(with_status(project.path(), "built").len(), 13);

    let again = run(project.path(), &["build"]);
    assert!(again.status.success());
    assert_eq!(
        with_status(project.path(), "unchanged").len(),
        13,
        "{}",
        stdout(&again)
    );

    // A KPI row is used by the evaluation only.
    edit(
        &project.path().join("input/data/nokkeltall-2018.csv"),
        "klimatiltak;2018;67;",
        "klimatiltak;2018;68;",
    );
    assert!(run(project.path(), &["build"]).status.success());
    assert_eq!(
        with_status(project.path(), "built"),
        BTreeSet::from(["evaluering-2018".to_string()])
    );

    // Deleting a PDF rebuilds it alone.
    std::fs::remove_file(project.path().join("output/oppdragsbrev-2022/skole.pdf")).unwrap();
    assert!(run(project.path(), &["build"]).status.success());
    assert_eq!(
        with_status(project.path(), "built"),
        BTreeSet::from(["oppdragsbrev-2022/skole".to_string()])
    );

    // --force rebuilds everything.
    assert!(run(project.path(), &["build", "--force"]).status.success());
    assert_eq!(with_status(project.path(), "built").len(), 13);

    // A run with --only keeps the others' entries: the next full run finds them unchanged.
    assert!(
        run(
            project.path(),
            &["build", "--force", "--only", "evaluering-2018"]
        )
        .status
        .success()
    );
    assert_eq!(statuses(project.path()).len(), 13);
    assert!(run(project.path(), &["build"]).status.success());
    assert_eq!(with_status(project.path(), "unchanged").len(), 13);
}

#[test]
fn changes_since_the_previous_build_are_reported_with_their_origin() {
    let project = sample_project();
    assert!(
        run(project.path(), &["build", "--only", "evaluering-2018"])
            .status
            .success()
    );
    edit(
        &project.path().join("input/data/nokkeltall-2018.csv"),
        "klimatiltak;2018;67;",
        "klimatiltak;2018;68;",
    );
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = "changes since the previous build:\n  evaluering-2018:\n    Tiltak i klimastrategiens handlingsplan 2018: 67 → 68 (input/data/nokkeltall-2018.csv:8:";
    assert!(stdout(&output).contains(expected), "{}", stdout(&output));
    let entry = report(project.path())["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "evaluering-2018")
        .unwrap()
        .clone();
    assert_eq!(entry["changes"][0]["from"], "67");
    assert_eq!(entry["changes"][0]["to"], "68");
    // A status changed in the narrative is a change too.
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let at = text.find("id: hm2-mobilitetsplan").unwrap();
    let status_at = text[at..].find("status: ikke oppnådd").unwrap() + at;
    let mut changed = text.clone();
    changed.replace_range(
        status_at..status_at + "status: ikke oppnådd".len(),
        "status: delvis",
    );
    std::fs::write(&yaml, changed).unwrap();
    let output = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert!(
        stdout(&output).contains("Status for oppgave 2.5 (hm2-mobilitetsplan): ikke oppnådd → delvis (input/narrativ/evaluering-2018.yaml:"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_build_report_has_the_documented_shape() {
    let project = sample_project();
    assert!(run(project.path(), &["build"]).status.success());
    let report = report(project.path());
    assert_eq!(report["mode"], "final");
    assert!(report["tool"].as_str().unwrap().starts_with("rapportverk "));
    let totals = &report["totals"];
    for key in [
        "documents",
        "built",
        "unchanged",
        "failed",
        "pages",
        "bytes",
        "errors",
        "warnings",
        "millis",
    ] {
        assert!(totals[key].is_u64(), "totals.{key} missing");
    }
    assert_eq!(totals["documents"], 13);
    let first = &report["documents"][0];
    for key in [
        "id",
        "spec",
        "status",
        "output",
        "input_hash",
        "pages",
        "bytes",
        "millis",
        "problems",
        "facts",
        "changes",
    ] {
        assert!(!first[key].is_null(), "documents[].{key} missing");
    }
    assert_eq!(first["input_hash"].as_str().unwrap().len(), 64);
    assert!(first["pages"].as_u64().unwrap() > 0);
}

#[test]
fn only_and_shards_select_disjoint_covering_subsets() {
    let project = sample_project();
    let listed = stdout(&run(project.path(), &["list"]));
    let all: BTreeSet<String> = listed
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(all.len(), 13);
    assert!(all.contains("oppdragsbrev-2022/skole"));

    let only = run(
        project.path(),
        &["build", "--only", "*/skole", "--output", "only"],
    );
    assert!(only.status.success(), "{}", stderr(&only));
    assert!(
        project
            .path()
            .join("only/oppdragsbrev-2022/skole.pdf")
            .exists()
    );
    assert!(!project.path().join("only/evaluering-2018.pdf").exists());

    let mut union = BTreeSet::new();
    for k in 1..=3 {
        let folder = format!("shard{k}");
        let output = run(
            project.path(),
            &["build", "--shard", &format!("{k}/3"), "--output", &folder],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let text = std::fs::read_to_string(project.path().join(&folder).join("build-report.json"))
            .unwrap();
        let shard: serde_json::Value = serde_json::from_str(&text).unwrap();
        for doc in shard["documents"].as_array().unwrap() {
            let id = doc["id"].as_str().unwrap().to_string();
            assert!(union.insert(id.clone()), "{id} is in two shards");
        }
    }
    assert_eq!(union, all);
    let bad = run(project.path(), &["build", "--shard", "4/3"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn drafts_carry_the_watermark_and_finals_do_not() {
    let project = sample_project();
    assert!(
        run(
            project.path(),
            &[
                "build",
                "--draft",
                "--only",
                "evaluering-2018",
                "--output",
                "draft"
            ]
        )
        .status
        .success()
    );
    let draft = pdf_text(&project.path().join("draft/evaluering-2018.pdf"));
    assert!(has(&draft, "UTKAST – bygget"), "no draft stamp");
    assert!(has(&draft, "inndata"));
    assert!(
        run(
            project.path(),
            &["build", "--only", "evaluering-2018", "--output", "final"]
        )
        .status
        .success()
    );
    let final_text = pdf_text(&project.path().join("final/evaluering-2018.pdf"));
    assert!(
        !final_text.contains("UTKAST"),
        "a final build carries the draft mark"
    );
}

#[test]
fn a_final_build_refuses_documents_with_warnings_unless_allowed() {
    let project = sample_project();
    // A deadline in another year is a warning for that department's letter.
    edit(
        &project.path().join("input/rapportverk.yaml"),
        "source: oppdrag ",
        "source: oppdrag-csv ",
    );
    edit(
        &project.path().join("input/data/oppdrag-2022.csv"),
        ";2022-06-30;Kommunalsjef Barn og unge",
        ";2023-06-30;Kommunalsjef Barn og unge",
    );
    let output = run(project.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: oppdragsbrev-2022/barn-og-unge has 1 warning(s); a final build does not write a document with warnings"),
        "{}",
        stderr(&output)
    );
    assert!(
        !project
            .path()
            .join("output/oppdragsbrev-2022/barn-og-unge.pdf")
            .exists()
    );
    assert!(
        project
            .path()
            .join("output/oppdragsbrev-2022/skole.pdf")
            .exists()
    );
    assert!(
        run(project.path(), &["build", "--allow-warnings"])
            .status
            .success()
    );
    assert!(
        project
            .path()
            .join("output/oppdragsbrev-2022/barn-og-unge.pdf")
            .exists()
    );
}

#[test]
fn a_failing_document_among_many_leaves_the_others_built() {
    let project = sample_project();
    edit(
        &project.path().join("input/data/nokkeltall-2018.csv"),
        "klimatiltak;2018;67;",
        "klimatiltak;2018;sekstisju;",
    );
    let output = run(project.path(), &["build", "--jobs", "2"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        with_status(project.path(), "failed"),
        BTreeSet::from(["evaluering-2018".to_string()])
    );
    assert_eq!(with_status(project.path(), "built").len(), 12);
    assert!(stdout(&output).contains("FAILED  evaluering-2018"));
}

#[test]
fn check_reports_what_a_final_build_refuses_at_the_same_place_and_writes_nothing() {
    let project = sample_project();
    let template = project.path().join("templates/evaluering.typ.j2");
    let mut text = std::fs::read_to_string(&template).unwrap();
    text.push_str("\n**\n");
    std::fs::write(&template, text).unwrap();
    let check = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        !project.path().join("output").exists(),
        "check wrote something"
    );
    assert!(stdout(&check).contains("FAILED  evaluering-2018"));
    let build = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(build.status.code(), Some(1));
    let refusal = |output: &std::process::Output| -> Vec<String> {
        stderr(output)
            .lines()
            .filter(|l| l.contains("typst: no text within stars") || l.contains("has 1 warning(s)"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(refusal(&check).len(), 2, "{}", stderr(&check));
    assert_eq!(refusal(&check), refusal(&build));
}

#[test]
fn a_narrative_without_an_optional_field_builds_without_its_line() {
    let project = sample_project();
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    edit(
        &yaml,
        "    - label: Samtaler\n      value: \"13. april og 9. november 2018\"\n",
        "",
    );
    let check = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let build = run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert!(build.status.success(), "{}", stderr(&build));
    let text = pdf_text(&project.path().join("output/evaluering-2018.pdf"));
    assert!(!text.contains("Samtaler"), "{text}");
    assert!(text.contains("Grunnlag"), "{text}");
}
