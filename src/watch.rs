//! `rapportverk watch`: build, then rebuild whenever a file the documents are made from is
//! saved, in one process so Typst's fonts, library and memoized layout stay warm. The loop a
//! writer keeps running beside a PDF viewer, which reloads each PDF as it is renamed into place.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use rapportverk::engine::Warm;
use rapportverk::load::SourceCache;

use crate::cli::WatchArgs;
use crate::{EXIT_PROJECT_ERROR, build, default_output, load};

/// Editors save in bursts (a temporary file, a rename, a touch); one rebuild per burst.
const DEBOUNCE: Duration = Duration::from_millis(30);

pub(crate) fn watch(args: &WatchArgs) -> ExitCode {
    let (sender, changes) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(DEBOUNCE, None, sender) {
        Ok(debouncer) => debouncer,
        Err(e) => {
            err!("error: cannot watch files: {e}");
            return ExitCode::from(EXIT_PROJECT_ERROR);
        }
    };
    let mut warm = Warm::default();
    let mut watched_folders: BTreeSet<PathBuf> = BTreeSet::new();
    loop {
        let cache = SourceCache::new();
        let templates = match load(&args.project.project, &cache) {
            Ok(project) => {
                let mut config = match args.config(&default_output(&project.root)) {
                    Ok(config) => config,
                    Err(usage) => usage.exit(),
                };
                if !args.final_documents {
                    config.draft = Some(chrono::Local::now().format("%d.%m.%Y %H:%M").to_string());
                }
                let _ = build(&project, &config, &cache, &mut warm, false);
                Some(absolute(&project.templates))
            }
            // The manifest's problems are printed; the next save of it builds again.
            Err(_) => None,
        };
        let inputs: BTreeSet<PathBuf> = cache.reads().keys().map(|p| absolute(p)).collect();
        for folder in inputs.iter().filter_map(|p| p.parent()) {
            if watched_folders.insert(folder.to_path_buf())
                && let Err(e) = debouncer.watch(folder, RecursiveMode::NonRecursive)
            {
                err!("warning: cannot watch {}: {e}", folder.display());
            }
        }
        if let Some(templates) = &templates
            && watched_folders.insert(templates.clone())
            && let Err(e) = debouncer.watch(templates, RecursiveMode::Recursive)
        {
            err!("warning: cannot watch {}: {e}", templates.display());
        }
        out!("watching {} files for changes (Ctrl-C stops)", inputs.len());
        let Some(changed) = next_change(&changes, &inputs, templates.as_deref()) else {
            return ExitCode::SUCCESS;
        };
        if templates
            .as_ref()
            .is_some_and(|t| changed.iter().any(|p| p.starts_with(t.join("lib"))))
        {
            warm.library_changed();
        }
        let names: Vec<String> = changed.iter().map(|p| shown(p)).collect();
        out!("changed: {}", names.join(", "));
    }
}

/// Waits for a save of a file the last build read, or of anything in the templates folder;
/// `None` when the watcher stops.
fn next_change(
    changes: &mpsc::Receiver<DebounceEventResult>,
    inputs: &BTreeSet<PathBuf>,
    templates: Option<&Path>,
) -> Option<Vec<PathBuf>> {
    loop {
        match changes.recv().ok()? {
            Ok(events) => {
                let relevant: BTreeSet<PathBuf> = events
                    .iter()
                    .filter(|e| !e.kind.is_access())
                    .flat_map(|e| e.paths.iter())
                    .map(|p| absolute(p))
                    .filter(|p| inputs.contains(p) || templates.is_some_and(|t| p.starts_with(t)))
                    .collect();
                if !relevant.is_empty() {
                    return Some(relevant.into_iter().collect());
                }
            }
            Err(errors) => {
                for e in errors {
                    err!("warning: watching files: {e}");
                }
            }
        }
    }
}

/// The path as the file system names it (events come with absolute, resolved paths).
fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| {
        // A file that is gone (mid-save) still compares by its folder's resolved path.
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => parent
                .canonicalize()
                .map_or_else(|_| path.to_path_buf(), |p| p.join(name)),
            _ => path.to_path_buf(),
        }
    })
}

/// A changed path relative to the current folder where it is below it.
fn shown(path: &Path) -> String {
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    here.and_then(|h| path.strip_prefix(h).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
