//! The manifest (`input/rapportverk.yaml`): which documents to build, from which narrative,
//! data and template, with every path resolved and kept inside the project.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::yaml::{self, Spanned, origin_of};
use crate::ingest::{ReadOptions, is_lock_file, is_workbook};

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
    /// The period of every figure when the table has none: `2018`, `"T2 2018"`, `file_name`,
    /// or `{ cell: "Metadata!B2" }`.
    #[serde(default)]
    period: Option<Spanned<PeriodEntry>>,
    /// `start` or `end`: school years (`2020-21`) read as the year they start or end in.
    #[serde(default)]
    school_year: Option<Spanned<String>>,
    /// `ignore`: rows whose KPI is not defined are skipped with one summary warning.
    #[serde(default)]
    unknown_kpis: Option<Spanned<String>>,
    /// Cell texts that mean a value withheld, besides `*` (e.g. `["-", "x"]`).
    #[serde(default)]
    suppressed: Vec<String>,
}

/// Where a data source's period comes from, as the manifest writes it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PeriodEntry {
    Year(i64),
    /// A period (`"T2 2018"`, `"2020-21"`) or `file_name`.
    Text(String),
    Cell {
        cell: String,
    },
}

/// `filter: { region: "0219 Bærum" }` or `filter: { region: ["0219 Bærum", "0220 Asker"] }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FilterValues {
    One(String),
    Many(Vec<String>),
}

