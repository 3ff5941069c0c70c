//! KPI figures from a data file's records: the KPI looked up, the value parsed with the KPI's
//! unit in mind, and each figure checked against the figures already read.

use std::collections::BTreeSet;

use super::Years;
use super::checks::DataTarget;
use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::number::{
    Parsed, WrittenUnit, looks_like_code, parse_number, parse_unit, without_float_noise,
};
use crate::ingest::{Cell, CellValue, normalise_header};
use crate::model::kpi::{KpiData, KpiDefinition, Observation, Unit, Value};
use crate::model::records::{Record, same_row};
use crate::project::DataSource;

/// Turns one data source's records into observations: the KPI looked up by id (or by name,
/// for tables from elsewhere), the value parsed with the KPI's unit in mind, every figure
/// checked against the figures already read from this and the other files.
pub(super) fn observations(
    records: &[Record],
    source: &DataSource,
    kpis: &mut KpiData,
    targets: &mut Vec<DataTarget>,
    failed_rows: &mut BTreeSet<(String, Option<i32>)>,
    problems: &mut Diagnostics,
) -> Years {
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
                    format!("{id} {year} is {} %, outside 0–100", crate::norsk::number(v, definition.decimals)),
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
                        crate::norsk::number(*n, definition.decimals),
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
        None if percent_as_fraction && definition.unit == Unit::Percent => {
            without_float_noise(value * 100.0)
        }
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
    Some(without_float_noise(converted))
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
