//! The ceilings every data file is read under, checked while reading, so a hostile or broken
//! export (a stray cell at `XFD1048576`, a zip bomb, a 2 GiB cell) is an error at its file or
//! cell instead of a process that runs out of memory. The manifest's `limits:` raises them.

use serde::Serialize;

use crate::diag::{Diagnostic, Origin};

/// How much one data file may hold. Defaults fit a municipality's exports many times over and
/// keep a run under about 1 GB; `limits:` in the manifest changes them (docs/src/limits.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Megabytes of any one file a run reads (checked before it is read).
    pub file_mb: u64,
    /// Cells in one table, counted over its used range (the empty cells inside it too; empty
    /// fields at the end of a text line cost nothing).
    pub cells: u64,
    /// Megabytes a workbook's parts may unpack to, all together (a zip bomb stops here).
    pub unpacked_mb: u64,
    /// Characters in one cell or field (Excel's own ceiling is 32 767).
    pub cell_chars: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_mb: 100,
            cells: 1_000_000,
            unpacked_mb: 256,
            cell_chars: 32_767,
        }
    }
}

impl Limits {
    pub(crate) fn unpacked_bytes(&self) -> u64 {
        self.unpacked_mb.saturating_mul(1024 * 1024)
    }
}

/// An error for a breached limit: what was found, the limit, and the manifest key that raises it.
pub(crate) fn breached(
    origin: Origin,
    found: String,
    key: &str,
    limit: u64,
    fix: &str,
) -> Diagnostic {
    Diagnostic::error(
        origin,
        format!("{found}, above the limit of {limit} (limits: {key})"),
    )
    .with_hint(format!(
        "{fix}; or raise the limit in the manifest: limits: {{ {key}: … }} (docs/src/limits.md)"
    ))
}
