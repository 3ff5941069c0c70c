//! KPI figures from a data file's records: the KPI looked up, the value parsed with the KPI's
//! unit in mind, and each figure checked against the figures already read.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::observed::{DataTarget, Years};
use super::plausibility::{Fractions, magnitude, undeclared_scale};
use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::number::{
    Missing, Parsed, WrittenUnit, looks_like_code, parse_number, parse_unit,
};
use crate::ingest::{Cell, CellValue, Table, normalise_header};
use crate::model::kpi::{KpiData, KpiDefinition, Observation, Unit, Value};
use crate::model::period::Period;
use crate::model::records::{Record, Skipped, TableOptions, period_of, same_row};
use crate::norsk::exact::shift;
use crate::project::DataSource;

/// Where [`observations`] puts what it reads.
pub(super) struct Sink<'a> {
    pub(super) kpis: &'a mut KpiData,
    pub(super) targets: &'a mut Vec<DataTarget>,
    pub(super) failed_rows: &'a mut BTreeSet<(String, Option<i32>)>,
    pub(super) problems: &'a mut Diagnostics,
    /// Rows that gave no figure on purpose (a KPI not defined, with `unknown_kpis: ignore`).
    pub(super) skipped: &'a mut Vec<Skipped>,
    /// The observations this source gave, in row order.
    pub(super) keys: &'a mut Vec<(String, Period)>,
    /// Which data source gave each observation so far, for the hint when one is given twice.
    pub(super) owners: &'a mut BTreeMap<(String, Period), String>,
    /// Names compared or looked up while matching rows to KPIs: a work counter, so a test can
    /// show that reading grows with the rows, not with rows × distinct unknown names.
    pub(super) name_lookups: usize,
}

/// How many rows with an undefined KPI a summary names.
const EXAMPLES: usize = 3;

/// The record options of a data source: layout, filters, school-year rule, and the period
/// given outside the table (a constant, the file name, or the cell the table read).
pub(super) fn table_options(
    source: &DataSource,
    table: &Table,
) -> Result<TableOptions, Diagnostic> {
    let period = match (&source.period, &table.period_cell) {
        (Some(given), _) => Some(given.clone()),
        (None, Some(cell)) => Some((period_in_cell(cell)?, cell.origin.clone())),
        (None, None) => None,
    };
    Ok(TableOptions {
        layout: source.layout,
        filters: source.filters.clone(),
        period,
        school_year: source.school_year,
        ignore_rows_without_kpi: source.ignore_unknown_kpis,
        header_rows: source.header_rows,
    })
}

/// The period a cell named by `period: { cell: … }` holds: a period or date on its own, or
/// exactly one inside a text (`tidspunkt 2025-12-31`, `Januar - oktober 2022`).
fn period_in_cell(cell: &Cell) -> Result<Period, Diagnostic> {
    if let Ok(period) = period_of(cell) {
        return Ok(period);
    }
    let text = cell.value.as_text();
    let mut found: Vec<Period> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .filter_map(|part| {
            let part = Cell::new(CellValue::Text(part.to_string()), cell.origin.clone());
            period_of(&part).ok()
        })
        .collect();
    found.dedup();
    match found[..] {
        [one] => Ok(one),
        _ => Err(Diagnostic::error(
            cell.origin.clone(),
            format!(
                "period: the cell holds \"{}\", which names {} periods",
                text.trim(),
                if found.is_empty() { "no" } else { "several" }
            ),
        )
        .with_hint("name a cell that holds one period (2018, T2 2018, 2018K4, 31.12.2018), or write period: 2018")),
    }
}

