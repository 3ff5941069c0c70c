//! The one way to a checked document: every file a document is made from read through the
//! run's cache and parsed once, then checked into a [`DocumentModel`]. The engine, `rapportverk
//! data` and the tests all load documents here, so what they check is what a build checks.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::{ReadOptions, Table, read_table};
use crate::load::{SourceCache, SourceFile};
use crate::norsk::slug;
use crate::project::{DataSource, DocumentKind, DocumentSpec, PerUnit, Project};

use super::content::Block;
use super::document::{DocumentModel, ParsedTable, RowTables, UnitInputs, check};
use super::kpi::{KpiDefinitions, definitions};

/// The KPI definitions, parsed once per run and shared by every document.
pub struct RunDefinitions {
    pub definitions: KpiDefinitions,
    /// The file as read, for provenance (`None`: it could not be read).
    source: Option<Arc<SourceFile>>,
    /// Why the file could not be read or parsed as a table.
    unreadable: Diagnostics,
}

impl RunDefinitions {
    /// Why the definitions could not be read, told with every document that uses them.
    pub fn unreadable(&self) -> &Diagnostics {
        &self.unreadable
    }

    pub fn read(project: &Project, cache: &SourceCache) -> RunDefinitions {
        let mut unreadable = Diagnostics::default();
        let mut sources = Vec::new();
        let table = read(
            cache,
            &project.kpi_definitions,
            &ReadOptions::default(),
            &mut sources,
            &mut unreadable,
        );
        RunDefinitions {
            definitions: definitions(table),
            source: sources.pop(),
            unreadable,
        }
    }
}

/// The units a document is made for: none for a single document; for a document made per
/// unit, the values of its unit column in the order the table first names them, and the
/// table's file (read once; parsed again by the loader, so the parsed table lives only while
/// a model is built, not for the whole run: a national file parsed is ~600 bytes a row).
#[derive(Debug, Default)]
pub struct Units {
    pub names: Vec<String>,
    /// The names as file names (`helse-og-omsorg`).
    pub slugs: Vec<String>,
    /// The per-unit table's file, as read.
    file: Option<Arc<SourceFile>>,
    /// The header row the unit column was found in, for messages about the units.
    header: Option<crate::diag::Origin>,
}

impl Units {
    /// The units of `spec`: reads and parses its per-unit table, if it has one.
    pub fn plan(spec: &DocumentSpec, cache: &SourceCache) -> Result<Units, Diagnostics> {
        let Some(per) = per_unit(spec) else {
            return Ok(Units::default());
        };
        let mut problems = Diagnostics::default();
        let mut sources = Vec::new();
        let parsed = read(
            cache,
            &per.source.path,
            &per.source.read,
            &mut sources,
            &mut problems,
        );
        let (Some(parsed), Some(file)) = (parsed, sources.pop()) else {
            return Err(problems);
        };
        // The unit column is found without settling the table's header: the blocks that read
        // the rows find their own columns in the table as parsed.
        let (names, header) = match super::units(&parsed, &per.column) {
            Ok(found) => found,
            Err(_) => {
                // The message names the headers the column was looked for among.
                let mut probe = parsed;
                probe.find_header(&[&[per.column.as_str()]]);
                problems.push(no_unit_column(&probe, per));
                return Err(problems);
            }
        };
        if names.is_empty() {
            problems.push(
                Diagnostic::error(
                    header,
                    format!("the column \"{}\" names no unit", per.column),
                )
                .with_hint("fill in the unit of every row"),
            );
            return Err(problems);
        }
        Ok(Units {
            slugs: names.iter().map(|n| slug(n)).collect(),
            names,
            file: Some(file),
            header: Some(header),
        })
    }

    /// The per-unit table of `spec` parsed for a model (its problems were told in planning;
    /// the file's bytes are the same), `None` for a single document.
    pub fn parse(&self, spec: &DocumentSpec, problems: &mut Diagnostics) -> Option<ParsedTable> {
        let per = per_unit(spec)?;
        let file = self.file.as_ref()?;
        let table = read_table(file, &per.source.read)
            .map_err(|d| problems.push(d))
            .ok()?;
        Some((Arc::new(table), Arc::clone(file)))
    }

