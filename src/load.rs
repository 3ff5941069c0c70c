//! Load: every input file is read from disk and hashed once per run, then shared by every stage
//! that needs it (ingest, the input hash, the provenance appendix, PDF attachments).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Origin};

/// A file's bytes as read, the path messages show, and its SHA-256.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of `bytes`.
    pub sha256: String,
}

impl SourceFile {
    /// A file from bytes already in memory (tests, generated inputs).
    pub fn new(path: impl Into<PathBuf>, bytes: Vec<u8>) -> SourceFile {
        let sha256 = hex(&Sha256::digest(&bytes));
        SourceFile {
            path: path.into(),
            bytes,
            sha256,
        }
    }

    /// Reads the file, refusing one larger than `max_bytes` (0: any size) before reading it,
    /// and never reading more than that however the file grows meanwhile.
    fn read(path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic> {
        let limit = if max_bytes == 0 { u64::MAX } else { max_bytes };
        let too_large = |size: u64| {
            Diagnostic::error(
                Origin::file(path),
                format!(
                    "the file is {} MB, above the limit of {} (limits: file_mb)",
                    size.div_ceil(1 << 20),
                    max_bytes >> 20
                ),
            )
            .with_hint("check that it is the file you meant; or raise the limit in the manifest: limits: { file_mb: … } (docs/src/limits.md)")
        };
        let read = std::fs::File::open(path).and_then(|file| {
            let size = file.metadata()?.len();
            if size > limit {
                return Ok(Err(too_large(size)));
            }
            let mut bytes = Vec::with_capacity(size as usize);
            std::io::Read::read_to_end(
                &mut std::io::Read::take(file, limit.saturating_add(1)),
                &mut bytes,
            )?;
            Ok(if bytes.len() as u64 > limit {
                Err(too_large(bytes.len() as u64))
            } else {
                Ok(bytes)
            })
        });
        read.map(|result| result.map(|bytes| SourceFile::new(path, bytes)))
            .map_err(|e| {
                let d = Diagnostic::error(Origin::file(path), format!("cannot read the file: {e}"));
                if path.is_dir() {
                    d.with_hint("the manifest names a folder; name a file in it")
                } else {
                    d.with_hint("check the path in the manifest (paths are relative to it)")
                }
            })?
    }
}

/// Lowercase hex digits of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

type Slot = Arc<OnceLock<Result<Arc<SourceFile>, Diagnostic>>>;

/// The run's files, each read at most once however many documents and stages ask for it.
/// Safe to share between worker threads: a second reader of a file being read waits for it.
/// A clone is a handle on the same cache (for the template loader, which must own its state).
#[derive(Debug, Default, Clone)]
pub struct SourceCache {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    files: Mutex<HashMap<PathBuf, Slot>>,
    reads: Mutex<BTreeMap<PathBuf, usize>>,
    /// The project folder, symlinks resolved: no file outside it is read.
    root: OnceLock<PathBuf>,
    /// The largest file read, in bytes (0: no limit).
    max_bytes: AtomicU64,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere (one document's bug) must not make the cache unusable for the rest.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SourceCache {
    pub fn new() -> SourceCache {
        SourceCache::default()
    }

    /// A cache that reads only files inside `root`, symlinks resolved.
    pub fn confined(root: &Path) -> SourceCache {
        let cache = SourceCache::new();
        cache.confine_to(root);
        cache
    }

    /// From now on, refuse every file that is not inside `root` once symlinks are resolved:
    /// the one confinement rule for every file a run reads (manifest, data, narratives,
    /// templates, the layout library, fonts, logo), and so for the Typst world, which serves
    /// only files read here. The first root given stays.
    pub fn confine_to(&self, root: &Path) {
        if let Ok(root) = root.canonicalize() {
            let _ = self.shared.root.set(root);
        }
    }

    /// From now on, refuse files larger than `bytes` before reading them (the manifest's
    /// `limits: { file_mb }`).
    pub fn limit_file_size(&self, bytes: u64) {
        self.shared.max_bytes.store(bytes, Ordering::Relaxed);
    }

    /// The file at `path`, read from disk on the first call and from memory after.
    pub fn read(&self, path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
        let slot = Arc::clone(
            locked(&self.shared.files)
                .entry(path.to_path_buf())
                .or_default(),
        );
        slot.get_or_init(|| {
            *locked(&self.shared.reads)
                .entry(path.to_path_buf())
                .or_default() += 1;
            self.check_confined(path)?;
            SourceFile::read(path, self.shared.max_bytes.load(Ordering::Relaxed)).map(Arc::new)
        })
        .clone()
    }

    /// Whether `path` is inside the root this cache is confined to (always, if none).
    pub fn check_confined(&self, path: &Path) -> Result<(), Diagnostic> {
        let Some(root) = self.shared.root.get() else {
            return Ok(());
        };
        // A missing file is told by the read itself.
        let Ok(resolved) = path.canonicalize() else {
            return Ok(());
        };
        if resolved.starts_with(root) {
            return Ok(());
        }
        Err(Diagnostic::error(
            Origin::file(path),
            format!(
                "the file leads outside the project folder (through a symbolic link, to {})",
                resolved.display()
            ),
        )
        .with_hint(format!(
            "copy the file into the project instead of linking to it; nothing outside {} is read",
            root.display()
        )))
    }

    /// `path` as the Typst world names it: its place below the project root, symlinks
    /// resolved (`/input/narrativ/figur.svg`); the path as given, from `/`, when the cache is
    /// not confined or the file cannot be resolved.
    pub fn root_path(&self, path: &Path) -> String {
        let below = self.shared.root.get().and_then(|root| {
            let resolved = path.canonicalize().ok()?;
            Some(resolved.strip_prefix(root).ok()?.to_path_buf())
        });
        let shown = below
            .unwrap_or_else(|| path.to_path_buf())
            .to_string_lossy()
            .replace('\\', "/");
        format!(
            "/{}",
            shown.trim_start_matches("./").trim_start_matches('/')
        )
    }

    /// The file at `path` if the run has read it, without reading it (messages show lines of
    /// the files a run read, never a file read afresh that may have changed since).
    pub fn cached(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let slot = locked(&self.shared.files).get(path).cloned()?;
        slot.get()?.as_ref().ok().cloned()
    }

    /// How often each file was read from disk this run (always once; tests hold us to it).
    pub fn reads(&self) -> BTreeMap<PathBuf, usize> {
        locked(&self.shared.reads).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_once_and_its_hash_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "kpi;år\n").unwrap();
        let cache = SourceCache::new();
        let first = cache.read(&path).unwrap();
        std::fs::write(&path, "changed").unwrap();
        let second = cache.read(&path).unwrap();
        assert_eq!(second.bytes, b"kpi;\xc3\xa5r\n");
        assert_eq!(first.sha256, second.sha256);
        assert_eq!(cache.reads()[&path], 1);
        let missing = cache.read(&dir.path().join("nope.csv")).unwrap_err();
        assert!(
            missing.message.starts_with("cannot read the file"),
            "{missing}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_confined_cache_refuses_links_that_lead_out() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("passwd");
        std::fs::write(&secret, "root:x:0:0").unwrap();
        let project = tempfile::tempdir().unwrap();
        let lib = project.path().join("templates/lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::os::unix::fs::symlink(&secret, lib.join("passwd")).unwrap();
        std::fs::write(lib.join("real.typ"), "x").unwrap();
        std::os::unix::fs::symlink(lib.join("real.typ"), lib.join("inside.typ")).unwrap();
        let cache = SourceCache::confined(project.path());
        let err = cache.read(&lib.join("passwd")).unwrap_err();
        assert!(
            err.message
                .starts_with("the file leads outside the project folder"),
            "{err}"
        );
        assert_eq!(err.origin, Some(Origin::file(lib.join("passwd"))));
        // A link that stays inside the project is read.
        assert_eq!(cache.read(&lib.join("inside.typ")).unwrap().bytes, b"x");
    }
}
