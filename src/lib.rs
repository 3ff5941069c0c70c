//! rapportverk: a Norwegian municipality's year-end data (CSV, Excel, YAML) into typeset PDFs.
//!
//! The pipeline runs one way, each stage taking the previous stage's value:
//!
//! ```text
//! project (manifest) ─► ingest (tables, YAML) ─► validate (model + diagnostics)
//!   ─► view (formatted, escaped) ─► render (minijinja → .typ) ─► typeset (typst → PDF) ─► build (write)
//! ```
//!
//! [`build::run`] drives it for every document of a [`project::Project`].

pub mod diag;
pub mod engine;
pub mod ingest;
pub mod load;
pub mod model;
pub mod project;
pub mod render;
pub mod typeset;
pub mod validate;
pub mod view;