use crate::model::period::Period;
pub use crate::model::records::{ColumnMapping, Filter, Layout, SchoolYearRule};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentEntry {
    id: Spanned<String>,
    /// `evaluering` (the default) or `oppdragsbrev`.
    #[serde(default)]
    kind: Option<Spanned<String>>,
    template: Spanned<String>,
    narrative: Spanned<String>,
    /// Evaluations: the KPI data sources.
    #[serde(default)]
    data: Vec<Spanned<String>>,
    /// Letters: the assignments table (a data source id).
    #[serde(default)]
    assignments: Option<Spanned<String>>,
    /// Letters: the template of the chief executive's overview.
    #[serde(default)]
    overview_template: Option<Spanned<String>>,
    /// Letters: optional paragraphs per department.
    #[serde(default)]
    departments: Option<Spanned<String>>,
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
    /// The period of every figure, given in the manifest or by the file name, and where.
    /// (A period in a cell is read with the table: `read.period_cell`.)
    pub period: Option<(Period, Origin)>,
    /// School years read as years; `None` keeps them as school years.
    pub school_year: Option<SchoolYearRule>,
    /// Rows whose KPI is not defined are skipped (one summary warning) instead of errors.
    pub ignore_unknown_kpis: bool,
    /// Cell texts read as a withheld value, besides `*`.
    pub suppressed: Vec<String>,
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
    /// One evaluation PDF from a narrative and KPI data.
    Evaluation { data: Vec<DataSource> },
    /// One letter per department of the assignments table, and an overview.
    Letters {
        assignments: Box<DataSource>,
        overview_template: String,
        departments: Option<PathBuf>,
    },
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
            let mut read = read_options(&manifest_path, entry, &path, &mut problems);
            let period = entry
                .period
                .as_ref()
                .and_then(|p| period_of_entry(&manifest_path, p, &path, &mut read, &mut problems));
            sources.push(DataSource {
                id: entry.id.value.clone(),
                read,
                period,
                school_year: school_year_of(&manifest_path, entry, &mut problems),
                ignore_unknown_kpis: ignore_unknown_of(&manifest_path, entry, &mut problems),
                suppressed: entry.suppressed.clone(),
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
            let kind_name = entry
                .kind
                .as_ref()
                .map_or("evaluering", |k| k.value.as_str());
            let kind = match kind_name {
                "evaluering" => Some(DocumentKind::Evaluation {
                    data: entry
                        .data
                        .iter()
                        .filter_map(|w| find_source(w, &mut problems))
                        .collect(),
                }),
                "oppdragsbrev" => {
                    let required = |field: &Option<Spanned<String>>,
                                    name: &str,
                                    problems: &mut Diagnostics| {
                        if field.is_none() {
                            problems.push(
                                Diagnostic::error(
                                    origin.clone(),
                                    format!("an oppdragsbrev document needs \"{name}\""),
                                )
                                .with_hint("see README.md, \"Assignment letters\""),
                            );
                        }
                        field.clone()
                    };
                    let assignments = required(&entry.assignments, "assignments", &mut problems)
                        .and_then(|a| find_source(&a, &mut problems));
                    let overview =
                        required(&entry.overview_template, "overview_template", &mut problems);
                    match (assignments, overview) {
                        (Some(assignments), Some(overview)) => Some(DocumentKind::Letters {
                            assignments: Box::new(assignments),
                            overview_template: overview.value,
                            departments: entry
                                .departments
                                .as_ref()
                                .map(|d| resolver.resolve(d, &mut problems)),
                        }),
                        _ => None,
                    }
                }
                other => {
                    // Only a written kind can be unknown; the default is "evaluering".
                    let origin = entry
                        .kind
                        .as_ref()
                        .map_or(origin.clone(), |k| origin_of(&manifest_path, k));
                    let mut d =
                        Diagnostic::error(origin, format!("\"{other}\" is not a document kind"))
                            .with_hint("write kind: evaluering or kind: oppdragsbrev");
                    if let Some(near) = closest(other, ["evaluering", "oppdragsbrev"]) {
                        d = d.with_hint(format!("did you mean \"{near}\"?"));
                    }
                    problems.push(d);
                    None
                }
            };
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
        period_cell: None,
    }
}

/// `period:` of a data source: a constant, the file name's period, or a cell (set in `read`
/// for the table reader). `None` with a problem where it cannot be read.
fn period_of_entry(
    manifest: &Path,
    entry: &Spanned<PeriodEntry>,
    path: &Path,
    read: &mut ReadOptions,
    problems: &mut Diagnostics,
) -> Option<(Period, Origin)> {
    let origin = origin_of(manifest, entry);
    let mut refuse = |message: String, hint: &str| {
        problems.push(Diagnostic::error(origin.clone(), message).with_hint(hint.to_string()));
        None
    };
    const FORMS: &str = "write period: 2018, period: \"T2 2018\", period: file_name or period: { cell: \"Metadata!B2\" }";
    match &entry.value {
        PeriodEntry::Year(year) => match Period::parse(&year.to_string()) {
            Some(period) => Some((period, origin.clone())),
            None => refuse(format!("period: {year} is not a year"), FORMS),
        },
        PeriodEntry::Text(text) if matches!(text.trim(), "file_name" | "filnavn") => {
            let name = path
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match period_in_file_name(&name) {
                Some(period) => Some((period, Origin::file(path))),
                None => refuse(
                    format!(
                        "period: file_name, but the file name \"{name}\" names no single period"
                    ),
                    "write the period itself, e.g. period: 2018, or rename the file so it holds one year (budsjett-2018.csv)",
                ),
            }
        }
        PeriodEntry::Text(text) => match Period::parse(text) {
            Some(period) => Some((period, origin.clone())),
            None => refuse(format!("period: \"{text}\" is not a period"), FORMS),
        },
        PeriodEntry::Cell { cell } => {
            match crate::ingest::CellRef::parse(cell) {
                Some(wanted) if wanted.sheet.is_some() && !is_workbook(path) => {
                    return refuse(
                        format!(
                            "period: \"{cell}\" names a sheet, but the data file is a text file"
                        ),
                        "write the cell without a sheet: period: { cell: B6 } is line 6, field 2",
                    );
                }
                Some(wanted) => {
                    read.period_cell = Some(crate::ingest::CellRef {
                        named_at: Some(origin.clone()),
                        ..wanted
                    });
                }
                None => {
                    return refuse(
                        format!("period: \"{cell}\" is not a cell"),
                        "name a cell as a spreadsheet does: B6, or Metadata!B2 on another sheet",
                    );
                }
            }
            None
        }
    }
}

/// The one period a file name holds: `budsjett-2013` → 2013, `oed_eiti_2011_totalt` → 2011,
/// `fravaer_2018K4` → 2018K4. Two periods, or none, is `None`.
fn period_in_file_name(name: &str) -> Option<Period> {
    let mut found: Vec<Period> = Vec::new();
    for part in name.split(|c: char| c.is_whitespace() || matches!(c, '_' | '.' | ',')) {
        match Period::parse(part) {
            Some(period) => found.push(period),
            // `nokkeltall-2018`: a dash joins words, unless the part is a school year.
            None => found.extend(part.split('-').filter_map(Period::parse)),
        }
    }
    found.dedup();
    match found[..] {
        [one] => Some(one),
        _ => None,
    }
}

fn school_year_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<SchoolYearRule> {
    let rule = entry.school_year.as_ref()?;
    match rule.value.trim() {
        "start" => Some(SchoolYearRule::Start),
        "end" | "slutt" => Some(SchoolYearRule::End),
        other => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, rule),
                    format!("school_year: \"{other}\" is not a rule"),
                )
                .with_hint("write school_year: start (2020-21 counts as 2020) or school_year: end (as 2021), or leave it out to keep school years"),
            );
            None
        }
    }
}

