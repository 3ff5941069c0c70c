//! The source's shape, held to ARCHITECTURE.md: imports go one way along the pipeline (no
//! module imports a later stage, no two modules import each other, directly or in a loop),
//! no side channel between stages (`thread_local!`, `RefCell`, `Mutex`) in the model, the
//! view or the render stage, the view reading the typed model and not the input schema, and
//! no function over 100 lines.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::repo;

/// Each `src/` file's module path (`model::document::checks`) and its code without comments.
fn modules() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let src = repo().join("src");
    collect(&src, &src, &mut found);
    found
}

fn collect(dir: &Path, src: &Path, into: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, src, into);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
            parts.pop();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        into.insert(parts.join("::"), code.join("\n"));
    }
}

/// The paths a file names through `crate::` and `super::`, `use` groups expanded.
fn named_paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (at, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = code[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut base: Vec<String> = module.split("::").map(str::to_string).collect();
        if module.is_empty() {
            base.clear();
        }
        let rest = if code[at..].starts_with("crate::") {
            base.clear();
            &code[at + "crate::".len()..]
        } else {
            let mut rest = &code[at..];
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            rest
        };
        expand(base, rest, &mut paths);
    }
    paths
}

/// `a::b::{c, d::e}` from `text` appended to `base`, into `paths`.
fn expand(base: Vec<String>, text: &str, paths: &mut Vec<Vec<String>>) {
    let mut path = base;
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            path.push(rest[..end].to_string());
        }
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix("::{") {
            let mut depth = 1;
            let mut start = 0;
            for (i, c) in r.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let item = r[start..i].trim();
                        if !item.is_empty() && item != "self" {
                            expand(path.clone(), item, paths);
                        }
                        start = i + 1;
                        if c == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            paths.push(path);
            return;
        }
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    paths.push(path);
}

/// Which modules each module imports: a named path resolves to the longest module it starts
/// with; a module's own children and itself do not count.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut graph = BTreeMap::new();
    for (module, code) in &modules {
        let mut targets = BTreeSet::new();
        for path in named_paths(module, code) {
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|candidate| modules.contains_key(candidate))
                .unwrap_or_default();
            let own_child = target.starts_with(&format!("{module}::"));
            if !target.is_empty() && target != *module && !own_child {
                targets.insert(target);
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

/// The pipeline's order: a module may import only its own stage or an earlier one.
fn stage(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or_default();
    match top {
        "diag" | "norsk" | "load" | "period" => 0,
        // The words documents print: read with the YAML reader, used from the model on.
        "ingest" | "locale" => 1,
        "project" => 2,
        "model" => 3,
        "view" => 5,
        "render" => 6,
        "typeset" => 7,
        "engine" => 8,
        // The face: arguments, printing, watch, init and the schemas.
        _ => 9,
    }
}

#[test]
fn no_module_imports_a_later_stage() {
    let mut later = Vec::new();
    for (module, targets) in imports() {
        for target in targets {
            if stage(&target) > stage(&module) {
                later.push(format!("{module} → {target}"));
            }
        }
    }
    assert!(
        later.is_empty(),
        "imports of a later stage:\n{}",
        later.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other_directly_or_in_a_loop() {
    let graph = imports();
    let mut loops = BTreeSet::new();
    for start in graph.keys() {
        // Every module reachable from `start`; a loop when `start` is among them.
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = graph[start].iter().collect();
        while let Some(next) = todo.pop() {
            if next == start {
                loops.insert(start.clone());
                break;
            }
            if seen.insert(next) {
                todo.extend(graph.get(next).into_iter().flatten());
            }
        }
    }
    let shown: Vec<String> = loops
        .iter()
        .map(|m| format!("{m} → {:?}", graph[m]))
        .collect();
    assert!(
        loops.is_empty(),
        "modules in an import loop:\n{}",
        shown.join("\n")
    );
}

/// The view and the render stage read the typed model (`model::content`), never the
/// narrative's input schema, whose fields may hold values that did not parse.
#[test]
fn the_view_reads_the_typed_model_not_the_input_schema() {
    let readers: Vec<String> = imports()
        .into_iter()
        .filter(|(module, _)| module.starts_with("view") || module.starts_with("render"))
        .filter(|(_, targets)| targets.contains("model::narrative"))
        .map(|(module, _)| module)
        .collect();
    assert!(
        readers.is_empty(),
        "read the input schema: {}",
        readers.join(", ")
    );
    // The typed model is what the view reads, so the rule above is about something.
    assert!(imports()["view::blocks"].contains("model::content"));
}

#[test]
fn no_side_channel_between_stages() {
    let mut found = Vec::new();
    for (module, code) in modules() {
        let top = module.split("::").next().unwrap_or_default();
        if !["model", "view", "render"].contains(&top) {
            continue;
        }
        for word in ["thread_local!", "RefCell", "Mutex"] {
            if code.contains(word) {
                found.push(format!("{module}: {word}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_function_is_over_100_lines() {
    let mut long = Vec::new();
    let src = repo().join("src");
    let mut files = BTreeMap::new();
    collect_text(&src, &mut files);
    for (path, text) in files {
        let lines: Vec<&str> = text.lines().collect();
        for (start, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
            ]
            .iter()
            .any(|p| trimmed.starts_with(p));
            if !is_fn || line.trim_end().ends_with(';') {
                continue;
            }
            let indent = &line[..line.len() - trimmed.len()];
            let end = lines[start..]
                .iter()
                .position(|l| *l == format!("{indent}}}"))
                .unwrap_or(0);
            if end + 1 > 100 {
                long.push(format!("{}:{} ({} lines)", path, start + 1, end + 1));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 100 lines:\n{}",
        long.join("\n")
    );
}

fn collect_text(dir: &Path, into: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_text(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let shown = path.strip_prefix(repo()).unwrap().display().to_string();
            into.insert(shown, std::fs::read_to_string(&path).unwrap());
        }
    }
}