/// Turns one data source's records into observations: the KPI looked up by id (or by name,
/// for tables from elsewhere), the value parsed with the KPI's unit in mind, every figure
/// checked against the figures already read from this and the other files.
pub(super) fn observations(records: &[Record], source: &DataSource, sink: &mut Sink) -> Years {
    let mut years = Vec::new();
    let (mut ignored, mut ignored_names): (Vec<(String, Origin)>, HashSet<String>) = <_>::default();
    let mut fractions = Fractions::default();
    for record in records {
        let kpis = &*sink.kpis;
        let written = record.kpi.value.as_text().trim().to_string();
        let period = record.period;
        let year = period.is_year().then(|| period.year());
        sink.name_lookups += 1 + kpis.definitions.len();
        let Some(id) = kpi_id(&written, kpis) else {
            if source.ignore_unknown_kpis {
                let origin = &record.kpi.origin;
                ignore_unknown(written, origin, sink, &mut ignored, &mut ignored_names);
                continue;
            }
            sink.problems
                .push(unknown_kpi(&written, record.kpi.origin.clone(), kpis));
            // A misspelt id most likely meant the KPI suggested; its figure is not missing too.
            if let Some(near) = closest(&written, kpis.definitions.keys().map(String::as_str)) {
                sink.failed_rows.insert((near.to_string(), year));
            }
            continue;
        };
        let Some(definition) = kpis.definitions.get(&id) else {
            continue;
        };
        let shown = period.label_nb();
        let cell = &record.value;
        let failed = |sink: &mut Sink| {
            if year.is_some() {
                sink.failed_rows.insert((id.clone(), year));
            }
        };
        if cell.value.is_empty() {
            sink.problems.push(
                Diagnostic::error(
                    cell.origin.clone(),
                    format!("the value of {id} {shown} is empty"),
                )
                .with_hint("write the figure, or \"..\" if it is missing"),
            );
            failed(sink);
            continue;
        }
        let value = match figure(cell, definition, source, record.unit.as_deref()) {
            Ok(value) => value,
            Err(d) => {
                sink.problems.push(d);
                failed(sink);
                continue;
            }
        };
        let scale = undeclared_scale(&id, &shown, value, definition, record, source);
        let found = scale.or_else(|| magnitude(&id, &shown, value, definition, cell));
        sink.problems.extend_one(found);
        fractions.note(&id, value, definition, cell);
        if let Some(target_cell) = &record.target {
            match figure(target_cell, definition, source, record.unit.as_deref()) {
                Ok(Value::Number(target)) => sink.targets.push(DataTarget {
                    kpi: id.clone(),
                    year: year.unwrap_or(i32::MIN),
                    target,
                    origin: target_cell.origin.clone(),
                }),
                Ok(Value::Missing(_)) => {}
                Err(d) => sink.problems.push(d),
            }
        }
        let key = (id.clone(), period);
        if let Some(twice) = given_twice(sink, &key, record, source) {
            sink.problems.push(twice);
            continue;
        }
        years.push((period.year(), record.period_origin.clone()));
        sink.keys.push(key.clone());
        sink.owners.insert(key.clone(), source.id.clone());
        sink.kpis.observations.insert(
            key,
            Observation {
                value,
                origin: cell.origin.clone(),
                note: record.note.clone(),
            },
        );
    }
    if let Some(warning) = ignored_warning(&ignored, sink.skipped) {
        sink.problems.push(warning);
    }
    for warning in fractions.warnings() {
        sink.problems.push(warning);
    }
    years
}

/// The error for a figure some source gave already, if one did.
fn given_twice(
    sink: &Sink,
    key: &(String, crate::model::period::Period),
    record: &Record,
    source: &DataSource,
) -> Option<Diagnostic> {
    let (id, period) = key;
    let shown = period.label_nb();
    let cell = &record.value;
    let existing = sink.kpis.observations.get(key)?;
    let owner = sink.owners.get(key).map_or("", String::as_str);
    let hint = match &record.column_label {
        // Two sources of the document read this file (the same cell, or another column of
        // the same row): not a matter of the file's rows.
        _ if owner != source.id && existing.origin.path() == cell.origin.path() => {
            format!(
                "the data sources \"{owner}\" and \"{}\" of the document both read \
                 this file; list it once in the document's data:, or keep the sources \
                 apart with filter: or columns:",
                source.id
            )
        }
        Some(label) if same_row(&existing.origin, &cell.origin) => format!(
            "two columns of this row hold {shown} (this one is \"{label}\"); choose the \
             one to read with columns: {{ value: [...] }} in the manifest"
        ),
        _ if existing.origin.path() != cell.origin.path() => {
            "two data files give this figure; keep it in one of them".to_string()
        }
        _ => "keep one of the two rows".to_string(),
    };
    Some(
        Diagnostic::error(
            cell.origin.clone(),
            format!(
                "{id} {shown} is given twice: here and at {}",
                existing.origin
            ),
        )
        .with_hint(hint),
    )
}

/// A row whose KPI is not defined, under `unknown_kpis: ignore`: skipped and told in `data`;
/// its name kept once (through a set, so many distinct names stay linear) for the summary.
fn ignore_unknown(
    written: String,
    origin: &Origin,
    sink: &mut Sink,
    ignored: &mut Vec<(String, Origin)>,
    ignored_names: &mut HashSet<String>,
) {
    sink.skipped.push(Skipped {
        origin: origin.clone(),
        reason: format!("\"{written}\" is no KPI of the definition list (unknown_kpis: ignore)"),
    });
    sink.name_lookups += 1;
    if ignored_names.insert(written.clone()) {
        ignored.push((written, origin.clone()));
    }
}

