//! One build at a time per output folder: an OS advisory lock on a file in the folder, which
//! the kernel releases when the holding process ends however it ends, so no lock is ever stale.

use std::fs::{File, TryLockError};
use std::io::Read;
use std::path::Path;

#[cfg(not(unix))]
use portable as platform;
#[cfg(unix)]
use unix as platform;

use crate::diag::{Diagnostic, Origin};

const LOCK_NAME: &str = ".rapportverk.lock";

/// The lock file holds a process id padded to this width, rewritten in place: never truncated,
/// so a reader never sees it half-written and no file is ever shortened.
const PID_WIDTH: usize = 12;

/// Held while a build writes to an output folder. The file stays; the lock on it goes with the
/// open handle (on drop, or when the process dies).
#[derive(Debug)]
pub(crate) struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Takes the folder's lock without waiting, or says that another build holds it. The lock
    /// file is opened without following a symlink and must be a lock file this tool wrote (a
    /// plain file with one name holding a process id), so a link planted in a shared output
    /// folder cannot make a build overwrite another file.
    pub(crate) fn acquire(folder: &Path) -> Result<OutputLock, Diagnostic> {
        let path = folder.join(LOCK_NAME);
        let fail = |e: std::io::Error| {
            Diagnostic::error(
                Origin::file(&path),
                format!("cannot create the lock file: {e}"),
            )
            .with_hint("check that the output folder is writable")
        };
        if folder.is_file() {
            return Err(Diagnostic::error(
                Origin::file(folder),
                "the output folder is a file, not a folder",
            )
            .with_hint("give --output a folder (it is made if it does not exist)"));
        }
        std::fs::create_dir_all(folder).map_err(fail)?;
        let mut file = platform::open_no_follow(&path).map_err(|e| {
            if platform::is_symlink_refusal(&path, &e) {
                not_a_lock_file(&path, "it is a symbolic link")
            } else {
                fail(e)
            }
        })?;
        // Unix locks are advisory: the file is checked before it is locked. Windows locks
        // bar others from reading a held file, so there it is checked once held.
        #[cfg(unix)]
        check_is_lock_file(&path, &mut file)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(held(folder, &path, &mut file)),
            Err(TryLockError::Error(e)) => return Err(fail(e)),
        }
        #[cfg(not(unix))]
        check_is_lock_file(&path, &mut file)?;
        let pid = format!("{:<width$}\n", std::process::id(), width = PID_WIDTH - 1);
        let _ = platform::write_at_start(&mut file, pid.as_bytes());
        Ok(OutputLock { _file: file })
    }
}

/// A plain file with one name (not a hard link to some other file), empty or holding a
/// process id: the only file the lock writes to.
fn check_is_lock_file(path: &Path, file: &mut File) -> Result<(), Diagnostic> {
    let meta = file
        .metadata()
        .map_err(|e| not_a_lock_file(path, &e.to_string()))?;
    if !meta.is_file() {
        return Err(not_a_lock_file(path, "it is not a plain file"));
    }
    if platform::links(&meta) > 1 {
        return Err(not_a_lock_file(path, "it is a hard link to another file"));
    }
    let mut text = String::new();
    let looks_like_pid = meta.len() <= PID_WIDTH as u64
        && file.read_to_string(&mut text).is_ok()
        && text.trim().chars().all(|c| c.is_ascii_digit());
    if !looks_like_pid {
        return Err(not_a_lock_file(
            path,
            "it holds something other than a process id",
        ));
    }
    Ok(())
}

fn not_a_lock_file(path: &Path, why: &str) -> Diagnostic {
    Diagnostic::error(
        Origin::file(path),
        format!("the output folder's lock file is not one rapportverk wrote: {why}"),
    )
    .with_hint("remove it (no build writes to it); someone may have put it there to make a build overwrite another file")
}

/// Another build holds the lock; its process id is only for the message and is named only if
/// that process still runs (a build that just took the lock may not have written its id yet).
fn held(folder: &Path, path: &Path, file: &mut File) -> Diagnostic {
    let mut buffer = [0u8; PID_WIDTH];
    let read = platform::read_at_start(file, &mut buffer).unwrap_or(0);
    let holder = String::from_utf8_lossy(&buffer[..read])
        .trim()
        .parse::<i32>();
    let who = match holder {
        Ok(pid) if pid > 0 && platform::runs(pid) => {
            format!("another build (process {pid})")
        }
        _ => "another build".to_string(),
    };
    Diagnostic::error(
        Origin::file(path),
        format!("{who} is writing to {}", folder.display()),
    )
    .with_hint("wait for it to finish, or give this build another --output folder")
}

/// Unix: the kernel refuses the symlink (O_NOFOLLOW), positioned reads and writes leave the
/// handle's offset alone, and signal 0 asks whether a process runs.
#[cfg(unix)]
mod unix {
    use std::fs::{File, Metadata};
    use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
    use std::path::Path;

