//! The manifest (`input/rapportverk.yaml`): which documents to build, from which narrative,
//! data and template, with every path resolved and kept inside the project.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::limits::Limits;
use crate::ingest::yaml::{self, Spanned, origin_of};
use crate::ingest::{ReadOptions, as_text};
use crate::period::Period;

mod paths;

use paths::{Missing, Resolver, is_slug, lexical_parts};

pub(crate) const MANIFEST_NAME: &str = "rapportverk.yaml";

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_templates")]
    #[schemars(with = "String")]
    templates: Spanned<String>,
    #[schemars(with = "String")]
    kpi_definitions: Spanned<String>,
    #[serde(default)]
    data: Vec<DataSourceEntry>,
    documents: Vec<DocumentEntry>,
    #[serde(default)]
    branding: Option<BrandingEntry>,
    /// Ceilings on what one data file may hold (docs/src/limits.md); unset ones keep their defaults.
    #[serde(default)]
    limits: Option<LimitsEntry>,
}

/// The manifest's `limits:`: each raises (or lowers) one ceiling of [`Limits`].
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct LimitsEntry {
    /// Megabytes of any one file the project reads (default 100).
    #[serde(default)]
    file_mb: Option<u64>,
    /// Cells in one table, the empty ones inside its used range counted (default 1 000 000).
    #[serde(default)]
    cells: Option<u64>,
    /// Megabytes a workbook may unpack to (default 256).
    #[serde(default)]
    unpacked_mb: Option<u64>,
    /// Characters in one cell (default 32 767).
    #[serde(default)]
    cell_chars: Option<u64>,
}

impl LimitsEntry {
    fn limits(&self) -> Limits {
        let default = Limits::default();
        Limits {
            file_mb: self.file_mb.unwrap_or(default.file_mb),
            cells: self.cells.unwrap_or(default.cells),
            unpacked_mb: self.unpacked_mb.unwrap_or(default.unpacked_mb),
            cell_chars: self.cell_chars.unwrap_or(default.cell_chars),
        }
    }
}

/// The municipality's look: name, logo, colours and fonts, for every document.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct BrandingEntry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    logo: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    accent: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    chart: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    font: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    fonts: Option<Spanned<String>>,
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

pub use columns::{ColumnMapping, Filter, Layout, SchoolYearRule};

pub mod columns;
mod data_source;
use data_source::DataSourceEntry;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct DocumentEntry {
    #[schemars(with = "String")]
    id: Spanned<String>,
    /// Retired: every document is a narrative of sections and blocks. `kind: rapport` is
    /// accepted; any other kind (the old `oppdragsbrev`) is an error naming what to write.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    kind: Option<Spanned<String>>,
    #[schemars(with = "String")]
    template: Spanned<String>,
    #[schemars(with = "String")]
    narrative: Spanned<String>,
    /// The KPI data sources.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    data: Vec<Spanned<String>>,
    /// One PDF per value of a table column, instead of one PDF.
    #[serde(default)]
    per_unit: Option<PerUnitEntry>,
    /// Every unit in one PDF (`output/<id>.pdf`), made with this template.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    combined: Option<Spanned<String>>,
    /// An overview of every unit (`output/<id>/oversikt.pdf`), made with this template.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    overview: Option<Spanned<String>>,
    /// Data sources read as rows (not KPI figures) by `assignments`, `calendar` and `table` blocks;
    /// the `per_unit: source` is always one.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    tables: Vec<Spanned<String>>,
    /// Retired keys of `kind: oppdragsbrev`, told with what replaces them.
    #[serde(default)]
    #[schemars(skip)]
    assignments: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(skip)]
    overview_template: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(skip)]
    departments: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct PerUnitEntry {
    /// The data source whose column names the units.
    #[schemars(with = "String")]
    source: Spanned<String>,
    #[schemars(with = "String")]
    column: Spanned<String>,
    /// A folder of `<unit>.yaml` narratives, one per unit that has its own text.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    narratives: Option<Spanned<String>>,
}

pub use data_source::SourceUnit;

