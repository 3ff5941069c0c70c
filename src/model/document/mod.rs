//! One document checked: the KPI observations of its data files against the run's KPI
//! definitions, and its narrative (and, for a document built per unit, each unit's own text)
//! against both. Every problem is collected; a problem already told (a file or row that could
//! not be read) is not told again as a missing figure.

mod checks;
mod figures;
mod rows;

pub use rows::TableLookup;
pub(crate) use rows::UnitRowProblems;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::{Diagnostics, Origin};
use crate::ingest::Table;
use crate::load::SourceFile;
use crate::model::kpi::{KpiData, KpiDefinitions};
use crate::model::narrative::{Narrative, UnitNarrative};
use crate::model::records::{self, Filter};
use crate::project::DataSource;

use checks::{DataTarget, KpiChecks, SourceYears};

/// A document whose inputs passed the checks (warnings may remain): every date, status and
/// prose field of its narrative parsed, every figure it prints present, for every unit.
#[derive(Debug)]
pub struct DocumentModel {
    /// The narrative's path, for origins.
    pub(crate) file: PathBuf,
    pub(crate) narrative: Narrative,
    /// One per output unit, in plan order; a single document has one, without a name.
    pub(crate) units: Vec<UnitModel>,
    /// The problems of table rows that `assignments` and `calendar` blocks read, by unit;
    /// a unit with an error in one of its rows gets no output.
    pub(crate) rows: UnitRowProblems,
}

/// One unit of a document built per unit (a sector, a department), or the whole of a single
/// document: its name, its own text and the KPI figures read for it.
#[derive(Debug)]
pub struct UnitModel {
    pub(crate) name: Option<String>,
    /// The unit's own narrative and its path.
    pub(crate) narrative: Option<(PathBuf, UnitNarrative)>,
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
}

impl UnitInputs<'_> {
    /// A single document.
    pub fn single() -> UnitInputs<'static> {
        UnitInputs {
            column: None,
            units: vec![(None, None)],
            source: None,
        }
    }
}

/// What one unit's figures were read with, for the checks.
struct UnitData {
    kpis: KpiData,
    targets: Vec<DataTarget>,
    failed_rows: BTreeSet<(String, Option<i32>)>,
    sources: Vec<SourceYears>,
    data_failed: bool,
}