    /// Opens (or creates, with the umask's mode) the lock file, refusing a symlink in its place.
    pub(super) fn open_no_follow(path: &Path) -> std::io::Result<File> {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)
    }

    pub(super) fn is_symlink_refusal(_path: &Path, e: &std::io::Error) -> bool {
        e.raw_os_error() == Some(libc::ELOOP)
    }

    pub(super) fn links(meta: &Metadata) -> u64 {
        meta.nlink()
    }

    pub(super) fn write_at_start(file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
        file.write_all_at(bytes, 0)
    }

    pub(super) fn read_at_start(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
        file.read_at(buffer, 0)
    }

    pub(super) fn runs(pid: i32) -> bool {
        // SAFETY: kill with signal 0 only asks whether the process exists.
        unsafe { libc::kill(pid, 0) == 0 }
    }
}

/// Elsewhere (Windows) with std alone: a symlink is refused by looking before opening (a
/// symlink there needs a privilege ordinary users lack, so the window between look and open
/// is not one an attacker in a shared folder gets), the pid is written by seek and write, and
/// a holder's process id is named without asking whether it still runs.
#[cfg(any(not(unix), test))]
mod portable {
    use std::fs::{File, Metadata};
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::path::Path;

    pub(super) fn open_no_follow(path: &Path) -> std::io::Result<File> {
        if is_link(path) {
            return Err(std::io::Error::other("it is a symbolic link"));
        }
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    }

    fn is_link(path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    }

    pub(super) fn is_symlink_refusal(path: &Path, _e: &std::io::Error) -> bool {
        is_link(path)
    }

    /// std has no portable link count; a hard link to another file is not caught here.
    pub(super) fn links(_meta: &Metadata) -> u64 {
        1
    }

    pub(super) fn write_at_start(file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
        file.seek(SeekFrom::Start(0))?;
        file.write_all(bytes)?;
        file.flush()
    }

    pub(super) fn read_at_start(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
        file.seek(SeekFrom::Start(0))?;
        file.read(buffer)
    }

    /// Without a portable way to ask, the id is named: a lock is only held by a live process.
    pub(super) fn runs(_pid: i32) -> bool {
        true
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
        // Windows bars reading a locked file, so the holder's id is named on Unix only.
        let who = if cfg!(unix) {
            format!("another build (process {})", std::process::id())
        } else {
            "another build".to_string()
        };
        assert_eq!(
            err.message,
            format!("{who} is writing to {}", dir.path().display())
        );
        drop(first);
        // A file left behind (by a finished or killed build) does not block.
        assert!(dir.path().join(LOCK_NAME).exists());
        assert!(OutputLock::acquire(dir.path()).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_or_foreign_file_in_the_locks_place_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(LOCK_NAME)).unwrap();
        let err = OutputLock::acquire(&out).unwrap_err();
        assert!(err.message.ends_with("it is a symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        std::fs::remove_file(out.join(LOCK_NAME)).unwrap();
        std::fs::hard_link(&victim, out.join(LOCK_NAME)).unwrap();
        let err = OutputLock::acquire(&out).unwrap_err();
        assert!(
            err.message.ends_with("a hard link to another file"),
            "{err}"
        );
        std::fs::remove_file(out.join(LOCK_NAME)).unwrap();
        std::fs::write(out.join(LOCK_NAME), "precious").unwrap();
        let err = OutputLock::acquire(&out).unwrap_err();
        assert!(err.message.ends_with("other than a process id"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[cfg(unix)]
    #[test]
    fn a_holder_that_no_longer_runs_is_not_named() {
        let dir = tempfile::tempdir().unwrap();
        let _held = OutputLock::acquire(dir.path()).unwrap();
        // As if the holder had not yet written its id over the last build's (long gone).
        std::fs::write(dir.path().join(LOCK_NAME), "999999999\n").unwrap();
        let err = OutputLock::acquire(dir.path()).unwrap_err();
        assert_eq!(
            err.message,
            format!("another build is writing to {}", dir.path().display())
        );
    }

    #[test]
    fn an_output_that_is_a_file_is_told_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "x").unwrap();
        let err = OutputLock::acquire(&notes).unwrap_err();
        assert_eq!(err.origin, Some(Origin::file(&notes)));
        assert_eq!(err.message, "the output folder is a file, not a folder");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "x");
    }

    /// The fallback other systems build with, tried here on its own: a symlink is refused and
    /// its target left alone, an existing file is not truncated, and the id is written and read
    /// at the start whatever the handle's position.
    #[test]
    fn the_portable_fallback_refuses_a_symlink_and_never_truncates() {
        use std::io::{Seek, SeekFrom};
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join(LOCK_NAME);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            let err = portable::open_no_follow(&link).unwrap_err();
            assert!(portable::is_symlink_refusal(&link, &err), "{err}");
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
            std::fs::remove_file(&link).unwrap();
        }
        std::fs::write(&link, "precious and long").unwrap();
        let mut file = portable::open_no_follow(&link).unwrap();
        assert!(!portable::is_symlink_refusal(
            &link,
            &std::io::Error::other("x")
        ));
        assert_eq!(portable::links(&file.metadata().unwrap()), 1);
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "precious and long");
        file.seek(SeekFrom::End(0)).unwrap();
        portable::write_at_start(&mut file, b"42         \n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&link).unwrap(),
            "42         \n long"
        );
        let mut buffer = [0u8; PID_WIDTH];
        let read = portable::read_at_start(&mut file, &mut buffer).unwrap();
        assert_eq!(&buffer[..read], b"42         \n");
        assert!(portable::runs(42));
    }
}
