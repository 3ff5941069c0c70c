//! KPI figures as a document prints them: each observation formatted once, with where it
//! came from, so the render stage can list in the appendix each one a template prints.

use std::collections::BTreeMap;

use crate::locale::Locale;
use crate::model::content::Text;
use crate::model::kpi::{KpiData, KpiDefinition, Value as KpiValue};
use crate::model::period::Period;
use crate::model::prose::{RefFunction, Reference};
use crate::norsk as format;

use super::printed::{FigureSource, PrintedFigure};
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
    /// The observation, as the appendix lists it.
    pub(crate) source: FigureSource,
}

impl Printed {
    /// The figure as a table cell prints it (`7,3`).
    pub(crate) fn number_value(&self) -> minijinja::Value {
        PrintedFigure::value(self.number.clone(), vec![self.source.clone()])
    }

    /// The figure with its unit (`7,3 %`), as charts and prose print it.
    pub(crate) fn with_unit_value(&self) -> minijinja::Value {
        PrintedFigure::value(self.with_unit.clone(), vec![self.source.clone()])
    }
}

/// An observation as documents print it: the number, the text without its unit (`7,3`, for
/// tables whose header gives the unit) and with it (`7,3 %`); a missing value as a dash with
/// the reason. `rapportverk data` lists figures by the same rule.
pub(crate) fn formatted(
    locale: &Locale,
    definition: &KpiDefinition,
    value: KpiValue,
) -> (Option<f64>, String, String) {
    match value {
        KpiValue::Number(v) => (
            Some(v),
            format::number(v, definition.decimals),
            definition.format_value(v),
        ),
        KpiValue::Missing(reason) => {
            let text = format!("{NO_VALUE} ({})", locale.text("missing", reason.key()));
            (None, text.clone(), text)
        }
    }
}

/// One unit's figures, each formatted once with its origin for the "Datagrunnlag" appendix.
pub(crate) struct Figures<'a> {
    pub(crate) kpis: &'a KpiData,
    /// The report year: what `{{ kpi("id") }}` prints.
    pub(crate) year: i32,
    /// Every observation, formatted once: (KPI id, period) → text.
    printed: BTreeMap<(String, Period), Printed>,
    /// The unit whose figures these are, in a volume of several (named in the appendix).
    unit: Option<&'a str>,
    pub(crate) locale: &'a Locale,
    footnotes: Vec<&'a BTreeMap<String, Text>>,
}

impl<'a> Figures<'a> {
    pub(crate) fn new(
        kpis: &'a KpiData,
        year: i32,
        unit: Option<&'a str>,
        locale: &'a Locale,
        footnotes: Vec<&'a BTreeMap<String, Text>>,
    ) -> Figures<'a> {
        let printed = kpis
            .observations
            .iter()
            .filter_map(|((id, period), obs)| {
                let definition = kpis.definitions.get(id)?;
                let (value, number, with_unit) = formatted(locale, definition, obs.value);
                let source = source(
                    definition,
                    unit,
                    period.label_nb(),
                    with_unit.clone(),
                    &obs.origin,
                );
                Some((
                    (id.clone(), *period),
                    Printed {
                        value,
                        number,
                        with_unit,
                        source,
                    },
                ))
            })
            .collect();
        Figures {
            kpis,
            year,
            printed,
            unit,
            locale,
            footnotes,
        }
    }

    /// The observation of `definition` for `year`.
    pub(crate) fn observation(&self, definition: &KpiDefinition, year: i32) -> Option<&Printed> {
        self.observation_at(definition, &Period::Year(year))
    }

    /// The observation of `definition` for `period`.
    pub(crate) fn observation_at(
        &self,
        definition: &KpiDefinition,
        period: &Period,
    ) -> Option<&Printed> {
        self.printed.get(&(definition.id.clone(), *period))
    }

    /// The target of `definition`, as the appendix lists it.
    pub(crate) fn target_source(&self, definition: &KpiDefinition) -> Option<FigureSource> {
        let target = definition.target?;
        Some(source(
            definition,
            self.unit,
            self.locale.text("chart", "target").to_lowercase(),
            definition.format_value(target),
            &definition.origin,
        ))
    }
}

/// A figure of `definition` as the appendix lists it; in a volume of several units, named
/// with its unit.
fn source(
    definition: &KpiDefinition,
    unit: Option<&str>,
    period: String,
    value: String,
    origin: &crate::diag::Origin,
) -> FigureSource {
    let (id, name) = match unit {
        Some(unit) => (
            format!("{unit}/{}", definition.id),
            format!("{} ({unit})", definition.name),
        ),
        None => (definition.id.clone(), definition.name.clone()),
    };
    FigureSource {
        id,
        name,
        period,
        value,
        origin: origin.clone(),
    }
}

impl Resolve for Figures<'_> {
    fn figure(&self, reference: &Reference) -> Option<PrintedFigure> {
        let wanted = reference.year.unwrap_or(self.year);
        let figures = self.kpis.figures(&reference.kpi, wanted)?;
        let definition = figures.definition;
        let current = self.observation(definition, wanted);
        let mut sources: Vec<FigureSource> = current.iter().map(|p| p.source.clone()).collect();
        let printed = match reference.function {
            RefFunction::Kpi => current.and_then(|p| p.value.map(|_| p.with_unit.clone())),
            RefFunction::Change => {
                let previous = self.observation(definition, wanted - 1);
                sources.extend(previous.map(|p| p.source.clone()));
                figures.change().map(|c| {
                    let points = self.locale.text("units", "percentage_points");
                    definition.format_change_in(c, &points)
                })
            }
        };
        Some(PrintedFigure {
            text: printed.unwrap_or_else(|| NO_VALUE.to_string()),
            sources,
        })
    }

    fn footnote(&self, label: &str) -> Option<ProseView> {
        let text = self.footnotes.iter().find_map(|notes| notes.get(label))?;
        Some(prose_view(text, &Plain))
    }
}
