//! One build at a time per output folder: a lock file that names the running process.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Origin};

const LOCK_NAME: &str = ".rapportverk.lock";

/// Held while a build writes to an output folder; removed when dropped.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
}

impl OutputLock {
    /// Takes the folder's lock, or says which build holds it. A lock left by a process that
    /// no longer runs (a crash, a killed job) is taken over.
    pub fn acquire(folder: &Path) -> Result<OutputLock, Diagnostic> {
        let path = folder.join(LOCK_NAME);
        let fail = |e: std::io::Error| {
            Diagnostic::error(
                Origin::file(&path),
                format!("cannot create the lock file: {e}"),
            )
            .with_hint("check that the output folder is writable")
        };
        std::fs::create_dir_all(folder).map_err(fail)?;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    writeln!(file, "{}", std::process::id()).map_err(fail)?;
                    return Ok(OutputLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = holder.trim().parse::<u32>().ok();
                    if pid.is_some_and(process_is_running) {
                        return Err(Diagnostic::error(
                            Origin::file(&path),
                            format!(
                                "another build (process {}) is writing to {}",
                                pid.unwrap_or_default(),
                                folder.display()
                            ),
                        )
                        .with_hint(
                            "wait for it to finish, or give this build another --output folder",
                        ));
                    }
                    // The holder is gone: the lock is stale.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(fail(e)),
            }
        }
        Err(
            Diagnostic::error(Origin::file(&path), "the lock file keeps coming back")
                .with_hint("another build is starting at the same moment; try again"),
        )
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process with this id runs (Linux: it has a /proc entry; elsewhere assume yes).
fn process_is_running(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_a_stale_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire(dir.path()).unwrap();
        let err = OutputLock::acquire(dir.path()).unwrap_err();
        assert!(err.message.starts_with("another build (process "), "{err}");
        drop(first);
        assert!(!dir.path().join(LOCK_NAME).exists());
        // A lock naming a process that does not exist is stale.
        std::fs::write(dir.path().join(LOCK_NAME), "4000000000\n").unwrap();
        assert!(OutputLock::acquire(dir.path()).is_ok());
    }
}
