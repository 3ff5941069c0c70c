//! One evaluation checked: the KPI observations of its data files against the run's KPI
//! definitions, and its narrative against both. Every problem is collected; a problem already
//! told (a file or row that could not be read) is not told again as a missing figure.

mod checks;
mod figures;
mod plausibility;

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::diag::{Diagnostics, Origin};
use crate::ingest::Table;
use crate::load::SourceFile;
use crate::model::kpi::{KpiData, KpiDefinitions};
use crate::model::narrative::Evaluation;
use crate::model::records;
use crate::project::DataSource;

use checks::{KpiChecks, SourceYears};

/// An evaluation whose inputs passed the checks (warnings may remain): every date, status and
/// prose field of its narrative parsed, every figure it prints present.
#[derive(Debug)]
pub struct EvaluationModel {
    /// The narrative's path, for origins.
    pub(crate) file: PathBuf,
    pub(crate) evaluation: Evaluation,
    pub(crate) kpis: KpiData,
}

impl EvaluationModel {
    /// Every KPI definition and observation the evaluation was checked with.
    pub fn kpis(&self) -> &KpiData {
        &self.kpis
    }
}

/// What an evaluation's data sources gave: the KPI data, and per source the figures it gave
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
    targets: Vec<checks::DataTarget>,
    years: Vec<SourceYears>,
    /// Which data source gave each observation.
    owners: std::collections::BTreeMap<(String, crate::model::period::Period), String>,
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
}

/// Reads every data table of an evaluation (`None`: the file could not be read, its problem
/// told already) into KPI observations checked against the run's KPI `definitions`.
pub fn read_data(
    definitions: &KpiDefinitions,
    data: &[(&DataSource, Option<Table>)],
) -> DataReading {
    let mut reading = DataReading {
        kpis: KpiData {
            definitions: definitions.list.clone(),
            ..KpiData::default()
        },
        definitions_failed: definitions.failed,
        // A file that could not be read fails the document (its problem is told already).
        unreadable: definitions.failed && definitions.list.is_empty(),
        ..DataReading::default()
    };
    reading.problems.extend(definitions.problems.clone());
    for (source, table) in data {
        let Some(mut table) = table.clone() else {
            reading.data_failed = true;
            reading.unreadable = true;
            continue;
        };
        // Problems found while reading that do not stop it (a garbled letter, say).
        for warning in std::mem::take(&mut table.warnings) {
            reading.problems.push(warning);
        }
        let mut in_file = Diagnostics::default();
        let options = match figures::table_options(source, &table) {
            Ok(options) => options,
            Err(d) => {
                reading.problems.push(d);
                reading.data_failed = true;
                continue;
            }
        };
        let read = records::read_records(&mut table, &source.columns, &options);
        if read.records.is_empty() && !read.problems.is_empty() {
            reading.data_failed = true;
        }
        // The file's problems in the order of its rows, whichever check found them.
        for problem in read.problems {
            in_file.push(problem);
        }
        for (kpi, year) in read.failed {
            if let Some(id) = figures::kpi_id(&kpi, &reading.kpis) {
                reading.failed_rows.insert((id, year));
            }
        }
        let mut skipped = read.skipped;
        let mut keys = Vec::new();
        let years = if reading.definitions_failed {
            Vec::new()
        } else {
            let mut sink = figures::Sink {
                kpis: &mut reading.kpis,
                targets: &mut reading.targets,
                failed_rows: &mut reading.failed_rows,
                problems: &mut in_file,
                skipped: &mut skipped,
                keys: &mut keys,
                owners: &mut reading.owners,
            };
            figures::observations(&read.records, source, &mut sink)
        };
        let mut in_file = in_file.into_vec();
        in_file.sort_by(|a, b| a.origin.cmp(&b.origin));
        for problem in in_file {
            reading.problems.push(problem);
        }
        reading.years.push(SourceYears {
            file: table.file.clone(),
            years,
        });
        reading.sources.push(SourceReading {
            id: source.id.clone(),
            file: table.file.clone(),
            observations: keys,
            skipped,
        });
    }
    reading
}

/// Checks one evaluation: its data tables (`None`: the file could not be read, its problem
/// told already) against the run's KPI `definitions`, then its `narrative`. The problems are
/// the definition list's, each data file's in row order, the narrative's, and the warnings of
/// the consistency check (typed figures that disagree with the data).
pub fn check(
    definitions: &KpiDefinitions,
    data: &[(&DataSource, Option<Table>)],
    narrative: &SourceFile,
) -> (Option<EvaluationModel>, Diagnostics) {
    let reading = read_data(definitions, data);
    let DataReading {
        mut kpis,
        mut problems,
        definitions_failed,
        data_failed,
        unreadable,
        failed_rows,
        targets,
        years: sources,
        ..
    } = reading;
    let evaluation = match crate::ingest::yaml::parse::<Evaluation>(narrative) {
        Ok(evaluation) => evaluation,
        Err(d) => {
            problems.push(d);
            return (None, problems);
        }
    };
    let file = &narrative.path;
    checks::period_checks(&evaluation, &sources, &targets, &mut kpis, &mut problems);
    let checks = KpiChecks {
        kpis: &kpis,
        definitions_failed,
        data_failed,
        failed_rows,
    };
    checks::narrative(file, &evaluation, &checks, &mut problems);
    checks::target_checks(
        file,
        &evaluation,
        &kpis,
        &definitions.target_written,
        &mut problems,
    );
    if problems.has_errors() || unreadable {
        return (None, problems);
    }
    let model = EvaluationModel {
        file: file.clone(),
        evaluation,
        kpis,
    };
    problems.extend(crate::model::consistency::lint(&model));
    (Some(model), problems)
}

/// Where a year's figures of one data file are, for the checks that need the report year.
type Years = Vec<(i32, Origin)>;
