//! One document checked: the KPI observations of its data files against the run's KPI
//! definitions, and its narrative (and, for a document built per unit, each unit's own text)
//! against both. Every problem is collected; a problem already told (a file or row that could
//! not be read) is not told again as a missing figure.

mod amounts;
mod checks;
mod figures;
mod observed;
mod periods;
mod plausibility;
mod rows;
mod split;

pub(crate) use rows::UnitRowProblems;
pub use rows::{ParsedTable, RowTables};
pub(crate) use split::UnitNames;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::Table;
use crate::load::SourceFile;
use crate::model::content::{Content, FilledBlocks, UnitContent};
use crate::model::kpi::{KpiData, KpiDefinitions};
use crate::model::narrative::{Narrative, UnitNarrative};
use crate::model::period::Period;
use crate::model::records;
use crate::project::DataSource;

use checks::KpiChecks;
use observed::{DataTarget, SourceYears};

/// A document whose inputs passed the checks (warnings may remain): its narrative typed
/// (every date, status, period and prose field parsed, row blocks filled), every figure it
/// prints present, for every unit. Immutable: the view only reads it.
#[derive(Debug)]
pub struct DocumentModel {
    /// The narrative's path, for origins.
    pub(crate) file: PathBuf,
    pub(crate) content: Content,
    /// One per output unit, in plan order; a single document has one, without a name.
    pub(crate) units: Vec<UnitModel>,
    /// The units' names in plan order (none for a single document), for views of every unit.
    pub(crate) unit_names: Vec<String>,
    /// The data rows read to make it, over every table and unit.
    pub rows_read: usize,
    /// The problems of table rows that `assignments` and `calendar` blocks read, by unit;
    /// a unit with an error in one of its rows gets no output.
    pub(crate) rows: UnitRowProblems,
    /// The warnings the narrative acknowledges (`acknowledge:`), applied by the loader once
    /// every problem of the document is known.
    pub(crate) acknowledgments: Vec<crate::model::acknowledge::Acknowledgment>,
}

/// One unit of a document built per unit (a sector, a department), or the whole of a single
/// document: its name, its own text and the KPI figures read for it.
#[derive(Debug)]
pub struct UnitModel {
    pub(crate) name: Option<String>,
    /// The unit's own text, when it has a narrative of its own.
    pub(crate) own: Option<UnitContent>,
    pub(crate) kpis: KpiData,
}

impl DocumentModel {
    /// Every KPI definition and observation of the first (for a single document: the only) unit.
    pub fn kpis(&self) -> &KpiData {
        &self.units[0].kpis
    }
}

/// The units a document is checked for: none named for a single document.
pub struct UnitInputs<'a> {
    /// The table column whose values are the units; rows of other units are not read for a
    /// unit when a data file has this column.
    pub column: Option<&'a str>,
    /// (unit name, its narrative file if it has one).
    pub units: Vec<(Option<String>, Option<Arc<SourceFile>>)>,
    /// The table the units come from (`per_unit: source`): blocks read it unless they name
    /// another.
    pub source: Option<&'a str>,
    /// Every unit of the document in plan order, when `units` holds only those this run
    /// builds (empty when it holds all): the others' rows are not read, and they are still
    /// units to the row blocks and the list of units.
    pub planned: Vec<String>,
}

/// The model with every unit's name (also those another run models) and the rows read.
fn counted(mut model: DocumentModel, units: &UnitInputs, rows_read: usize) -> DocumentModel {
    if !units.planned.is_empty() {
        model.unit_names = units.planned.clone();
    }
    model.rows_read = rows_read;
    model
}

