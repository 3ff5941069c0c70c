//! KPIs: definitions (name, unit, decimals, direction, target) read once per run from the
//! definition list, observations per period, and what follows from them: previous value,
//! change and status against the target.

use std::collections::{BTreeMap, BTreeSet};

use super::period::Period;
use super::{cell_text, required_column};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ingest::number::{Missing, Parsed, parse_number};
use crate::ingest::{Cell, CellValue, Table};
use crate::norsk as format;

/// The KPI definition list, parsed once per run and shared by every evaluation.
#[derive(Debug, Clone, Default)]
pub struct KpiDefinitions {
    pub(crate) list: BTreeMap<String, KpiDefinition>,
    /// The list's problems, reported with every evaluation that uses it.
    pub(crate) problems: Diagnostics,
    /// The list could not be read or gave nothing: every id would be "unknown".
    pub(crate) failed: bool,
    /// KPIs whose target cell says something, if only "ingen" or a broken number: the
    /// no-target warning is only for a cell left empty.
    pub(crate) target_written: BTreeSet<String>,
}

/// Parses the KPI definition list; `None` means the file could not be read (its problem is
/// told already), which fails every evaluation quietly.
pub fn definitions(table: Option<Table>) -> KpiDefinitions {
    let Some(mut table) = table else {
        return KpiDefinitions {
            failed: true,
            ..KpiDefinitions::default()
        };
    };
    let mut problems = Diagnostics::default();
    // Problems found while reading that do not stop it (a garbled letter, say).
    for warning in std::mem::take(&mut table.warnings) {
        problems.push(warning);
    }
    table.find_header(&[&["id", "kpi"], &["navn", "namn", "name"]]);
    let list = parse_definitions(&table, &mut problems);
    let failed = list.is_empty() && problems.has_errors();
    let mut target_written = BTreeSet::new();
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
    KpiDefinitions {
        list,
        problems,
        failed,
        target_written,
    }
}

/// The KPI definition list: id, name, unit, decimals, direction, target, note.
fn parse_definitions(table: &Table, problems: &mut Diagnostics) -> BTreeMap<String, KpiDefinition> {
    let mut defs: BTreeMap<String, KpiDefinition> = BTreeMap::new();
    let Some(columns) = DefinitionColumns::find(table, problems) else {
        return defs;
    };
    for row in &table.rows {
        let Some(definition) = columns.definition(row, problems) else {
            continue;
        };
        if let Some(existing) = defs.get(&definition.id) {
            problems.push(
                Diagnostic::error(
                    definition.origin,
                    format!(
                        "KPI \"{}\" is defined twice (first at {})",
                        definition.id, existing.origin
                    ),
                )
                .with_hint("remove one of the rows"),
            );
            continue;
        }
        defs.insert(definition.id.clone(), definition);
    }
    defs
}

/// The columns of the definition list, by bokmål, nynorsk or English headers.
struct DefinitionColumns {
    id: usize,
    name: usize,
    unit: usize,
    direction: usize,
    decimals: Option<usize>,
    target: Option<usize>,
    aliases: Option<usize>,
}

impl DefinitionColumns {
    /// `None` when a required column is missing (told in `problems`).
    fn find(table: &Table, problems: &mut Diagnostics) -> Option<DefinitionColumns> {
        let id = required_column(table, &["id", "kpi"], problems);
        let name = required_column(table, &["navn", "namn", "name"], problems);
        let unit = required_column(table, &["enhet", "eining", "unit"], problems);
        let decimals = table.column(&["desimaler", "desimalar", "decimals"]);
        let direction = required_column(table, &["retning", "direction"], problems);
        Some(DefinitionColumns {
            id: id?,
            name: name?,
            unit: unit?,
            direction: direction?,
            decimals,
            target: table.column(&["mål", "maal", "target"]),
            aliases: table.column(&["alias", "aliaser", "aliasar", "aliases"]),
        })
    }

