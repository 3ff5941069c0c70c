//! The evaluation's view: goals, tasks with status, KPI tables and charts, every figure
//! formatted once and read by the table, the chart, the prose and the provenance appendix.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::Value;
use serde::Serialize;

use crate::load::SourceFile;
use crate::model::TaskStatus;
use crate::model::evaluation::EvaluationModel;
use crate::model::kpi::{KpiData, KpiDefinition, KpiFigures, Unit, Value as KpiValue};
use crate::model::narrative::{Block, Evaluation, Text};
use crate::model::period::Period;
use crate::model::prose::{RefFunction, Reference};
use crate::norsk as format;

use super::prose::{Resolve, prose_value};
use super::{BlockView, DateParts, Ledger, ProvenanceView, blocks_view};

#[derive(Debug, Serialize)]
pub struct EvaluationView {
    pub(crate) meta: Meta,
    pub(crate) introduction: IntroductionView,
    pub(crate) agreement: AgreementView,
    pub(crate) evaluation: SectionView,
    pub(crate) status_summary: Vec<StatusCount>,
    pub(crate) goals: Vec<GoalView>,
    pub(crate) interplay: SectionView,
    pub(crate) signature: SignatureView,
    /// The "Datagrunnlag" appendix: every printed figure and where it came from.
    pub provenance: ProvenanceView,
}

