//! Evaluations: KPI definitions, KPI observations and the narrative, checked against each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::layout::{self, Record, same_row};
use crate::ingest::number::{Parsed, WrittenUnit, looks_like_code, parse_number, parse_unit};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{Cell, CellValue, ReadOptions, Table, normalise_header};
use crate::model::TaskStatus;
use crate::model::kpi::{Direction, KpiData, KpiDefinition, Observation, Unit, Value};
use crate::model::narrative::Evaluation;
use crate::project::{DataSource, DocumentSpec, Project};
use crate::render::inline;

use super::{
    InputFile, cell_text, load_file_table, load_table, load_yaml, parse_date, required_column,
};

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

    let mut target_written = BTreeSet::new();
    let mut definitions_failed = true;
    if let Some(mut table) = load_file_table(
        &project.kpi_definitions,
        &ReadOptions::default(),
        &mut inputs,
        &mut problems,
    ) {
        table.find_header(&[&["id", "kpi"], &["navn", "name"]]);
        let before = problems.iter().filter(|d| d.is_error()).count();
        kpis.definitions = definitions(&table, &mut problems);
        definitions_failed = kpis.definitions.is_empty()
            && problems.iter().filter(|d| d.is_error()).count() > before;
        // KPIs whose target cell says something, if only "ingen" or a broken number: the
        // no-target warning is only for a cell left empty.
        if let (Some(id), Some(target)) = (
            table.column(&["id", "kpi"]),
            table.column(&["mål", "maal", "target"]),
        ) {
            target_written = table
                .rows
                .iter()
                .filter(|row| row.get(target).is_some_and(|c| !c.value.is_empty()))
                .filter_map(|row| row.get(id).map(|c| c.value.as_text().trim().to_string()))
                .collect();
        }
    }
    let mut sources = Vec::new();
    let mut targets = Vec::new();
    let mut data_failed = false;
    let mut failed_rows = BTreeSet::new();
    for data in data {
        let Some(mut table) = load_table(data, &mut inputs, &mut problems) else {
            data_failed = true;
            continue;
        };
        let read = layout::records(&mut table, &data.columns, data.layout, &data.filters);
        if read.records.is_empty() && !read.problems.is_empty() {
            data_failed = true;
        }
        // The file's problems in the order of its rows, whichever check found them.
        let mut in_file = Diagnostics::default();
        for problem in read.problems {
            in_file.push(problem);
        }
        for (kpi, year) in read.failed {
            if let Some(id) = kpi_id(&kpi, &kpis) {
                failed_rows.insert((id, year));
            }
        }
        let years = if definitions_failed {
            Vec::new()
        } else {
            observations(
                &read.records,
                data,
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
    let evaluation = load_yaml::<Evaluation>(&spec.narrative, &mut inputs, &mut problems);
    let Some(evaluation) = evaluation else {
        return (None, problems);
    };
    period_checks(&evaluation, &sources, &targets, &mut kpis, &mut problems);
    let checks = KpiChecks {
        kpis: &kpis,
        definitions_failed,
        data_failed,
        failed_rows,
    };
    narrative(&spec.narrative, &evaluation, &checks, &mut problems);
    target_checks(
        &spec.narrative,
        &evaluation,
        &kpis,
        &target_written,
        &mut problems,
    );
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
    let alias_col = table.column(&["alias", "aliaser", "aliases"]);
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
            if says_no_target(&cell.value) {
                return None;
            }
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
                aliases: alias_col
                    .map(|c| cell_text(row, c).0)
                    .map(|a| {
                        a.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
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

/// What the narrative's KPI references are checked against, and what not to report twice:
/// a figure missing because its file or row has a problem already told is not told again.
struct KpiChecks<'a> {
    kpis: &'a KpiData,
    /// The KPI definition list could not be read: every id would be "unknown".
    definitions_failed: bool,
    /// A data file could not be read as a whole: any figure may be missing because of it.
    data_failed: bool,
    /// KPI ids and years of rows with a problem; `None` stands for any year.
    failed_rows: BTreeSet<(String, Option<i32>)>,
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

/// What one data source contributed, for the checks that need the report year.
struct SourceYears {
    file: std::path::PathBuf,
    /// Every figure's year and where it is.
    years: Vec<(i32, Origin)>,
}

/// A target given in a data file's `mål` column, applied once the report year is known.
struct DataTarget {
    kpi: String,
    year: i32,
    target: f64,
    origin: Origin,
}

/// Turns one data source's records into observations: the KPI looked up by id (or by name,
/// for tables from elsewhere), the value parsed with the KPI's unit in mind, every figure
/// checked against the figures already read from this and the other files.
fn observations(
    records: &[Record],
    source: &DataSource,
    kpis: &mut KpiData,
    targets: &mut Vec<DataTarget>,
    failed_rows: &mut BTreeSet<(String, Option<i32>)>,
    problems: &mut Diagnostics,
) -> Vec<(i32, Origin)> {
    let mut years = Vec::new();
    for record in records {
        let written = record.kpi.value.as_text().trim().to_string();
        let Some(id) = kpi_id(&written, kpis) else {
            problems.push(unknown_kpi(&written, record.kpi.origin.clone(), kpis));
            // A misspelt id most likely meant the KPI suggested; its figure is not missing too.
            if let Some(near) = closest(&written, kpis.definitions.keys().map(String::as_str)) {
                failed_rows.insert((near.to_string(), Some(record.year)));
            }
            continue;
        };
        let Some(definition) = kpis.definitions.get(&id) else {
            continue;
        };
        let year = record.year;
        let cell = &record.value;
        if cell.value.is_empty() {
            problems.push(
                Diagnostic::error(
                    cell.origin.clone(),
                    format!("the value of {id} {year} is empty"),
                )
                .with_hint("write the figure, or \"..\" if it is missing"),
            );
            failed_rows.insert((id.clone(), Some(year)));
            continue;
        }
        let value = match figure(
            cell,
            definition,
            source.percent_as_fraction,
            record.unit.as_ref(),
        ) {
            Ok(value) => value,
            Err(d) => {
                problems.push(d);
                failed_rows.insert((id.clone(), Some(year)));
                continue;
            }
        };
        if let (Value::Number(v), Unit::Percent) = (value, &definition.unit)
            && !(-100.0..=100.0).contains(&v)
            && !id.contains("endring")
        {
            problems.push(
                Diagnostic::warning(
                    cell.origin.clone(),
                    format!("{id} {year} is {} %, outside 0–100", crate::render::format::number(v, definition.decimals)),
                )
                .with_hint("check the figure: a percentage written as a count, or a value in the wrong row?"),
            );
        }
        if let Some(target_cell) = &record.target {
            match figure(
                target_cell,
                definition,
                source.percent_as_fraction,
                record.unit.as_ref(),
            ) {
                Ok(Value::Number(target)) => targets.push(DataTarget {
                    kpi: id.clone(),
                    year,
                    target,
                    origin: target_cell.origin.clone(),
                }),
                Ok(Value::Missing(_)) => {}
                Err(d) => problems.push(d),
            }
        }
        let key = (id.clone(), year);
        if let Some(existing) = kpis.observations.get(&key) {
            let hint = match &record.column_label {
                Some(label) if same_row(&existing.origin, &cell.origin) => format!(
                    "two columns of this row hold {year} (this one is \"{label}\"); choose the \
                     one to read with columns: {{ value: [...] }} in the manifest"
                ),
                _ if existing.origin.path() != cell.origin.path() => {
                    "two data files give this figure; keep it in one of them".to_string()
                }
                _ => "keep one of the two rows".to_string(),
            };
            problems.push(
                Diagnostic::error(
                    cell.origin.clone(),
                    format!(
                        "{id} {year} is given twice: here and at {}",
                        existing.origin
                    ),
                )
                .with_hint(hint),
            );
            continue;
        }
        years.push((year, record.year_origin.clone()));
        kpis.observations.insert(
            key,
            Observation {
                value,
                origin: cell.origin.clone(),
                note: record.note.clone(),
            },
        );
    }
    years
}

/// The definition id a data row names: the id itself, or a definition's name (case and
/// spacing aside), so SSB and KOSTRA tables that name their rows can be read as they are.
fn kpi_id(written: &str, kpis: &KpiData) -> Option<String> {
    if kpis.definitions.contains_key(written) {
        return Some(written.to_string());
    }
    let wanted = normalise_header(written);
    kpis.definitions
        .values()
        .find(|d| normalise_header(&d.name) == wanted)
        .map(|d| d.id.clone())
}

/// A figure from a value cell, converted to the KPI's unit: numbers, numbers as text, SSB's
/// "no value" symbols, units written in the cell (`2,6 mrd.`) or the row's unit column,
/// percent cells stored as fractions. Anything else is an error saying what was found.
fn figure(
    cell: &Cell,
    definition: &KpiDefinition,
    percent_as_fraction: bool,
    unit_cell: Option<&Cell>,
) -> Result<Value, Diagnostic> {
    let id = &definition.id;
    let (value, written) = match &cell.value {
        CellValue::Number(n) if cell.percent_format => {
            if definition.unit != Unit::Percent {
                return Err(Diagnostic::error(
                    cell.origin.clone(),
                    format!(
                        "the cell is formatted as a percentage ({} %), but {id} is measured in {}",
                        crate::render::format::number(*n, definition.decimals),
                        definition.unit.label()
                    ),
                )
                .with_hint("format the cell as a number in the workbook"));
            }
            (*n, Some(WrittenUnit::Percent))
        }
        CellValue::Number(n) => (*n, None),
        CellValue::Text(text) if is_excel_error(text) => {
            return Err(Diagnostic::error(
                cell.origin.clone(),
                format!(
                    "the cell shows the Excel error {}; expected a number",
                    text.trim()
                ),
            )
            .with_hint("correct the formula in the workbook and save it again"));
        }
        CellValue::Text(text) if looks_like_code(text) => {
            return Err(Diagnostic::error(
                cell.origin.clone(),
                format!("\"{}\" is a code, not a figure; expected e.g. 7,3", text.trim()),
            )
            .with_hint("codes with leading zeros or dots are never read as numbers; check which column the manifest maps to value"));
        }
        CellValue::Text(text) => match parse_number(text) {
            Ok(Parsed::Value { value, unit }) => (value, unit),
            Ok(Parsed::Missing(reason)) => return Ok(Value::Missing(reason)),
            Err(e) => return Err(Diagnostic::error(cell.origin.clone(), e.to_string())),
        },
        CellValue::Empty => {
            return Err(Diagnostic::error(cell.origin.clone(), "the value is empty")
                .with_hint("write the figure, or \"..\" if it is missing"));
        }
        CellValue::Date(_) => {
            return Err(Diagnostic::error(
                cell.origin.clone(),
                "a date where a number was expected",
            )
            .with_hint("format the cell as a number"));
        }
    };
    // A unit in the cell wins; otherwise the row's unit column, when it differs from the KPI's.
    let written = match (written, unit_cell) {
        (Some(w), _) => Some((w, cell.value.as_text().trim().to_string(), cell)),
        (None, Some(unit)) => {
            let text = unit.value.as_text();
            if Unit::parse(&text) == definition.unit {
                None
            } else {
                match parse_unit(&text) {
                    Some(w) => Some((
                        w,
                        format!("{} {}", cell.value.as_text().trim(), text.trim()),
                        unit,
                    )),
                    None => {
                        return Err(Diagnostic::error(
                            unit.origin.clone(),
                            format!(
                                "the unit \"{}\" is not {id}'s unit \"{}\" (defined at {})",
                                text.trim(),
                                definition.unit.label(),
                                definition.origin
                            ),
                        )
                        .with_hint("give the figure in the KPI's unit, or correct the unit in the KPI definition list"));
                    }
                }
            }
        }
        (None, None) => None,
    };
    let value = match written {
        None if percent_as_fraction && definition.unit == Unit::Percent => tidy(value * 100.0),
        None => value,
        Some((unit, shown, at)) => match convert(value, unit, &definition.unit) {
            Some(converted) => converted,
            None => {
                return Err(Diagnostic::error(
                    at.origin.clone(),
                    format!(
                        "\"{shown}\" is in {}, but {id} is measured in {}",
                        unit.text(),
                        definition.unit.label()
                    ),
                )
                .with_hint(format!(
                    "write the figure in {} (the unit of the KPI definition list), without a unit",
                    definition.unit.label()
                )));
            }
        },
    };
    Ok(Value::Number(value))
}

/// A value with a written unit in the KPI's unit, where the two say what they mean:
/// `2,6 mrd.` is 2 600 mill. kr, `1,2 mill.` is 1 200 000 of a count; `7,3 %` stays 7,3 %.
fn convert(value: f64, written: WrittenUnit, unit: &Unit) -> Option<f64> {
    let factor = written.factor();
    let kroner_per = |u: &str| match u.trim().to_lowercase().as_str() {
        "kr" | "kroner" | "nok" => Some(1.0),
        "1000 kr" | "tusen kr" | "1 000 kr" => Some(1e3),
        "mrd. kr" | "mrd kr" => Some(1e9),
        _ => None,
    };
    let converted = match (written, unit) {
        (WrittenUnit::Percent, Unit::Percent) => value,
        (WrittenUnit::Percent, _) | (_, Unit::Percent) => return None,
        (_, Unit::MillionKroner) => value * factor / 1e6,
        (w, Unit::Count) if !w.is_kroner() => value * factor,
        (_, Unit::Other(u)) => value * factor / kroner_per(u)?,
        _ => return None,
    };
    Some(tidy(converted))
}

/// Rounds away float noise from scaling (1,1 mrd. → 1 100, not 1 100,000 000 000 2).
fn tidy(value: f64) -> f64 {
    let rounded: f64 = format!("{value:.9}").parse().unwrap_or(value);
    if (rounded - value).abs() <= value.abs() * 1e-12 {
        rounded
    } else {
        value
    }
}

/// Excel's error values as a cell shows them.
fn is_excel_error(text: &str) -> bool {
    matches!(
        text.trim(),
        "#DIV/0!"
            | "#N/A"
            | "#NAME?"
            | "#NULL!"
            | "#NUM!"
            | "#REF!"
            | "#VALUE!"
            | "#DATA!"
            | "#SPILL!"
            | "#CALC!"
    )
}

/// Checks that need the report year: figures for years after it, files without any figure
/// for it, and targets given in data files.
fn period_checks(
    evaluation: &Evaluation,
    sources: &[SourceYears],
    targets: &[DataTarget],
    kpis: &mut KpiData,
    problems: &mut Diagnostics,
) {
    let year = evaluation.document.year;
    for source in sources {
        let later: Vec<&(i32, Origin)> = source.years.iter().filter(|(y, _)| *y > year).collect();
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
                .with_hint("check the year column, or the document's year in the narrative (document.year)"),
            );
        }
        let relevant = source
            .years
            .iter()
            .any(|(y, _)| *y == year || *y == year - 1);
        if !source.years.is_empty() && !relevant {
            let first = source.years.iter().map(|(y, _)| *y).min().unwrap_or(year);
            let last = source.years.iter().map(|(y, _)| *y).max().unwrap_or(year);
            problems.push(
                Diagnostic::warning(
                    Origin::file(&source.file),
                    format!(
                        "the file holds no figures for {year} or {} (only {first}–{last})",
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
        let Some(definition) = kpis.definitions.get_mut(&target.kpi) else {
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
/// the goal's `kpis:` entry, unless the definition list says `ingen` (no target on purpose).
fn target_checks(
    file: &Path,
    evaluation: &Evaluation,
    kpis: &KpiData,
    target_written: &BTreeSet<String>,
    problems: &mut Diagnostics,
) {
    let mut warned = BTreeSet::new();
    for goal in &evaluation.goals {
        for id in &goal.kpis {
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

/// Whether a definition's target cell says the KPI has no target on purpose.
fn says_no_target(value: &CellValue) -> bool {
    matches!(value, CellValue::Text(t) if matches!(
        t.trim().to_lowercase().as_str(),
        "ingen" | "intet" | "uten mål" | "intet mål" | "ikke relevant" | "none"
    ))
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
fn narrative(file: &Path, evaluation: &Evaluation, checks: &KpiChecks, problems: &mut Diagnostics) {
    let kpis = checks.kpis;
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
            check_kpi_for_year(file, id, doc.year, checks, problems);
        }
        if let Some(chart) = &goal.chart
            && kpis.definitions.contains_key(&chart.value)
            && !checks.already_told(&chart.value, None)
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
                    check_kpi_for_year(file, &spanned, year, checks, problems);
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
    checks: &KpiChecks,
    problems: &mut Diagnostics,
) {
    let kpis = checks.kpis;
    let origin = origin_of(file, id);
    if checks.definitions_failed {
        // Every id would be unknown; the definition list's problem is told already.
    } else if !kpis.definitions.contains_key(&id.value) {
        problems.push(unknown_kpi(&id.value, origin, kpis));
    } else if checks.already_told(&id.value, Some(year)) {
        // The row that would give the figure has a problem of its own, told already.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::number::Missing;

    fn definition(unit: &str) -> KpiDefinition {
        KpiDefinition {
            id: "x".into(),
            name: "X".into(),
            aliases: Vec::new(),
            unit: Unit::parse(unit),
            decimals: 1,
            direction: Direction::HigherIsBetter,
            target: None,
            origin: Origin::text("d.csv", 2, 1),
            note: String::new(),
        }
    }

    fn read(text: &str, unit: &str, fraction: bool) -> Result<Value, String> {
        let cell = Cell::new(CellValue::Text(text.into()), Origin::text("k.csv", 3, 9));
        figure(&cell, &definition(unit), fraction, None).map_err(|d| d.to_string())
    }

    #[test]
    fn units_convert_only_where_they_say_what_they_mean() {
        assert_eq!(
            read("2,6 mrd.", "mill. kr", false),
            Ok(Value::Number(2600.0))
        );
        assert_eq!(
            read("1,1 mrd. kr", "mill. kr", false),
            Ok(Value::Number(1100.0))
        );
        assert_eq!(
            read("558 000 000 kr", "mill. kr", false),
            Ok(Value::Number(558.0))
        );
        assert_eq!(
            read("1,2 mill.", "antall", false),
            Ok(Value::Number(1_200_000.0))
        );
        assert_eq!(read("7,3 %", "%", false), Ok(Value::Number(7.3)));
        assert_eq!(read("3 tusen kr", "kr", false), Ok(Value::Number(3000.0)));
        assert_eq!(
            read("5,3 %", "mill. kr", false),
            Err("k.csv:3:9: error: \"5,3 %\" is in %, but x is measured in mill. kr\n  hint: write the figure in mill. kr (the unit of the KPI definition list), without a unit".into())
        );
        assert!(
            read("2 mill. kr", "antall", false).is_err(),
            "kroner are no count"
        );
        assert!(read("2 mrd.", "%", false).is_err());
        assert!(read("2 mrd.", "per 1000", false).is_err());
    }

    #[test]
    fn fractions_symbols_and_codes() {
        assert_eq!(read("0,073", "%", true), Ok(Value::Number(7.3)));
        assert_eq!(read("0,073", "antall", true), Ok(Value::Number(0.073)));
        // A percent sign says the number is already a percentage.
        assert_eq!(read("7,3 %", "%", true), Ok(Value::Number(7.3)));
        assert_eq!(
            read("..", "%", true),
            Ok(Value::Missing(Missing::NotAvailable))
        );
        assert_eq!(read(" -   ", "mill. kr", false), Ok(Value::Number(0.0)));
        assert!(
            read("00300", "antall", false)
                .unwrap_err()
                .contains("is a code, not a figure")
        );
        assert!(
            read("#N/A", "antall", false)
                .unwrap_err()
                .contains("the Excel error #N/A")
        );
    }

    #[test]
    fn a_unit_column_converts_or_refuses() {
        let value = Cell::new(CellValue::Text("2,6".into()), Origin::text("k.csv", 3, 9));
        let unit =
            |text: &str| Cell::new(CellValue::Text(text.into()), Origin::text("k.csv", 3, 13));
        let def = definition("mill. kr");
        assert_eq!(
            figure(&value, &def, false, Some(&unit("mrd. kr"))),
            Ok(Value::Number(2600.0))
        );
        assert_eq!(
            figure(&value, &def, false, Some(&unit("mill. kr"))),
            Ok(Value::Number(2.6))
        );
        assert_eq!(
            figure(&value, &def, false, Some(&unit("antall")))
                .unwrap_err()
                .to_string(),
            "k.csv:3:13: error: the unit \"antall\" is not x's unit \"mill. kr\" (defined at d.csv:2:1)\n  hint: give the figure in the KPI's unit, or correct the unit in the KPI definition list"
        );
    }
}
