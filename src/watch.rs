//! `rapportverk watch`: build, then rebuild whenever a file the documents are made from is
//! saved, in one process so Typst's fonts, library and memoized layout stay warm. The loop a
//! writer keeps running beside a PDF viewer, which reloads each PDF as it is renamed into place.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, FileIdCache, new_debouncer};
use rapportverk::engine::Warm;
use rapportverk::load::SourceCache;

use crate::cli::WatchArgs;
use crate::{EXIT_PROJECT_ERROR, build, default_output, load, only_selects_something};

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
    // The output folder's lock is taken by the first build and kept in `warm` until watch
    // ends, so no other build writes the same folder meanwhile.
    let mut warm = Warm::default();
    let mut watched = Watched::default();
    let mut first = true;
    loop {
        let cache = SourceCache::new();
        let (templates, narratives) = match load(&args.project.project, &cache) {
            Ok(project) => {
                // A watch that could never build anything is a mistake to say at once; later,
                // while the manifest is being edited, it only waits for the next save.
                if first && let Err(code) = only_selects_something(&project, args.only.as_deref()) {
                    return code;
                }
                let mut config = match args.config(&default_output(&project.root)) {
                    Ok(config) => config,
                    Err(usage) => usage.exit(),
                };
                if !args.final_documents {
                    config.draft = Some(chrono::Local::now().format("%d.%m.%Y %H:%M").to_string());
                }
                let _ = build(&project, &config, &cache, &mut warm, false);
                (
                    Some(absolute(&project.templates)),
                    narrative_folders(&project),
                )
            }
            // The manifest's problems are printed; the next save of it builds again.
            Err(_) => (None, Vec::new()),
        };
        first = false;
        let inputs: BTreeSet<PathBuf> = cache.reads().keys().map(|p| absolute(p)).collect();
        let mut folders: BTreeSet<PathBuf> = inputs
            .iter()
            .filter_map(|p| p.parent())
            .map(Path::to_path_buf)
            .collect();
        folders.extend(narratives);
        for folder in &folders {
            watched.watch(&mut debouncer, folder, RecursiveMode::NonRecursive);
        }
        if let Some(templates) = &templates {
            watched.watch(&mut debouncer, templates, RecursiveMode::Recursive);
        }
        out!("watching {} files for changes (Ctrl-C stops)", inputs.len());
        let seen = Seen {
            inputs: &inputs,
            folders: &folders,
            templates: templates.as_deref(),
        };
        let Some(changed) = next_change(&changes, &seen) else {
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

/// The per-unit narrative folders, watched even before they hold a file, so a new unit's
/// narrative builds.
fn narrative_folders(project: &rapportverk::project::Project) -> Vec<PathBuf> {
    project
        .documents
        .iter()
        .filter_map(|d| match &d.kind {
            rapportverk::project::DocumentKind::Report { per_unit, .. } => {
                per_unit.as_ref()?.narratives.as_ref()
            }
        })
        .filter(|folder| folder.is_dir())
        .map(|folder| absolute(folder))
        .collect()
}

/// A folder's identity: device and inode on Unix; elsewhere its creation time, which a
/// folder made anew and renamed into place does not share with the one it replaced.
fn folder_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let created = meta
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .unwrap_or_default();
        (created.as_secs(), u64::from(created.subsec_nanos()))
    }
}

/// The folders being watched, each with the identity (device, inode) it had when the watch
/// began: a folder replaced (a sync client or an export writing a new one and renaming it
/// into place) has a new identity, and a watch on the old one would see nothing more.
#[derive(Default)]
struct Watched(BTreeMap<PathBuf, (u64, u64)>);

impl Watched {
    fn watch<W: Watcher, C: FileIdCache>(
        &mut self,
        debouncer: &mut Debouncer<W, C>,
        folder: &Path,
        mode: RecursiveMode,
    ) {
        let Ok(meta) = std::fs::metadata(folder) else {
            err!(
                "warning: cannot watch {}: the folder is gone",
                folder.display()
            );
            // Kept with no identity, so the folder's return is told as a replacement.
            if let Some(known) = self.0.get_mut(folder) {
                *known = (0, 0);
            }
            return;
        };
        let identity = folder_identity(&meta);
        match self.0.get(folder) {
            Some(known) if *known == identity => return,
            Some(_) => {
                let _ = debouncer.unwatch(folder);
                out!(
                    "the folder {} was replaced; watching the new one",
                    shown(folder)
                );
            }
            None => {}
        }
        match debouncer.watch(folder, mode) {
            Ok(()) => {
                self.0.insert(folder.to_path_buf(), identity);
            }
            Err(e) => err!("warning: cannot watch {}: {e}", folder.display()),
        }
    }
}

/// What the last build read and where, to tell a relevant change from noise.
struct Seen<'a> {
    inputs: &'a BTreeSet<PathBuf>,
    folders: &'a BTreeSet<PathBuf>,
    templates: Option<&'a Path>,
}

impl Seen<'_> {
    /// A file the build read, anything in the templates folder, a folder on the way to an
    /// input (replaced or removed), or a new data or narrative file in a watched folder.
    fn is_relevant(&self, path: &Path, created: bool) -> bool {
        let new_input = created
            && path.parent().is_some_and(|p| self.folders.contains(p))
            && path.extension().is_some_and(|e| {
                let e = e.to_string_lossy().to_lowercase();
                INPUT_EXTENSIONS.contains(&e.as_str())
            })
            && !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(['~', '.']));
        self.inputs.contains(path)
            || self.templates.is_some_and(|t| path.starts_with(t))
            || self.folders.iter().any(|f| f.starts_with(path))
            || new_input
    }
}

/// What a new file must be to start a build: data or a narrative.
const INPUT_EXTENSIONS: [&str; 9] = [
    "yaml", "yml", "csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods",
];

/// Waits for a relevant change (see [`Seen::is_relevant`]); `None` when the watcher stops.
fn next_change(changes: &mpsc::Receiver<DebounceEventResult>, seen: &Seen) -> Option<Vec<PathBuf>> {
    loop {
        match changes.recv().ok()? {
            Ok(events) => {
                let relevant: BTreeSet<PathBuf> = events
                    .iter()
                    .filter(|e| !e.kind.is_access())
                    .flat_map(|e| {
                        let created = e.kind.is_create()
                            || matches!(e.kind, EventKind::Modify(ModifyKind::Name(_)));
                        e.paths.iter().map(move |p| (absolute(p), created))
                    })
                    .filter(|(p, created)| seen.is_relevant(p, *created))
                    .map(|(p, _)| p)
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