/// A data file and how to read it.
#[derive(Debug, Clone, Serialize)]
pub struct DataSource {
    pub id: String,
    #[serde(serialize_with = "as_text::path")]
    pub path: PathBuf,
    /// Sheet, delimiter, encoding and header row; `None` where detected.
    pub read: ReadOptions,
    /// Long, wide or transposed; `None` to detect it from the header.
    pub layout: Option<Layout>,
    /// How many rows the header spans (`header_rows:`), their names joined per column;
    /// `None` to detect SSB's continuation rows.
    pub header_rows: Option<usize>,
    /// Numbers in percent KPIs' cells are fractions (0.073 for 7,3 %), for workbooks whose
    /// percent formats cannot be read (xls, ods) and exports that lost them.
    pub percent_as_fraction: bool,
    /// Rows to keep, by column value.
    pub filters: Vec<Filter>,
    #[serde(serialize_with = "columns_as_lists")]
    pub columns: ColumnMapping,
    /// The period of every figure, given in the manifest or by the file name, and where.
    /// (A period in a cell is read with the table: `read.period_cell`.)
    #[serde(serialize_with = "period_as_text")]
    pub period: Option<(Period, Origin)>,
    /// School years read as years; `None` keeps them as school years.
    pub school_year: Option<SchoolYearRule>,
    /// Rows whose KPI is not defined are skipped (one summary warning) instead of errors.
    pub ignore_unknown_kpis: bool,
    /// Cell texts read as a withheld value, besides `*`.
    pub suppressed: Vec<String>,
    #[serde(serialize_with = "as_text::display")]
    pub origin: Origin,
    /// The unit the file's figures are in (`unit: kr`), for KPIs and tables in kroner; `None`:
    /// the file is in the unit of each KPI.
    #[serde(serialize_with = "data_source::unit_as_text")]
    pub unit: Option<data_source::SourceUnit>,
}

/// The column names, for the plan hash. `ColumnMapping` itself is not `Serialize`: schemars
/// would then print its long default into the manifest's schema.
fn columns_as_lists<S: serde::Serializer>(
    columns: &ColumnMapping,
    s: S,
) -> Result<S::Ok, S::Error> {
    // Every field by name: a new one fails to compile here until it is hashed too.
    let ColumnMapping {
        kpi,
        year,
        value,
        note,
        unit,
        target,
        exclude,
    } = columns;
    (kpi, year, value, note, unit, target, exclude).serialize(s)
}

fn period_as_text<S: serde::Serializer>(
    period: &Option<(Period, Origin)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    period
        .as_ref()
        .map(|(p, o)| (p, o.to_string()))
        .serialize(s)
}

#[derive(Debug, Clone)]
pub struct DocumentSpec {
    pub id: String,
    pub template: String,
    pub narrative: PathBuf,
    pub kind: DocumentKind,
    pub origin: Origin,
}

/// What a document is made of; serialised, it is part of the document's input hash.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct PerUnit {
    /// The table whose column names the units, in the order it first names them.
    pub source: DataSource,
    pub column: String,
    /// The folder of the units' own narratives (`<unit slug>.yaml`).
    #[serde(serialize_with = "as_text::path_option")]
    pub narratives: Option<PathBuf>,
}

/// The JSON Schema of the manifest, generated from its types.
pub fn manifest_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Manifest);
    schema.insert("title".into(), "rapportverk manifest".into());
    schema.to_value()
}

/// The municipality's look (manifest `branding:`); every part optional, the library's own
/// look where not given.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Branding {
    /// The municipality's name, for documents whose narrative does not give one.
    pub name: Option<String>,
    /// An SVG, PNG or JPEG inside the project.
    #[serde(serialize_with = "as_text::path_option")]
    pub logo: Option<PathBuf>,
    /// `#rrggbb` colours: headings and rules, and chart bars.
    pub accent: Option<String>,
    pub chart: Option<String>,
    /// The body font's family name, from `fonts` or the embedded fonts.
    pub font: Option<String>,
    /// Where the manifest names the font, for the message when no font has that name.
    #[serde(skip)]
    pub font_at: Option<Origin>,
    /// A folder of .ttf/.otf files (the project's `fonts/` when it has one).
    #[serde(serialize_with = "as_text::path_option")]
    pub fonts: Option<PathBuf>,
}

