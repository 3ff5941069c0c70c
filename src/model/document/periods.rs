//! The years a document covers: the report year, the plan's years (`plan_years: 2021-2024`),
//! and every year a table, chart or prose reference of its narrative prints. Figures for
//! later years are "not printed" only when none of these prints them, and a plan's figures
//! need no figure for the report year.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::yaml::origin_of;
use crate::model::kpi::KpiData;
use crate::model::narrative::{Block, DocumentInfo, Section, Text, all_blocks};

/// The plan's years, checked: a range that parses and holds the report year. Empty for a
/// document of one report year (or a range with a problem, told in `problems`).
pub(super) fn plan_years(file: &Path, info: &DocumentInfo, problems: &mut Diagnostics) -> Vec<i32> {
    let Some(written) = &info.plan_years else {
        return Vec::new();
    };
    let origin = origin_of(file, written);
    match written.value.years() {
        Ok(years) if years.contains(&info.year) => years,
        Ok(years) => {
            problems.push(
                Diagnostic::error(
                    origin,
                    format!(
                        "plan_years: {} does not hold the document's year {}",
                        written.value.0.trim(),
                        info.year
                    ),
                )
                .with_hint(format!(
                    "write the budget year as year: {} and the plan years after it as plan_years: {}-{}",
                    years.first().copied().unwrap_or(info.year),
                    years.first().copied().unwrap_or(info.year),
                    years.last().copied().unwrap_or(info.year)
                )),
            );
            Vec::new()
        }
        Err(message) => {
            problems.push(
                Diagnostic::error(origin, message)
                    .with_hint("write the plan's years as plan_years: 2021-2024"),
            );
            Vec::new()
        }
    }
}

/// The years a document prints figures of.
pub(super) struct PrintedYears {
    /// Years the document names: the report year and the year before, the plan years, the
    /// years tables and charts list and prose references name.
    pub(super) named: BTreeSet<i32>,
    /// Those and every observed year of a chart that lists none. Judging a file by these
    /// would be circular (a file's own years would make it relevant), so only "printed or
    /// not" asks them.
    pub(super) all: BTreeSet<i32>,
}

/// The years the common narrative and a unit's own text print (see [`printed_years`]).
pub(super) fn printed_by(
    narrative: &crate::model::narrative::Narrative,
    own: Option<&crate::model::narrative::UnitNarrative>,
    plan: &[i32],
    kpis: &KpiData,
) -> PrintedYears {
    let mut sections: Vec<&[Section]> = vec![&narrative.sections];
    let mut prose = narrative.prose();
    if let Some(own) = own {
        sections.push(&own.sections);
        prose.extend(own.prose());
    }
    printed_years(&sections, &prose, narrative.document.year, plan, kpis)
}

/// Every year the document prints figures of: the report year and the year before, the plan
/// years, the years tables and charts list and the years prose references name; apart, every
/// observed year of a chart that lists none.
fn printed_years(
    sections: &[&[Section]],
    prose: &[&Text],
    year: i32,
    plan: &[i32],
    kpis: &KpiData,
) -> PrintedYears {
    let mut years: BTreeSet<i32> = [year - 1, year]
        .into_iter()
        .chain(plan.iter().copied())
        .collect();
    let mut drawn: BTreeSet<i32> = BTreeSet::new();
    for block in sections.iter().flat_map(|s| all_blocks(s)) {
        match block {
            Block::KpiTable(table) => {
                years.extend(listed(table.years.as_ref(), table.periods.as_deref()));
            }
            // A chart that lists no years draws every observed year (the plan's, in a plan).
            Block::Chart(chart)
                if chart.years.is_none() && chart.periods.is_none() && plan.is_empty() =>
            {
                drawn.extend(kpis.series(&chart.kpi.value).iter().map(|(y, _)| *y));
            }
            Block::Chart(chart) => {
                years.extend(listed(chart.years.as_ref(), chart.periods.as_deref()));
            }
            _ => {}
        }
    }
    for text in prose {
        if let Ok(parsed) = &text.value {
            years.extend(parsed.references().filter_map(|r| r.year));
        }
    }
    let all = years.union(&drawn).copied().collect();
    PrintedYears { named: years, all }
}

/// The years a block lists in `years:` or `periods:` (a period's year for tertials and such).
fn listed(
    years: Option<&crate::ingest::yaml::Spanned<crate::model::narrative::YearsWritten>>,
    periods: Option<&[crate::ingest::yaml::Spanned<crate::model::narrative::PeriodWritten>]>,
) -> Vec<i32> {
    let mut out: Vec<i32> = years.and_then(|y| y.value.years().ok()).unwrap_or_default();
    for period in periods.unwrap_or_default() {
        if let Ok(p) = period.value.period() {
            out.push(p.year());
        }
    }
    out
}