impl UnitInputs<'_> {
    /// Every unit of the document: those read here, then the others.
    fn all_names(&self) -> Vec<String> {
        let (here, elsewhere) = self.split_names();
        here.into_iter().chain(elsewhere).collect()
    }

    /// The units read here by name, and the document's units that are not.
    fn split_names(&self) -> (Vec<String>, Vec<String>) {
        let here: Vec<String> = self.units.iter().filter_map(|(n, _)| n.clone()).collect();
        let set: std::collections::HashSet<&String> = here.iter().collect();
        let elsewhere = self
            .planned
            .iter()
            .filter(|n| !set.contains(n))
            .cloned()
            .collect();
        (here, elsewhere)
    }
}

impl UnitInputs<'_> {
    /// A single document.
    pub fn single() -> UnitInputs<'static> {
        UnitInputs {
            column: None,
            units: vec![(None, None)],
            source: None,
            planned: Vec::new(),
        }
    }
}

/// What a document's data sources gave (for one unit, when a unit is given): the KPI data, and per source the figures it gave
/// and the rows it skipped on purpose. `rapportverk data` lists it; [`check`] checks the
/// narrative against it.
#[derive(Debug, Default)]
pub struct DataReading {
    pub kpis: KpiData,
    pub sources: Vec<SourceReading>,
    pub problems: Diagnostics,
    definitions_failed: bool,
    data_failed: bool,
    unreadable: bool,
    failed_rows: BTreeSet<(String, Option<i32>)>,
    targets: Vec<DataTarget>,
    years: Vec<SourceYears>,
    /// Which data source gave each observation.
    owners: std::collections::BTreeMap<(String, crate::model::period::Period), String>,
    /// Data rows read for this reading (for every unit: with the first unit's).
    pub rows_read: usize,
}

/// One data source's part of a [`DataReading`].
#[derive(Debug)]
pub struct SourceReading {
    pub id: String,
    pub file: PathBuf,
    /// The observations this source gave, as keys of [`KpiData::observations`], in row order.
    pub observations: Vec<(String, crate::model::period::Period)>,
    /// Rows and cells that gave no figure on purpose, and why.
    pub skipped: Vec<records::Skipped>,
    /// Whether only one unit's rows were read (the table has the unit column).
    pub split_by_unit: bool,
}

/// The units a document's data is read for: the unit column's name and the units in plan
/// order.
#[derive(Debug, Clone, Copy)]
pub struct UnitColumn<'a> {
    pub column: &'a str,
    pub names: &'a [String],
    /// Units of the document that this reading is not for (another shard's, or outputs that
    /// are unchanged): their rows are dropped unread, not listed as skipped.
    pub elsewhere: &'a [String],
}

