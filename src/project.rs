//! The manifest (`input/rapportverk.yaml`): which documents to build, from which narrative,
//! data and template, with every path resolved and kept inside the project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::yaml::{self, Spanned, origin_of};
use crate::ingest::{ReadOptions, is_lock_file, is_workbook};

mod paths;

use paths::{Resolver, is_slug, lexical_parts};

pub(crate) const MANIFEST_NAME: &str = "rapportverk.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_templates")]
    templates: Spanned<String>,
    kpi_definitions: Spanned<String>,
    #[serde(default)]
    data: Vec<DataSourceEntry>,
    documents: Vec<DocumentEntry>,
}

fn default_language() -> String {
    "nb".to_string()
}

fn default_templates() -> Spanned<String> {
    Spanned::new(
        "../templates".to_string(),
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    )
}

/// A data file and how to read it; every option but `id` and `file` may be left to detection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataSourceEntry {
    id: Spanned<String>,
    file: Spanned<String>,
    #[serde(default)]
    sheet: Option<Spanned<String>>,
    #[serde(default)]
    delimiter: Option<Spanned<String>>,
    #[serde(default)]
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    header_row: Option<Spanned<i64>>,
    #[serde(default)]
    layout: Option<Spanned<String>>,
    #[serde(default)]
    percent_as_fraction: bool,
    #[serde(default)]
    filter: BTreeMap<String, FilterValues>,
    #[serde(default)]
    columns: ColumnMapping,
}

/// `filter: { region: "0219 Bærum" }` or `filter: { region: ["0219 Bærum", "0220 Asker"] }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FilterValues {
    One(String),
    Many(Vec<String>),
}