    /// Where the unit column's header is, for messages about the units.
    pub fn origin(&self) -> Option<crate::diag::Origin> {
        self.header.clone()
    }
}

fn no_unit_column(table: &Table, per: &PerUnit) -> Diagnostic {
    Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "no column \"{}\" in the header, so the document cannot be made per unit (found: {})",
            per.column,
            table.header_names().join(", ")
        ),
    )
    .with_hint(format!(
        "name the column of units in the manifest (per_unit: column:), as {} writes it",
        per.source.path.display()
    ))
}

pub(crate) fn per_unit(spec: &DocumentSpec) -> Option<&PerUnit> {
    match &spec.kind {
        DocumentKind::Report { per_unit, .. } => per_unit.as_deref(),
    }
}

/// A checked document and the files it was made from, in the order its appendix lists them.
#[derive(Debug)]
pub struct LoadedDocument {
    pub model: DocumentModel,
    pub sources: Vec<Arc<SourceFile>>,
    /// The warnings its narrative acknowledges, with their reasons (no longer among its problems).
    pub acknowledged: Vec<super::acknowledge::Acknowledged>,
}

/// Reads and checks the document `spec` for `units` (from [`Units::plan`]), collecting every
/// problem; `None` when it has errors.
pub fn load_document(
    spec: &DocumentSpec,
    cache: &SourceCache,
    run: &RunDefinitions,
    units: &Units,
) -> (Option<LoadedDocument>, Diagnostics) {
    let DocumentKind::Report { data, tables, .. } = &spec.kind;
    let per = per_unit(spec);
    let mut problems = run.unreadable.clone();
    // The definitions are listed in the appendix of a document with KPI data only.
    let mut sources: Vec<Arc<SourceFile>> = run
        .source
        .iter()
        .filter(|_| !data.is_empty())
        .cloned()
        .collect();
    let parsed_units = units.parse(spec, &mut problems);
    let data_tables = data_tables(
        spec,
        cache,
        parsed_units.as_ref(),
        &mut sources,
        &mut problems,
    );
    let narrative = cache.read(&spec.narrative).map_err(|d| problems.push(d));
    let Ok(narrative) = narrative else {
        return (None, problems);
    };
    sources.push(Arc::clone(&narrative));
    let own_narratives = unit_narratives(per, units, cache, &mut sources, &mut problems);
    let row_tables = row_tables(
        per,
        data,
        tables,
        parsed_units.as_ref(),
        cache,
        &mut problems,
    );
    // The data and the row blocks hold the per-unit table now; it goes when they are done.
    drop(parsed_units);
    let inputs = UnitInputs {
        column: per.map(|p| p.column.as_str()),
        source: per.map(|p| p.source.id.as_str()),
        units: match per {
            None => UnitInputs::single().units,
            Some(_) => units
                .names
                .iter()
                .cloned()
                .map(Some)
                .zip(own_narratives)
                .collect(),
        },
    };
    let (model, found) = check(
        &run.definitions,
        &data_tables,
        &narrative,
        &inputs,
        &row_tables,
    );
    problems.extend(found);
    let Some(model) = model else {
        return (None, problems);
    };
    // Typed figures in the text that disagree with the data: warnings on a checked model.
    problems.extend(super::consistency::lint(&model));
    // Every warning is known now: those the narrative acknowledges go to the build report.
    let (problems, acknowledged) = super::acknowledge::apply(problems, &model.acknowledgments);
    // The tables the blocks read are listed after the files every document lists.
    for id in tables_read(&model) {
        if let Some(file) = row_tables.file(&id)
            && !sources.iter().any(|s| s.path == file.path)
        {
            sources.push(Arc::clone(file));
        }
    }
    (
        Some(LoadedDocument {
            model,
            sources,
            acknowledged,
        }),
        problems,
    )
}