/// Checks one document: its data tables (`None`: the file could not be read, its problem told
/// already) against the run's KPI `definitions`, then its `narrative` and each unit's text.
/// The problems are the definition list's, each data file's in row order, the narratives',
/// and the warnings of the consistency check (typed figures that disagree with the data).
pub fn check(
    definitions: &KpiDefinitions,
    data: &[(&DataSource, Option<Table>)],
    narrative: &SourceFile,
    units: &UnitInputs,
    tables: TableLookup,
) -> (Option<DocumentModel>, Diagnostics) {
    let mut problems = Diagnostics::default();
    problems.extend(definitions.problems.clone());
    let definitions_failed = definitions.failed;
    // A file that could not be read fails the document (its problem is told already).
    let mut unreadable = definitions.failed && definitions.list.is_empty();
    let mut per_unit: Vec<UnitData> = units
        .units
        .iter()
        .map(|_| UnitData {
            kpis: KpiData {
                definitions: definitions.list.clone(),
                ..KpiData::default()
            },
            targets: Vec::new(),
            failed_rows: BTreeSet::new(),
            sources: Vec::new(),
            data_failed: false,
        })
        .collect();
    for (source, table) in data {
        let Some(mut table) = table.clone() else {
            per_unit.iter_mut().for_each(|u| u.data_failed = true);
            unreadable = true;
            continue;
        };
        // Problems found while reading that do not stop it (a garbled letter, say).
        for warning in std::mem::take(&mut table.warnings) {
            problems.push(warning);
        }
        let mut probe = table.clone();
        let all = records::records(&mut probe, &source.columns, source.layout, &source.filters);
        let split = units
            .column
            .filter(|column| probe.column(&[column]).is_some());
        let mut in_file = Diagnostics::default();
        for (index, (name, _)) in units.units.iter().enumerate() {
            let read = match (split, name) {
                (Some(column), Some(name)) => {
                    let mut filters = source.filters.clone();
                    filters.push(Filter {
                        column: column.to_string(),
                        values: vec![name.clone()],
                    });
                    let mut own = table.clone();
                    records::records(&mut own, &source.columns, source.layout, &filters)
                }
                // A file without the unit column holds figures for every unit.
                _ => all.clone(),
            };
            let unit = &mut per_unit[index];
            if read.records.is_empty() && !read.problems.is_empty() {
                unit.data_failed = true;
            }
            // Rows read for every unit are told once, with the first.
            let tell = split.is_some() || index == 0;
            let mut unit_problems = Diagnostics::default();
            for problem in read.problems {
                unit_problems.push(problem);
            }
            for (kpi, year) in read.failed {
                if let Some(id) = figures::kpi_id(&kpi, &unit.kpis) {
                    unit.failed_rows.insert((id, year));
                }
            }
            let years = if definitions_failed {
                Vec::new()
            } else {
                figures::observations(
                    &read.records,
                    source,
                    &mut unit.kpis,
                    &mut unit.targets,
                    &mut unit.failed_rows,
                    &mut unit_problems,
                )
            };
            if tell {
                in_file.extend(unit_problems);
            }
            unit.sources.push(SourceYears {
                file: table.file.clone(),
                years,
            });
        }
        // The file's problems in the order of its rows, whichever check found them.
        let mut in_file = in_file.into_vec();
        in_file.sort_by(|a, b| a.origin.cmp(&b.origin));
        for problem in in_file {
            problems.push(problem);
        }
    }
    let mut narrative_value = match crate::ingest::yaml::parse::<Narrative>(narrative) {
        Ok(parsed) => parsed,
        Err(d) => {
            problems.push(d);
            return (None, problems);
        }
    };
    let file = &narrative.path;
    let year = narrative_value.document.year;
    let row_inputs = rows::RowInputs {
        tables,
        default_table: units.source,
        unit_column: units.column,
        units: units.units.iter().filter_map(|(n, _)| n.clone()).collect(),
        year,
    };
    let mut unit_rows = UnitRowProblems::default();
    rows::fill(
        &mut narrative_value.sections,
        file,
        &row_inputs,
        &mut problems,
        &mut unit_rows,
    );
    let mut unit_models = Vec::new();
    // The data's problems with the report year first, then the narrative's.
    let mut period_problems = Diagnostics::default();
    let mut unit_problems = Diagnostics::default();
    for ((name, unit_file), mut data) in units.units.iter().zip(per_unit) {
        let own = match unit_file {
            Some(source) => match crate::ingest::yaml::parse::<UnitNarrative>(source) {
                Ok(mut parsed) => {
                    rows::fill(
                        &mut parsed.sections,
                        &source.path,
                        &row_inputs,
                        &mut problems,
                        &mut unit_rows,
                    );
                    Some((source.path.clone(), parsed))
                }
                Err(d) => {
                    problems.push(d);
                    continue;
                }
            },
            None => None,
        };
        checks::period_checks(
            year,
            &data.sources,
            &data.targets,
            &mut data.kpis,
            &mut period_problems,
        );
        let checks = KpiChecks {
            kpis: &data.kpis,
            definitions_failed,
            data_failed: data.data_failed,
            failed_rows: data.failed_rows,
        };
        checks::narrative(file, &narrative_value, &checks, &mut unit_problems);
        if let Some((path, own)) = &own {
            checks::unit_narrative(path, own, year, &checks, &mut unit_problems);
        }
        checks::target_checks(
            file,
            &narrative_value.sections,
            &data.kpis,
            &definitions.target_written,
            &mut unit_problems,
        );
        unit_models.push(UnitModel {
            name: name.clone(),
            narrative: own,
            kpis: data.kpis,
        });
    }
    // The common text is checked against every unit's figures: say each problem once.
    // Told in the order of the narrative's lines, whichever check found them.
    let mut seen = BTreeSet::new();
    let mut unit_problems = unit_problems.into_vec();
    unit_problems.sort_by(|a, b| a.origin.cmp(&b.origin));
    for problem in period_problems.into_vec().into_iter().chain(unit_problems) {
        if seen.insert((problem.origin.clone(), problem.message.clone())) {
            problems.push(problem);
        }
    }
    if problems.has_errors() || unreadable || unit_models.len() != units.units.len() {
        return (None, problems);
    }
    let model = DocumentModel {
        file: file.clone(),
        narrative: narrative_value,
        units: unit_models,
        rows: unit_rows,
    };
    problems.extend(crate::model::consistency::lint(&model));
    (Some(model), problems)
}

/// Where a year's figures of one data file are, for the checks that need the report year.
type Years = Vec<(i32, Origin)>;