impl Branding {
    /// The font files of the fonts folder, sorted, so a run loads them in a stable order.
    pub fn font_files(&self) -> Vec<PathBuf> {
        let Some(folder) = &self.fonts else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| {
                    let e = e.to_string_lossy().to_lowercase();
                    e == "ttf" || e == "otf" || e == "ttc" || e == "otc"
                })
            })
            .collect();
        files.sort();
        files
    }

    /// Every file the look is made from (logo, fonts), for the input hash.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self.logo.iter().cloned().collect();
        files.extend(self.font_files());
        files
    }
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
    pub branding: Branding,
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
        cache.limit_file_size(Limits::default().file_mb << 20);
        let source = cache.read(&manifest_path).map_err(|d| {
            one(d.with_hint(format!(
                "give the project folder with --project; it must hold {MANIFEST_NAME}"
            )))
        })?;
        let manifest: Manifest =
            yaml::parse_documented(&source, "docs/src/project-folder.md (\"The manifest\")")
                .map_err(one)?;
        let mut base = manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // Run from inside the input folder (`--project .`), the folder above it has no name
        // in the path given: name both from the current folder.
        if lexical_parts(&base).is_empty()
            && let Ok(here) = std::env::current_dir()
        {
            base = here;
        }
        // The project root is the folder above the manifest's: it holds input/ and templates/.
        let root = match base.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        cache.confine_to(&root);
        cache.check_confined(&manifest_path).map_err(one)?;
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
        let kpi_definitions =
            resolver.resolve_file(&manifest.kpi_definitions, &mut problems, Missing::Always);
        let mut sources = data_sources(&resolver, &manifest.data, &mut problems);
        let limits = manifest
            .limits
            .as_ref()
            .map(LimitsEntry::limits)
            .unwrap_or_default();
        for source in &mut sources {
            source.read.limits = limits;
        }
        cache.limit_file_size(limits.file_mb.saturating_mul(1 << 20));
        let mut documents: Vec<DocumentSpec> = Vec::new();
        for entry in &manifest.documents {
            let spec = document_spec(&resolver, entry, &sources, &documents, &mut problems);
            documents.push(spec);
        }
        misspelt_templates(&manifest_path, &manifest, &templates, &mut problems);
        let branding = branding(
            &manifest_path,
            manifest.branding.as_ref(),
            &resolver,
            &root,
            &mut problems,
        );
        if problems.has_errors() {
            return Err(problems);
        }
        Ok(Project {
            branding,
            root,
            manifest: manifest_path,
            language: manifest.language,
            templates,
            kpi_definitions,
            documents,
        })
    }
}

/// A misspelt template is told at the manifest's line, with the closest template's name.
fn misspelt_templates(
    manifest_path: &Path,
    manifest: &Manifest,
    templates: &Path,
    problems: &mut Diagnostics,
) {
    for entry in &manifest.documents {
        let named = std::iter::once(&entry.template)
            .chain(&entry.combined)
            .chain(&entry.overview);
        for name in named {
            let file = templates.join(&name.value);
            problems.extend_one(paths::missing_file(
                manifest_path,
                name,
                &file,
                Missing::Misspelt,
            ));
        }
    }
}

/// The manifest's data sources, each id used once.
fn data_sources(
    resolver: &Resolver,
    entries: &[DataSourceEntry],
    problems: &mut Diagnostics,
) -> Vec<DataSource> {
    let mut sources: Vec<DataSource> = Vec::new();
    for entry in entries {
        let origin = origin_of(resolver.manifest, &entry.id);
        if sources.iter().any(|s| s.id == entry.id.value) {
            problems.push(Diagnostic::error(
                origin.clone(),
                format!("data source id \"{}\" is used twice", entry.id.value),
            ));
        }
        let path = resolver.resolve_file(&entry.file, problems, Missing::Always);
        sources.push(data_source::data_source(
            resolver.manifest,
            entry,
            path,
            origin,
            problems,
        ));
    }
    sources
}

