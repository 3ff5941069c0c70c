//! Typeset: generated Typst source to PDF bytes, in-process, with Typst's problems mapped back
//! to the file and line they come from.

mod incremental;
pub mod world;

use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::Smart;
use typst::syntax::{FileId, Source};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::diag::{Diagnostic, Diagnostics, Excerpt, Origin};
use crate::render::SourceMap;
pub use world::DocumentWorld;
pub use world::SharedWorld;

/// A typeset document.
pub struct Typeset {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// Which PDF standards to enforce at export.
#[derive(Debug, Clone, Default)]
pub struct PdfSettings {
    pub standards: Vec<PdfStandard>,
}

impl PdfSettings {
    /// Final documents: archival PDF/A-2a and accessible PDF/UA-1 together; with attached
    /// sources PDF/A-3a, the part of PDF/A that allows embedded files.
    pub fn archival(attach_sources: bool) -> PdfSettings {
        let archive = if attach_sources {
            PdfStandard::A_3a
        } else {
            PdfStandard::A_2a
        };
        PdfSettings {
            standards: vec![archive, PdfStandard::Ua_1],
        }
    }

    /// The first chosen standard that allows no embedded files (PDF/A-1, PDF/A-2 and plain
    /// PDF/A-4; PDF/A-3 and A-4f do), by its `--pdf-standard` name.
    pub fn forbidding_attachments(&self) -> Option<&'static str> {
        self.standards.iter().find_map(|standard| match standard {
            PdfStandard::A_1a => Some("a-1a"),
            PdfStandard::A_1b => Some("a-1b"),
            PdfStandard::A_2a => Some("a-2a"),
            PdfStandard::A_2b => Some("a-2b"),
            PdfStandard::A_2u => Some("a-2u"),
            PdfStandard::A_4 => Some("a-4"),
            _ => None,
        })
    }

    /// Parses `--pdf-standard a-3a,ua-1`; `none` gives a plain tagged PDF.
    pub fn parse(list: &str) -> Result<PdfSettings, String> {
        let mut standards = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let standard = match name.to_lowercase().as_str() {
                "none" => continue,
                "1.4" => PdfStandard::V_1_4,
                "1.5" => PdfStandard::V_1_5,
                "1.6" => PdfStandard::V_1_6,
                "1.7" => PdfStandard::V_1_7,
                "2.0" => PdfStandard::V_2_0,
                "a-1b" => PdfStandard::A_1b,
                "a-1a" => PdfStandard::A_1a,
                "a-2b" => PdfStandard::A_2b,
                "a-2u" => PdfStandard::A_2u,
                "a-2a" => PdfStandard::A_2a,
                "a-3b" => PdfStandard::A_3b,
                "a-3u" => PdfStandard::A_3u,
                "a-3a" => PdfStandard::A_3a,
                "a-4" => PdfStandard::A_4,
                "a-4f" => PdfStandard::A_4f,
                "a-4e" => PdfStandard::A_4e,
                "ua-1" => PdfStandard::Ua_1,
                other => {
                    return Err(format!(
                        "\"{other}\" is not a PDF standard; use e.g. a-2a, a-3a, ua-1 (comma-separated), or none"
                    ));
                }
            };
            standards.push(standard);
        }
        PdfStandards::new(&standards)
            .map_err(|e| format!("these PDF standards do not go together: {}", e.message()))?;
        Ok(PdfSettings { standards })
    }
}

/// A generated Typst source and what typesetting it needs to know of where it came from.
pub struct Generated<'a> {
    pub source: String,
    /// The template that wrote it: the source is edited from that template's last one, so
    /// typesetting reuses the layout of the text they share. `None` parses it afresh.
    pub template: Option<&'a str>,
    /// Extra files the source reads (input files to attach), by virtual path.
    pub files: &'a [(String, Vec<u8>)],
    /// The source's name in messages.
    pub label: &'a str,
    /// Which template line wrote which part of the source.
    pub map: &'a SourceMap,
}

