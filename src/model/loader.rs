//! The one way to a checked document: every file a document is made from read through the
//! run's cache and parsed once, then checked into a [`DocumentModel`]. The engine, `rapportverk
//! data` and the tests all load documents here, so what they check is what a build checks.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::{ReadOptions, Table, read_table, read_table_skipping};
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
    /// Each of the table's unit rows as (first line, or a workbook's row number; the unit's
    /// position in `names`), in line order: a model of some units skips the others' rows
    /// as it parses the file (8 bytes a row, against ~600 for a row parsed).
    rows_of: Vec<(u32, u32)>,
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
            rows_of: rows_of(&parsed, &per.column, &names),
            names,
            file: Some(file),
            header: Some(header),
        })
    }

    /// The per-unit table of `spec` parsed for a model (its problems were told in planning;
    /// the file's bytes are the same), `None` for a single document. With `only` (plan
    /// positions, sorted), the rows of the document's other units are left out as it is
    /// parsed: a model of a few units of a national file holds their rows, not every row.
    pub fn parse(
        &self,
        spec: &DocumentSpec,
        only: Option<&[usize]>,
        problems: &mut Diagnostics,
    ) -> Option<ParsedTable> {
        let per = per_unit(spec)?;
        let file = self.file.as_ref()?;
        let skip = |line: usize| {
            let (Some(only), Ok(line)) = (only, u32::try_from(line)) else {
                return false;
            };
            match self.rows_of.binary_search_by_key(&line, |&(l, _)| l) {
                Ok(at) => only.binary_search(&(self.rows_of[at].1 as usize)).is_err(),
                Err(_) => false,
            }
        };
        let table = read_table_skipping(file, &per.source.read, &skip)
            .map_err(|d| problems.push(d))
            .ok()?;
        Some((Arc::new(table), Arc::clone(file)))
    }

    /// Where the unit column's header is, for messages about the units.
    pub fn origin(&self) -> Option<crate::diag::Origin> {
        self.header.clone()
    }
}

/// The unit rows of `table` (found below the header that holds `column`) by their first line,
/// each with its unit's position in `names`, matched as the data's split matches them.
fn rows_of(table: &Table, column: &str, names: &[String]) -> Vec<(u32, u32)> {
    let (header, rows) = table.header_found(&[&[column]]);
    let Some(index) = crate::ingest::column_in(header, &[column]) else {
        return Vec::new();
    };
    let units = super::document::UnitNames::new(names, &[]);
    let mut found: Vec<(u32, u32)> = rows
        .iter()
        .filter_map(|row| {
            let line = crate::ingest::row_number(&row.first()?.origin)?;
            let unit = units.position(row.get(index))?;
            Some((u32::try_from(line).ok()?, u32::try_from(unit).ok()?))
        })
        .collect();
    found.sort_unstable();
    found.dedup_by_key(|(line, _)| *line);
    found
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
    /// The units modelled, as positions in the plan, when the model holds only some of them
    /// (in model order); `None` when it holds every unit.
    pub modelled: Option<Vec<usize>>,
    /// The warnings its narrative acknowledges, with their reasons (no longer among its problems).
    pub acknowledged: Vec<super::acknowledge::Acknowledged>,
}

impl LoadedDocument {
    /// Where the plan's unit `planned` is in the model, if it was modelled.
    pub fn unit_index(&self, planned: usize) -> Option<usize> {
        match &self.modelled {
            None => Some(planned),
            Some(modelled) => modelled.iter().position(|&p| p == planned),
        }
    }
}

/// Reads and checks the document `spec` for `units` (from [`Units::plan`]), collecting every
/// problem; `None` when it has errors. `only` (positions in the plan) models just those units
/// of a per-unit document, for a run that builds only their PDFs (a shard, or the units whose
/// inputs changed): the others' rows are not read, so the model's size follows the units
/// built, not the units there are. A unit's PDF is the same bytes either way.
pub fn load_document(
    spec: &DocumentSpec,
    cache: &SourceCache,
    run: &RunDefinitions,
    units: &Units,
    only: Option<&[usize]>,
) -> (Option<LoadedDocument>, Diagnostics) {
    let (loaded, problems) = load_unacknowledged(spec, cache, run, units, only);
    let Some(mut loaded) = loaded else {
        return (None, problems);
    };
    // Every warning is known now: those the narrative acknowledges go to the build report.
    let (problems, acknowledged) =
        super::acknowledge::apply(problems, &loaded.model.acknowledgments);
    loaded.acknowledged = acknowledged;
    (Some(loaded), problems)
}

