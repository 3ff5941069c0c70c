//! `rapportverk data`: every figure the KPI data sources give, as the documents will print
//! it and where it comes from, and every row or cell read on purpose as no figure, so a user
//! can check a mapping before writing any narrative. Read exactly as a document reads its
//! data; prints nothing (the binary prints the listing as text or JSON).

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::load::SourceCache;
use crate::locale::Locale;
use crate::model::document::{SourceReading, UnitColumn, read_data};
use crate::model::kpi::KpiData;
use crate::model::period::Period;
use crate::model::{RunDefinitions, Units, data_tables, per_unit};
use crate::project::{DataSource, DocumentKind, Project};
use crate::view::figures::formatted;

/// What the data sources give. Its JSON form is documented in docs/src/data-files.md ("Checking a mapping").
#[derive(Debug, Serialize)]
pub struct DataListing {
    pub sources: Vec<SourceListing>,
    pub problems: Vec<ProblemListing>,
}

#[derive(Debug, Serialize)]
pub struct SourceListing {
    pub id: String,
    pub file: String,
    pub observations: Vec<ObservationListing>,
    /// Every row or cell read on purpose as no figure, each once, with its whole reason.
    pub skipped: Vec<SkippedListing>,
    /// The skipped rows summed up by the kind of reason, in the order first met.
    pub skipped_by_reason: Vec<ReasonSummary>,
}

