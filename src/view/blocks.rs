//! Narrative blocks as templates see them: prose resolved, KPI tables and charts with every
//! figure formatted once, tasks numbered with their status words. One shape per block kind;
//! `templates/_blokker.typ.j2` has one macro per kind.

use minijinja::Value;
use serde::Serialize;

use crate::locale::Locale;
use crate::model::content::{
    Block, Chart, ChartPeriods, ChartShape, KpiColumn, KpiTable, ListItem, NumberedItem, Signature,
    Task, Text,
};
use crate::model::kpi::{KpiFigures, Unit, Value as KpiValue};
use crate::model::period::Period;
use crate::norsk as format;

use super::figures::{Figures, NO_VALUE};
use super::pictures::{self, FigureView};
use super::printed::PrintedFigure;
use super::prose::{Resolve, prose_value};
use super::rows::{AssignmentsView, CalendarView, RowContext, assignments, calendar};

/// What blocks are made with: prose references, figures (none in a text without data), words.
pub(crate) struct BlockContext<'a> {
    pub(crate) resolve: &'a dyn Resolve,
    pub(crate) figures: Option<&'a Figures<'a>>,
    pub(crate) locale: &'a Locale,
    /// The unit whose table rows `assignments` and `calendar` blocks show.
    pub(crate) rows: &'a RowContext<'a>,
}

