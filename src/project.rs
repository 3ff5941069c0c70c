//! The manifest (`input/rapportverk.yaml`): which documents to build, from which narrative,
//! data and template, with every path resolved and kept inside the project.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::ReadOptions;
use crate::ingest::yaml::{self, Spanned, origin_of};

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

pub use crate::model::records::{ColumnMapping, Filter, Layout, SchoolYearRule};

mod data_source;
use data_source::DataSourceEntry;

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
    pub period: Option<(crate::model::period::Period, Origin)>,
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
            sources.push(data_source::data_source(
                &manifest_path,
                entry,
                path,
                origin,
                &mut problems,
            ));
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
