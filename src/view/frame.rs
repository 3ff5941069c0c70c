//! The frame around every document's view: the draft stamp and the attached source files,
//! which templates print (`utkast` and `vedlegg` in `_blokker.typ.j2`) like any other field.

use std::path::Path;

use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use crate::load::SourceFile;

/// The UTKAST watermark's stamp: when the draft was built and from which inputs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DraftStamp {
    pub time: String,
    /// The first 12 hex digits of the document's input hash.
    pub inputs: String,
}

impl DraftStamp {
    pub(crate) fn new(time: &str, input_hash: &str) -> DraftStamp {
        DraftStamp {
            time: time.to_string(),
            inputs: input_hash.chars().take(12).collect(),
        }
    }
}

/// An input file embedded in the PDF (PDF/A-3 "source" relationship).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Attachment {
    /// Where the Typst world serves the bytes: the file's path from the project root,
    /// `/input/data/x.csv`, so an emitted source attaches the same file from disk.
    pub path: String,
    pub mime: &'static str,
    pub description: String,
}

/// An input file as an attachment, named by its path below the project root.
pub(crate) fn attachment(root: &Path, file: &SourceFile) -> Attachment {
    let relative = file.path.strip_prefix(root).unwrap_or(&file.path);
    let shown = relative.to_string_lossy().replace('\\', "/");
    let shown = shown.trim_start_matches("./");
    let mime = match file
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "csv" => "text/csv",
        "yaml" | "yml" => "application/yaml",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    };
    Attachment {
        path: format!("/{shown}"),
        mime,
        description: format!("Kildefil {shown} (SHA-256 {})", file.sha256),
    }
}

/// What the engine adds around a document's own view.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    pub draft: Option<DraftStamp>,
    pub attachments: Vec<Attachment>,
}

impl Frame {
    /// The template context: the view's fields, plus `draft` and `attachments`.
    pub(crate) fn around<V: Serialize>(&self, view: &V) -> Value {
        context! {
            draft => Value::from(Serde(&self.draft)),
            attachments => Value::from(Serde(&self.attachments)),
            ..Value::from(Serde(view))
        }
    }
}