/// One block; `kind` tells the template's `blocks` macro which it is.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum BlockView {
    P { text: Value },
    Heading { text: Value },
    List { items: Vec<ItemView> },
    Ordered { items: Vec<ItemView> },
    KpiTable(KpiTableView),
    Chart(ChartView),
    Tasks { tasks: Vec<TaskView> },
    Signature(SignatureView),
    Assignments(AssignmentsView),
    Calendar(CalendarView),
    PageBreak,
    Figure(FigureView),
    Numbered { items: Vec<NumberedItemView> },
    SeriesChart(SeriesChartView),
    Table(super::table::AmountTableView),
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemView {
    text: Value,
    items: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct KpiTableView {
    pub(crate) title: Option<Value>,
    /// The column heads of the periods, oldest first as the narrative lists them: `2017`,
    /// `T1 2018`, `K4 2024`, `2020–21`.
    pub(crate) periods: Vec<String>,
    pub(crate) unit: bool,
    pub(crate) target: bool,
    pub(crate) change: bool,
    pub(crate) status: bool,
    pub(crate) rows: Vec<KpiRow>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct KpiRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: String,
    /// One per period of the table; a dash where there is no figure.
    pub(crate) values: Vec<Value>,
    pub(crate) target: Value,
    /// From the period before the newest to the newest.
    pub(crate) change: Value,
    pub(crate) status_key: &'static str,
    pub(crate) status_text: String,
    pub(crate) trend_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChartView {
    pub(crate) shape: &'static str,
    pub(crate) title: String,
    pub(crate) unit: String,
    pub(crate) points: Vec<ChartPoint>,
    pub(crate) target: Option<ChartPoint>,
    /// The bottom of the value axis: zero, or below every negative point and the target.
    pub(crate) axis_min: f64,
    /// The top of the value axis: zero, or above every positive point and the target.
    pub(crate) axis_max: f64,
    /// Round values on the value axis, from `axis_min` to `axis_max` (zero among them).
    pub(crate) ticks: Vec<ChartPoint>,
    /// The chart as words, for readers who cannot see it.
    pub(crate) alt: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChartPoint {
    pub(crate) label: String,
    pub(crate) value: f64,
    /// A figure for a point or the target, a plain number for an axis tick.
    pub(crate) text: Value,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TaskView {
    pub(crate) id: String,
    /// `1.3`: the section's number and the task's, as overviews and headings show it.
    pub(crate) number: String,
    pub(crate) title: Value,
    pub(crate) group: Option<Value>,
    pub(crate) status_key: &'static str,
    pub(crate) status_text: String,
    /// Where the status is written in the narrative.
    pub(crate) status_origin: String,
    pub(crate) status_note: Option<Value>,
    pub(crate) blocks: Vec<BlockView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SignatureView {
    pub(crate) date: String,
    pub(crate) name: String,
    pub(crate) role: String,
}

/// A section's blocks for the `blocks` macro. Tasks are numbered `number.n` when the section
/// has a `number`, counting on from `tasks_before` (tasks of earlier blocks).
pub(crate) fn blocks_view(
    blocks: &[Block],
    context: &BlockContext,
    number: Option<u32>,
) -> Vec<BlockView> {
    let prose = |t: &Text| prose_value(t, context.resolve);
    let items = |items: &[ListItem]| -> Vec<ItemView> {
        items
            .iter()
            .map(|item: &ListItem| ItemView {
                text: prose(&item.text),
                items: item.items.iter().map(&prose).collect(),
            })
            .collect()
    };
    let mut tasks_before = 0;
    let mut views: Vec<BlockView> = blocks
        .iter()
        .filter_map(|block| {
            Some(match block {
                Block::P(t) => BlockView::P { text: prose(t) },
                Block::Heading(t) => BlockView::Heading { text: prose(t) },
                Block::List(list) => BlockView::List { items: items(list) },
                Block::Ordered(list) => BlockView::Ordered { items: items(list) },
                Block::KpiTable(table) => BlockView::KpiTable(kpi_table(table, context)?),
                Block::Chart(chart) if !chart.with.is_empty() => {
                    BlockView::SeriesChart(series_chart(chart, context)?)
                }
                Block::Chart(chart) => BlockView::Chart(self::chart(chart, context)?),
                Block::Tasks(tasks) => {
                    let views = tasks
                        .iter()
                        .enumerate()
                        .map(|(i, task)| task_view(task, number, tasks_before + i + 1, context))
                        .collect();
                    tasks_before += tasks.len();
                    BlockView::Tasks { tasks: views }
                }
                Block::Signature(signature) => {
                    BlockView::Signature(signature_view(signature, context.locale))
                }
                Block::Assignments(a) => {
                    BlockView::Assignments(assignments(a, context.rows, context.locale))
                }
                Block::Calendar(c) => {
                    BlockView::Calendar(calendar(c, context.rows, context.locale))
                }
                Block::PageBreak => BlockView::PageBreak,
                Block::Figure(f) => BlockView::Figure(pictures::figure(f, context.resolve)),
                Block::Numbered(items) => BlockView::Numbered {
                    items: numbered(items, context),
                },
                Block::Table(table) => BlockView::Table(super::table::amount_table(
                    table,
                    context.rows.unit,
                    context.resolve,
                    context.locale,
                )),
            })
        })
        .collect();
    // The amount tables of one section share their column width, so stacked tables line up.
    let mut widths: Vec<&mut f64> = views
        .iter_mut()
        .filter_map(|v| match v {
            BlockView::Table(t) => Some(&mut t.width),
            _ => None,
        })
        .collect();
    super::table::share_widths(&mut widths);
    views
}

/// An item of a `numbered` block: its title and its own blocks.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NumberedItemView {
    pub(crate) title: Value,
    pub(crate) blocks: Vec<BlockView>,
}

fn numbered(items: &[NumberedItem], context: &BlockContext) -> Vec<NumberedItemView> {
    items
        .iter()
        .map(|item| NumberedItemView {
            title: prose_value(&item.title, context.resolve),
            blocks: blocks_view(&item.blocks, context, None),
        })
        .collect()
}

fn task_view(task: &Task, section: Option<u32>, n: usize, context: &BlockContext) -> TaskView {
    let prose = |t: &Text| prose_value(t, context.resolve);
    TaskView {
        id: task.id.clone(),
        number: match section {
            Some(s) => format!("{s}.{n}"),
            None => n.to_string(),
        },
        title: prose(&task.title),
        group: task.group.as_ref().map(prose),
        status_key: task.status.key(),
        status_text: context.locale.text("task_status", task.status.key()),
        status_origin: task.status_origin.to_string(),
        status_note: task.status_note.as_ref().map(prose),
        blocks: blocks_view(&task.blocks, context, None),
    }
}

fn signature_view(signature: &Signature, locale: &Locale) -> SignatureView {
    SignatureView {
        date: format::long_date_in(signature.date, &locale.months()),
        name: signature.name.clone(),
        role: signature.role.clone(),
    }
}

fn kpi_table(table: &KpiTable, context: &BlockContext) -> Option<KpiTableView> {
    let figures = context.figures?;
    let periods = &table.periods;
    let newest = *periods.last()?;
    let locale = context.locale;
    let shows_target = table.shows(KpiColumn::Target) || table.shows(KpiColumn::Status);
    let shows_change = table.shows(KpiColumn::Change);
    let rows = table
        .kpis
        .iter()
        .filter_map(|id| figures.kpis.definitions.get(id))
        .map(|def| {
            let printed: Vec<Option<&super::figures::Printed>> = periods
                .iter()
                .map(|p| figures.observation_at(def, p))
                .collect();
            let last = printed.len().saturating_sub(1);
            // A missing older figure shows a dash only; the newest says why it is missing.
            let values = printed
                .iter()
                .enumerate()
                .map(|(i, p)| match p {
                    Some(p) if i == last || p.value.is_some() => p.number_value(),
                    Some(p) => PrintedFigure::value(NO_VALUE.to_string(), vec![p.source.clone()]),
                    None => Value::from(NO_VALUE),
                })
                .collect();
            // Change, status and trend compare the newest period with the one before it in
            // the table (for years without one listed: the year before).
            let previous = match periods.len() {
                n if n >= 2 => Some(periods[n - 2]),
                _ => match newest {
                    Period::Year(y) => Some(Period::Year(y - 1)),
                    _ => None,
                },
            };
            let f = KpiFigures {
                definition: def,
                current: figures.kpis.at(&def.id, &newest),
                previous: previous.and_then(|p| figures.kpis.at(&def.id, &p)),
            };
            let status = f.status();
            let compared: Vec<_> = [Some(newest), previous]
                .into_iter()
                .flatten()
                .filter_map(|p| figures.observation_at(def, &p))
                .map(|p| p.source.clone())
                .collect();
            KpiRow {
                id: def.id.clone(),
                name: def.name.clone(),
                unit: def.unit.key().map_or_else(
                    || def.unit.suffix().to_string(),
                    |k| locale.text("units", k),
                ),
                values,
                // The layout gets every column and shows those asked for: only a shown
                // column's figures are figures the document prints (a status shows the
                // target it was judged against).
                target: match def.target {
                    Some(t) if shows_target => PrintedFigure::value(
                        format::number(t, def.decimals),
                        figures.target_source(def).into_iter().collect(),
                    ),
                    Some(t) => Value::from(format::number(t, def.decimals)),
                    None => Value::from(NO_VALUE),
                },
                change: match f.change() {
                    Some(c) if shows_change => {
                        PrintedFigure::value(format::signed_number(c, def.decimals), compared)
                    }
                    Some(c) => Value::from(format::signed_number(c, def.decimals)),
                    None => Value::from(NO_VALUE),
                },
                status_key: status.key(),
                status_text: locale.text("kpi_status", status.key()),
                trend_text: locale.text("trend", f.trend().key()),
            }
        })
        .collect();
    Some(KpiTableView {
        title: table
            .title
            .as_ref()
            .map(|t| prose_value(t, context.resolve)),
        periods: periods.iter().map(Period::label_nb).collect(),
        unit: table.shows(KpiColumn::Unit),
        target: table.shows(KpiColumn::Target),
        change: table.shows(KpiColumn::Change),
        status: table.shows(KpiColumn::Status),
        rows,
    })
}

/// A chart of a KPI over its observed years (or the years asked for), with its target as a
/// line and the same figures in words for readers who cannot see it.
fn chart(chart: &Chart, context: &BlockContext) -> Option<ChartView> {
    let figures = context.figures?;
    let locale = context.locale;
    let kpis = figures.kpis;
    let id = &chart.kpi;
    let def = kpis.definitions.get(id)?;
    let has_number =
        |p: &Period| matches!(kpis.at(id, p).map(|o| o.value), Some(KpiValue::Number(_)));
    let periods: Vec<Period> = match &chart.periods {
        // The periods listed, in their order.
        ChartPeriods::Listed(listed) => listed.iter().copied().filter(has_number).collect(),
        ChartPeriods::Years(wanted) => kpis
            .series(id)
            .into_iter()
            .filter(|(_, obs)| matches!(obs.value, KpiValue::Number(_)))
            .map(|(year, _)| year)
            .filter(|year| wanted.as_ref().is_none_or(|w| w.contains(year)))
            .map(Period::Year)
            .collect(),
    };
    let (first, last) = (periods.first()?, periods.last()?);
    let points: Vec<ChartPoint> = periods
        .iter()
        .filter_map(|period| {
            let printed = figures.observation_at(def, period)?;
            Some(ChartPoint {
                label: period.label_nb(),
                value: printed.value?,
                text: printed.with_unit_value(),
            })
        })
        .collect();
    let target_word = locale.text("chart", "target");
    let target = def.target.filter(|_| chart.target).map(|t| ChartPoint {
        label: target_word.clone(),
        value: t,
        text: PrintedFigure::value(
            def.format_value(t),
            figures.target_source(def).into_iter().collect(),
        ),
    });
    let axis = Axis::spanning(
        points
            .iter()
            .map(|p| p.value)
            .chain(target.iter().map(|t| t.value)),
    );
    let span = if first == last {
        first.label_nb()
    } else {
        format!("{}–{}", first.label_nb(), last.label_nb())
    };
    let values: Vec<String> = points
        .iter()
        .map(|p| PrintedFigure::text_of(&p.text))
        .collect();
    let title = chart.title.clone().unwrap_or_else(|| def.name.clone());
    let mut alt = format!("{title} {span}: {}", values.join(", "));
    if let Some(t) = &target {
        alt.push_str(&format!(
            "; {} {}",
            target_word.to_lowercase(),
            PrintedFigure::text_of(&t.text)
        ));
    }
    if let Period::Year(last) = last
        && let Some(f) = kpis.figures(id, *last)
    {
        alt.push_str(&format!(
            "; {} {}",
            locale.text("chart", "trend"),
            locale.text("trend", f.trend().key())
        ));
    }
    let unit = axis_unit(&def.unit, &title, locale);
    Some(ChartView {
        shape: match chart.shape {
            ChartShape::Bar => "bar",
            ChartShape::Line => "line",
        },
        title,
        unit,
        points,
        target,
        axis_min: axis.min,
        axis_max: axis.max,
        ticks: axis.ticks(),
        alt,
    })
}

/// The unit a chart's caption names after its title; none for a title that names it already
/// ("Netto driftsresultat (mill. kr)" is not given it twice).
fn axis_unit(unit: &Unit, title: &str, locale: &Locale) -> String {
    let unit = match unit {
        Unit::Count => locale.text("chart", "count"),
        other => other.suffix().to_string(),
    };
    let named = title
        .to_lowercase()
        .contains(&format!("({})", unit.to_lowercase()));
    if named { String::new() } else { unit }
}

/// A chart's value axis: from a round value at or below zero and every value drawn to one
/// at or above them, in round steps (1, 2, 2,5 or 5 × 10ⁿ), with room for the labels at the
/// ends of the bars. Negative figures get the same room below zero as positive ones above.
#[derive(Debug, PartialEq)]
struct Axis {
    min: f64,
    max: f64,
    step: f64,
}

impl Axis {
    fn spanning(values: impl Iterator<Item = f64>) -> Axis {
        let (low, high) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let span = high - low;
        if span == 0.0 {
            return Axis {
                min: 0.0,
                max: 1.0,
                step: 0.25,
            };
        }
        // A tenth of the span past the outermost values, for the figures printed there.
        let room = span * 0.1;
        let (low, high) = (
            if low < 0.0 { low - room } else { 0.0 },
            if high > 0.0 { high + room } else { 0.0 },
        );
        let step = nice_step((high - low) / 4.0);
        Axis {
            min: (low / step).floor() * step,
            max: (high / step).ceil() * step,
            step,
        }
    }

    /// Every step from the bottom to the top; printed with the decimals the step needs.
    fn ticks(&self) -> Vec<ChartPoint> {
        let decimals = (0..=6u8)
            .find(|d| {
                let scaled = self.step * 10f64.powi(i32::from(*d));
                (scaled - scaled.round()).abs() < 1e-9
            })
            .unwrap_or(6);
        let first = (self.min / self.step).round() as i64;
        let last = (self.max / self.step).round() as i64;
        (first..=last)
            .map(|k| {
                let value = k as f64 * self.step;
                ChartPoint {
                    label: String::new(),
                    value,
                    text: Value::from(format::number(value, decimals)),
                }
            })
            .collect()
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `x` (x > 0).
fn nice_step(x: f64) -> f64 {
    let magnitude = 10f64.powf(x.log10().floor());
    let scaled = x / magnitude;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|n| scaled <= *n + 1e-9)
        .unwrap_or(10.0);
    nice * magnitude
}

/// A chart of several KPIs of one unit over the same periods: grouped bars, or one line each,
/// with a legend, one value axis for all, and every figure in words.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SeriesChartView {
    pub(crate) shape: &'static str,
    pub(crate) title: String,
    pub(crate) unit: String,
    /// The periods along the axis, oldest first: every one any of the KPIs has a figure for.
    pub(crate) periods: Vec<String>,
    pub(crate) series: Vec<SeriesView>,
    pub(crate) axis_min: f64,
    pub(crate) axis_max: f64,
    pub(crate) ticks: Vec<ChartPoint>,
    /// Every figure of every KPI with its period, signs included, for readers who cannot see
    /// the chart.
    pub(crate) alt: String,
}

/// One KPI of a chart of several.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SeriesView {
    pub(crate) name: String,
    /// One per period of the chart: its figure, or none where the KPI has none.
    pub(crate) points: Vec<Option<ChartPoint>>,
}

/// The periods a chart of several KPIs draws: those listed, or the years asked for (every
/// year when none are), that any of its KPIs has a figure for.
fn series_periods(
    chart: &Chart,
    ids: &[&String],
    kpis: &crate::model::kpi::KpiData,
) -> Vec<Period> {
    let has_number =
        |id: &str, p: &Period| matches!(kpis.at(id, p).map(|o| o.value), Some(KpiValue::Number(_)));
    match &chart.periods {
        ChartPeriods::Listed(listed) => listed
            .iter()
            .copied()
            .filter(|p| ids.iter().any(|id| has_number(id, p)))
            .collect(),
        ChartPeriods::Years(wanted) => {
            let years: std::collections::BTreeSet<i32> = ids
                .iter()
                .flat_map(|id| kpis.series(id))
                .filter(|(_, obs)| matches!(obs.value, KpiValue::Number(_)))
                .map(|(year, _)| year)
                .filter(|year| wanted.as_ref().is_none_or(|w| w.contains(year)))
                .collect();
            years.into_iter().map(Period::Year).collect()
        }
    }
}

fn series_chart(chart: &Chart, context: &BlockContext) -> Option<SeriesChartView> {
    let figures = context.figures?;
    let locale = context.locale;
    let ids: Vec<&String> = std::iter::once(&chart.kpi).chain(&chart.with).collect();
    let definitions: Vec<_> = ids
        .iter()
        .filter_map(|id| figures.kpis.definitions.get(*id))
        .collect();
    let first = *definitions.first()?;
    let periods = series_periods(chart, &ids, figures.kpis);
    let (first_period, last_period) = (periods.first()?, periods.last()?);
    let series: Vec<SeriesView> = definitions
        .iter()
        .map(|def| SeriesView {
            name: def.name.clone(),
            points: periods
                .iter()
                .map(|period| {
                    let printed = figures.observation_at(def, period)?;
                    Some(ChartPoint {
                        label: period.label_nb(),
                        value: printed.value?,
                        text: printed.with_unit_value(),
                    })
                })
                .collect(),
        })
        .collect();
    let axis = Axis::spanning(
        series
            .iter()
            .flat_map(|s| s.points.iter().flatten().map(|p| p.value)),
    );
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                let and = locale
                    .tree()
                    .get("and")
                    .and_then(|a| a.as_str())
                    .unwrap_or("og");
                format!("{} {and} {last}", rest.join(", "))
            }
            _ => names.concat(),
        });
    let span = if first_period == last_period {
        first_period.label_nb()
    } else {
        format!("{}–{}", first_period.label_nb(), last_period.label_nb())
    };
    let words: Vec<String> = series
        .iter()
        .map(|s| {
            let values: Vec<String> = s
                .points
                .iter()
                .flatten()
                .map(|p| format!("{} {}", p.label, PrintedFigure::text_of(&p.text)))
                .collect();
            format!("{}: {}", s.name, values.join(", "))
        })
        .collect();
    let unit = axis_unit(&first.unit, &title, locale);
    Some(SeriesChartView {
        shape: match chart.shape {
            ChartShape::Bar => "bar",
            ChartShape::Line => "line",
        },
        alt: format!("{title} {span}: {}", words.join("; ")),
        title,
        unit,
        periods: periods.iter().map(Period::label_nb).collect(),
        series,
        axis_min: axis.min,
        axis_max: axis.max,
        ticks: axis.ticks(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tick_texts(axis: &Axis) -> Vec<String> {
        axis.ticks()
            .iter()
            .map(|t| t.text.to_string().replace('\u{a0}', " "))
            .collect()
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(1.24), 2.0);
        assert_eq!(nice_step(18.7), 20.0);
        assert_eq!(nice_step(0.21), 0.25);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(468_750.0), 500_000.0);
        assert_eq!(nice_step(5.0), 5.0);
    }

    /// The axis that stepped in quarters (0,0 1,2 2,5 3,8 5,0) steps in round numbers.
    #[test]
    fn a_positive_axis_starts_at_zero_in_round_steps() {
        let axis = Axis::spanning([4.5, 3.1].into_iter());
        assert_eq!(tick_texts(&axis), ["0", "2", "4", "6"]);
        let large = Axis::spanning([1_700_000.0].into_iter());
        assert_eq!(large.min, 0.0);
        assert!(large.max >= 1_870_000.0, "{large:?}");
        assert_eq!(
            tick_texts(&large),
            ["0", "500 000", "1 000 000", "1 500 000", "2 000 000"]
        );
    }

    /// Net operating results of −31, −81 and −144,9: the axis spans them and zero.
    #[test]
    fn negative_and_mixed_figures_get_an_axis_below_zero() {
        let negative = Axis::spanning([-31.0, -81.0, -144.9].into_iter());
        assert_eq!((negative.min, negative.max), (-200.0, 0.0));
        assert_eq!(
            tick_texts(&negative),
            [
                "\u{2212}200",
                "\u{2212}150",
                "\u{2212}100",
                "\u{2212}50",
                "0"
            ]
        );
        let mixed = Axis::spanning([-2.1, 0.4, 3.3].into_iter());
        assert!(mixed.min <= -2.1 && mixed.max >= 3.3, "{mixed:?}");
        assert!(tick_texts(&mixed).contains(&"0".to_string()));
    }

    #[test]
    fn an_axis_of_zeros_is_zero_to_one() {
        let axis = Axis::spanning([0.0, 0.0].into_iter());
        assert_eq!(tick_texts(&axis), ["0,00", "0,25", "0,50", "0,75", "1,00"]);
    }
}