#[derive(Debug, Serialize)]
pub(crate) struct Meta {
    pub(crate) title: String,
    pub(crate) municipality: String,
    pub(crate) author: String,
    pub(crate) subject: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) language: String,
    pub(crate) year: i32,
    /// `01.04.2018–31.03.2019`.
    pub(crate) period: String,
    pub(crate) date: DateParts,
    pub(crate) date_text: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct IntroductionView {
    pub(crate) basis_lead: Value,
    pub(crate) basis: Vec<Value>,
    pub(crate) blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AgreementView {
    pub(crate) title: String,
    pub(crate) blocks: Vec<BlockView>,
    pub(crate) meetings_lead: Value,
    /// `13. april og 9. november`.
    pub(crate) meetings: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SectionView {
    pub(crate) title: String,
    pub(crate) blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct StatusCount {
    pub(crate) key: &'static str,
    pub(crate) text: &'static str,
    pub(crate) count: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct GoalView {
    pub(crate) number: u32,
    pub(crate) title: Value,
    pub(crate) blocks: Vec<BlockView>,
    pub(crate) kpis: Vec<KpiRow>,
    pub(crate) chart: Option<ChartView>,
    pub(crate) tasks: Vec<TaskView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TaskView {
    pub(crate) id: String,
    /// `1.3`: goal and task number, as the overview and the heading show it.
    pub(crate) number: String,
    pub(crate) title: Value,
    pub(crate) group: Option<Value>,
    pub(crate) status_key: &'static str,
    pub(crate) status_text: &'static str,
    /// Where the status is written in the narrative.
    pub(crate) status_origin: String,
    pub(crate) status_note: Option<Value>,
    pub(crate) blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct KpiRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) value: String,
    pub(crate) previous: String,
    pub(crate) target: String,
    pub(crate) change: String,
    pub(crate) status_key: &'static str,
    pub(crate) status_text: &'static str,
    pub(crate) trend_text: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChartView {
    pub(crate) title: String,
    pub(crate) unit: String,
    pub(crate) points: Vec<ChartPoint>,
    pub(crate) target: Option<ChartPoint>,
    /// The top of the value axis: above every bar and the target line.
    pub(crate) axis_max: f64,
    /// Round values on the value axis, from 0 to `axis_max`.
    pub(crate) ticks: Vec<ChartPoint>,
    /// The chart as words, for readers who cannot see it.
    pub(crate) alt: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChartPoint {
    pub(crate) label: String,
    pub(crate) value: f64,
    pub(crate) text: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SignatureView {
    pub(crate) date: String,
    pub(crate) name: String,
    pub(crate) role: String,
}

/// Prints the value of a KPI, or a dash when there is none.
pub(crate) const NO_VALUE: &str = "–";

/// One observation as the document prints it, formatted once.
struct Printed {
    value: Option<f64>,
    /// `7,3` (tables, whose header gives the unit), or `– (reason)` for SSB's "no value".
    number: String,
    /// `7,3 %` (prose, charts, the appendix), or `– (reason)`.
    with_unit: String,
}

/// Prints figures from the data and remembers each one printed, with its origin, for the
/// "Datagrunnlag" appendix: the appendix lists exactly what the document shows.
struct Figures<'a> {
    kpis: &'a KpiData,
    year: i32,
    /// Every observation of the document, formatted once: (KPI id, year) → text.
    printed: BTreeMap<(String, i32), Printed>,
    ledger: &'a Ledger,
}

impl<'a> Figures<'a> {
    fn new(kpis: &'a KpiData, year: i32, ledger: &'a Ledger) -> Figures<'a> {
        let printed = kpis
            .observations
            .iter()
            .filter_map(|((id, period), obs)| {
                let Period::Year(year) = period else {
                    return None;
                };
                let definition = kpis.definitions.get(id)?;
                let printed = match obs.value {
                    KpiValue::Number(v) => Printed {
                        value: Some(v),
                        number: format::number(v, definition.decimals),
                        with_unit: definition.format_value(v),
                    },
                    KpiValue::Missing(reason) => {
                        let text = format!("{NO_VALUE} ({})", reason.reason());
                        Printed {
                            value: None,
                            number: text.clone(),
                            with_unit: text,
                        }
                    }
                };
                Some(((id.clone(), *year), printed))
            })
            .collect();
        Figures {
            kpis,
            year,
            printed,
            ledger,
        }
    }

    /// The observation of `definition` for `year`, noted in the appendix as printed.
    fn observation(&self, definition: &KpiDefinition, year: i32) -> Option<&Printed> {
        let key = (definition.id.clone(), year);
        let printed = self.printed.get(&key)?;
        if let Some(obs) = self.kpis.at(&key.0, &Period::Year(year)) {
            self.ledger.note(
                &definition.name,
                &definition.id,
                year.to_string(),
                printed.with_unit.clone(),
                &obs.origin,
            );
        }
        Some(printed)
    }

    fn note_target(&self, definition: &KpiDefinition) {
        if let Some(target) = definition.target {
            let value = definition.format_value(target);
            self.ledger.note(
                &definition.name,
                &definition.id,
                "mål".to_string(),
                value,
                &definition.origin,
            );
        }
    }
}

impl Resolve for Figures<'_> {
    fn figure(&self, reference: &Reference) -> Option<String> {
        let wanted = reference.year.unwrap_or(self.year);
        let figures = self.kpis.figures(&reference.kpi, wanted)?;
        let definition = figures.definition;
        let current = self.observation(definition, wanted);
        let printed = match reference.function {
            RefFunction::Kpi => current.and_then(|p| p.value.map(|_| p.with_unit.clone())),
            RefFunction::Change => {
                self.observation(definition, wanted - 1);
                figures.change().map(|c| definition.format_change(c))
            }
        };
        Some(printed.unwrap_or_else(|| NO_VALUE.to_string()))
    }
}

/// Builds the view of a checked evaluation. `inputs` are the files it was built from, in the
/// order the appendix lists them (KPI definitions, data files, narrative).
pub fn view(model: &EvaluationModel, inputs: &[Arc<SourceFile>], language: &str) -> EvaluationView {
    let ev: &Evaluation = &model.evaluation;
    let file = &model.file;
    let year = ev.document.year;
    let kpis = &model.kpis;
    let ledger = Ledger::default();
    let figures = Figures::new(kpis, year, &ledger);
    let prose = |text: &Text| -> Value { prose_value(text, &figures) };
    let blocks = |blocks: &[Block]| -> Vec<BlockView> { blocks_view(blocks, &figures) };
    let signature_date = ev.signature.date.get().copied();
    let period = match (ev.document.period.from.get(), ev.document.period.to.get()) {
        (Some(from), Some(to)) => {
            format!("{}–{}", format::short_date(*from), format::short_date(*to))
        }
        _ => String::new(),
    };
    let meetings: Vec<String> = ev
        .agreement
        .meetings
        .iter()
        .filter_map(|m| m.get().copied().map(format::day_month))
        .collect();

    let mut goals = Vec::new();
    for goal in &ev.goals {
        let tasks = goal
            .tasks
            .iter()
            .enumerate()
            .map(|(i, task)| {
                // A checked model has every status; an unknown one would print as nothing.
                let status = task.status.get();
                TaskView {
                    id: task.id.value.clone(),
                    number: format!("{}.{}", goal.number, i + 1),
                    title: prose(&task.title),
                    group: task.group.as_ref().map(prose),
                    status_key: status.map_or("", |s| s.key()),
                    status_text: status.map_or("", |s| s.text()),
                    status_origin: task.status.origin(file).to_string(),
                    status_note: task.status_note.as_ref().map(prose),
                    blocks: blocks(&task.blocks),
                }
            })
            .collect();
        goals.push(GoalView {
            number: goal.number,
            title: prose(&goal.title),
            blocks: blocks(&goal.blocks),
            kpis: goal
                .kpis
                .iter()
                .filter_map(|id| kpis.figures(&id.value, year))
                .map(|f| kpi_row(&f, &figures))
                .collect(),
            chart: goal
                .chart
                .as_ref()
                .and_then(|id| chart(&figures, &id.value)),
            tasks,
        });
    }
    let status_summary = TaskStatus::ALL
        .into_iter()
        .map(|status| StatusCount {
            key: status.key(),
            text: status.text(),
            count: goals
                .iter()
                .flat_map(|g| &g.tasks)
                .filter(|t| t.status_key == status.key())
                .count(),
        })
        .collect();

    EvaluationView {
        meta: Meta {
            title: ev.document.title.clone(),
            municipality: ev.document.municipality.clone(),
            author: ev.document.author.clone(),
            subject: ev.document.subject.clone(),
            keywords: ev.document.keywords.clone(),
            language: language.to_string(),
            year,
            period,
            date: signature_date.map_or(
                DateParts {
                    year,
                    month: 12,
                    day: 31,
                },
                DateParts::from,
            ),
            date_text: signature_date.map(format::long_date).unwrap_or_default(),
        },
        introduction: IntroductionView {
            basis_lead: prose(&ev.introduction.basis_lead),
            basis: ev.introduction.basis.iter().map(prose).collect(),
            blocks: blocks(&ev.introduction.blocks),
        },
        agreement: AgreementView {
            title: ev.agreement.title.clone(),
            blocks: blocks(&ev.agreement.blocks),
            meetings_lead: prose(&ev.agreement.meetings_lead),
            meetings: format::join_and(&meetings),
        },
        evaluation: SectionView {
            title: ev.evaluation.title.clone(),
            blocks: blocks(&ev.evaluation.blocks),
        },
        status_summary,
        goals,
        interplay: SectionView {
            title: ev.interplay.title.clone(),
            blocks: blocks(&ev.interplay.blocks),
        },
        signature: SignatureView {
            date: signature_date.map(format::long_date).unwrap_or_default(),
            name: ev.signature.name.clone(),
            role: ev.signature.role.clone(),
        },
        // Last, so every figure printed above has been noted.
        provenance: ledger.view(inputs),
    }
}

fn kpi_row(f: &KpiFigures<'_>, figures: &Figures<'_>) -> KpiRow {
    let def = f.definition;
    let current = figures.observation(def, f.year);
    let previous = figures.observation(def, f.year - 1);
    figures.note_target(def);
    // A missing previous figure shows a dash only; the current one says why it is missing.
    let value = current.map_or(NO_VALUE.to_string(), |p| p.number.clone());
    let previous = previous
        .filter(|p| p.value.is_some())
        .map_or(NO_VALUE.to_string(), |p| p.number.clone());
    let status = f.status();
    KpiRow {
        id: def.id.clone(),
        name: def.name.clone(),
        unit: def.unit.label().to_string(),
        value,
        previous,
        target: def
            .target
            .map_or(NO_VALUE.to_string(), |t| format::number(t, def.decimals)),
        change: f.change().map_or(NO_VALUE.to_string(), |c| {
            format::signed_number(c, def.decimals)
        }),
        status_key: status.key(),
        status_text: status.text(),
        trend_text: f.trend().text(),
    }
}

/// A bar chart of every observed period of a KPI, with its target as a line.
fn chart(figures: &Figures<'_>, id: &str) -> Option<ChartView> {
    let kpis = figures.kpis;
    let def = kpis.definitions.get(id)?;
    figures.note_target(def);
    let years: Vec<i32> = kpis
        .series(id)
        .into_iter()
        .filter(|(_, obs)| matches!(obs.value, KpiValue::Number(_)))
        .map(|(year, _)| year)
        .collect();
    let (&first, &last) = (years.first()?, years.last()?);
    let points: Vec<ChartPoint> = years
        .iter()
        .filter_map(|&year| {
            let printed = figures.observation(def, year)?;
            Some(ChartPoint {
                label: year.to_string(),
                value: printed.value?,
                text: printed.with_unit.clone(),
            })
        })
        .collect();
    let target = def.target.map(|t| ChartPoint {
        label: "Mål".to_string(),
        value: t,
        text: def.format_value(t),
    });
    let highest = points
        .iter()
        .map(|p| p.value)
        .chain(target.iter().map(|t| t.value))
        .fold(0.0_f64, f64::max);
    let axis_max = nice_ceiling(highest * 1.1);
    let span = if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    };
    let values: Vec<String> = points.iter().map(|p| p.text.clone()).collect();
    let mut alt = format!("{} {span}: {}", def.name, values.join(", "));
    if let Some(t) = &target {
        alt.push_str(&format!("; mål {}", t.text));
    }
    if let Some(f) = kpis.figures(id, last) {
        alt.push_str(&format!("; utvikling {}", f.trend().text()));
    }
    let unit = match &def.unit {
        Unit::Count => "antall".to_string(),
        other => other.suffix().to_string(),
    };
    let tick_values: Vec<f64> = (0..=4).map(|i| axis_max * f64::from(i) / 4.0).collect();
    let tick_decimals = if tick_values.iter().all(|v| v.fract() == 0.0) {
        0
    } else {
        1
    };
    let ticks = tick_values
        .into_iter()
        .map(|v| ChartPoint {
            label: String::new(),
            value: v,
            text: format::number(v, tick_decimals),
        })
        .collect();
    Some(ChartView {
        title: def.name.clone(),
        unit,
        points,
        target,
        axis_max,
        ticks,
        alt,
    })
}

/// Rounds up to 1, 2, 2.5 or 5 times a power of ten, so axis ticks are round numbers.
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(x.log10().floor());
    let scaled = x / magnitude;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|n| scaled <= *n)
        .unwrap_or(10.0);
    nice * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(8.25), 10.0);
        assert_eq!(nice_ceiling(74.8), 100.0);
        assert_eq!(nice_ceiling(1.9), 2.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(210.0), 250.0);
    }
}