/// Reads every data table of a document (`None`: the file could not be read, its problem
/// told already) into KPI observations checked against the run's KPI `definitions`: one
/// reading for a single document, one per unit for a document made per unit. Each table is
/// read once: a table with the unit column gives each unit its own rows, a table without it
/// gives its figures to every unit. The definitions are shared by the readings until a unit's
/// data sets a target of its own.
pub fn read_data(
    definitions: &KpiDefinitions,
    data: Vec<(&DataSource, Option<Arc<Table>>)>,
    units: Option<UnitColumn>,
) -> Vec<DataReading> {
    let shared = Arc::new(definitions.list.clone());
    let count = units.map_or(1, |u| u.names.len().max(1));
    let mut readings: Vec<DataReading> = (0..count)
        .map(|_| DataReading {
            kpis: KpiData {
                definitions: Arc::clone(&shared),
                ..KpiData::default()
            },
            definitions_failed: definitions.failed,
            // A file that could not be read fails the document (its problem is told already).
            unreadable: definitions.failed && definitions.list.is_empty(),
            ..DataReading::default()
        })
        .collect();
    // Problems of files every unit reads are told once, with the first.
    readings[0].problems.extend(definitions.problems.clone());
    for (source, table) in data {
        // The one working copy: reading settles its header and takes rows out. A table no one
        // else holds is taken as it is (a national file is not copied); a shared one is copied.
        let Some(mut table) = table.map(|t| Arc::try_unwrap(t).unwrap_or_else(|t| (*t).clone()))
        else {
            for reading in &mut readings {
                reading.data_failed = true;
                reading.unreadable = true;
            }
            continue;
        };
        // Problems found while reading that do not stop it (a garbled letter, say).
        for warning in std::mem::take(&mut table.warnings) {
            readings[0].problems.push(warning);
        }
        let options = match figures::table_options(source, &table) {
            Ok(options) => options,
            Err(d) => {
                readings[0].problems.push(d);
                for reading in &mut readings {
                    reading.data_failed = true;
                }
                continue;
            }
        };
        let read = records::read_records(&mut table, &source.columns, &options);
        readings[0].rows_read += read.rows_read;
        let file = table.file.clone();
        let Some((u, index)) = units.and_then(|u| Some((u, table.column(&[u.column])?))) else {
            // No unit column: every unit gets every figure.
            for reading in &mut readings {
                let part = Part {
                    records: &read.records,
                    problems: read.problems.clone(),
                    skipped: read.skipped.clone(),
                    failed: &read.failed,
                };
                reading.add_source(source, &file, part, false);
            }
            continue;
        };
        let failed = read.failed.clone();
        let split = split::by_unit(read, &table, index, u);
        // The rows are read: only the records are needed from here on.
        drop(table);
        let parts = split.skipped.into_iter().zip(split.problems);
        for ((reading, range), (skipped, problems)) in
            readings.iter_mut().zip(split.ranges).zip(parts)
        {
            let part = Part {
                records: &split.records[range],
                problems,
                skipped,
                failed: &failed,
            };
            reading.add_source(source, &file, part, true);
        }
    }
    readings
}

/// What one table gave one unit's reading.
struct Part<'a> {
    records: &'a [records::Record],
    problems: Vec<crate::diag::Diagnostic>,
    skipped: Vec<records::Skipped>,
    /// The KPI and year of rows that had a problem, as written.
    failed: &'a [(String, Option<i32>)],
}

impl DataReading {
    /// One table's records (for this unit, when it is split by unit) turned into observations.
    fn add_source(
        &mut self,
        source: &DataSource,
        file: &std::path::Path,
        read: Part,
        split_by_unit: bool,
    ) {
        if read.records.is_empty() && !read.problems.is_empty() {
            self.data_failed = true;
        }
        // The file's problems in the order of its rows, whichever check found them.
        let mut in_file = Diagnostics::default();
        for problem in read.problems {
            in_file.push(problem);
        }
        for (kpi, year) in read.failed {
            if let Some(id) = figures::kpi_id(kpi, &self.kpis) {
                self.failed_rows.insert((id, *year));
            }
        }
        let mut skipped = read.skipped;
        let mut keys = Vec::new();
        let years = if self.definitions_failed {
            Vec::new()
        } else {
            let mut sink = figures::Sink {
                kpis: &mut self.kpis,
                targets: &mut self.targets,
                failed_rows: &mut self.failed_rows,
                problems: &mut in_file,
                skipped: &mut skipped,
                keys: &mut keys,
                owners: &mut self.owners,
                name_lookups: 0,
            };
            figures::observations(read.records, source, &mut sink)
        };
        let mut in_file = in_file.into_vec();
        in_file.sort_by(|a, b| a.origin.cmp(&b.origin));
        for problem in in_file {
            self.problems.push(problem);
        }
        self.years.push(SourceYears {
            file: file.to_path_buf(),
            years,
        });
        self.sources.push(SourceReading {
            id: source.id.clone(),
            file: file.to_path_buf(),
            observations: keys,
            skipped,
            split_by_unit,
        });
    }
}

