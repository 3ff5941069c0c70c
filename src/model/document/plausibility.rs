//! Figures that read but are hardly what was meant: kroner in a `mill. kr` KPI, a percentage
//! outside 0–100, percentages written as fractions. Warnings naming the cell and the fix,
//! never a refusal: the figure may be right.

use crate::diag::{Diagnostic, Origin};
use crate::ingest::Cell;
use crate::model::kpi::{KpiDefinition, Unit, Value};
use crate::model::records::Record;
use crate::project::DataSource;

/// A value far outside what its unit allows: kroner in a `mill. kr` KPI (100 000 mill. kr is
/// more than the budget of any municipality, Oslo's included), told per cell with the fix.
pub(super) fn magnitude(
    id: &str,
    shown: &str,
    value: Value,
    definition: &KpiDefinition,
    cell: &Cell,
) -> Option<Diagnostic> {
    let Value::Number(v) = value else {
        return None;
    };
    let printed = || crate::norsk::number(v, definition.decimals).replace('\u{a0}', " ");
    match definition.unit {
        Unit::MillionKroner if v.abs() >= 1e5 => Some(
            Diagnostic::warning(
                cell.origin.clone(),
                format!(
                    "{id} {shown} is {} mill. kr, more than any municipality's budget: the figure looks like kroner",
                    printed()
                ),
            )
            .with_hint(format!(
                "write the figure in mill. kr ({} for {} kr), or write the unit in the cell: \"{} kr\"",
                crate::norsk::number(v / 1e6, definition.decimals).replace('\u{a0}', " "),
                printed(),
                printed()
            )),
        ),
        Unit::Percent if !(-100.0..=100.0).contains(&v) && !id.contains("endring") => Some(
            Diagnostic::warning(
                cell.origin.clone(),
                format!("{id} {shown} is {} %, outside 0–100", printed()),
            )
            .with_hint(
                "check the figure: a percentage written as a count, or a value in the wrong row?",
            ),
        ),
        _ => None,
    }
}

/// A figure in mill. kr or mrd. kr whose scale the data does not settle: no unit in its
/// cell, none in its row and none declared for the data source (`unit:`), and a whole number
/// of 10 000 mill. kr or more (−16 500 read from a kroner export is −16,5 mrd.). With a unit
/// declared, a figure over 100 000 mill. kr once scaled says the declaration is wrong. Both
/// are told at the cell, naming the manifest's data source and the fix.
pub(super) fn undeclared_scale(
    id: &str,
    shown: &str,
    value: Value,
    definition: &KpiDefinition,
    record: &Record,
    source: &DataSource,
) -> Option<Diagnostic> {
    let Value::Number(v) = value else {
        return None;
    };
    let exponent = definition.unit.kroner_exponent().filter(|e| *e >= 6)?;
    let in_kroner = v.abs() * 10f64.powi(exponent);
    let unit = definition.unit.suffix().replace('\u{a0}', " ");
    let printed = crate::norsk::number(v, definition.decimals).replace('\u{a0}', " ");
    let cell = &record.value;
    if let Some(declared) = &source.unit {
        if in_kroner < 1e11 || written_unit(cell).is_some() || record.unit.is_some() {
            return None;
        }
        return Some(
            Diagnostic::warning(
                cell.origin.clone(),
                format!(
                    "{id} {shown} is {printed} {unit} read as {} (the data source \"{}\" says unit: {}), more than any municipality's budget",
                    declared.written, source.id, declared.written
                ),
            )
            .with_hint(format!(
                "check unit: at {}: write the unit the file's figures are in (kr, 1 000 kr, mill. kr or mrd. kr)",
                declared.origin
            )),
        );
    }
    let whole = v.fract() == 0.0;
    let undeclared = written_unit(cell).is_none() && record.unit.is_none();
    if !undeclared || !whole || !(1e10..1e11).contains(&in_kroner) {
        return None;
    }
    Some(
        Diagnostic::warning(
            cell.origin.clone(),
            format!(
                "{id} {shown} is {printed} {unit}, and the data source \"{}\" does not say which unit its figures are in: a whole figure this large looks like kroner or 1 000 kr",
                source.id
            ),
        )
        .with_hint(format!(
            "say the file's unit in its manifest entry at {}: unit: kr (or unit: 1 000 kr) to print kroner in {unit}, or unit: {unit} if the figures are in {unit} already",
            source.origin
        )),
    )
}

