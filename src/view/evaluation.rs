//! The evaluation's view: goals, tasks with status, KPI tables and charts, all formatted.

use minijinja::Value;
use serde::Serialize;

use crate::model::TaskStatus;
use crate::model::kpi::{KpiData, KpiDefinition, KpiFigures, Observation, Unit, Value as KpiValue};
use crate::model::narrative::{Block, Evaluation, Text};
use crate::render::{format, inline};
use crate::validate::{ValidDocument, parse_date};

use super::{BlockView, DateParts, Ledger, Prose, ProvenanceView, blocks_view, prose_markup};

#[derive(Debug, Serialize)]
pub struct EvaluationView {
    pub meta: Meta,
    pub introduction: IntroductionView,
    pub agreement: AgreementView,
    pub evaluation: SectionView,
    pub status_summary: Vec<StatusCount>,
    pub goals: Vec<GoalView>,
    pub interplay: SectionView,
    pub signature: SignatureView,
    /// The "Datagrunnlag" appendix: every printed figure and where it came from.
    pub provenance: ProvenanceView,
}

#[derive(Debug, Serialize)]
pub struct Meta {
    pub title: String,
    pub municipality: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    pub language: String,
    pub year: i32,
    /// `01.04.2018–31.03.2019`.
    pub period: String,
    pub date: DateParts,
    pub date_text: String,
}