/// Checks one document: its data tables (`None`: the file could not be read, its problem told
/// already) against the run's KPI `definitions`, then its `narrative` and each unit's text.
/// The problems are the definition list's, each data file's in row order and the narratives'
/// (the loader adds the consistency lint's on the checked model).
pub fn check(
    definitions: &KpiDefinitions,
    data: Vec<(&DataSource, Option<Arc<Table>>)>,
    narrative: &SourceFile,
    units: &UnitInputs,
    tables: &RowTables,
    cache: &crate::load::SourceCache,
) -> (Option<DocumentModel>, Diagnostics) {
    let (readings, mut problems, unreadable) = read_units(definitions, data, units);
    let rows_read = readings.iter().map(|r| r.rows_read).sum();
    let narrative_value = match crate::ingest::yaml::parse::<Narrative>(narrative) {
        Ok(parsed) => parsed,
        Err(d) => {
            problems.push(d);
            return (None, problems);
        }
    };
    let file = &narrative.path;
    let year = narrative_value.document.year;
    let plan = periods::plan_years(file, &narrative_value.document, &mut problems);
    let row_inputs = row_inputs(tables, units, year);
    let mut unit_rows = UnitRowProblems::default();
    let mut filled = FilledBlocks::new();
    let mut filled_tables = crate::model::content::table::FilledTables::new();
    let sections = &narrative_value.sections;
    let blocks = (&mut filled, &mut filled_tables);
    fill_blocks(
        sections,
        file,
        &row_inputs,
        &mut problems,
        &mut unit_rows,
        blocks,
    );
    let mut models = Vec::new();
    // The data's problems with the report year first, then the narrative's.
    let mut period_problems = Diagnostics::default();
    for reading in readings
        .iter()
        .filter(|_| !prints_periods(&narrative_value))
    {
        unprinted_periods(reading, &mut period_problems);
    }
    let mut unit_problems = Diagnostics::default();
    for ((name, unit_file), data) in units.units.iter().zip(readings) {
        let DataReading {
            mut kpis,
            definitions_failed,
            data_failed,
            failed_rows,
            targets,
            years,
            ..
        } = data;
        let blocks = (&mut filled, &mut filled_tables);
        let own = unit_file.as_ref().map(|f| {
            let inputs = (&row_inputs, name.as_ref());
            own_narrative(f, inputs, &mut problems, &mut unit_rows, blocks)
        });
        // A unit whose own narrative does not parse is not checked further.
        let own = match own {
            Some(None) => continue,
            own => own.flatten(),
        };
        let own_text = own.as_ref().map(|o| &o.1);
        let printed = periods::printed_by(&narrative_value, own_text, &plan, &kpis);
        let found = &mut period_problems;
        checks::period_checks(year, &printed, &years, &targets, &mut kpis, found);
        let checks = KpiChecks {
            kpis: &kpis,
            plan: &plan,
            definitions_failed,
            data_failed,
            failed_rows,
        };
        let target_written = &definitions.target_written;
        let own_file = own.as_ref().map(|(path, own)| (path.as_path(), own));
        narrative_checks(
            &narrative_value,
            file,
            own_file,
            &checks,
            target_written,
            &mut unit_problems,
        );
        models.push((name.clone(), own, kpis));
    }
    let mut problems = in_order(problems, period_problems, unit_problems);
    if problems.has_errors() || unreadable || models.len() != units.units.len() {
        return (None, problems);
    }
    let blocks = (&mut filled, &mut filled_tables);
    match typed(narrative_value, file, models, blocks, unit_rows, cache) {
        Ok(model) => (Some(counted(model, units, rows_read)), problems),
        Err(found) => {
            problems.extend(found);
            (None, problems)
        }
    }
}

/// A unit as checked: its name, its own narrative (parsed, with its file) and its figures.
type CheckedUnit = (Option<String>, Option<(PathBuf, UnitNarrative)>, KpiData);