/// How many rows were skipped for one kind of reason, and where the first few are.
#[derive(Debug, Serialize)]
pub struct ReasonSummary {
    /// The reason without its particulars: `left out by filter`, `empty cell`,
    /// `a note below the table`.
    pub reason: String,
    pub count: usize,
    /// The origins of the first three.
    pub first: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ObservationListing {
    /// The unit whose rows these are, in a document made per unit (a sector, a department);
    /// `null` otherwise.
    pub unit: Option<String>,
    /// The KPI id of the definition list.
    pub kpi: String,
    /// As the document prints it: `2018`, `T2 2018`, `K4 2024`, `januar 2022`, `2022–23`.
    pub period: String,
    /// The period for scripts, in a form that does not follow the document's language:
    /// `2018`, `2018T2`, `2024K4`, `2022M01`, `2022-23`.
    pub period_code: String,
    /// As the document prints it: `7,3 %`, `558 mill. kr`, `– (skjermet)`.
    pub value: String,
    /// The number read, `null` for a missing value.
    pub number: Option<f64>,
    /// `file:line:column` or `file[Sheet]!C7`.
    pub origin: String,
}

#[derive(Debug, Serialize)]
pub struct SkippedListing {
    pub origin: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ProblemListing {
    /// `error` or `warning`.
    pub severity: &'static str,
    pub origin: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

/// Reads the KPI data sources of the project's documents (or only `only`, a source id),
/// each once, in the manifest's order, read together with the other sources of the first
/// document that lists it, as that document reads them. `Err` when `only` names no KPI
/// data source.
pub fn data(project: &Project, only: Option<&str>) -> Result<DataListing, Diagnostic> {
    let reads = |wanted: &str| {
        project.documents.iter().any(|spec| {
            let DocumentKind::Report { data, .. } = &spec.kind;
            data.iter().any(|s| s.id == wanted)
        })
    };
    if let Some(wanted) = only
        && !reads(wanted)
    {
        return Err(Diagnostic::error(
            crate::diag::Origin::file(&project.manifest),
            format!("no document reads a KPI data source with the id \"{wanted}\""),
        )
        .with_hint("give the id of a data source that a document lists under data:"));
    }
    let cache = SourceCache::confined(&project.root);
    let mut problems = Diagnostics::default();
    let run = RunDefinitions::read(project, &cache);
    // Figures are listed in the words of the project's language, as its documents print them.
    let locale = match project.locale_file() {
        None => Locale::built_in(&project.language),
        Some(path) => cache
            .read(&path)
            .and_then(|file| Locale::with_overrides(&project.language, &file))
            .map_err(|d| problems.push(d))
            .unwrap_or_else(|()| Locale::built_in(&project.language)),
    };
    problems.extend(run.unreadable().clone());
    let kpi_definitions = &run.definitions;
    let mut listed: Vec<SourceListing> = Vec::new();
    let mut told: Vec<String> = Vec::new();
    for spec in &project.documents {
        let DocumentKind::Report { data, .. } = &spec.kind;
        let wanted = |s: &DataSource| {
            only.is_none_or(|id| id == s.id) && !listed.iter().any(|l| l.id == s.id)
        };
        if !data.iter().any(wanted) {
            continue;
        }
        let mut found = Diagnostics::default();
        // A document made per unit reads each unit's rows as its units' PDFs do.
        let planned = Units::plan(spec, &cache).unwrap_or_else(|unreadable| {
            found.extend(unreadable);
            Units::default()
        });
        let parsed_units = planned.parse(spec, None, &mut found);
        let tables = data_tables(
            spec,
            &cache,
            parsed_units.as_ref(),
            &mut Vec::new(),
            &mut found,
        );
        drop(parsed_units);
        let split = per_unit(spec).map(|per| UnitColumn {
            column: per.column.as_str(),
            names: &planned.names,
            elsewhere: &[],
        });
        let readings = read_data(kpi_definitions, tables, split);
        let units: Vec<Option<&str>> = match split {
            None => vec![None],
            Some(split) => split.names.iter().map(|n| Some(n.as_str())).collect(),
        };
        let mut new: Vec<SourceListing> = Vec::new();
        for (reading, unit) in readings.iter().zip(units) {
            found.extend(reading.problems.clone());
            for source in &reading.sources {
                if !data.iter().find(|s| s.id == source.id).is_some_and(wanted) {
                    continue;
                }
                let part = listing(&locale, &reading.kpis, source, unit);
                merge(&mut new, part, unit.is_some());
            }
        }
        for listing in &mut new {
            let mut seen = std::collections::HashSet::new();
            listing.skipped.retain(|s| seen.insert(s.origin.clone()));
            listing.skipped_by_reason = summary(&listing.skipped);
        }
        listed.extend(new);
        // A problem of a file two documents read is told once.
        for problem in found.iter() {
            let text = problem.to_string();
            if !told.contains(&text) {
                told.push(text);
                problems.push(problem.clone());
            }
        }
    }
    Ok(DataListing {
        sources: listed,
        problems: problem_listings(&problems),
    })
}

fn problem_listings(problems: &Diagnostics) -> Vec<ProblemListing> {
    problems
        .iter()
        .map(|d| ProblemListing {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            origin: d.origin.as_ref().map(ToString::to_string),
            message: d.message.clone(),
            hint: d.hint.clone(),
        })
        .collect()
}

/// Adds one unit's listing of a source to the listings so far.
fn merge(listings: &mut Vec<SourceListing>, mut part: SourceListing, per_unit: bool) {
    match listings.iter_mut().find(|l| l.id == part.id) {
        // A file without the unit column gives the same figures to every unit.
        Some(l) if per_unit && l.observations.iter().any(|o| o.unit.is_none()) => {}
        Some(l) => {
            l.observations.append(&mut part.observations);
            // Each unit's reading lists the rows of its own it skipped (and the first the
            // rows of no unit): together, every skipped row.
            l.skipped.append(&mut part.skipped);
        }
        None => listings.push(part),
    }
}

/// One source's figures as read for `unit` (when the table has the unit's column).
fn listing(
    locale: &Locale,
    kpis: &KpiData,
    source: &SourceReading,
    unit: Option<&str>,
) -> SourceListing {
    let unit_column = unit.filter(|_| source.split_by_unit);
    SourceListing {
        id: source.id.clone(),
        file: source.file.display().to_string(),
        observations: source
            .observations
            .iter()
            .filter_map(|(id, period)| {
                let (value, number) = printed(locale, kpis, id, period)?;
                Some(ObservationListing {
                    unit: unit_column.map(str::to_string),
                    kpi: id.clone(),
                    period: period.label_nb(),
                    period_code: period_code(period),
                    value,
                    number,
                    origin: kpis.at(id, period)?.origin.to_string(),
                })
            })
            .collect(),
        skipped: once(&source.skipped),
        skipped_by_reason: Vec::new(),
    }
}

/// The skipped rows, each (origin and reason) once: a wide row of a KPI nobody defined gives
/// a record per year, all at the KPI's cell.
fn once(skipped: &[crate::model::records::Skipped]) -> Vec<SkippedListing> {
    let mut listed: Vec<SkippedListing> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for s in skipped {
        let origin = s.origin.to_string();
        if seen.insert((origin.clone(), s.reason.clone())) {
            listed.push(SkippedListing {
                origin,
                reason: s.reason.clone(),
            });
        }
    }
    listed
}

/// The skipped rows by the kind of their reason, each kind with a count and its first three.
fn summary(skipped: &[SkippedListing]) -> Vec<ReasonSummary> {
    let mut kinds: Vec<ReasonSummary> = Vec::new();
    for s in skipped {
        let kind = reason_kind(&s.reason);
        let at = match kinds.iter().position(|k| k.reason == kind) {
            Some(at) => at,
            None => {
                kinds.push(ReasonSummary {
                    reason: kind,
                    count: 0,
                    first: Vec::new(),
                });
                kinds.len() - 1
            }
        };
        let entry = &mut kinds[at];
        entry.count += 1;
        if entry.first.len() < 3 {
            entry.first.push(s.origin.clone());
        }
    }
    kinds
}

/// A reason without its particulars: up to its first `: ` or ` (`, or for a KPI nobody
/// defined, that.
fn reason_kind(reason: &str) -> String {
    if reason.contains("is no KPI of the definition list") {
        return "no KPI of the definition list (unknown_kpis: ignore)".into();
    }
    let end = [reason.find(": "), reason.find(" (")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(reason.len());
    reason[..end].to_string()
}

fn period_code(period: &Period) -> String {
    match *period {
        Period::Year(year) => year.to_string(),
        Period::Tertial { year, n } => format!("{year}T{n}"),
        Period::Quarter { year, n } => format!("{year}K{n}"),
        Period::Month { year, n } => format!("{year}M{n:02}"),
        Period::SchoolYear { start } => format!("{start}-{:02}", (start + 1).rem_euclid(100)),
    }
}

/// A figure as the documents print it (by the view's rule), and the number.
fn printed(
    locale: &Locale,
    kpis: &KpiData,
    id: &str,
    period: &Period,
) -> Option<(String, Option<f64>)> {
    let definition = kpis.definitions.get(id)?;
    let (number, _, with_unit) = formatted(locale, definition, kpis.at(id, period)?.value);
    Some((with_unit, number))
}
