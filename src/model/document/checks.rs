//! The checks of a document that need more than one row: the report year against the data
//! files, targets given twice, and the narrative (dates, task ids and statuses, KPI references
//! in prose, tables and charts, footnotes).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::figures::unknown_kpi;
use super::observed::{DataTarget, SourceYears};
use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::model::TaskStatus;
use crate::model::kpi::{KpiData, Value};
use crate::model::narrative::{
    Block, KpiColumn, Narrative, PeriodWritten, Section, Text, UnitNarrative, YearsWritten,
    all_blocks,
};
use crate::model::period::Period;

/// What the narrative's KPI references are checked against, and what not to report twice:
/// a figure missing because its file or row has a problem already told is not told again.
pub(super) struct KpiChecks<'a> {
    pub(super) kpis: &'a KpiData,
    /// The plan's years (`plan_years:`): tables and charts naming no years print these.
    pub(super) plan: &'a [i32],
    /// The KPI definition list could not be read: every id would be "unknown".
    pub(super) definitions_failed: bool,
    /// A data file could not be read as a whole: any figure may be missing because of it.
    pub(super) data_failed: bool,
    /// KPI ids and years of rows with a problem; `None` stands for any year.
    pub(super) failed_rows: BTreeSet<(String, Option<i32>)>,
}

impl KpiChecks<'_> {
    fn already_told(&self, id: &str, year: Option<i32>) -> bool {
        self.definitions_failed
            || self.data_failed
            || self.failed_rows.contains(&(id.to_string(), None))
            || year.is_some_and(|y| self.failed_rows.contains(&(id.to_string(), Some(y))))
            || (year.is_none()
                && self
                    .failed_rows
                    .range((id.to_string(), Some(i32::MIN))..)
                    .next()
                    .is_some_and(|(k, _)| k == id))
    }
}

/// Checks that need the report year: figures for years after it, files without any figure
/// for it, and targets given in data files.
pub(super) fn period_checks(
    year: i32,
    printed: &super::periods::PrintedYears,
    sources: &[SourceYears],
    targets: &[DataTarget],
    kpis: &mut KpiData,
    problems: &mut Diagnostics,
) {
    for source in sources {
        // Later years a table, chart, reference or the plan prints are printed, not "after".
        let later: Vec<&(i32, Origin)> = source
            .years
            .iter()
            .filter(|(y, _)| *y > year && !printed.all.contains(y))
            .collect();
        if let Some((_, first)) = later.first() {
            let mut later_years: Vec<i32> = later.iter().map(|(y, _)| *y).collect();
            later_years.sort_unstable();
            later_years.dedup();
            let list: Vec<String> = later_years.iter().map(i32::to_string).collect();
            let (count, them) = match later.len() {
                1 => ("1 figure is".to_string(), "it"),
                n => (format!("{n} figures are"), "them"),
            };
            problems.push(
                Diagnostic::warning(
                    (*first).clone(),
                    format!(
                        "{count} for {}, after the report year {year}; the document does not print {them}",
                        list.join(", ")
                    ),
                )
                .with_hint(format!(
                    "check the year column and document.year; to print them, list the years in a table or chart (years: {year}-{last}) or give the plan's years (document.plan_years: {year}-{last})",
                    last = later_years.last().copied().unwrap_or(year)
                )),
            );
        }
    }
    // A file several sources read (a sheet each, a column each) is judged on all their years.
    let mut by_file: Vec<(&Path, Vec<i32>)> = Vec::new();
    for source in sources {
        let years = source.years.iter().map(|(y, _)| *y);
        match by_file
            .iter_mut()
            .find(|(file, _)| *file == source.file.as_path())
        {
            Some((_, all)) => all.extend(years),
            None => by_file.push((&source.file, years.collect())),
        }
    }
    for (file, years) in by_file {
        // Years the document names, not a year-less chart's: its years come from the file.
        let relevant = years.iter().any(|y| printed.named.contains(y));
        if !years.is_empty() && !relevant {
            let first = years.iter().min().copied().unwrap_or(year);
            let last = years.iter().max().copied().unwrap_or(year);
            let range = if first == last {
                first.to_string()
            } else {
                format!("{first}–{last}")
            };
            problems.push(
                Diagnostic::warning(
                    Origin::file(file),
                    format!(
                        "the file holds no figures for {year} or {} (only {range})",
                        year - 1
                    ),
                )
                .with_hint(
                    "is it an export from another year? the document reports on its document.year",
                ),
            );
        }
    }
    for target in targets.iter().filter(|t| t.year == year) {
        let Some(definition) = std::sync::Arc::make_mut(&mut kpis.definitions).get_mut(&target.kpi)
        else {
            continue;
        };
        match definition.target {
            None => definition.target = Some(target.target),
            Some(defined) if (defined - target.target).abs() > 1e-9 => problems.push(
                Diagnostic::warning(
                    target.origin.clone(),
                    format!(
                        "the data gives {} the target {}, the KPI definition list {} (at {}); the definition list's is used",
                        target.kpi,
                        definition.format_value(target.target),
                        definition.format_value(defined),
                        definition.origin
                    ),
                )
                .with_hint("keep the target in one place"),
            ),
            Some(_) => {}
        }
    }
}