/// The model of the checked narratives: their typed content, with the rows the checks selected.
fn typed(
    narrative: Narrative,
    file: &std::path::Path,
    units: Vec<CheckedUnit>,
    (filled, tables): (
        &mut FilledBlocks,
        &mut crate::model::content::table::FilledTables,
    ),
    rows: UnitRowProblems,
    cache: &crate::load::SourceCache,
) -> Result<DocumentModel, Diagnostics> {
    let year = narrative.document.year;
    let acknowledgments = narrative
        .acknowledge
        .iter()
        .map(|a| crate::model::acknowledge::Acknowledgment {
            warning: a.warning.value.clone(),
            reason: a.reason.clone(),
            origin: crate::ingest::yaml::origin_of(file, &a.warning),
        })
        .collect();
    let content = Content::from_narrative(narrative, file, (&mut *filled, &mut *tables), cache)?;
    let plan_years = content.info.plan_years.clone();
    let units: Vec<UnitModel> = units
        .into_iter()
        .map(|(name, own, kpis)| {
            let own = match own {
                Some((path, own)) => Some(UnitContent::from_narrative(
                    own,
                    &path,
                    (year, &plan_years),
                    (&mut *filled, &mut *tables),
                    cache,
                )?),
                None => None,
            };
            Ok(UnitModel { name, own, kpis })
        })
        .collect::<Result<_, Diagnostics>>()?;
    let unit_names = units.iter().filter_map(|u| u.name.clone()).collect();
    Ok(DocumentModel {
        file: file.to_path_buf(),
        content,
        units,
        unit_names,
        rows,
        rows_read: 0,
        acknowledgments,
    })
}

/// Every problem once: the files' and the narratives' first, then those with the report
/// year, then the common text's, which is checked against every unit's figures, in the
/// order of the narrative's lines whichever check found them.
fn in_order(
    mut problems: Diagnostics,
    period_problems: Diagnostics,
    unit_problems: Diagnostics,
) -> Diagnostics {
    let mut unit_problems = unit_problems.into_vec();
    unit_problems.sort_by(|a, b| a.origin.cmp(&b.origin));
    for problem in once_each(period_problems).into_vec() {
        problems.push(problem);
    }
    for problem in unit_problems {
        problems.push(problem);
    }
    once_each(problems)
}

/// Each unit's data (one reading for a single document): the readings, the problems of files
/// read for every unit told once, and whether a file could not be read.
fn read_units(
    definitions: &KpiDefinitions,
    data: Vec<(&DataSource, Option<Arc<Table>>)>,
    units: &UnitInputs,
) -> (Vec<DataReading>, Diagnostics, bool) {
    let (names, elsewhere) = units.split_names();
    let split = units.column.map(|column| UnitColumn {
        column,
        names: &names,
        elsewhere: &elsewhere,
    });
    let mut readings = read_data(definitions, data, split);
    let mut problems = Diagnostics::default();
    let mut unreadable = false;
    for reading in &mut readings {
        // Files read for every unit are told once; a unit's own rows with that unit.
        problems.extend(std::mem::take(&mut reading.problems));
        unreadable |= reading.unreadable;
    }
    (readings, once_each(problems), unreadable)
}

/// What row blocks are filled with: the tables, the default one and the units.
fn row_inputs<'a>(tables: &'a RowTables, units: &UnitInputs<'a>, year: i32) -> rows::RowInputs<'a> {
    rows::RowInputs {
        tables,
        default_table: units.source,
        unit_column: units.column,
        units: units.all_names(),
        year,
    }
}

/// The common narrative and a unit's own text checked against the unit's figures.
fn narrative_checks(
    narrative: &Narrative,
    file: &std::path::Path,
    own: Option<(&std::path::Path, &UnitNarrative)>,
    checks: &KpiChecks,
    target_written: &BTreeSet<String>,
    problems: &mut Diagnostics,
) {
    checks::narrative(file, narrative, checks, problems);
    if let Some((path, own)) = own {
        checks::unit_narrative(path, own, narrative.document.year, checks, problems);
    }
    checks::target_checks(
        file,
        &narrative.sections,
        checks.kpis,
        target_written,
        problems,
    );
}