/// Compiles a generated source and exports it as PDF. `ident` is the document's stable
/// identifier, so the same inputs always give the same bytes. A problem in the source is told
/// at the template line its map gives, where it knows one.
pub fn typeset(
    shared: &SharedWorld,
    generated: Generated<'_>,
    ident: &str,
    settings: &PdfSettings,
) -> (Option<Typeset>, Diagnostics) {
    let Generated {
        source,
        template,
        files,
        label,
        map,
    } = generated;
    let world = shared.document(source, template, files);
    let mut problems = Diagnostics::default();
    let warned = typst::compile::<PagedDocument>(&world);
    for warning in &warned.warnings {
        problems.push(to_diagnostic(shared, &world, warning, label, map));
    }
    let document = match warned.output {
        Ok(document) => document,
        Err(errors) => {
            for error in &errors {
                problems.push(to_diagnostic(shared, &world, error, label, map));
            }
            return (None, problems);
        }
    };
    let standards = match PdfStandards::new(&settings.standards) {
        Ok(standards) => standards,
        Err(e) => {
            problems.push(Diagnostic::error(
                None,
                format!("PDF standards: {}", e.message()),
            ));
            return (None, problems);
        }
    };
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("rapportverk {}", env!("CARGO_PKG_VERSION")))),
        timestamp: None,
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    match typst_pdf::pdf(&document, &options) {
        Ok(pdf) => (
            Some(Typeset {
                pdf,
                pages: document.pages().len(),
            }),
            problems,
        ),
        Err(errors) => {
            for error in &errors {
                problems.push(to_diagnostic(shared, &world, error, label, map));
            }
            (None, problems)
        }
    }
}

/// A Typst diagnostic with `file:line:col` in the generated source or the layout library.
fn to_diagnostic(
    shared: &SharedWorld,
    world: &DocumentWorld<'_>,
    diagnostic: &SourceDiagnostic,
    label: &str,
    map: &SourceMap,
) -> Diagnostic {
    let message = format!("typst: {}", diagnostic.message);
    let mut result = match diagnostic.severity {
        TypstSeverity::Error => Diagnostic::error(None, message),
        TypstSeverity::Warning => Diagnostic::warning(None, message),
    };
    if let Some((origin, excerpt)) = place(shared, world, diagnostic, label, map) {
        result.origin = Some(origin);
        result.excerpt = excerpt.map(Box::new);
    }
    let hints: Vec<String> = diagnostic.hints.iter().map(|h| h.v.to_string()).collect();
    if !hints.is_empty() {
        result = result.with_hint(hints.join("; "));
    }
    result
}

/// Where a Typst problem is. In the layout library, at its own file, line and column (the
/// renderer shows that line from the file). In the generated source, at the template line
/// that wrote the text when the map knows it; the generated line comes along as an excerpt,
/// since the generated source is no file the run read.
fn place(
    shared: &SharedWorld,
    world: &DocumentWorld<'_>,
    diagnostic: &SourceDiagnostic,
    label: &str,
    map: &SourceMap,
) -> Option<(Origin, Option<Excerpt>)> {
    let id: FileId = diagnostic.span.id()?;
    let in_main = id == world.main_source().id();
    let source: &Source = if in_main {
        world.main_source()
    } else {
        shared.library_source(id)?
    };
    let range = world.range(diagnostic.span)?;
    let lines = source.lines();
    let (line, column) = lines.byte_to_line_column(range.start)?;
    let origin = Origin::text(
        if in_main {
            std::path::PathBuf::from(label)
        } else {
            shared.library_path(id)?.to_path_buf()
        },
        line + 1,
        column + 1,
    );
    if !in_main {
        return Some((origin, None));
    }
    let line_range = lines.line_to_range(line)?;
    let text = source.text()[line_range.clone()].trim_end_matches(['\n', '\r']);
    let start = range.start - line_range.start;
    let end = (range.end - line_range.start).clamp(start, text.len());
    let excerpt = Excerpt {
        name: label.to_string(),
        text: text.to_string(),
        first_line: line + 1,
        span: start..end,
    };
    let origin = match map.place(range.start) {
        Some((template, template_line)) => Origin::Line {
            file: template.into(),
            line: template_line,
        },
        None => origin,
    };
    Some((origin, Some(excerpt)))
}
