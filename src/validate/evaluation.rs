//! Evaluations: KPI definitions, KPI observations and the narrative, checked against each other.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::number::{Parsed, parse_number};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{CellValue, Table};
use crate::model::TaskStatus;
use crate::model::kpi::{Direction, KpiData, KpiDefinition, Observation, Unit, Value};
use crate::model::narrative::Evaluation;
use crate::project::{DataSource, DocumentSpec, Project};
use crate::render::inline;

use super::{InputFile, cell_text, load_table, load_yaml, parse_date, required_column};

/// A document whose inputs passed validation (warnings may remain).
#[derive(Debug)]
pub struct ValidDocument {
    pub spec: DocumentSpec,
    pub evaluation: Evaluation,
    pub kpis: KpiData,
    pub inputs: Vec<InputFile>,
}

/// Loads and checks one document's narrative and data.
pub fn document(
    project: &Project,
    spec: &DocumentSpec,
    data: &[DataSource],
) -> (Option<ValidDocument>, Diagnostics) {
    let mut problems = Diagnostics::default();
    let mut inputs = Vec::new();
    let mut kpis = KpiData::default();

    if let Some(mut table) = load_table(
        &project.kpi_definitions,
        None,
        b';',
        &mut inputs,
        &mut problems,
    ) {
        table.find_header(&[&["id", "kpi"], &["navn", "name"]]);
        kpis.definitions = definitions(&table, &mut problems);
    }
    for data in data {
        let table = load_table(
            &data.path,
            data.sheet.as_deref(),
            data.delimiter,
            &mut inputs,
            &mut problems,
        );
        if let Some(mut table) = table {
            fn names(list: &[String]) -> Vec<&str> {
                list.iter().map(String::as_str).collect()
            }
            let columns = &data.columns;
            table.find_header(&[
                &names(&columns.kpi),
                &names(&columns.year),
                &names(&columns.value),
            ]);
            observations(&table, data, &mut kpis, &mut problems);
        }
    }
    let evaluation = load_yaml::<Evaluation>(&spec.narrative, &mut inputs, &mut problems);
    let Some(evaluation) = evaluation else {
        return (None, problems);
    };
    narrative(&spec.narrative, &evaluation, &kpis, &mut problems);
    if problems.has_errors() {
        return (None, problems);
    }
    let valid = ValidDocument {
        spec: spec.clone(),
        evaluation,
        kpis,
        inputs,
    };
    (Some(valid), problems)
}

/// The KPI definition list: id, name, unit, decimals, direction, target, note.
fn definitions(table: &Table, problems: &mut Diagnostics) -> BTreeMap<String, KpiDefinition> {
    let mut defs: BTreeMap<String, KpiDefinition> = BTreeMap::new();
    let id_col = required_column(table, &["id", "kpi"], problems);
    let name_col = required_column(table, &["navn", "name"], problems);
    let unit_col = required_column(table, &["enhet", "unit"], problems);
    let decimals_col = table.column(&["desimaler", "decimals"]);
    let direction_col = required_column(table, &["retning", "direction"], problems);
    let target_col = table.column(&["mål", "maal", "target"]);
    let note_col = table.column(&["kilde", "merknad", "note", "source"]);
    let (Some(id_col), Some(name_col), Some(unit_col), Some(direction_col)) =
        (id_col, name_col, unit_col, direction_col)
    else {
        return defs;
    };
    for row in &table.rows {
        let row_origin = row[0].origin.clone();
        let (id, id_origin) = cell_text(row, id_col);
        let id_origin = id_origin.unwrap_or(row_origin.clone());
        if id.is_empty() {
            problems.push(
                Diagnostic::error(id_origin, "the KPI id is empty")
                    .with_hint("give every definition row an id, e.g. sykefravaer"),
            );
            continue;
        }
        let (name, name_origin) = cell_text(row, name_col);
        if name.is_empty() {
            problems.push(Diagnostic::error(
                name_origin.unwrap_or(row_origin.clone()),
                format!("KPI \"{id}\" has no name"),
            ));
        }
        let (direction_text, direction_origin) = cell_text(row, direction_col);
        let direction = match direction_text.to_lowercase().as_str() {
            "lavere" | "lav" | "lower" | "ned" => Direction::LowerIsBetter,
            "høyere" | "hoyere" | "høy" | "higher" | "opp" => Direction::HigherIsBetter,
            other => {
                problems.push(
                    Diagnostic::error(
                        direction_origin.unwrap_or(row_origin.clone()),
                        format!("\"{other}\" is not a direction"),
                    )
                    .with_hint(
                        "write \"høyere\" (higher is better) or \"lavere\" (lower is better)",
                    ),
                );
                Direction::HigherIsBetter
            }
        };
        let decimals = match decimals_col.map(|c| cell_text(row, c)) {
            None => 0,
            Some((text, _)) if text.is_empty() => 0,
            Some((text, origin)) => match text.parse::<u8>() {
                Ok(d) if d <= 6 => d,
                _ => {
                    problems.push(
                        Diagnostic::error(
                            origin.unwrap_or(row_origin.clone()),
                            format!("\"{text}\" is not a number of decimals"),
                        )
                        .with_hint("write a whole number from 0 to 6"),
                    );
                    0
                }
            },
        };
        let target = target_col.and_then(|c| {
            let cell = row.get(c)?;
            number_cell(&cell.value, &cell.origin, problems)
        });
        let note = note_col.map(|c| cell_text(row, c).0).unwrap_or_default();
        if let Some(existing) = defs.get(&id) {
            problems.push(
                Diagnostic::error(
                    id_origin,
                    format!(
                        "KPI \"{id}\" is defined twice (first at {})",
                        existing.origin
                    ),
                )
                .with_hint("remove one of the rows"),
            );
            continue;
        }
        let (unit_text, _) = cell_text(row, unit_col);
        defs.insert(
            id.clone(),
            KpiDefinition {
                id,
                name,
                unit: Unit::parse(&unit_text),
                decimals,
                direction,
                target,
                origin: id_origin,
                note,
            },
        );
    }
    defs
}