/// The row blocks (`assignments`, `calendar`) and `table` blocks of `sections` filled from
/// their tables.
fn fill_blocks(
    sections: &[crate::model::narrative::Section],
    file: &std::path::Path,
    row_inputs: &rows::RowInputs,
    problems: &mut Diagnostics,
    unit_rows: &mut UnitRowProblems,
    (filled, tables): (
        &mut FilledBlocks,
        &mut crate::model::content::table::FilledTables,
    ),
) {
    rows::fill(sections, file, row_inputs, problems, unit_rows, filled);
    amounts::fill(sections, file, row_inputs, (problems, unit_rows), tables);
}

/// A unit's own narrative parsed, its row blocks filled; `None` when it does not parse.
fn own_narrative(
    source: &SourceFile,
    (row_inputs, unit): (&rows::RowInputs, Option<&String>),
    problems: &mut Diagnostics,
    unit_rows: &mut UnitRowProblems,
    (filled, tables): (
        &mut FilledBlocks,
        &mut crate::model::content::table::FilledTables,
    ),
) -> Option<(PathBuf, UnitNarrative)> {
    match crate::ingest::yaml::parse::<UnitNarrative>(source) {
        Ok(parsed) => {
            rows::fill(
                &parsed.sections,
                &source.path,
                row_inputs,
                problems,
                unit_rows,
                filled,
            );
            // A unit's own table blocks are filled for that unit alone.
            let own = row_inputs.of_unit(unit);
            amounts::fill(
                &parsed.sections,
                &source.path,
                &own,
                (problems, unit_rows),
                tables,
            );
            Some((source.path.clone(), parsed))
        }
        Err(d) => {
            problems.push(d);
            None
        }
    }
}

/// Whether a KPI table or chart of the narrative lists periods (tertials, quarters, months,
/// school years) to print.
fn prints_periods(narrative: &Narrative) -> bool {
    crate::model::narrative::all_blocks(&narrative.sections)
        .into_iter()
        .any(|block| match block {
            crate::model::narrative::Block::KpiTable(t) => t.periods.is_some(),
            crate::model::narrative::Block::Chart(c) => c.periods.is_some(),
            _ => false,
        })
}

/// A warning for figures of periods below a year that a document printing years only leaves
/// out, once per data source (the first figure as the example).
fn unprinted_periods(reading: &DataReading, problems: &mut Diagnostics) {
    for source in &reading.sources {
        let below_a_year: Vec<&(String, Period)> = source
            .observations
            .iter()
            .filter(|(_, p)| !p.is_year())
            .collect();
        let Some((id, period)) = below_a_year.first() else {
            continue;
        };
        let Some(observation) = reading.kpis.at(id, period) else {
            continue;
        };
        let hint = if matches!(period, Period::SchoolYear { .. }) {
            "to print school years as years, write school_year: start (2020-21 counts as 2020) or school_year: end in the data source"
        } else {
            "list them in a KPI table (periods: [\"T1 2024\", \"T2 2024\"]), give annual figures, or check the period column"
        };
        problems.push(
            Diagnostic::warning(
                observation.origin.clone(),
                match below_a_year.len() {
                    1 => format!(
                        "1 figure is for a period that is not a year ({id} {}); the document prints years only",
                        period.label_nb()
                    ),
                    n => format!(
                        "{n} figures are for periods that are not years (the first: {id} {}); the document prints years only",
                        period.label_nb()
                    ),
                },
            )
            .with_hint(hint),
        );
    }
}

/// The problems in their order, each (place, message) once.
pub(crate) fn once_each(problems: Diagnostics) -> Diagnostics {
    let mut seen = BTreeSet::new();
    let mut out = Diagnostics::default();
    for problem in problems.into_vec() {
        if seen.insert((problem.origin.clone(), problem.message.clone())) {
            out.push(problem);
        }
    }
    out
}
