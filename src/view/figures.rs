//! KPI figures as a document prints them: each observation formatted once, and noted in the
//! ledger for the provenance appendix the moment a table, chart or sentence prints it.

use std::collections::BTreeMap;

use crate::locale::Locale;
use crate::model::kpi::{KpiData, KpiDefinition, Value as KpiValue};
use crate::model::narrative::Text;
use crate::model::period::Period;
use crate::model::prose::{RefFunction, Reference};
use crate::norsk as format;

use super::Ledger;
use super::prose::{Plain, ProseView, Resolve, prose_view};

/// Prints the value of a KPI, or a dash when there is none.
pub(crate) const NO_VALUE: &str = "–";

/// One observation as the document prints it, formatted once.
pub(crate) struct Printed {
    pub(crate) value: Option<f64>,
    /// `7,3` (tables, whose header gives the unit), or `– (reason)` for SSB's "no value".
    pub(crate) number: String,
    /// `7,3 %` (prose, charts, the appendix), or `– (reason)`.
    pub(crate) with_unit: String,
}

/// Prints one unit's figures and remembers each one printed, with its origin, for the
/// "Datagrunnlag" appendix: the appendix lists exactly what the document shows.
pub(crate) struct Figures<'a> {
    pub(crate) kpis: &'a KpiData,
    /// The report year: what `{{ kpi("id") }}` prints.
    pub(crate) year: i32,
    /// Every observation, formatted once: (KPI id, period) → text.
    printed: BTreeMap<(String, Period), Printed>,
    ledger: &'a Ledger,
    /// The unit whose figures these are, in a volume of several (named in the appendix).
    unit: Option<&'a str>,
    pub(crate) locale: &'a Locale,
    footnotes: Vec<&'a BTreeMap<String, Text>>,
}

impl<'a> Figures<'a> {
    pub(crate) fn new(
        kpis: &'a KpiData,
        year: i32,
        ledger: &'a Ledger,
        unit: Option<&'a str>,
        locale: &'a Locale,
        footnotes: Vec<&'a BTreeMap<String, Text>>,
    ) -> Figures<'a> {
        let printed = kpis
            .observations
            .iter()
            .filter_map(|((id, period), obs)| {
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
                Some(((id.clone(), *period), printed))
            })
            .collect();
        Figures {
            kpis,
            year,
            printed,
            ledger,
            unit,
            locale,
            footnotes,
        }
    }

    fn note(
        &self,
        definition: &KpiDefinition,
        period: String,
        value: String,
        origin: &crate::diag::Origin,
    ) {
        match self.unit {
            Some(unit) => self.ledger.note(
                &format!("{} ({unit})", definition.name),
                &format!("{unit}/{}", definition.id),
                period,
                value,
                origin,
            ),
            None => self
                .ledger
                .note(&definition.name, &definition.id, period, value, origin),
        }
    }

    /// The observation of `definition` for `year`, noted in the appendix as printed.
    pub(crate) fn observation(&self, definition: &KpiDefinition, year: i32) -> Option<&Printed> {
        self.observation_at(definition, &Period::Year(year))
    }

    /// The observation of `definition` for `period`, noted in the appendix as printed.
    pub(crate) fn observation_at(
        &self,
        definition: &KpiDefinition,
        period: &Period,
    ) -> Option<&Printed> {
        let printed = self.printed.get(&(definition.id.clone(), *period))?;
        if let Some(obs) = self.kpis.at(&definition.id, period) {
            self.note(
                definition,
                period.label_nb(),
                printed.with_unit.clone(),
                &obs.origin,
            );
        }
        Some(printed)
    }

    pub(crate) fn note_target(&self, definition: &KpiDefinition) {
        if let Some(target) = definition.target {
            let value = definition.format_value(target);
            let period = self.locale.text("chart", "target").to_lowercase();
            self.note(definition, period, value, &definition.origin);
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

    fn footnote(&self, label: &str) -> Option<ProseView> {
        let text = self.footnotes.iter().find_map(|notes| notes.get(label))?;
        Some(prose_view(text, &Plain))
    }
}
