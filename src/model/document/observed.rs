//! What reading a document's data files found besides figures, shared by the readers that
//! find it and the checks that need the report year to judge it (a leaf, so neither imports
//! the other).

use crate::diag::Origin;

/// Where a year's figures of one data file are.
pub(super) type Years = Vec<(i32, Origin)>;

/// What one data source contributed, for the checks that need the report year.
#[derive(Debug)]
pub(super) struct SourceYears {
    pub(super) file: std::path::PathBuf,
    /// Every figure's year and where it is.
    pub(super) years: Years,
}

/// A target given in a data file's `mål` column, applied once the report year is known.
#[derive(Debug)]
pub(super) struct DataTarget {
    pub(super) kpi: String,
    pub(super) year: i32,
    pub(super) target: f64,
    pub(super) origin: Origin,
}
