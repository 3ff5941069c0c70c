//! KPIs: definitions (name, unit, decimals, direction, target) and observations per period,
//! and what follows from them: previous value, change and status against the target.

use std::collections::BTreeMap;

use crate::diag::Origin;
use crate::ingest::number::Missing;
use crate::render::format;

/// Which way is better for a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// The unit a KPI is measured in; it decides how values print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Percent,
    MillionKroner,
    Count,
    /// Any other unit, printed after the value as written.
    Other(String),
}

impl Unit {
    pub fn parse(text: &str) -> Unit {
        match text.trim().to_lowercase().as_str() {
            "%" | "prosent" => Unit::Percent,
            "mill. kr" | "mill.kr" | "mill kr" | "mnok" => Unit::MillionKroner,
            "antall" | "" => Unit::Count,
            _ => Unit::Other(text.trim().to_string()),
        }
    }

    /// The suffix after a value: `%`, `mill. kr`, nothing for counts.
    pub fn suffix(&self) -> &str {
        match self {
            Unit::Percent => "%",
            Unit::MillionKroner => "mill. kr",
            Unit::Count => "",
            Unit::Other(s) => s,
        }
    }

    /// The unit as a table header shows it.
    pub fn label(&self) -> &str {
        match self {
            Unit::Count => "antall",
            other => other.suffix(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct KpiDefinition {
    pub id: String,
    pub name: String,
    /// Other names prose uses for the KPI ("sykefraværet"), for the consistency check.
    pub aliases: Vec<String>,
    pub unit: Unit,
    pub decimals: u8,
    pub direction: Direction,
    pub target: Option<f64>,
    /// Where the definition row is.
    pub origin: Origin,
    /// The definition's source note, e.g. where the target comes from or that it is illustrative.
    pub note: String,
}

impl KpiDefinition {
    /// A value with this KPI's decimals and unit: `7,3 %`.
    pub fn format_value(&self, value: f64) -> String {
        format::with_unit(format::number(value, self.decimals), self.unit.suffix())
    }

    /// A signed change with this KPI's decimals and unit: `−41 mill. kr`. Percent KPIs change
    /// in percentage points.
    pub fn format_change(&self, change: f64) -> String {
        let suffix = match self.unit {
            Unit::Percent => "prosentpoeng",
            _ => self.unit.suffix(),
        };
        format::with_unit(format::signed_number(change, self.decimals), suffix)
    }
}

/// A value read from a file, or SSB's "no value" with its reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Number(f64),
    Missing(Missing),
}

#[derive(Debug, Clone)]
pub struct Observation {
    pub value: Value,
    pub origin: Origin,
    /// The row's source note (e.g. which report the figure is from, or "illustrativ").
    pub note: String,
}

/// Whether a KPI reached its target in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStatus {
    Reached,
    NotReached,
    NoTarget,
    NoValue,
}

impl TargetStatus {
    pub fn key(self) -> &'static str {
        match self {
            TargetStatus::Reached => "naadd",
            TargetStatus::NotReached => "ikke-naadd",
            TargetStatus::NoTarget => "uten-maal",
            TargetStatus::NoValue => "uten-verdi",
        }
    }

    /// Status as words; the symbol is added by the layout so it is never the only cue.
    pub fn text(self) -> &'static str {
        match self {
            TargetStatus::Reached => "nådd",
            TargetStatus::NotReached => "ikke nådd",
            TargetStatus::NoTarget => "uten mål",
            TargetStatus::NoValue => "ingen verdi",
        }
    }
}

/// Whether the change from the previous period went the right way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Better,
    Worse,
    Unchanged,
    Unknown,
}

impl Trend {
    pub fn text(self) -> &'static str {
        match self {
            Trend::Better => "i riktig retning",
            Trend::Worse => "i feil retning",
            Trend::Unchanged => "uendret",
            Trend::Unknown => "ingen sammenligning",
        }
    }
}

/// Every KPI definition and observation of a document, keyed by id and (id, year).
#[derive(Debug, Clone, Default)]
pub struct KpiData {
    pub definitions: BTreeMap<String, KpiDefinition>,
    pub observations: BTreeMap<(String, i32), Observation>,
}

/// A KPI seen from one report year.
#[derive(Debug, Clone)]
pub struct KpiFigures<'a> {
    pub definition: &'a KpiDefinition,
    pub year: i32,
    pub current: Option<&'a Observation>,
    pub previous: Option<&'a Observation>,
}