/// A KPI whose table row shows a status but has no target always shows "uten mål": warn at
/// the table's `kpis:` entry, unless the definition list says `ingen` (no target on purpose).
pub(super) fn target_checks(
    file: &Path,
    sections: &[Section],
    kpis: &KpiData,
    target_written: &BTreeSet<String>,
    problems: &mut Diagnostics,
) {
    let mut warned = BTreeSet::new();
    for block in all_blocks(sections) {
        let Block::KpiTable(table) = block else {
            continue;
        };
        if !table.columns.contains(&KpiColumn::Status) {
            continue;
        }
        for id in &table.kpis {
            let Some(definition) = kpis.definitions.get(&id.value) else {
                continue;
            };
            if definition.target.is_some()
                || target_written.contains(&id.value)
                || !warned.insert(id.value.clone())
            {
                continue;
            }
            problems.push(
                Diagnostic::warning(
                    origin_of(file, id),
                    format!(
                        "KPI \"{}\" has no target, so its status shows \"uten mål\"",
                        id.value
                    ),
                )
                .with_hint(format!(
                    "write the target in the mål column of the KPI definition list ({}), or \"ingen\" if it has none on purpose",
                    definition.origin
                )),
            );
        }
    }
}

/// Checks the common narrative against itself and the data: dates, task ids and statuses,
/// KPI references, footnotes.
pub(super) fn narrative(
    file: &Path,
    narrative: &Narrative,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let doc = &narrative.document;
    let mut dates: Vec<&crate::model::narrative::Date> = doc.date.iter().collect();
    if let Some(period) = &doc.period {
        dates.extend([&period.from, &period.to]);
    }
    for date in dates {
        if let Some(d) = date.problem(file) {
            problems.push(d);
        }
    }
    let footnotes: BTreeSet<&str> = narrative.footnotes.keys().map(String::as_str).collect();
    sections(file, &narrative.sections, doc.year, checks, problems);
    prose(
        file,
        narrative.prose(),
        doc.year,
        &footnotes,
        checks,
        problems,
    );
}

/// Checks one unit's own text like the common narrative; its footnotes and the common ones
/// are both in reach.
pub(super) fn unit_narrative(
    file: &Path,
    own: &UnitNarrative,
    year: i32,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let footnotes: BTreeSet<&str> = own.footnotes.keys().map(String::as_str).collect();
    sections(file, &own.sections, year, checks, problems);
    prose(file, own.prose(), year, &footnotes, checks, problems);
}

/// The blocks that print figures and statuses: tables, charts, tasks.
fn sections(
    file: &Path,
    sections: &[Section],
    year: i32,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let mut task_ids: BTreeMap<&str, Origin> = BTreeMap::new();
    for block in all_blocks(sections) {
        match block {
            Block::KpiTable(table) => {
                let default = match checks.plan {
                    [] => vec![year - 1, year],
                    plan => plan.to_vec(),
                };
                let years = years_of(file, &table.years, problems).unwrap_or(default);
                let periods = match &table.periods {
                    Some(written) => periods_of(file, written, table.years.as_ref(), problems),
                    None => years.into_iter().map(Period::Year).collect(),
                };
                for id in &table.kpis {
                    // The newest period must have a figure; older ones print a dash if missing.
                    if let Some(newest) = periods.last() {
                        check_kpi_for_period(file, id, newest, checks, problems);
                    }
                }
            }
            Block::Chart(chart) => {
                chart_check(file, chart, year, checks, problems);
                series_check(file, chart, checks, problems);
            }
            Block::Signature(signature) => {
                if let Some(d) = signature.date.problem(file) {
                    problems.push(d);
                }
            }
            Block::Tasks(tasks) => {
                for task in tasks {
                    let origin = origin_of(file, &task.id);
                    if let Some(first) = task_ids.insert(&task.id.value, origin.clone()) {
                        problems.push(Diagnostic::error(
                            origin,
                            format!(
                                "task id \"{}\" is used twice (first at {first})",
                                task.id.value
                            ),
                        ));
                    }
                    task_status(file, task, problems);
                }
            }
            // Checked where they are filled in with their rows (`rows.rs`, `amounts.rs`).
            Block::Assignments(_) | Block::Calendar(_) | Block::Table(_) => {}
            Block::P(_)
            | Block::Heading(_)
            | Block::List(_)
            | Block::Ordered(_)
            | Block::PageBreak => {}
            // Checked as they are typed (`content.rs`: the image is read there); a numbered
            // item's own blocks are among `all_blocks`.
            Block::Figure(_) | Block::Numbered(_) => {}
        }
    }
}