/// [`load_document`] with the narrative's acknowledgments not yet applied to the problems
/// (`acknowledged` empty): a document modelled a group of units at a time applies them once
/// to the problems of every group.
pub fn load_unacknowledged(
    spec: &DocumentSpec,
    cache: &SourceCache,
    run: &RunDefinitions,
    units: &Units,
    only: Option<&[usize]>,
) -> (Option<LoadedDocument>, Diagnostics) {
    let per = per_unit(spec);
    let modelled = per.and(only).and_then(|only| fewer_units(only, units));
    let DocumentKind::Report { data, tables, .. } = &spec.kind;
    let mut problems = run.unreadable.clone();
    // The definitions are listed in the appendix of a document with KPI data only.
    let mut sources: Vec<Arc<SourceFile>> = run
        .source
        .iter()
        .filter(|_| !data.is_empty())
        .cloned()
        .collect();
    // Row blocks check a row's partners against every unit's rows: they read the table whole.
    let row_blocks = may_read_rows(spec, per, units, cache);
    let skipping = modelled.as_deref().filter(|_| !row_blocks);
    let parsed_units = units.parse(spec, skipping, &mut problems);
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
    // The row blocks get the per-unit table only when a narrative has one: otherwise the data
    // reading is its only holder and takes it without a copy.
    let row_tables = row_tables(
        per,
        data,
        tables,
        parsed_units.as_ref().filter(|_| row_blocks),
        cache,
        &mut problems,
    );
    // The data and the row blocks hold the per-unit table now; it goes when they are done.
    drop(parsed_units);
    let inputs = unit_inputs(per, units, own_narratives, modelled.as_deref());
    let (model, found) = check(
        &run.definitions,
        data_tables,
        &narrative,
        &inputs,
        &row_tables,
        cache,
    );
    problems.extend(found);
    let Some(model) = model else {
        return (None, problems);
    };
    // Typed figures in the text that disagree with the data: warnings on a checked model.
    problems.extend(super::consistency::lint(&model));
    // The images figures show, then the tables the blocks read, after the files every
    // document lists.
    for image in images_shown(&model) {
        if !sources.iter().any(|s| s.path == image.file.path) {
            sources.push(Arc::clone(&image.file));
        }
    }
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
            modelled,
            acknowledged: Vec::new(),
        }),
        problems,
    )
}

/// The units a model is checked for: a single document's one, or a per-unit document's units
/// (only those in `modelled` when it models some) with their own narratives.
fn unit_inputs<'a>(
    per: Option<&'a PerUnit>,
    units: &Units,
    own_narratives: Vec<Option<Arc<SourceFile>>>,
    modelled: Option<&[usize]>,
) -> UnitInputs<'a> {
    UnitInputs {
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
                .enumerate()
                .filter(|(i, _)| modelled.is_none_or(|m| m.binary_search(i).is_ok()))
                .map(|(_, unit)| unit)
                .collect(),
        },
        planned: match modelled {
            Some(_) => units.names.clone(),
            None => Vec::new(),
        },
    }
}

/// Whether any of `narratives` may hold an `assignments` or `calendar` block (the words
/// appear in the file): such blocks read rows of the per-unit table.
fn has_row_blocks<'a>(mut narratives: impl Iterator<Item = &'a Arc<SourceFile>>) -> bool {
    let mentions = |bytes: &[u8], word: &[u8]| bytes.windows(word.len()).any(|w| w == word);
    narratives
        .any(|file| mentions(&file.bytes, b"assignments") || mentions(&file.bytes, b"calendar"))
}

/// Whether the narrative or a unit's own may hold a row block (see [`has_row_blocks`]).
fn may_read_rows(
    spec: &DocumentSpec,
    per: Option<&PerUnit>,
    units: &Units,
    cache: &SourceCache,
) -> bool {
    let folder = per.and_then(|p| p.narratives.as_ref());
    let own = folder.into_iter().flat_map(|folder| {
        units
            .slugs
            .iter()
            .map(move |slug| folder.join(format!("{slug}.yaml")))
    });
    let files: Vec<Arc<SourceFile>> = std::iter::once(spec.narrative.clone())
        .chain(own)
        .filter(|path| path.is_file())
        .filter_map(|path| cache.read(&path).ok())
        .collect();
    has_row_blocks(files.iter())
}

/// The plan positions in `only`, sorted, when they are fewer than the units there are.
fn fewer_units(only: &[usize], units: &Units) -> Option<Vec<usize>> {
    let mut positions: Vec<usize> = only
        .iter()
        .copied()
        .filter(|&i| i < units.names.len())
        .collect();
    positions.sort_unstable();
    positions.dedup();
    (positions.len() < units.names.len()).then_some(positions)
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

/// The images the model's figure blocks show, in document order (the common text's, then each
/// unit's own), each once: the files the Typst world serves a document besides its library.
pub(crate) fn images_shown(model: &DocumentModel) -> Vec<&super::image::Image> {
    let own = model
        .units
        .iter()
        .filter_map(|u| u.own.as_ref())
        .flat_map(|own| own.blocks());
    let mut images: Vec<&super::image::Image> = Vec::new();
    for block in model.content.blocks().into_iter().chain(own) {
        if let Block::Figure(figure) = block
            && !images
                .iter()
                .any(|i| i.typst_path == figure.image.typst_path)
        {
            images.push(&figure.image);
        }
    }
    images
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
