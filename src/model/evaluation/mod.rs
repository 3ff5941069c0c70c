//! One evaluation checked: the KPI observations of its data files against the run's KPI
//! definitions, and its narrative against both. Every problem is collected; a problem already
//! told (a file or row that could not be read) is not told again as a missing figure.

mod checks;
mod figures;

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

/// Checks one evaluation: its data tables (`None`: the file could not be read, its problem
/// told already) against the run's KPI `definitions`, then its `narrative`. The problems are
/// the definition list's, each data file's in row order, the narrative's, and the warnings of
/// the consistency check (typed figures that disagree with the data).
pub fn check(
    definitions: &KpiDefinitions,
    data: &[(&DataSource, Option<Table>)],
    narrative: &SourceFile,
) -> (Option<EvaluationModel>, Diagnostics) {
    let mut problems = Diagnostics::default();
    problems.extend(definitions.problems.clone());
    let mut kpis = KpiData {
        definitions: definitions.list.clone(),
        ..KpiData::default()
    };
    let definitions_failed = definitions.failed;
    let mut sources = Vec::new();
    let mut targets = Vec::new();
    let mut data_failed = false;
    // A file that could not be read fails the document (its problem is told already).
    let mut unreadable = definitions.failed && definitions.list.is_empty();
    let mut failed_rows = BTreeSet::new();
    for (source, table) in data {
        let Some(mut table) = table.clone() else {
            data_failed = true;
            unreadable = true;
            continue;
        };
        // Problems found while reading that do not stop it (a garbled letter, say).
        for warning in std::mem::take(&mut table.warnings) {
            problems.push(warning);
        }
        let read = records::records(&mut table, &source.columns, source.layout, &source.filters);
        if read.records.is_empty() && !read.problems.is_empty() {
            data_failed = true;
        }
        // The file's problems in the order of its rows, whichever check found them.
        let mut in_file = Diagnostics::default();
        for problem in read.problems {
            in_file.push(problem);
        }
        for (kpi, year) in read.failed {
            if let Some(id) = figures::kpi_id(&kpi, &kpis) {
                failed_rows.insert((id, year));
            }
        }
        let years = if definitions_failed {
            Vec::new()
        } else {
            figures::observations(
                &read.records,
                source,
                &mut kpis,
                &mut targets,
                &mut failed_rows,
                &mut in_file,
            )
        };
        let mut in_file = in_file.into_vec();
        in_file.sort_by(|a, b| a.origin.cmp(&b.origin));
        for problem in in_file {
            problems.push(problem);
        }
        sources.push(SourceYears {
            file: table.file.clone(),
            years,
        });
    }
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