/// A chart draws the periods it lists (or the years it gives) that have a figure, so only
/// a chart that lists neither needs the report year's; a chart that would draw nothing is an
/// error at its line, never an empty frame.
fn chart_check(
    file: &Path,
    chart: &crate::model::narrative::Chart,
    year: i32,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let kpis = checks.kpis;
    let id = &chart.kpi.value;
    let years = years_of(file, &chart.years, problems).or_else(|| {
        (chart.periods.is_none() && !checks.plan.is_empty()).then(|| checks.plan.to_vec())
    });
    let periods = chart
        .periods
        .as_ref()
        .map(|written| periods_of(file, written, chart.years.as_ref(), problems));
    if chart.years.is_none() && chart.periods.is_none() && checks.plan.is_empty() {
        check_kpi_for_year(file, &chart.kpi, year, checks, problems);
    } else if !kpis.definitions.contains_key(id) && !checks.definitions_failed {
        problems.push(unknown_kpi(id, origin_of(file, &chart.kpi), kpis));
    }
    let drawn = |period: &Period| {
        let wanted = match (&periods, &years) {
            (Some(listed), _) => listed.contains(period),
            (None, Some(years)) => period.is_year() && years.contains(&period.year()),
            (None, None) => period.is_year(),
        };
        wanted
            && matches!(
                kpis.at(id, period).map(|o| &o.value),
                Some(Value::Number(_))
            )
    };
    let draws_nothing = !kpis.period_series(id).iter().any(|(p, _)| drawn(p));
    if kpis.definitions.contains_key(id) && !checks.already_told(id, None) && draws_nothing {
        let which = match (&chart.periods, &chart.years) {
            (Some(_), _) => " for the periods it lists",
            (None, Some(_)) => " for the years it gives",
            (None, None) if !checks.plan.is_empty() => " for the plan's years",
            (None, None) => "",
        };
        problems.push(
            Diagnostic::error(
                origin_of(file, &chart.kpi),
                format!("the chart of \"{id}\" has no data to draw{which}"),
            )
            .with_hint("add observations for this KPI to a data file, give years or periods it has figures for, or remove the chart"),
        );
    }
}

/// The KPIs a chart draws `with` its first: each defined once, in the first one's unit (they
/// share the value axis), each with a figure among the periods the chart draws.
fn series_check(
    file: &Path,
    chart: &crate::model::narrative::Chart,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let kpis = checks.kpis;
    let Some(first) = kpis.definitions.get(&chart.kpi.value) else {
        return;
    };
    let mut seen = BTreeSet::from([first.id.as_str()]);
    for written in &chart.with {
        let id = written.value.as_str();
        let at = origin_of(file, written);
        let Some(def) = kpis.definitions.get(id) else {
            if !checks.definitions_failed {
                problems.push(unknown_kpi(id, at, kpis));
            }
            continue;
        };
        if !seen.insert(id) {
            problems.push(
                Diagnostic::error(at, format!("the chart draws \"{id}\" twice"))
                    .with_hint("name each KPI once, in kpi: or with:"),
            );
        } else if def.unit != first.unit {
            problems.push(
                Diagnostic::error(
                    at,
                    format!(
                        "\"{id}\" is in {}, \"{}\" in {}: a chart has one value axis",
                        def.unit.label(),
                        first.id,
                        first.unit.label()
                    ),
                )
                .with_hint("draw KPIs of different units in charts of their own"),
            );
        } else if !checks.already_told(id, None)
            && !kpis
                .period_series(id)
                .iter()
                .any(|(_, o)| matches!(o.value, Value::Number(_)))
        {
            problems.push(
                Diagnostic::error(at, format!("the chart has no data to draw for \"{id}\""))
                    .with_hint(
                        "add observations for this KPI to a data file, or leave it out of with:",
                    ),
            );
        }
    }
}

/// The years a block writes (`years: 2016-2018`), or its error.
fn years_of(
    file: &Path,
    written: &Option<Spanned<YearsWritten>>,
    problems: &mut Diagnostics,
) -> Option<Vec<i32>> {
    let w = written.as_ref()?;
    match w.value.years() {
        Ok(years) => Some(years),
        Err(message) => {
            problems.push(
                Diagnostic::error(origin_of(file, w), message)
                    .with_hint("write years as 2016-2018, or one year such as 2018"),
            );
            None
        }
    }
}