pub use crate::model::records::{ColumnMapping, Filter, Layout};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentEntry {
    id: Spanned<String>,
    /// Retired: every document is a narrative of sections and blocks. `kind: rapport` is
    /// accepted; any other kind (the old `oppdragsbrev`) is an error naming what to write.
    #[serde(default)]
    kind: Option<Spanned<String>>,
    template: Spanned<String>,
    narrative: Spanned<String>,
    /// The KPI data sources.
    #[serde(default)]
    data: Vec<Spanned<String>>,
    /// One PDF per value of a table column, instead of one PDF.
    #[serde(default)]
    per_unit: Option<PerUnitEntry>,
    /// Every unit in one PDF (`output/<id>.pdf`), made with this template.
    #[serde(default)]
    combined: Option<Spanned<String>>,
    /// An overview of every unit (`output/<id>/oversikt.pdf`), made with this template.
    #[serde(default)]
    overview: Option<Spanned<String>>,
    /// Data sources read as rows (not KPI figures) by `assignments` and `calendar` blocks;
    /// the `per_unit: source` is always one.
    #[serde(default)]
    tables: Vec<Spanned<String>>,
    /// Retired keys of `kind: oppdragsbrev`, told with what replaces them.
    #[serde(default)]
    assignments: Option<Spanned<String>>,
    #[serde(default)]
    overview_template: Option<Spanned<String>>,
    #[serde(default)]
    departments: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PerUnitEntry {
    /// The data source whose column names the units.
    source: Spanned<String>,
    column: Spanned<String>,
    /// A folder of `<unit>.yaml` narratives, one per unit that has its own text.
    #[serde(default)]
    narratives: Option<Spanned<String>>,
}

/// A data file and how to read it.
#[derive(Debug, Clone)]
pub struct DataSource {
    pub id: String,
    pub path: PathBuf,
    /// Sheet, delimiter, encoding and header row; `None` where detected.
    pub read: ReadOptions,
    /// Long or wide; `None` to detect it from the header.
    pub layout: Option<Layout>,
    /// Numbers in percent KPIs' cells are fractions (0.073 for 7,3 %), for workbooks whose
    /// percent formats cannot be read (xls, ods) and exports that lost them.
    pub percent_as_fraction: bool,
    /// Rows to keep, by column value.
    pub filters: Vec<Filter>,
    pub columns: ColumnMapping,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct DocumentSpec {
    pub id: String,
    pub template: String,
    pub narrative: PathBuf,
    pub kind: DocumentKind,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub enum DocumentKind {
    /// A narrative of sections and blocks with KPI data: one PDF, or one per unit.
    Report {
        data: Vec<DataSource>,
        per_unit: Option<Box<PerUnit>>,
        /// The template of the volume with every unit (`output/<id>.pdf`).
        combined: Option<String>,
        /// The template of the overview of every unit (`output/<id>/oversikt.pdf`).
        overview: Option<String>,
        /// Tables read as rows by `assignments` and `calendar` blocks.
        tables: Vec<DataSource>,
    },
}

/// How a document is split into one PDF per unit.
#[derive(Debug, Clone)]
pub struct PerUnit {
    /// The table whose column names the units, in the order it first names them.
    pub source: DataSource,
    pub column: String,
    /// The folder of the units' own narratives (`<unit slug>.yaml`).
    pub narratives: Option<PathBuf>,
}

/// A loaded, checked project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder that holds `input/` and `templates/`; no path may leave it.
    pub root: PathBuf,
    pub manifest: PathBuf,
    pub language: String,
    pub templates: PathBuf,
    pub kpi_definitions: PathBuf,
    pub documents: Vec<DocumentSpec>,
}

impl Project {
    /// The project's own words for its language (`<templates>/locale/<language>.yaml`), if
    /// it has them; built-in words are used for the rest.
    pub fn locale_file(&self) -> Option<PathBuf> {
        let path = self
            .templates
            .join("locale")
            .join(format!("{}.yaml", self.language));
        path.is_file().then_some(path)
    }

    /// Where `path` (a path below the project) is for Typst, which sees the project root as
    /// `/`: `/templates`, `/input/data/x.csv`. The generated sources use these paths, so an
    /// emitted `.typ` compiles with the Typst CLI given `--root` at the project root.
    pub fn typst_path(&self, path: &Path) -> String {
        let parts = lexical_parts(path);
        let root = lexical_parts(&self.root);
        let below = parts.strip_prefix(root.as_slice()).unwrap_or(&parts);
        format!("/{}", below.join("/"))
    }

    /// Loads the manifest at `path` (a file, or a folder holding `rapportverk.yaml`). Every
    /// problem found is returned, not only the first.
    pub fn load(path: &Path) -> Result<Project, Diagnostics> {
        Project::load_from(path, &crate::load::SourceCache::new())
    }

    /// [`Project::load`] reading the manifest through a run's source cache, so the run does
    /// not read it again (to hash or attach it).
    pub fn load_from(
        path: &Path,
        cache: &crate::load::SourceCache,
    ) -> Result<Project, Diagnostics> {
        let names_a_file = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let manifest_path = if names_a_file {
            path.to_path_buf()
        } else {
            path.join(MANIFEST_NAME)
        };
        let one = |d: Diagnostic| {
            let mut all = Diagnostics::default();
            all.push(d);
            all
        };
        let source = cache.read(&manifest_path).map_err(|d| {
            one(d.with_hint(format!(
                "give the project folder with --project; it must hold {MANIFEST_NAME}"
            )))
        })?;
        let manifest: Manifest = yaml::parse_documented(&source, "The manifest").map_err(one)?;
        let base = manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // The project root is the folder above the manifest's: it holds input/ and templates/.
        let root = match base.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut problems = Diagnostics::default();
        let resolver = Resolver {
            manifest: &manifest_path,
            base: &base,
            root: &root,
        };
        // `input/../templates` read as `templates`, in messages as everywhere.
        let templates: PathBuf =
            lexical_parts(&resolver.resolve(&manifest.templates, &mut problems))
                .iter()
                .collect();
        let kpi_definitions = resolver.resolve(&manifest.kpi_definitions, &mut problems);

        let mut sources: Vec<DataSource> = Vec::new();
        for entry in &manifest.data {
            let origin = origin_of(&manifest_path, &entry.id);
            if sources.iter().any(|s| s.id == entry.id.value) {
                problems.push(Diagnostic::error(
                    origin.clone(),
                    format!("data source id \"{}\" is used twice", entry.id.value),
                ));
            }
            let path = resolver.resolve(&entry.file, &mut problems);
            sources.push(DataSource {
                id: entry.id.value.clone(),
                read: read_options(&manifest_path, entry, &path, &mut problems),
                path,
                layout: layout_of(&manifest_path, entry.layout.as_ref(), &mut problems),
                percent_as_fraction: entry.percent_as_fraction,
                filters: entry
                    .filter
                    .iter()
                    .map(|(column, values)| Filter {
                        column: column.clone(),
                        values: match values {
                            FilterValues::One(v) => vec![v.clone()],
                            FilterValues::Many(v) => v.clone(),
                        },
                    })
                    .collect(),
                columns: entry.columns.clone(),
                origin,
            });
        }

        let mut documents: Vec<DocumentSpec> = Vec::new();
        for entry in &manifest.documents {
            let origin = origin_of(&manifest_path, &entry.id);
            if !is_slug(&entry.id.value) {
                problems.push(
                    Diagnostic::error(
                        origin.clone(),
                        format!("document id \"{}\" is not a file name", entry.id.value),
                    )
                    .with_hint("use lowercase letters, digits and '-', e.g. evaluering-2018"),
                );
            }
            if documents.iter().any(|d| d.id == entry.id.value) {
                problems.push(Diagnostic::error(
                    origin.clone(),
                    format!("document id \"{}\" is used twice", entry.id.value),
                ));
            }
            let find_source = |wanted: &Spanned<String>, problems: &mut Diagnostics| {
                let found = sources.iter().find(|s| s.id == wanted.value).cloned();
                if found.is_none() {
                    let mut d = Diagnostic::error(
                        origin_of(&manifest_path, wanted),
                        format!("no data source has the id \"{}\"", wanted.value),
                    );
                    if let Some(near) =
                        closest(&wanted.value, sources.iter().map(|s| s.id.as_str()))
                    {
                        d = d.with_hint(format!("did you mean \"{near}\"?"));
                    }
                    problems.push(d);
                }
                found
            };
            retired_keys(&manifest_path, entry, &mut problems);
            let kind = Some(DocumentKind::Report {
                data: entry
                    .data
                    .iter()
                    .filter_map(|w| find_source(w, &mut problems))
                    .collect(),
                per_unit: entry.per_unit.as_ref().and_then(|per| {
                    Some(Box::new(PerUnit {
                        source: find_source(&per.source, &mut problems)?,
                        column: per.column.value.clone(),
                        narratives: per
                            .narratives
                            .as_ref()
                            .map(|n| resolver.resolve(n, &mut problems)),
                    }))
                }),
                combined: entry.combined.as_ref().map(|c| c.value.clone()),
                overview: entry.overview.as_ref().map(|c| c.value.clone()),
                tables: entry
                    .tables
                    .iter()
                    .filter_map(|w| find_source(w, &mut problems))
                    .collect(),
            });
            if let Some(overview) = &entry.overview
                && entry.per_unit.is_none()
            {
                problems.push(
                    Diagnostic::error(
                        origin_of(&manifest_path, overview),
                        "an overview needs a document built per unit",
                    )
                    .with_hint("add per_unit: { source: …, column: … }, or remove overview:"),
                );
            }
            if let Some(kind) = kind {
                documents.push(DocumentSpec {
                    id: entry.id.value.clone(),
                    template: entry.template.value.clone(),
                    narrative: resolver.resolve(&entry.narrative, &mut problems),
                    kind,
                    origin,
                });
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        Ok(Project {
            root,
            manifest: manifest_path,
            language: manifest.language,
            templates,
            kpi_definitions,
            documents,
        })
    }
}

/// The keys of the retired letters kind, each told with what replaces it.
fn retired_keys(manifest: &Path, entry: &DocumentEntry, problems: &mut Diagnostics) {
    const INSTEAD: &str = "see README \"Assignment letters\": per_unit:, overview: and the assignments and calendar blocks";
    if let Some(kind) = &entry.kind
        && kind.value != "rapport"
    {
        problems.push(
            Diagnostic::error(
                origin_of(manifest, kind),
                format!("\"kind: {}\" is no longer needed or known", kind.value),
            )
            .with_hint(format!(
                "remove kind: (letters are a document built per unit); {INSTEAD}"
            )),
        );
    }
    let retired = [
        ("assignments", &entry.assignments, "per_unit: source"),
        ("overview_template", &entry.overview_template, "overview"),
        ("departments", &entry.departments, "per_unit: narratives"),
    ];
    for (key, value, replacement) in retired {
        if let Some(value) = value {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, value),
                    format!("\"{key}\" belonged to the retired kind oppdragsbrev"),
                )
                .with_hint(format!("write {replacement} instead; {INSTEAD}")),
            );
        }
    }
}

/// How to read a data source's file, from its manifest entry; each problem at its line.
fn read_options(
    manifest: &Path,
    entry: &DataSourceEntry,
    path: &Path,
    problems: &mut Diagnostics,
) -> ReadOptions {
    let workbook = is_workbook(path);
    if is_lock_file(path) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let real = name
            .trim_start_matches("~$")
            .trim_start_matches(".~lock.")
            .trim_end_matches('#');
        problems.push(
            Diagnostic::error(
                origin_of(manifest, &entry.file),
                format!("\"{}\" is an Office lock file, not a workbook", entry.file.value),
            )
            .with_hint(format!(
                "Excel writes ~$ files beside a workbook while it is open; name the workbook itself, \"{real}\""
            )),
        );
    }
    let mut misplaced = |option: Option<Origin>, name: &str, applies_to: &str| {
        if let Some(origin) = option {
            problems.push(
                Diagnostic::error(
                    origin,
                    format!(
                        "{name}: applies to {applies_to}, and \"{}\" is not one",
                        entry.file.value
                    ),
                )
                .with_hint(format!("remove {name}: from this data source")),
            );
        }
    };
    if workbook {
        misplaced(
            entry.delimiter.as_ref().map(|d| origin_of(manifest, d)),
            "delimiter",
            "text files",
        );
        misplaced(
            entry.encoding.as_ref().map(|e| origin_of(manifest, e)),
            "encoding",
            "text files",
        );
    } else {
        misplaced(
            entry.sheet.as_ref().map(|s| origin_of(manifest, s)),
            "sheet",
            "workbooks",
        );
    }
    let delimiter = entry
        .delimiter
        .as_ref()
        .and_then(|d| match d.value.as_str() {
            "tab" | "\\t" | "\t" => Some(b'\t'),
            v if v.len() == 1 && v.is_ascii() && !v.contains(['"', '\n', '\r']) => {
                Some(v.as_bytes()[0])
            }
            _ => {
                problems.push(
                    Diagnostic::error(
                        origin_of(manifest, d),
                        format!("delimiter \"{}\" is not one character", d.value),
                    )
                    .with_hint(
                        "write delimiter: \";\", \",\" or \"tab\", or leave it out to detect it",
                    ),
                );
                None
            }
        });
    let encoding = entry.encoding.as_ref().and_then(|e| {
        let found = encoding_rs::Encoding::for_label(e.value.trim().as_bytes());
        if found.is_none() {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, e),
                    format!("\"{}\" is not an encoding", e.value),
                )
                .with_hint("write utf-8, windows-1252, iso-8859-1 or utf-16le, or leave it out to detect it"),
            );
        }
        found
    });
    let header_row = entry
        .header_row
        .as_ref()
        .and_then(|h| match usize::try_from(h.value) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                problems.push(
                    Diagnostic::error(
                        origin_of(manifest, h),
                        format!("header_row is {}; it counts lines or rows from 1", h.value),
                    )
                    .with_hint(
                        "give the number of the line (CSV) or row (workbook) with the column names",
                    ),
                );
                None
            }
        });
    ReadOptions {
        sheet: entry.sheet.as_ref().map(|s| s.value.clone()),
        delimiter,
        encoding,
        header_row,
    }
}

fn layout_of(
    manifest: &Path,
    layout: Option<&Spanned<String>>,
    problems: &mut Diagnostics,
) -> Option<Layout> {
    let layout = layout?;
    match layout.value.trim().to_lowercase().as_str() {
        "long" | "lang" => Some(Layout::Long),
        "wide" | "bred" => Some(Layout::Wide),
        other => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, layout),
                    format!("\"{other}\" is not a layout"),
                )
                .with_hint(
                    "write layout: long (a row per KPI and year) or layout: wide (a column per year), or leave it out to detect it",
                ),
            );
            None
        }
    }
}