/// The KPI data tables of `spec` (`None`: a file that could not be read, its problem in
/// `problems`), each read and parsed once; their files go to `sources`.
pub fn data_tables<'a>(
    spec: &'a DocumentSpec,
    cache: &SourceCache,
    parsed_units: Option<&ParsedTable>,
    sources: &mut Vec<Arc<SourceFile>>,
    problems: &mut Diagnostics,
) -> Vec<(&'a DataSource, Option<Arc<Table>>)> {
    let DocumentKind::Report { data, .. } = &spec.kind;
    let per = per_unit(spec);
    data.iter()
        .map(|source| match parsed_units {
            // The per-unit table is a data source too: parsed once for the model.
            Some((table, file)) if per.is_some_and(|p| p.source.id == source.id) => {
                sources.push(Arc::clone(file));
                (source, Some(Arc::clone(table)))
            }
            _ => (
                source,
                read(cache, &source.path, &source.read, sources, problems).map(Arc::new),
            ),
        })
        .collect()
}

/// Each unit's own narrative (`<slug>.yaml` in the `narratives:` folder), where it has one.
fn unit_narratives(
    per: Option<&PerUnit>,
    units: &Units,
    cache: &SourceCache,
    sources: &mut Vec<Arc<SourceFile>>,
    problems: &mut Diagnostics,
) -> Vec<Option<Arc<SourceFile>>> {
    let folder = per.and_then(|p| p.narratives.as_ref());
    units
        .slugs
        .iter()
        .map(|slug| {
            let path = folder?.join(format!("{slug}.yaml"));
            if !path.is_file() {
                return None;
            }
            let file = cache.read(&path).map_err(|d| problems.push(d)).ok()?;
            sources.push(Arc::clone(&file));
            Some(file)
        })
        .collect()
}

/// The tables `assignments` and `calendar` blocks may read: the per-unit table (as planning
/// parsed it) and the document's `tables:`, each parsed once; their reading warnings told here.
fn row_tables(
    per: Option<&PerUnit>,
    data: &[DataSource],
    listed: &[DataSource],
    parsed_units: Option<&ParsedTable>,
    cache: &SourceCache,
    problems: &mut Diagnostics,
) -> RowTables {
    let mut tables = RowTables::default();
    if let (Some(per), Some((table, file))) = (per, parsed_units) {
        // A table that is also KPI data has its warnings told with the data.
        if !data.iter().any(|d| d.id == per.source.id) {
            for warning in &table.warnings {
                problems.push(warning.clone());
            }
        }
        tables.insert(&per.source.id, Some((Arc::clone(table), Arc::clone(file))));
        tables.set_unit(&per.source.id, per.source.unit.as_ref());
    }
    for source in listed {
        if tables.has(&source.id) {
            continue;
        }
        let mut files = Vec::new();
        let table = read(cache, &source.path, &source.read, &mut files, problems).map(|mut t| {
            for warning in std::mem::take(&mut t.warnings) {
                problems.push(warning);
            }
            t
        });
        tables.insert(&source.id, table.map(Arc::new).zip(files.pop()));
        tables.set_unit(&source.id, source.unit.as_ref());
    }
    tables
}

/// The ids of the tables the model's blocks read.
fn tables_read(model: &DocumentModel) -> BTreeSet<String> {
    let own = model
        .units
        .iter()
        .filter_map(|u| u.own.as_ref())
        .flat_map(|own| own.blocks());
    model
        .content
        .blocks()
        .into_iter()
        .chain(own)
        .filter_map(|block| match block {
            Block::Assignments(a) => a.table.clone(),
            Block::Calendar(c) => c.table.clone(),
            Block::Table(t) => Some(t.table.clone()),
            _ => None,
        })
        .collect()
}

/// A file read through the run's cache (remembered in `sources`) and parsed as a table; its
/// warnings stay in the table for the model to tell.
fn read(
    cache: &SourceCache,
    path: &Path,
    options: &ReadOptions,
    sources: &mut Vec<Arc<SourceFile>>,
    problems: &mut Diagnostics,
) -> Option<Table> {
    let source = cache.read(path).map_err(|d| problems.push(d)).ok()?;
    sources.push(Arc::clone(&source));
    read_table(&source, options)
        .map_err(|d| problems.push(d))
        .ok()
}