/// One document of the manifest, its id a file name used once (`earlier` holds the documents
/// before it) and every data source it names one of `sources`.
fn document_spec(
    resolver: &Resolver,
    entry: &DocumentEntry,
    sources: &[DataSource],
    earlier: &[DocumentSpec],
    problems: &mut Diagnostics,
) -> DocumentSpec {
    let manifest = resolver.manifest;
    let origin = origin_of(manifest, &entry.id);
    if !is_slug(&entry.id.value) {
        problems.push(
            Diagnostic::error(
                origin.clone(),
                format!("document id \"{}\" is not a file name", entry.id.value),
            )
            .with_hint("use lowercase letters, digits and '-', e.g. evaluering-2018"),
        );
    }
    if earlier.iter().any(|d| d.id == entry.id.value) {
        problems.push(Diagnostic::error(
            origin.clone(),
            format!("document id \"{}\" is used twice", entry.id.value),
        ));
    }
    retired_keys(manifest, entry, problems);
    let named = |ids: &[Spanned<String>], problems: &mut Diagnostics| -> Vec<DataSource> {
        ids.iter()
            .filter_map(|id| find_source(manifest, sources, id, problems))
            .collect()
    };
    let kind = DocumentKind::Report {
        data: named(&entry.data, problems),
        per_unit: entry.per_unit.as_ref().and_then(|per| {
            Some(Box::new(PerUnit {
                source: find_source(manifest, sources, &per.source, problems)?,
                column: per.column.value.clone(),
                narratives: per
                    .narratives
                    .as_ref()
                    .map(|n| resolver.resolve(n, problems)),
            }))
        }),
        combined: entry.combined.as_ref().map(|c| c.value.clone()),
        overview: entry.overview.as_ref().map(|c| c.value.clone()),
        tables: named(&entry.tables, problems),
    };
    if let Some(overview) = &entry.overview
        && entry.per_unit.is_none()
    {
        problems.push(
            Diagnostic::error(
                origin_of(manifest, overview),
                "an overview needs a document built per unit",
            )
            .with_hint("add per_unit: { source: …, column: … }, or remove overview:"),
        );
    }
    DocumentSpec {
        id: entry.id.value.clone(),
        template: entry.template.value.clone(),
        narrative: resolver.resolve_file(&entry.narrative, problems, Missing::Misspelt),
        kind,
        origin,
    }
}

/// The data source a document names by id; a problem at the name when there is none.
fn find_source(
    manifest: &Path,
    sources: &[DataSource],
    wanted: &Spanned<String>,
    problems: &mut Diagnostics,
) -> Option<DataSource> {
    let found = sources.iter().find(|s| s.id == wanted.value).cloned();
    if found.is_none() {
        let mut d = Diagnostic::error(
            origin_of(manifest, wanted),
            format!("no data source has the id \"{}\"", wanted.value),
        );
        if let Some(near) = closest(&wanted.value, sources.iter().map(|s| s.id.as_str())) {
            d = d.with_hint(format!("did you mean \"{near}\"?"));
        }
        problems.push(d);
    }
    found
}

/// The keys of the retired letters kind, each told with what replaces it.
fn retired_keys(manifest: &Path, entry: &DocumentEntry, problems: &mut Diagnostics) {
    const INSTEAD: &str = "see docs/src/assignment-letters.md: per_unit:, overview: and the assignments and calendar blocks";
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

/// The manifest's `branding:`, every path resolved and every colour checked.
fn branding(
    manifest: &Path,
    entry: Option<&BrandingEntry>,
    resolver: &Resolver,
    root: &Path,
    problems: &mut Diagnostics,
) -> Branding {
    let default_fonts = root.join("fonts");
    let Some(entry) = entry else {
        return Branding {
            fonts: default_fonts.is_dir().then_some(default_fonts),
            ..Branding::default()
        };
    };
    let colour = |written: &Option<Spanned<String>>, problems: &mut Diagnostics| {
        let written = written.as_ref()?;
        let text = written.value.trim();
        let valid = text.len() == 7
            && text.starts_with('#')
            && text[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !valid {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, written),
                    format!("\"{text}\" is not a colour"),
                )
                .with_hint("write a colour as #rrggbb, e.g. \"#1f3a5f\""),
            );
            return None;
        }
        Some(text.to_lowercase())
    };
    let logo = entry.logo.as_ref().map(|l| {
        let path = resolver.resolve(l, problems);
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !["svg", "png", "jpg", "jpeg"].contains(&extension.as_str()) {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, l),
                    format!("the logo \"{}\" is not an SVG, PNG or JPEG file", l.value),
                )
                .with_hint("give the logo as an .svg (best for print) or a .png"),
            );
        }
        path
    });
    Branding {
        name: entry.name.clone(),
        logo,
        accent: colour(&entry.accent, problems),
        chart: colour(&entry.chart, problems),
        font: entry.font.as_ref().map(|f| f.value.clone()),
        font_at: entry.font.as_ref().map(|f| origin_of(manifest, f)),
        fonts: match &entry.fonts {
            Some(folder) => Some(resolver.resolve(folder, problems)),
            None => default_fonts.is_dir().then_some(default_fonts),
        },
    }
}
