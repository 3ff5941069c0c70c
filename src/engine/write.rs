//! Writing output files: whole or not at all, so a reader (a PDF viewer, the next run) never
//! sees half a file and a failed write leaves the previous file as it was.

use std::io::Write;
use std::path::Path;

#[cfg(not(unix))]
use portable as platform;
#[cfg(unix)]
use unix as platform;

use crate::diag::{Diagnostic, Origin};

/// Writes `bytes` to a temporary file in the target's folder, then renames it over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// As [`write_atomically`], with the bytes written by `fill` as they are made (a large
/// build report is serialised into the file, not into memory first).
pub(crate) fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Diagnostic> {
    let fail = |e: std::io::Error| {
        Diagnostic::error(Origin::file(path), format!("cannot write: {e}"))
            .with_hint("check that the output folder exists and is writable")
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    // Same folder, so the rename stays on one file system; dropped (deleted) on any failure.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rapportverk-").suffix(".tmp");
    platform::new_file_mode(&mut builder);
    let mut temporary = builder.tempfile_in(dir).map_err(fail)?;
    // A file replaced keeps its mode (a PDF someone made 0644 stays 0644).
    if let Ok(old) = std::fs::symlink_metadata(path)
        && old.is_file()
    {
        platform::keep_permissions(temporary.as_file(), &old).map_err(fail)?;
    }
    let mut buffered = std::io::BufWriter::new(temporary.as_file_mut());
    fill(&mut buffered).map_err(fail)?;
    buffered.flush().map_err(fail)?;
    drop(buffered);
    temporary.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Removes temporary files a killed build left in `folder` and its subfolders (outputs lie at
/// most one folder down). Only called while holding the folder's lock, so no running build's
/// file is touched.
pub(crate) fn remove_leftovers(folder: &Path) {
    remove_leftovers_below(folder, 1);
}

fn remove_leftovers_below(folder: &Path, depth: usize) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if depth > 0 {
                remove_leftovers_below(&path, depth - 1);
            }
        } else if name.starts_with(".rapportverk-") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Unix modes: what a new file gets under the umask, and the replaced file's bits kept.
#[cfg(unix)]
mod unix {
    use std::fs::{File, Metadata, Permissions};
    use std::os::unix::fs::PermissionsExt;

    /// Created with 0666 as the open call's mode, so the umask makes it what any new file gets
    /// (tempfile's own default, 0600, would hide every output from the web server and colleagues).
    pub(super) fn new_file_mode(builder: &mut tempfile::Builder) {
        builder.permissions(Permissions::from_mode(0o666));
    }

    pub(super) fn keep_permissions(temporary: &File, old: &Metadata) -> std::io::Result<()> {
        temporary.set_permissions(Permissions::from_mode(old.permissions().mode() & 0o7777))
    }
}

/// Elsewhere (Windows) a new file gets the folder's inherited access rules, and the one
/// permission std carries is the read-only flag. A read-only file cannot be replaced by a
/// rename there, so it is refused before anything is written.
#[cfg(any(not(unix), test))]
mod portable {
    use std::fs::{File, Metadata};

    pub(super) fn new_file_mode(_builder: &mut tempfile::Builder) {}

    pub(super) fn keep_permissions(temporary: &File, old: &Metadata) -> std::io::Result<()> {
        if old.permissions().readonly() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is read-only (clear its read-only flag to let builds replace it)",
            ));
        }
        temporary.set_permissions(old.permissions())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        // A folder in the way: the rename fails, nothing is left behind.
        let blocked = dir.path().join("b.pdf");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("keep"), "x").unwrap();
        let err = write_atomically(&blocked, b"new").unwrap_err();
        assert!(err.message.starts_with("cannot write: "), "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_umask_mode_and_replaced_files_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        // What a new file gets under this process's umask, whatever it is.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, "").unwrap();
        let path = dir.path().join("a.pdf");
        write_atomically(&path, b"first").unwrap();
        assert_eq!(mode(&path), mode(&probe));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(mode(&path), 0o640);
    }

    /// The fallback other systems build with, tried here on its own: a read-only file is
    /// refused before anything is written, a writable one's flag carried over.
    #[test]
    fn the_portable_fallback_refuses_a_read_only_file_and_keeps_a_writable_ones_flag() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("a.pdf");
        std::fs::write(&old, "old").unwrap();
        let mut builder = tempfile::Builder::new();
        portable::new_file_mode(&mut builder);
        let temporary = builder.tempfile_in(dir.path()).unwrap();
        let meta = std::fs::metadata(&old).unwrap();
        portable::keep_permissions(temporary.as_file(), &meta).unwrap();
        assert!(
            !temporary
                .as_file()
                .metadata()
                .unwrap()
                .permissions()
                .readonly()
        );
        let mut readonly = meta.permissions();
        readonly.set_readonly(true);
        std::fs::set_permissions(&old, readonly).unwrap();
        let meta = std::fs::metadata(&old).unwrap();
        let err = portable::keep_permissions(temporary.as_file(), &meta).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "old");
    }
}