/// A number from a cell; an empty cell is `None`, anything else unparseable is an error.
fn number_cell(value: &CellValue, origin: &Origin, problems: &mut Diagnostics) -> Option<f64> {
    match value {
        CellValue::Empty => None,
        CellValue::Number(n) => Some(*n),
        CellValue::Date(_) => {
            problems.push(
                Diagnostic::error(origin.clone(), "a date where a number was expected")
                    .with_hint("format the cell as a number"),
            );
            None
        }
        CellValue::Text(text) => match parse_number(text) {
            Ok(Parsed::Value { value, .. }) => Some(value),
            Ok(Parsed::Missing(_)) => None,
            Err(e) => {
                problems.push(Diagnostic::error(origin.clone(), e.to_string()));
                None
            }
        },
    }
}

/// Observations in long layout: one row per KPI and period.
fn observations(
    table: &Table,
    source: &DataSource,
    kpis: &mut KpiData,
    problems: &mut Diagnostics,
) {
    fn as_refs(names: &[String]) -> Vec<&str> {
        names.iter().map(String::as_str).collect()
    }
    let columns = &source.columns;
    let kpi_col = required_column(table, &as_refs(&columns.kpi), problems);
    let year_col = required_column(table, &as_refs(&columns.year), problems);
    let value_col = required_column(table, &as_refs(&columns.value), problems);
    let note_col = table.column(&as_refs(&columns.note));
    let (Some(kpi_col), Some(year_col), Some(value_col)) = (kpi_col, year_col, value_col) else {
        return;
    };
    for row in &table.rows {
        let row_origin = row[0].origin.clone();
        let (id, id_origin) = cell_text(row, kpi_col);
        let id_origin = id_origin.unwrap_or(row_origin.clone());
        if id.is_empty() {
            problems.push(
                Diagnostic::error(id_origin, "the KPI id is empty")
                    .with_hint("fill in the KPI column or delete the row"),
            );
            continue;
        }
        let Some(definition) = kpis.definitions.get(&id) else {
            problems.push(unknown_kpi(&id, id_origin, kpis));
            continue;
        };
        let year = match row.get(year_col) {
            Some(cell) => match &cell.value {
                CellValue::Number(n) if n.fract() == 0.0 => Some(*n as i32),
                CellValue::Text(t) => t.trim().parse::<i32>().ok(),
                _ => None,
            }
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(|| {
                Diagnostic::error(
                    cell.origin.clone(),
                    format!("\"{}\" is not a year", cell.value.as_text()),
                )
                .with_hint("write the period as a four-digit year, e.g. 2018")
            }),
            None => Err(Diagnostic::error(row_origin.clone(), "the row has no year")
                .with_hint("fill in the year column")),
        };
        let year = match year {
            Ok(y) => y,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let Some(cell) = row.get(value_col) else {
            problems.push(
                Diagnostic::error(row_origin, format!("no value for {id} {year}"))
                    .with_hint("fill in the value column"),
            );
            continue;
        };
        let value = match &cell.value {
            CellValue::Number(n) => Value::Number(*n),
            CellValue::Text(text) => match parse_number(text) {
                Ok(Parsed::Value { value, .. }) => Value::Number(value),
                Ok(Parsed::Missing(reason)) => Value::Missing(reason),
                Err(e) => {
                    problems.push(Diagnostic::error(cell.origin.clone(), e.to_string()));
                    continue;
                }
            },
            CellValue::Empty => {
                problems.push(
                    Diagnostic::error(
                        cell.origin.clone(),
                        format!("the value of {id} {year} is empty"),
                    )
                    .with_hint("write the figure, or \"..\" if it is missing"),
                );
                continue;
            }
            CellValue::Date(_) => {
                problems.push(Diagnostic::error(
                    cell.origin.clone(),
                    "a date where a number was expected",
                ));
                continue;
            }
        };
        if let (Value::Number(v), Unit::Percent) = (value, &definition.unit)
            && !(-100.0..=100.0).contains(&v)
            && !id.contains("endring")
        {
            problems.push(Diagnostic::warning(
                cell.origin.clone(),
                format!("{id} {year} is {v} %, outside 0–100"),
            ));
        }
        let note = note_col.map(|c| cell_text(row, c).0).unwrap_or_default();
        let key = (id.clone(), year);
        if let Some(existing) = kpis.observations.get(&key) {
            problems.push(
                Diagnostic::error(
                    cell.origin.clone(),
                    format!(
                        "{id} {year} is given twice: here and at {}",
                        existing.origin
                    ),
                )
                .with_hint("keep one of the two rows"),
            );
            continue;
        }
        kpis.observations.insert(
            key,
            Observation {
                value,
                origin: cell.origin.clone(),
                note,
            },
        );
    }
}

fn unknown_kpi(id: &str, origin: Origin, kpis: &KpiData) -> Diagnostic {
    let d = Diagnostic::error(origin, format!("unknown KPI \"{id}\""));
    match closest(id, kpis.definitions.keys().map(String::as_str)) {
        Some(near) => d.with_hint(format!(
            "did you mean \"{near}\"? KPIs are defined in the KPI definition list"
        )),
        None => d.with_hint("add it to the KPI definition list, or correct the id"),
    }
}

/// Checks the narrative against itself and the data: statuses, dates, ids, KPI references.
fn narrative(file: &Path, evaluation: &Evaluation, kpis: &KpiData, problems: &mut Diagnostics) {
    let doc = &evaluation.document;
    let dates = [&doc.period.from, &doc.period.to, &evaluation.signature.date]
        .into_iter()
        .chain(&evaluation.agreement.meetings);
    for date in dates {
        if let Err(d) = parse_date(file, date) {
            problems.push(d);
        }
    }
    let mut task_ids: BTreeMap<&str, Origin> = BTreeMap::new();
    for goal in &evaluation.goals {
        for id in goal.kpis.iter().chain(goal.chart.iter()) {
            check_kpi_for_year(file, id, doc.year, kpis, problems);
        }
        if let Some(chart) = &goal.chart
            && kpis.definitions.contains_key(&chart.value)
            && !kpis
                .series(&chart.value)
                .iter()
                .any(|(_, o)| matches!(o.value, Value::Number(_)))
        {
            problems.push(
                Diagnostic::error(
                    origin_of(file, chart),
                    format!("the chart of \"{}\" has no data to draw", chart.value),
                )
                .with_hint("add observations for this KPI to a data file, or remove the chart"),
            );
        }
        for task in &goal.tasks {
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
            match TaskStatus::parse(&task.status.value) {
                None => {
                    let words: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.text()).collect();
                    let mut d = Diagnostic::error(
                        origin_of(file, &task.status),
                        format!("\"{}\" is not a task status", task.status.value),
                    )
                    .with_hint(format!("write one of: {}", words.join(", ")));
                    if let Some(near) = closest(&task.status.value, words.iter().copied()) {
                        d = d.with_hint(format!("did you mean \"{near}\"?"));
                    }
                    problems.push(d);
                }
                Some(TaskStatus::Achieved) => {}
                Some(_) if task.status_note.is_none() => problems.push(
                    Diagnostic::warning(
                        origin_of(file, &task.status),
                        format!(
                            "task \"{}\" is \"{}\" without a status_note",
                            task.id.value, task.status.value
                        ),
                    )
                    .with_hint("say briefly why, so the reader does not have to guess"),
                ),
                Some(_) => {}
            }
        }
    }
    for text in evaluation.prose() {
        match inline::references(&text.value) {
            Ok(references) => {
                for reference in references {
                    let year = reference.year.unwrap_or(doc.year);
                    let spanned =
                        Spanned::new(reference.kpi.clone(), text.referenced, text.defined);
                    check_kpi_for_year(file, &spanned, year, kpis, problems);
                }
            }
            Err(message) => problems.push(
                Diagnostic::error(origin_of(file, text), message)
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
    kpis: &KpiData,
    problems: &mut Diagnostics,
) {
    let origin = origin_of(file, id);
    if !kpis.definitions.contains_key(&id.value) {
        problems.push(unknown_kpi(&id.value, origin, kpis));
    } else if !kpis.observations.contains_key(&(id.value.clone(), year)) {
        problems.push(
            Diagnostic::error(
                origin,
                format!("KPI \"{}\" has no value for {year}", id.value),
            )
            .with_hint("add the figure to a data file the manifest lists for this document"),
        );
    }
}