/// Periods as written: each must parse, and a block gives periods or years, not both.
fn periods_of(
    file: &Path,
    written: &[Spanned<PeriodWritten>],
    years: Option<&Spanned<YearsWritten>>,
    problems: &mut Diagnostics,
) -> Vec<Period> {
    if let Some(years) = years {
        problems.push(
            Diagnostic::error(origin_of(file, years), "years: and periods: both given").with_hint(
                "keep one: periods: lists every column, years too (periods: [2023, \"T1 2024\"])",
            ),
        );
    }
    written
        .iter()
        .filter_map(|w| match w.value.period() {
            Ok(period) => Some(period),
            Err(message) => {
                problems.push(Diagnostic::error(origin_of(file, w), message).with_hint(
                    "write periods as 2024, \"T2 2024\", \"2024K4\", \"2024M03\" or \"2020-21\"",
                ));
                None
            }
        })
        .collect()
}

fn task_status(file: &Path, task: &crate::model::narrative::Task, problems: &mut Diagnostics) {
    let written = &task.status.written.value;
    match task.status.value {
        Err(ref message) => {
            let words: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.text()).collect();
            let mut d = Diagnostic::error(task.status.origin(file), message.clone())
                .with_hint(format!("write one of: {}", words.join(", ")));
            if let Some(near) = closest(written, words.iter().copied()) {
                d = d.with_hint(format!("did you mean \"{near}\"?"));
            }
            problems.push(d);
        }
        Ok(TaskStatus::Achieved) => {}
        Ok(_) if task.status_note.is_none() => problems.push(
            Diagnostic::warning(
                task.status.origin(file),
                format!(
                    "task \"{}\" is \"{}\" without a status_note",
                    task.id.value, written
                ),
            )
            .with_hint("say briefly why, so the reader does not have to guess"),
        ),
        Ok(_) => {}
    }
}

/// Prose fields: markup that parses, figure references with a value, footnotes defined.
fn prose(
    file: &Path,
    texts: Vec<&Text>,
    year: i32,
    footnotes: &BTreeSet<&str>,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    for text in texts {
        match &text.value {
            Ok(prose) => {
                for reference in prose.references() {
                    let wanted = reference.year.unwrap_or(year);
                    let spanned = Spanned::new(
                        reference.kpi.clone(),
                        text.written.referenced,
                        text.written.defined,
                    );
                    check_kpi_for_year(file, &spanned, wanted, checks, problems);
                }
                if let Some(label) = prose.footnotes().find(|l| !footnotes.contains(l)) {
                    let defined: Vec<&str> = footnotes.iter().copied().collect();
                    let mut d = Diagnostic::error(
                        text.origin(file),
                        format!("footnote [^{label}] is not defined"),
                    );
                    d = match closest(label, defined.iter().copied()) {
                        Some(near) => d.with_hint(format!("did you mean [^{near}]?")),
                        None => d.with_hint(format!(
                            "define it under footnotes: at the top of the narrative ({label}: \"the note's text\")"
                        )),
                    };
                    problems.push(d);
                }
            }
            Err(message) => problems.push(
                Diagnostic::error(text.origin(file), message.clone())
                    .with_hint("figure references look like {{ kpi(\"sykefravaer\") }}"),
            ),
        }
    }
}

/// A KPI id used by the narrative must be defined and have a value for the year it prints.
fn check_kpi_for_year(
    file: &Path,
    id: &Spanned<String>,
    year: i32,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    check_kpi_for_period(file, id, &Period::Year(year), checks, problems);
}

/// A KPI id used by the narrative must be defined and have a value for the period it prints.
fn check_kpi_for_period(
    file: &Path,
    id: &Spanned<String>,
    period: &Period,
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let year = period.year();
    let kpis = checks.kpis;
    let origin = origin_of(file, id);
    if checks.definitions_failed {
        // Every id would be unknown; the definition list's problem is told already.
    } else if !kpis.definitions.contains_key(&id.value) {
        problems.push(unknown_kpi(&id.value, origin, kpis));
    } else if checks.already_told(&id.value, Some(year)) {
        // The row that would give the figure has a problem of its own, told already.
    } else if kpis.at(&id.value, period).is_none() {
        problems.push(
            Diagnostic::error(
                origin,
                format!(
                    "KPI \"{}\" has no value for {}",
                    id.value,
                    period.label_nb()
                ),
            )
            .with_hint("add the figure to a data file the manifest lists for this document"),
        );
    }
}
