//! rapportverk: a Norwegian municipality's year-end data (CSV, Excel, YAML) into typeset PDFs.
//!
//! The pipeline runs one way, each stage taking the previous stage's value:
//!
//! ```text
//! load (bytes, hashes) ─► ingest (tables, YAML) ─► model (typed, checked + diagnostics)
//!   ─► view (formatted) ─► render (minijinja → .typ) ─► typeset (typst → PDF) ─► write
//! ```
//!
//! [`engine::run`] drives it for every document of a [`project::Project`]; ARCHITECTURE.md
//! is the map.

pub mod diag;
pub mod engine;
pub mod ingest;
pub mod init;
pub mod load;
pub mod locale;
pub mod model;
pub mod norsk;
pub mod period;
pub mod project;
pub mod render;
pub mod typeset;
pub mod view;