impl KpiFigures<'_> {
    pub fn value(&self) -> Option<f64> {
        match self.current?.value {
            Value::Number(n) => Some(n),
            Value::Missing(_) => None,
        }
    }

    pub fn previous_value(&self) -> Option<f64> {
        match self.previous?.value {
            Value::Number(n) => Some(n),
            Value::Missing(_) => None,
        }
    }

    pub fn change(&self) -> Option<f64> {
        Some(self.value()? - self.previous_value()?)
    }

    pub fn status(&self) -> TargetStatus {
        let Some(value) = self.value() else {
            return TargetStatus::NoValue;
        };
        let Some(target) = self.definition.target else {
            return TargetStatus::NoTarget;
        };
        let reached = match self.definition.direction {
            Direction::HigherIsBetter => value >= target,
            Direction::LowerIsBetter => value <= target,
        };
        if reached {
            TargetStatus::Reached
        } else {
            TargetStatus::NotReached
        }
    }

    pub fn trend(&self) -> Trend {
        let Some(change) = self.change() else {
            return Trend::Unknown;
        };
        // Compare at the printed precision, so "7,3 → 7,3" is unchanged.
        let scale = 10f64.powi(self.definition.decimals as i32);
        let change = (change * scale).round();
        match (change, self.definition.direction) {
            (0.0, _) => Trend::Unchanged,
            (c, Direction::HigherIsBetter) if c > 0.0 => Trend::Better,
            (c, Direction::LowerIsBetter) if c < 0.0 => Trend::Better,
            _ => Trend::Worse,
        }
    }
}

impl KpiData {
    pub fn figures(&self, id: &str, year: i32) -> Option<KpiFigures<'_>> {
        let definition = self.definitions.get(id)?;
        Some(KpiFigures {
            definition,
            year,
            current: self.observations.get(&(id.to_string(), year)),
            previous: self.observations.get(&(id.to_string(), year - 1)),
        })
    }

    /// Every observed period of a KPI, oldest first.
    pub fn series(&self, id: &str) -> Vec<(i32, &Observation)> {
        self.observations
            .range((id.to_string(), i32::MIN)..=(id.to_string(), i32::MAX))
            .map(|((_, year), obs)| (*year, obs))
            .collect()
    }
}

/// Sick leave as the sample defines it (percent, one decimal, lower is better, target 7,0),
/// for tests here and elsewhere.
#[cfg(test)]
pub(crate) fn sick_leave() -> KpiDefinition {
    KpiDefinition {
        id: "sykefravaer".into(),
        name: "Sykefravær".into(),
        aliases: Vec::new(),
        unit: Unit::Percent,
        decimals: 1,
        direction: Direction::LowerIsBetter,
        target: Some(7.0),
        origin: Origin::file("d.csv"),
        note: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> KpiData {
        let mut data = KpiData::default();
        data.definitions.insert("sykefravaer".into(), sick_leave());
        for (year, value) in [(2017, 7.5), (2018, 7.3)] {
            data.observations.insert(
                ("sykefravaer".into(), year),
                Observation {
                    value: Value::Number(value),
                    origin: Origin::text("k.csv", 2, 3),
                    note: String::new(),
                },
            );
        }
        data
    }

    #[test]
    fn lower_is_better_status_and_trend() {
        let data = data();
        let f = data.figures("sykefravaer", 2018).unwrap();
        assert_eq!(f.status(), TargetStatus::NotReached);
        assert_eq!(f.trend(), Trend::Better);
        assert_eq!(f.definition.format_value(f.value().unwrap()), "7,3\u{a0}%");
        assert_eq!(
            f.definition.format_change(f.change().unwrap()),
            "\u{2212}0,2\u{a0}prosentpoeng"
        );
        let earlier = data.figures("sykefravaer", 2017).unwrap();
        assert_eq!(earlier.trend(), Trend::Unknown);
        assert_eq!(
            data.figures("sykefravaer", 2019).unwrap().status(),
            TargetStatus::NoValue
        );
    }

    #[test]
    fn reaching_the_target_exactly_counts() {
        let mut data = data();
        data.definitions.get_mut("sykefravaer").unwrap().target = Some(7.3);
        assert_eq!(
            data.figures("sykefravaer", 2018).unwrap().status(),
            TargetStatus::Reached
        );
        data.definitions.get_mut("sykefravaer").unwrap().direction = Direction::HigherIsBetter;
        data.definitions.get_mut("sykefravaer").unwrap().target = Some(8.0);
        let f = data.figures("sykefravaer", 2018).unwrap();
        assert_eq!(f.status(), TargetStatus::NotReached);
        assert_eq!(f.trend(), Trend::Worse);
    }
}
