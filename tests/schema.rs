//! The JSON Schemas (`rapportverk schema`) an editor uses to check and complete the YAML as
//! the user types: the committed ones are what the tool generates, every sample file is valid
//! against them and names its schema, and a misspelt block type is refused at its path.

mod common;

use std::path::{Path, PathBuf};

use common::{repo, run, stdout};

fn schema(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join("input/schema").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn yaml_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            into.push(path);
        }
    }
}

/// A YAML file as the JSON value a language server validates.
fn as_json(path: &Path) -> serde_json::Value {
    let source = rapportverk::load::SourceCache::new().read(path).unwrap();
    rapportverk::ingest::yaml::parse(&source).unwrap()
}

/// The errors of `value` against `schema`, each as "path: message".
fn errors(schema: &serde_json::Value, value: &serde_json::Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("a valid JSON Schema");
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schemas_are_the_ones_the_tool_generates() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["schema", "--out", "schema"]);
    assert!(output.status.success(), "{}", stdout(&output));
    for name in ["manifest.schema.json", "narrative.schema.json"] {
        let generated = std::fs::read_to_string(dir.path().join("schema").join(name)).unwrap();
        let committed = std::fs::read_to_string(repo().join("input/schema").join(name)).unwrap();
        assert!(
            generated == committed,
            "input/schema/{name} is stale: run `cargo run -- schema`"
        );
    }
}

#[test]
fn every_sample_yaml_is_valid_and_names_its_schema() {
    let mut files = Vec::new();
    yaml_files(&repo().join("input"), &mut files);
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let is_manifest = file.ends_with("rapportverk.yaml");
        let name = if is_manifest {
            "manifest.schema.json"
        } else {
            "narrative.schema.json"
        };
        let found = errors(&schema(name), &as_json(&file));
        assert!(found.is_empty(), "{}: {found:?}", file.display());
        // The first line points an editor (yaml-language-server) at the schema, relative to
        // the file, and the path resolves.
        let text = std::fs::read_to_string(&file).unwrap();
        let first = text.lines().next().unwrap();
        let relative = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{} names no schema", file.display()));
        assert!(
            file.parent().unwrap().join(relative).is_file(),
            "{}: {relative} does not exist",
            file.display()
        );
    }
}

#[test]
fn a_misspelt_block_type_is_refused_at_its_path() {
    let file = repo().join("input/narrativ/evaluering-2018.yaml");
    let mut value = as_json(&file);
    let blocks = value["sections"][0]["blocks"].as_array_mut().unwrap();
    let paragraph = blocks[0].as_object_mut().unwrap();
    let text = paragraph.remove("p").unwrap();
    paragraph.insert("paragraf".to_string(), text);
    let found = errors(&schema("narrative.schema.json"), &value);
    assert!(
        found.iter().any(|e| e.starts_with("/sections/0/blocks/0")),
        "{found:?}"
    );
    // And a misspelt key in the manifest.
    let mut manifest = as_json(&repo().join("input/rapportverk.yaml"));
    let documents = manifest["documents"][0].as_object_mut().unwrap();
    let template = documents.remove("template").unwrap();
    documents.insert("templat".to_string(), template);
    let found = errors(&schema("manifest.schema.json"), &manifest);
    assert!(
        found.iter().any(|e| e.starts_with("/documents/0")),
        "{found:?}"
    );
}

#[test]
fn init_writes_a_project_that_builds_at_once_and_says_what_to_run_next() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["init", "ny"]);
    assert!(output.status.success(), "{}", stdout(&output));
    let printed = stdout(&output);
    assert!(
        printed.contains("rapportverk check --project ny/input"),
        "{printed}"
    );
    assert!(
        printed.contains("rapportverk build --project ny/input"),
        "{printed}"
    );
    let build = run(dir.path(), &["build", "--project", "ny/input"]);
    assert!(build.status.success(), "{}", common::stderr(&build));
    let text = common::pdf_text(&dir.path().join("ny/output/rapport-2024.pdf"));
    for expected in [
        "Rapport 2024",
        "Sykefravær",
        "2022 2023 2024",
        "Vedlegg: Datagrunnlag",
    ] {
        assert!(common::has(&text, expected), "lacks {expected:?}:\n{text}");
    }
    // Its YAML is valid against the schemas it was given.
    for (file, name) in [
        ("ny/input/rapportverk.yaml", "manifest.schema.json"),
        ("ny/input/narrativ/rapport.yaml", "narrative.schema.json"),
    ] {
        let found = errors(&schema(name), &as_json(&dir.path().join(file)));
        assert!(found.is_empty(), "{file}: {found:?}");
    }
    // A second init into the same folder writes nothing.
    let again = run(dir.path(), &["init", "ny"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        common::stderr(&again).contains("the folder already holds a project; nothing was written")
    );
}