/// The unit written in a value cell's text (`2,6 mrd.`), if any.
fn written_unit(cell: &Cell) -> Option<crate::ingest::number::WrittenUnit> {
    match &cell.value {
        crate::ingest::CellValue::Text(text) => match crate::ingest::number::parse_number(text) {
            Ok(crate::ingest::number::Parsed::Value { unit, .. }) => unit,
            _ => None,
        },
        _ => None,
    }
}

/// A KPI, whether all its figures so far lie within −1..1, and its first figure with more
/// decimals than the KPI prints.
type FractionSeen = (String, bool, Option<(f64, Origin)>);

/// Percent KPIs whose every figure from one source lies between −1 and 1, one with more
/// decimals than the KPI prints: fractions (0,073 for 7,3 %) read as percentages.
#[derive(Default)]
pub(super) struct Fractions {
    /// KPI → (all figures within −1..1 so far, the first figure with more decimals than the
    /// KPI prints, and its cell).
    seen: Vec<FractionSeen>,
}

impl Fractions {
    pub(super) fn note(&mut self, id: &str, value: Value, definition: &KpiDefinition, cell: &Cell) {
        let (Value::Number(v), Unit::Percent) = (value, &definition.unit) else {
            return;
        };
        if cell.percent_format {
            return;
        }
        let index = match self.seen.iter().position(|(k, ..)| k == id) {
            Some(i) => i,
            None => {
                self.seen.push((id.to_string(), true, None));
                self.seen.len() - 1
            }
        };
        let entry = &mut self.seen[index];
        entry.1 &= v.abs() < 1.0;
        // A small percentage printed as written (0,8 %) is plausible; one with more decimals
        // than the KPI prints (0,073 shown as 0,1 %) is the fraction's tell.
        let scaled = v * 10f64.powi(i32::from(definition.decimals));
        if (scaled - scaled.round()).abs() > 1e-9 && entry.2.is_none() {
            entry.2 = Some((v, cell.origin.clone()));
        }
    }

    pub(super) fn warnings(self) -> Vec<Diagnostic> {
        self.seen
            .into_iter()
            .filter_map(|(id, all_small, first)| {
                let (v, origin) = first.filter(|_| all_small)?;
                let shown = crate::norsk::number(v, 3).replace('\u{a0}', " ");
                Some(
                    Diagnostic::warning(
                        origin,
                        format!("every figure of {id} in this file is between −1 and 1 %, e.g. {shown} %: percentages written as fractions?"),
                    )
                    .with_hint(format!(
                        "if {shown} means {} %, add percent_as_fraction: true to the data source",
                        crate::norsk::number(v * 100.0, 1).replace('\u{a0}', " ")
                    )),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::CellValue;

    fn fractions(values: &[f64]) -> Vec<String> {
        let definition = crate::model::kpi::sick_leave();
        let mut seen = Fractions::default();
        for (row, v) in values.iter().enumerate() {
            let cell = Cell::new(CellValue::Number(*v), Origin::text("k.csv", row + 2, 18));
            seen.note("sykefravaer", Value::Number(*v), &definition, &cell);
        }
        seen.warnings().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn fractions_are_told_small_percentages_are_not() {
        assert_eq!(
            fractions(&[0.075, 0.073]),
            [
                "k.csv:2:18: warning: every figure of sykefravaer in this file is between −1 and 1 %, e.g. 0,075 %: percentages written as fractions?\n  hint: if 0,075 means 7,5 %, add percent_as_fraction: true to the data source"
            ]
        );
        assert!(fractions(&[0.8, 0.5]).is_empty(), "printed as written");
        assert!(
            fractions(&[0.075, 7.3]).is_empty(),
            "not every figure is small"
        );
    }
}