/// One warning for the rows `unknown_kpis: ignore` left out: how many, and a few names.
fn ignored_warning(ignored: &[(String, Origin)], skipped: &[Skipped]) -> Option<Diagnostic> {
    let (_, first) = ignored.first()?;
    let count = skipped
        .iter()
        .filter(|s| s.reason.ends_with("(unknown_kpis: ignore)"))
        .count();
    let examples: Vec<String> = ignored
        .iter()
        .take(EXAMPLES)
        .map(|(w, _)| format!("\"{w}\""))
        .collect();
    let names = match ignored.len().saturating_sub(EXAMPLES) {
        0 => examples.join(", "),
        1 => format!("{} and 1 other name", examples.join(", ")),
        n => format!("{} and {n} other names", examples.join(", ")),
    };
    let figures = match count {
        1 => "1 figure was".to_string(),
        n => format!("{n} figures were"),
    };
    Some(
        Diagnostic::warning(
            first.clone(),
            format!("{figures} ignored: their KPI is not in the definition list ({names})"),
        )
        .with_hint("rapportverk data --source ID lists them; define a KPI in the definition list to read its rows"),
    )
}

/// The definition id a data row names: the id itself, or a definition's name (case and
/// spacing aside), so SSB and KOSTRA tables that name their rows can be read as they are.
pub(super) fn kpi_id(written: &str, kpis: &KpiData) -> Option<String> {
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
/// A number and the unit written beside it in its cell, or SSB's "no value".
type CellNumber = Result<(f64, Option<WrittenUnit>), Missing>;

/// A value cell read as a number and the unit written in it, or SSB's "no value".
fn cell_number(
    cell: &Cell,
    definition: &KpiDefinition,
    source: &DataSource,
) -> Result<CellNumber, Diagnostic> {
    let id = &definition.id;
    Ok(match &cell.value {
        CellValue::Number(n) if cell.percent_format => {
            if definition.unit != Unit::Percent {
                return Err(Diagnostic::error(
                    cell.origin.clone(),
                    format!(
                        "the cell is formatted as a percentage ({} %), but {id} is measured in {}",
                        crate::norsk::number(*n, definition.decimals),
                        definition.unit.label()
                    ),
                )
                .with_hint("format the cell as a number in the workbook"));
            }
            Ok((*n, Some(WrittenUnit::Percent)))
        }
        CellValue::Number(n) => Ok((*n, None)),
        // Marks the manifest lists (`suppressed: ["-"]`) mean a value withheld.
        CellValue::Text(text) if source.suppressed.iter().any(|m| m.trim() == text.trim()) => {
            return Ok(Err(Missing::Suppressed));
        }
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
            Ok(Parsed::Value { value, unit }) => Ok((value, unit)),
            Ok(Parsed::Missing(reason)) => return Ok(Err(reason)),
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
    })
}

fn figure(
    cell: &Cell,
    definition: &KpiDefinition,
    source: &DataSource,
    unit_cell: Option<&Cell>,
) -> Result<Value, Diagnostic> {
    let percent_as_fraction = source.percent_as_fraction;
    let id = &definition.id;
    let (value, written) = match cell_number(cell, definition, source)? {
        Ok(read) => read,
        Err(missing) => return Ok(Value::Missing(missing)),
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
    // The data source's `unit:` holds for KPIs in kroner whose cell and row say no unit.
    let written = written.or_else(|| {
        let declared = source.unit.as_ref()?;
        definition.unit.kroner_exponent()?;
        Some((
            declared.unit,
            format!("{} {}", cell.value.as_text().trim(), declared.written),
            cell,
        ))
    });
    let value = match written {
        None if percent_as_fraction && definition.unit == Unit::Percent => shift(value, 2),
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
/// Between units of kroner the decimal point moves exactly (1 234 567 kr is 1,234567 mill. kr).
pub(super) fn convert(value: f64, written: WrittenUnit, unit: &Unit) -> Option<f64> {
    let exponent = written.exponent();
    match (written, unit) {
        (WrittenUnit::Percent, Unit::Percent) => Some(value),
        (WrittenUnit::Percent, _) | (_, Unit::Percent) => None,
        (w, Unit::Count) if !w.is_kroner() => Some(shift(value, exponent)),
        (_, unit) => Some(shift(value, exponent - unit.kroner_exponent()?)),
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

pub(super) fn unknown_kpi(id: &str, origin: Origin, kpis: &KpiData) -> Diagnostic {
    let d = Diagnostic::error(origin, format!("unknown KPI \"{id}\""));
    match closest(id, kpis.definitions.keys().map(String::as_str)) {
        Some(near) => d.with_hint(format!(
            "did you mean \"{near}\"? KPIs are defined in the KPI definition list"
        )),
        None => d.with_hint("add it to the KPI definition list, or correct the id"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::number::Missing;
    use crate::model::kpi::Direction;

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
        }
    }

    fn source(percent_as_fraction: bool) -> DataSource {
        DataSource {
            id: "k".into(),
            path: "k.csv".into(),
            read: Default::default(),
            layout: None,
            header_rows: None,
            percent_as_fraction,
            filters: Vec::new(),
            columns: Default::default(),
            period: None,
            school_year: None,
            ignore_unknown_kpis: false,
            suppressed: vec!["x".into()],
            origin: Origin::file("m.yaml"),
            unit: None,
        }
    }

    fn read(text: &str, unit: &str, fraction: bool) -> Result<Value, String> {
        let cell = Cell::new(CellValue::Text(text.into()), Origin::text("k.csv", 3, 9));
        figure(&cell, &definition(unit), &source(fraction), None).map_err(|d| d.to_string())
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
        // Udir's and NAV's `*`, and a mark the manifest lists, are withheld values.
        assert_eq!(
            read("*", "antall", false),
            Ok(Value::Missing(Missing::Suppressed))
        );
        assert_eq!(
            read(" x ", "antall", false),
            Ok(Value::Missing(Missing::Suppressed))
        );
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
            figure(&value, &def, &source(false), Some(&unit("mrd. kr"))),
            Ok(Value::Number(2600.0))
        );
        assert_eq!(
            figure(&value, &def, &source(false), Some(&unit("mill. kr"))),
            Ok(Value::Number(2.6))
        );
        assert_eq!(
            figure(&value, &def, &source(false), Some(&unit("antall")))
                .unwrap_err()
                .to_string(),
            "k.csv:3:13: error: the unit \"antall\" is not x's unit \"mill. kr\" (defined at d.csv:2:1)\n  hint: give the figure in the KPI's unit, or correct the unit in the KPI definition list"
        );
    }

    /// The work of matching rows to KPIs with `unknown_kpis: ignore`, counted: it grows with
    /// the rows, not with rows × distinct unknown names (80 000 names took 20 s once, 160 000
    /// took 91 s), and every row is still told in `data` with one summary warning.
    #[test]
    fn distinct_unknown_names_cost_work_linear_in_the_rows() {
        let work = |names: usize| {
            let records: Vec<Record> = (0..names)
                .map(|i| Record {
                    kpi: Cell::new(
                        CellValue::Text(format!("ukjent {i}")),
                        Origin::text("k.csv", i + 2, 1),
                    ),
                    period: Period::Year(2020),
                    period_origin: Origin::text("k.csv", i + 2, 2),
                    value: Cell::new(CellValue::Number(1.0), Origin::text("k.csv", i + 2, 3)),
                    note: String::new(),
                    unit: None,
                    target: None,
                    column_label: None,
                })
                .collect();
            let mut kpis = KpiData {
                definitions: std::sync::Arc::new(
                    [("x".to_string(), definition("%"))].into_iter().collect(),
                ),
                observations: BTreeMap::new(),
            };
            let (mut targets, mut failed, mut problems) = <_>::default();
            let (mut skipped, mut keys, mut owners) = <_>::default();
            let mut sink = Sink {
                kpis: &mut kpis,
                targets: &mut targets,
                failed_rows: &mut failed,
                problems: &mut problems,
                skipped: &mut skipped,
                keys: &mut keys,
                owners: &mut owners,
                name_lookups: 0,
            };
            let source = DataSource {
                ignore_unknown_kpis: true,
                ..source(false)
            };
            observations(&records, &source, &mut sink);
            let lookups = sink.name_lookups;
            assert_eq!(skipped.len(), names);
            let warning = problems.iter().next().expect("one summary warning");
            assert!(
                warning
                    .message
                    .starts_with(&format!("{names} figures were ignored")),
                "{warning}"
            );
            assert_eq!(problems.len(), 1, "{problems:?}");
            lookups
        };
        let (small, large) = (work(2_000), work(16_000));
        assert_eq!(
            large,
            8 * small,
            "{small} lookups for 2 000 names, {large} for 16 000"
        );
    }
}
