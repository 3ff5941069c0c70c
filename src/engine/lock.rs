//! One build at a time per output folder: an OS advisory lock on a file in the folder, which
//! the kernel releases when the holding process ends however it ends, so no lock is ever stale.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::diag::{Diagnostic, Origin};

const LOCK_NAME: &str = ".rapportverk.lock";

/// Held while a build writes to an output folder. The file stays; the lock on it goes with the
/// open handle (on drop, or when the process dies).
#[derive(Debug)]
pub(crate) struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Takes the folder's lock without waiting, or says that another build holds it.
    pub(crate) fn acquire(folder: &Path) -> Result<OutputLock, Diagnostic> {
        let path = folder.join(LOCK_NAME);
        let fail = |e: std::io::Error| {
            Diagnostic::error(
                Origin::file(&path),
                format!("cannot create the lock file: {e}"),
            )
            .with_hint("check that the output folder is writable")
        };
        std::fs::create_dir_all(folder).map_err(fail)?;
        // Never truncate or delete the file: its identity is what the lock is on.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                // The holder's process id is only for the message; it decides nothing.
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let who = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!("another build (process {pid})"),
                    Err(_) => "another build".to_string(),
                };
                return Err(Diagnostic::error(
                    Origin::file(&path),
                    format!("{who} is writing to {}", folder.display()),
                )
                .with_hint("wait for it to finish, or give this build another --output folder"));
            }
            Err(TryLockError::Error(e)) => return Err(fail(e)),
        }
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "{}", std::process::id()));
        Ok(OutputLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire(dir.path()).unwrap();
        let err = OutputLock::acquire(dir.path()).unwrap_err();
        assert_eq!(
            err.message,
            format!(
                "another build (process {}) is writing to {}",
                std::process::id(),
                dir.path().display()
            )
        );
        drop(first);
        // A file left behind (by a finished or killed build) does not block.
        assert!(dir.path().join(LOCK_NAME).exists());
        assert!(OutputLock::acquire(dir.path()).is_ok());
    }
}