#[derive(Debug, Serialize)]
pub struct IntroductionView {
    pub basis_lead: Value,
    pub basis: Vec<Value>,
    pub blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub struct AgreementView {
    pub title: String,
    pub blocks: Vec<BlockView>,
    pub meetings_lead: Value,
    /// `13. april og 9. november`.
    pub meetings: String,
}

#[derive(Debug, Serialize)]
pub struct SectionView {
    pub title: String,
    pub blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub struct StatusCount {
    pub key: &'static str,
    pub text: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct GoalView {
    pub number: u32,
    pub title: Value,
    pub blocks: Vec<BlockView>,
    pub kpis: Vec<KpiRow>,
    pub chart: Option<ChartView>,
    pub tasks: Vec<TaskView>,
}

#[derive(Debug, Serialize)]
pub struct TaskView {
    pub id: String,
    /// `1.3`: goal and task number, as the overview and the heading show it.
    pub number: String,
    pub title: Value,
    pub group: Option<Value>,
    pub status_key: &'static str,
    pub status_text: &'static str,
    /// Where the status is written in the narrative.
    pub status_origin: String,
    pub status_note: Option<Value>,
    pub blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub struct KpiRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub previous: String,
    pub target: String,
    pub change: String,
    pub status_key: &'static str,
    pub status_text: &'static str,
    pub trend_text: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ChartView {
    pub title: String,
    pub unit: String,
    pub points: Vec<ChartPoint>,
    pub target: Option<ChartPoint>,
    /// The top of the value axis: above every bar and the target line.
    pub axis_max: f64,
    /// Round values on the value axis, from 0 to `axis_max`.
    pub ticks: Vec<ChartPoint>,
    /// The chart as words, for readers who cannot see it.
    pub alt: String,
}

#[derive(Debug, Serialize)]
pub struct ChartPoint {
    pub label: String,
    pub value: f64,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct SignatureView {
    pub date: String,
    pub name: String,
    pub role: String,
}

/// Prints the value of a KPI, or a dash when there is none.
const NO_VALUE: &str = "–";

/// Prints figures from the data and remembers each one printed, with its origin, for the
/// "Datagrunnlag" appendix: the appendix lists exactly what the document shows.
struct Figures<'a> {
    kpis: &'a KpiData,
    year: i32,
    ledger: &'a Ledger,
}

impl Figures<'_> {
    fn note_observation(
        &self,
        definition: &KpiDefinition,
        year: i32,
        observation: Option<&Observation>,
    ) {
        if let Some(obs) = observation {
            let value = match obs.value {
                KpiValue::Number(v) => definition.format_value(v),
                KpiValue::Missing(reason) => format!("{NO_VALUE} ({})", reason.reason()),
            };
            self.ledger.note(
                &definition.name,
                &definition.id,
                year.to_string(),
                value,
                &obs.origin,
            );
        }
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

    fn note_figures(&self, figures: &KpiFigures<'_>, previous: bool) {
        self.note_observation(figures.definition, figures.year, figures.current);
        if previous {
            self.note_observation(figures.definition, figures.year - 1, figures.previous);
        }
    }
}

impl Prose for Figures<'_> {
    fn figure(&self, reference: &inline::Reference) -> Result<String, String> {
        let wanted = reference.year.unwrap_or(self.year);
        let figures = self
            .kpis
            .figures(&reference.kpi, wanted)
            .ok_or_else(|| format!("unknown KPI \"{}\"", reference.kpi))?;
        self.note_figures(&figures, reference.function == inline::RefFunction::Change);
        let printed = match reference.function {
            inline::RefFunction::Kpi => figures.value().map(|v| figures.definition.format_value(v)),
            inline::RefFunction::Change => figures
                .change()
                .map(|c| figures.definition.format_change(c)),
        };
        Ok(printed.unwrap_or_else(|| NO_VALUE.to_string()))
    }
}

/// Builds the view of a validated evaluation. Validation has checked every date, status and
/// reference, so what is unexpected here falls back to visible text rather than failing.
pub fn evaluation(doc: &ValidDocument, language: &str) -> EvaluationView {
    let ev: &Evaluation = &doc.evaluation;
    let file = &doc.spec.narrative;
    let year = ev.document.year;
    let kpis = &doc.kpis;
    let ledger = Ledger::default();
    let figures = Figures {
        kpis,
        year,
        ledger: &ledger,
    };
    let prose = |text: &Text| -> Value { prose_markup(text, &figures) };
    let blocks = |blocks: &[Block]| -> Vec<BlockView> { blocks_view(blocks, &figures) };
    let date = |t| parse_date(file, t).ok();
    let signature_date = date(&ev.signature.date);
    let period = match (date(&ev.document.period.from), date(&ev.document.period.to)) {
        (Some(from), Some(to)) => {
            format!("{}–{}", format::short_date(from), format::short_date(to))
        }
        _ => String::new(),
    };
    let meetings: Vec<String> = ev
        .agreement
        .meetings
        .iter()
        .filter_map(|m| date(m).map(format::day_month))
        .collect();

    let mut goals = Vec::new();
    for goal in &ev.goals {
        let tasks = goal
            .tasks
            .iter()
            .enumerate()
            .map(|(i, task)| {
                let status =
                    TaskStatus::parse(&task.status.value).unwrap_or(TaskStatus::InProgress);
                TaskView {
                    id: task.id.value.clone(),
                    number: format!("{}.{}", goal.number, i + 1),
                    title: prose(&task.title),
                    group: task.group.as_ref().map(prose),
                    status_key: status.key(),
                    status_text: status.text(),
                    status_origin: crate::ingest::yaml::origin_of(file, &task.status).to_string(),
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
        provenance: ledger.view(&doc.inputs),
    }
}

fn kpi_row(f: &KpiFigures<'_>, figures: &Figures<'_>) -> KpiRow {
    let def = f.definition;
    figures.note_figures(f, true);
    figures.note_target(def);
    let show = |v: Option<f64>| v.map_or(NO_VALUE.to_string(), |v| format::number(v, def.decimals));
    let value = match f.current.map(|o| o.value) {
        Some(KpiValue::Missing(reason)) => format!("{NO_VALUE} ({})", reason.reason()),
        _ => show(f.value()),
    };
    let status = f.status();
    KpiRow {
        id: def.id.clone(),
        name: def.name.clone(),
        unit: def.unit.label().to_string(),
        value,
        previous: show(f.previous_value()),
        target: show(def.target),
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
    let points: Vec<ChartPoint> = kpis
        .series(id)
        .into_iter()
        .filter_map(|(year, obs)| match obs.value {
            KpiValue::Number(v) => Some(ChartPoint {
                label: year.to_string(),
                value: v,
                text: def.format_value(v),
            }),
            KpiValue::Missing(_) => None,
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    for (year, obs) in kpis.series(id) {
        if matches!(obs.value, KpiValue::Number(_)) {
            figures.note_observation(def, year, Some(obs));
        }
    }
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
    let first = &points[0].label;
    let last = &points[points.len() - 1].label;
    let span = if first == last {
        first.clone()
    } else {
        format!("{first}–{last}")
    };
    let values: Vec<String> = points.iter().map(|p| p.text.clone()).collect();
    let mut alt = format!("{} {span}: {}", def.name, values.join(", "));
    if let Some(t) = &target {
        alt.push_str(&format!("; mål {}", t.text));
    }
    let latest_year: i32 = last.parse().unwrap_or_default();
    if let Some(f) = kpis.figures(id, latest_year) {
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