fn ignore_unknown_of(manifest: &Path, entry: &DataSourceEntry, problems: &mut Diagnostics) -> bool {
    let Some(choice) = &entry.unknown_kpis else {
        return false;
    };
    match choice.value.trim() {
        "ignore" | "ignorer" => true,
        "error" | "feil" => false,
        other => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, choice),
                    format!("unknown_kpis: \"{other}\" is not a choice"),
                )
                .with_hint("write unknown_kpis: ignore (skip rows whose KPI is not defined) or unknown_kpis: error (the default)"),
            );
            false
        }
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

/// Document ids become file names: keep them to `[a-z0-9-]`.
fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

struct Resolver<'a> {
    manifest: &'a Path,
    base: &'a Path,
    root: &'a Path,
}

impl Resolver<'_> {
    /// Joins a manifest path to the manifest's folder and refuses one that leaves the project.
    fn resolve(&self, relative: &Spanned<String>, problems: &mut Diagnostics) -> PathBuf {
        let joined = self.base.join(&relative.value);
        let inside = Path::new(&relative.value).is_relative()
            && lexically_within(&joined, self.root)
            && canonical_within(&joined, self.root);
        if !inside {
            problems.push(
                Diagnostic::error(
                    origin_of(self.manifest, relative),
                    format!(
                        "\"{}\" points outside the project folder {}",
                        relative.value,
                        self.root.display()
                    ),
                )
                .with_hint("keep data, narratives and templates inside the project, with paths relative to the manifest"),
            );
        }
        joined
    }
}

/// The parts of `path` with `.` and `..` resolved as text.
fn lexical_parts(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // Leaving the folder we started from: only fine if there is something to pop.
                if parts.pop().is_none() || parts.last().is_some_and(|l| l == "..") {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts
}

/// Whether `path`, with `.` and `..` resolved as text, stays below `root`.
fn lexically_within(path: &Path, root: &Path) -> bool {
    let (p, r) = (lexical_parts(path), lexical_parts(root));
    p.len() >= r.len() && p[..r.len()] == r[..] && !p.contains(&"..".to_string())
}

/// Where the file exists, symlinks resolved must also stay below the root.
fn canonical_within(path: &Path, root: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_may_not_leave_the_root() {
        let root = Path::new("proj");
        assert!(lexically_within(
            Path::new("proj/input/../templates/x"),
            root
        ));
        assert!(!lexically_within(
            Path::new("proj/input/../../etc/passwd"),
            root
        ));
        assert!(lexically_within(
            Path::new("input/data/x.csv"),
            Path::new("")
        ));
        assert!(!lexically_within(Path::new("input/../../x"), Path::new("")));
        assert!(lexically_within(Path::new("./input/x"), Path::new(".")));
    }

    #[test]
    fn slugs() {
        assert!(is_slug("evaluering-2018"));
        assert!(!is_slug("Evaluering"));
        assert!(!is_slug("a/b"));
        assert!(!is_slug(""));
    }
}