    /// The definition one row gives; `None` when it has no id. Every other problem is told
    /// and a usable default taken.
    fn definition(&self, row: &[Cell], problems: &mut Diagnostics) -> Option<KpiDefinition> {
        let row_origin = row[0].origin.clone();
        let (id, id_origin) = cell_text(row, self.id);
        let id_origin = id_origin.unwrap_or(row_origin.clone());
        if id.is_empty() {
            problems.push(
                Diagnostic::error(id_origin, "the KPI id is empty")
                    .with_hint("give every definition row an id, e.g. sykefravaer"),
            );
            return None;
        }
        let (name, name_origin) = cell_text(row, self.name);
        if name.is_empty() {
            problems.push(Diagnostic::error(
                name_origin.unwrap_or(row_origin.clone()),
                format!("KPI \"{id}\" has no name"),
            ));
        }
        let (direction, direction_origin) = cell_text(row, self.direction);
        let direction = direction_of(
            &direction,
            direction_origin.unwrap_or(row_origin.clone()),
            problems,
        );
        let decimals = self
            .decimals
            .map_or(0, |c| decimals_of(cell_text(row, c), &row_origin, problems));
        let target = self.target.and_then(|c| {
            let cell = row.get(c)?;
            if says_no_target(&cell.value) {
                return None;
            }
            number_cell(&cell.value, &cell.origin, problems)
        });
        let aliases = self
            .aliases
            .map(|c| cell_text(row, c).0)
            .map(|a| {
                a.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Some(KpiDefinition {
            id,
            name,
            aliases,
            unit: Unit::parse(&cell_text(row, self.unit).0),
            decimals,
            direction,
            target,
            origin: id_origin,
        })
    }
}

/// A definition's direction, in bokmål, nynorsk or English; higher is better, with a
/// problem, where it says neither.
fn direction_of(text: &str, origin: Origin, problems: &mut Diagnostics) -> Direction {
    match text.to_lowercase().as_str() {
        "lavere" | "lågare" | "lagare" | "lav" | "låg" | "lower" | "ned" => {
            Direction::LowerIsBetter
        }
        "høyere" | "høgare" | "hogare" | "hoyere" | "høy" | "høg" | "higher" | "opp" => {
            Direction::HigherIsBetter
        }
        other => {
            problems.push(
                Diagnostic::error(origin, format!("\"{other}\" is not a direction")).with_hint(
                    "write \"høyere\" (higher is better) or \"lavere\" (lower is better)",
                ),
            );
            Direction::HigherIsBetter
        }
    }
}

/// A definition's number of decimals, 0 to 6; 0 when empty, or with a problem when wrong.
fn decimals_of(
    (text, origin): (String, Option<Origin>),
    row_origin: &Origin,
    problems: &mut Diagnostics,
) -> u8 {
    if text.is_empty() {
        return 0;
    }
    match text.parse::<u8>() {
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
    }
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

/// Whether a definition's target cell says the KPI has no target on purpose.
fn says_no_target(value: &CellValue) -> bool {
    matches!(value, CellValue::Text(t) if matches!(
        t.trim().to_lowercase().as_str(),
        "ingen" | "intet" | "uten mål" | "intet mål" | "ikke relevant" | "none"
    ))
}

/// Which way is better for a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// The unit a KPI is measured in; it decides how values print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unit {
    Percent,
    MillionKroner,
    Count,
    /// Any other unit, printed after the value as written.
    Other(String),
    /// `kr`: whole kroner.
    Kroner,
    /// `1 000 kr`.
    ThousandKroner,
    /// `mrd. kr`.
    BillionKroner,
    /// `prosentpoeng`: a difference of percentages (a change, a margin), not a share.
    PercentagePoints,
}

impl Unit {
    pub(crate) fn parse(text: &str) -> Unit {
        match text.trim().to_lowercase().as_str() {
            "%" | "prosent" => Unit::Percent,
            "mill. kr" | "mill.kr" | "mill kr" | "mnok" => Unit::MillionKroner,
            "antall" | "" => Unit::Count,
            "kr" | "kroner" | "nok" => Unit::Kroner,
            "1000 kr" | "1 000 kr" | "1\u{a0}000 kr" | "tusen kr" | "i 1000 kr" | "tkr"
            | "nok 1000" => Unit::ThousandKroner,
            "mrd. kr" | "mrd.kr" | "mrd kr" | "mrd. nok" => Unit::BillionKroner,
            "prosentpoeng" | "pp" | "%-poeng" | "prosentpoenger" => Unit::PercentagePoints,
            _ => Unit::Other(text.trim().to_string()),
        }
    }

    /// The suffix after a value: `%`, `mill. kr`, nothing for counts.
    pub(crate) fn suffix(&self) -> &str {
        match self {
            Unit::Percent => "%",
            Unit::MillionKroner => "mill. kr",
            Unit::Count => "",
            Unit::Other(s) => s,
            Unit::Kroner => "kr",
            Unit::ThousandKroner => "1\u{a0}000\u{a0}kr",
            Unit::BillionKroner => "mrd. kr",
            Unit::PercentagePoints => "prosentpoeng",
        }
    }

    /// For a unit of kroner, the power of ten one of it is in kroner (kr 0, 1 000 kr 3,
    /// mill. kr 6, mrd. kr 9): a figure moves between them by shifting its decimal point.
    pub(crate) fn kroner_exponent(&self) -> Option<i32> {
        match self {
            Unit::Kroner => Some(0),
            Unit::ThousandKroner => Some(3),
            Unit::MillionKroner => Some(6),
            Unit::BillionKroner => Some(9),
            Unit::Other(text) => match Unit::parse(text) {
                Unit::Other(_) => None,
                known => known.kroner_exponent(),
            },
            _ => None,
        }
    }

    /// The unit as messages quote it (`antall`, `%`); documents print the locale's word.
    pub(crate) fn label(&self) -> &str {
        match self {
            Unit::Count => "antall",
            other => other.suffix(),
        }
    }

    /// The locale key (group `units`) of the word a table's unit column prints for this
    /// unit where it is a word, not a symbol: `count`; `None` prints the suffix.
    pub(crate) fn key(&self) -> Option<&'static str> {
        match self {
            Unit::Count => Some("count"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct KpiDefinition {
    pub(crate) id: String,
    pub(crate) name: String,
    /// Other names prose uses for the KPI ("sykefraværet"), for the consistency check.
    pub(crate) aliases: Vec<String>,
    pub(crate) unit: Unit,
    pub(crate) decimals: u8,
    pub(crate) direction: Direction,
    pub(crate) target: Option<f64>,
    /// Where the definition row is.
    pub(crate) origin: Origin,
}

impl KpiDefinition {
    /// A value with this KPI's decimals and unit: `7,3 %`.
    pub(crate) fn format_value(&self, value: f64) -> String {
        format::with_unit(format::number(value, self.decimals), self.unit.suffix())
    }

    /// A signed change with this KPI's decimals and unit: `−41 mill. kr`. Percent KPIs
    /// change in percentage points, printed as `percentage_points` (the locale's
    /// `units.percentage_points`): `−0,2 prosentpoeng`.
    pub(crate) fn format_change_in(&self, change: f64, percentage_points: &str) -> String {
        let suffix = match self.unit {
            Unit::Percent | Unit::PercentagePoints => percentage_points,
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
pub(crate) enum TargetStatus {
    Reached,
    NotReached,
    NoTarget,
    NoValue,
}

impl TargetStatus {
    pub(crate) fn key(self) -> &'static str {
        match self {
            TargetStatus::Reached => "naadd",
            TargetStatus::NotReached => "ikke-naadd",
            TargetStatus::NoTarget => "uten-maal",
            TargetStatus::NoValue => "uten-verdi",
        }
    }
}

/// Whether the change from the previous period went the right way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trend {
    Better,
    Worse,
    Unchanged,
    Unknown,
}

impl Trend {
    /// A stable key for the locale's words (`trend.bedre`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Trend::Better => "bedre",
            Trend::Worse => "verre",
            Trend::Unchanged => "uendret",
            Trend::Unknown => "ukjent",
        }
    }
}

/// Every KPI definition and observation of a document, keyed by id and (id, period).
#[derive(Debug, Clone, Default)]
pub struct KpiData {
    /// Shared by the units of a document until one's data sets a target of its own.
    pub definitions: std::sync::Arc<BTreeMap<String, KpiDefinition>>,
    pub observations: BTreeMap<(String, Period), Observation>,
}

/// A KPI seen from one report year.
#[derive(Debug, Clone)]
pub(crate) struct KpiFigures<'a> {
    pub(crate) definition: &'a KpiDefinition,
    pub(crate) current: Option<&'a Observation>,
    pub(crate) previous: Option<&'a Observation>,
}

/// Statuses, changes and trends are decided on the figures as the document prints them, so
/// what the council reads agrees with itself: 7,04 against a target of 7,0 prints "7,0" and is
/// reached; 7,04 after 6,96 prints "7,0" twice and is unchanged.
impl KpiFigures<'_> {
    /// `value` rounded to the KPI's decimals, as it prints.
    fn as_printed(&self, value: f64) -> f64 {
        crate::norsk::exact::round(value, self.definition.decimals)
    }

    pub(crate) fn value(&self) -> Option<f64> {
        match self.current?.value {
            Value::Number(n) => Some(n),
            Value::Missing(_) => None,
        }
    }

    pub(crate) fn previous_value(&self) -> Option<f64> {
        match self.previous?.value {
            Value::Number(n) => Some(n),
            Value::Missing(_) => None,
        }
    }

    /// The change between the printed figures (`+0,1` only if they print 0,1 apart).
    pub(crate) fn change(&self) -> Option<f64> {
        let change = self.as_printed(self.value()?) - self.as_printed(self.previous_value()?);
        Some(self.as_printed(change))
    }

    pub(crate) fn status(&self) -> TargetStatus {
        let Some(value) = self.value().map(|v| self.as_printed(v)) else {
            return TargetStatus::NoValue;
        };
        let Some(target) = self.definition.target.map(|t| self.as_printed(t)) else {
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

    pub(crate) fn trend(&self) -> Trend {
        let Some(change) = self.change() else {
            return Trend::Unknown;
        };
        match (change, self.definition.direction) {
            (0.0, _) => Trend::Unchanged,
            (c, Direction::HigherIsBetter) if c > 0.0 => Trend::Better,
            (c, Direction::LowerIsBetter) if c < 0.0 => Trend::Better,
            _ => Trend::Worse,
        }
    }
}

impl KpiData {
    pub(crate) fn figures(&self, id: &str, year: i32) -> Option<KpiFigures<'_>> {
        let definition = self.definitions.get(id)?;
        Some(KpiFigures {
            definition,
            current: self.at(id, &Period::Year(year)),
            previous: self.at(id, &Period::Year(year - 1)),
        })
    }

    /// Every annual observation of a KPI, oldest first.
    pub(crate) fn series(&self, id: &str) -> Vec<(i32, &Observation)> {
        self.period_series(id)
            .into_iter()
            .filter_map(|(period, obs)| match period {
                Period::Year(year) => Some((year, obs)),
                _ => None,
            })
            .collect()
    }

    /// The observation of a KPI for one period of any kind.
    pub(crate) fn at(&self, id: &str, period: &Period) -> Option<&Observation> {
        self.observations.get(&(id.to_string(), *period))
    }

    /// Every observation of a KPI, of every kind of period, in the periods' order (years
    /// first, oldest first within a kind).
    pub(crate) fn period_series(&self, id: &str) -> Vec<(Period, &Observation)> {
        self.observations
            .range((id.to_string(), Period::Year(i32::MIN))..)
            .take_while(|((kpi, _), _)| kpi == id)
            .map(|((_, period), obs)| (*period, obs))
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> KpiData {
        let mut data = KpiData::default();
        std::sync::Arc::make_mut(&mut data.definitions).insert("sykefravaer".into(), sick_leave());
        for (year, value) in [(2017, 7.5), (2018, 7.3)] {
            data.observations.insert(
                ("sykefravaer".into(), Period::Year(year)),
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
    fn every_missing_reason_and_unit_word_is_in_both_languages() {
        use crate::locale::Locale;
        let nb = Locale::built_in("nb");
        let nn = Locale::built_in("nn");
        // The bokmål words are the ones documents printed before the locale had them.
        let before = [
            "kan ikke forekomme",
            "tall mangler",
            "tall foreligger ikke ennå",
            "konfidensielt",
            "skjermet",
        ];
        for (reason, word) in Missing::ALL.into_iter().zip(before) {
            assert_eq!(nb.text("missing", reason.key()), word);
            assert_ne!(nn.text("missing", reason.key()), reason.key());
        }
        assert_eq!(
            nn.text("missing", Missing::NotAvailable.key()),
            "tal manglar"
        );
        let count = Unit::Count.key().unwrap();
        assert_eq!(nb.text("units", count), Unit::Count.label());
        assert_eq!(nn.text("units", count), "tal");
        assert_eq!(nb.text("units", "percentage_points"), "prosentpoeng");
        assert_eq!(nn.text("units", "percentage_points"), "prosentpoeng");
    }

    #[test]
    fn lower_is_better_status_and_trend() {
        let data = data();
        let f = data.figures("sykefravaer", 2018).unwrap();
        assert_eq!(f.status(), TargetStatus::NotReached);
        assert_eq!(f.trend(), Trend::Better);
        assert_eq!(f.definition.format_value(f.value().unwrap()), "7,3\u{a0}%");
        assert_eq!(
            f.definition
                .format_change_in(f.change().unwrap(), "prosentpoeng"),
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
        std::sync::Arc::make_mut(&mut data.definitions)
            .get_mut("sykefravaer")
            .unwrap()
            .target = Some(7.3);
        assert_eq!(
            data.figures("sykefravaer", 2018).unwrap().status(),
            TargetStatus::Reached
        );
        std::sync::Arc::make_mut(&mut data.definitions)
            .get_mut("sykefravaer")
            .unwrap()
            .direction = Direction::HigherIsBetter;
        std::sync::Arc::make_mut(&mut data.definitions)
            .get_mut("sykefravaer")
            .unwrap()
            .target = Some(8.0);
        let f = data.figures("sykefravaer", 2018).unwrap();
        assert_eq!(f.status(), TargetStatus::NotReached);
        assert_eq!(f.trend(), Trend::Worse);
    }

    /// 7,04 prints as "7,0": against a target of 7,0 it is reached, and after 6,96 (also
    /// "7,0") it is unchanged, with a change of 0,0, whatever the digits past the printed ones.
    #[test]
    fn status_change_and_trend_follow_the_printed_figures() {
        let mut data = data();
        let definition = std::sync::Arc::make_mut(&mut data.definitions)
            .get_mut("sykefravaer")
            .unwrap();
        definition.target = Some(7.0);
        for (year, value) in [(2017, 6.96), (2018, 7.04)] {
            data.observations
                .get_mut(&("sykefravaer".to_string(), Period::Year(year)))
                .unwrap()
                .value = Value::Number(value);
        }
        let f = data.figures("sykefravaer", 2018).unwrap();
        assert_eq!(f.definition.format_value(f.value().unwrap()), "7,0\u{a0}%");
        assert_eq!(f.status(), TargetStatus::Reached);
        assert_eq!(f.change(), Some(0.0));
        assert_eq!(f.trend(), Trend::Unchanged);
        // 7,06 prints "7,1": not reached, and 0,1 worse than "7,0".
        data.observations
            .get_mut(&("sykefravaer".to_string(), Period::Year(2018)))
            .unwrap()
            .value = Value::Number(7.06);
        let f = data.figures("sykefravaer", 2018).unwrap();
        assert_eq!(f.status(), TargetStatus::NotReached);
        assert_eq!(f.change(), Some(0.1));
        assert_eq!(f.trend(), Trend::Worse);
    }
}
