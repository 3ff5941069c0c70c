//! Prose against data: where the narrative types a figure next to a KPI's name, it must agree
//! with the data for that period. Figures should be printed with `{{ kpi("id") }}`; this
//! catches the ones typed by hand that went stale.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ingest::number::{Parsed, WrittenUnit, parse_number};
use crate::model::document::DocumentModel;
use crate::model::kpi::{KpiData, KpiDefinition, Unit, Value};
use crate::model::period::Period;

/// How many words after a KPI's name a typed figure may stand and still belong to it.
const WINDOW: usize = 8;

/// Warnings for every typed figure that differs from the data: the common text against the
/// first unit's figures (every unit's, for the unit's own text).
pub(crate) fn lint(doc: &DocumentModel) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let year = doc.content.info.year;
    let mut texts: Vec<(&crate::model::content::Text, &KpiData)> = doc
        .content
        .prose()
        .into_iter()
        .map(|t| (t, doc.kpis()))
        .collect();
    for unit in &doc.units {
        if let Some(own) = &unit.own {
            texts.extend(own.prose().into_iter().map(|t| (t, &unit.kpis)));
        }
    }
    // The names each KPI goes by, worked out once per set of figures, not once per text.
    let mut named: Vec<(&KpiData, Vec<Named>)> = Vec::new();
    for (text, kpis) in texts {
        if !named.iter().any(|(k, _)| std::ptr::eq(*k, kpis)) {
            named.push((kpis, named_kpis(kpis)));
        }
        let Some((_, names)) = named.iter().find(|(k, _)| std::ptr::eq(*k, kpis)) else {
            continue;
        };
        // References print figures from the data already: they stand in as " … ".
        let plain = text.prose.plain_text(" … ");
        for finding in figures_named(&plain, names, year) {
            let Some(obs) = kpis.at(&finding.kpi.id, &Period::Year(finding.year)) else {
                continue;
            };
            let Value::Number(actual) = obs.value else {
                continue;
            };
            let same = |a: f64| same_as_printed(a, finding.value, finding.decimals);
            // A sentence may name the target ("målet om 7,0 prosent") as well as the result.
            if same(actual) || finding.kpi.target.is_some_and(same) {
                continue;
            }
            // Messages use plain spaces; the document's no-break spaces mean nothing in a terminal.
            let typed = finding
                .kpi
                .format_value(finding.value)
                .replace('\u{a0}', " ");
            let data = finding.kpi.format_value(actual).replace('\u{a0}', " ");
            problems.push(
                Diagnostic::warning(
                    text.origin.clone(),
                    format!(
                        "the text says {typed} for {} {}; the data says {data} ({})",
                        finding.kpi.name, finding.year, obs.origin
                    ),
                )
                .with_hint(format!(
                    "print the figure from the data instead: {{{{ kpi(\"{}\"{}) }}}}",
                    finding.kpi.id,
                    if finding.year == year {
                        String::new()
                    } else {
                        format!(", {}", finding.year)
                    }
                )),
            );
        }
    }
    problems
}

struct Finding<'a> {
    kpi: &'a KpiDefinition,
    value: f64,
    decimals: u8,
    year: i32,
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| "()«»\"'*:;!?".contains(c))
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The names a KPI goes by in prose: its name's leading words, lowercased.
fn names(kpi: &KpiDefinition) -> Vec<Vec<String>> {
    let mut all = vec![kpi.name.clone()];
    all.extend(kpi.aliases.iter().cloned());
    all.iter()
        .map(|n| {
            // "Sykefravær" also matches "sykefraværet"; a long name matches on its first words.
            words(&n.to_lowercase())
                .into_iter()
                .take(3)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_year(word: &str) -> Option<i32> {
    let trimmed = word.trim_end_matches(['.', ',']);
    (trimmed.len() == 4)
        .then(|| trimmed.parse::<i32>().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// A KPI and the names it goes by in prose.
type Named<'a> = (&'a KpiDefinition, Vec<Vec<String>>);

fn named_kpis(kpis: &KpiData) -> Vec<Named<'_>> {
    kpis.definitions.values().map(|k| (k, names(k))).collect()
}

#[cfg(test)]
fn typed_figures<'a>(text: &str, kpis: &'a KpiData, report_year: i32) -> Vec<Finding<'a>> {
    figures_named(text, &named_kpis(kpis), report_year)
}

fn figures_named<'a>(text: &str, named: &[Named<'a>], report_year: i32) -> Vec<Finding<'a>> {
    let words = words(text);
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut findings = Vec::new();
    for (kpi, names) in named {
        let kpi = *kpi;
        for name in names {
            for start in 0..lower.len() {
                let matches = name.iter().enumerate().all(|(i, part)| {
                    lower.get(start + i).is_some_and(|w| {
                        // The last word may be inflected: "sykefravær" → "sykefraværet".
                        if i + 1 == name.len() {
                            w.starts_with(part.as_str())
                        } else {
                            w == part
                        }
                    })
                });
                if !matches {
                    continue;
                }
                let after = start + name.len();
                if let Some(finding) = figure_after(kpi, &words, &lower, after, report_year) {
                    findings.push(finding);
                }
            }
        }
    }
    findings
}

/// The first figure with the KPI's unit within [`WINDOW`] words after `from`, in one sentence.
fn figure_after<'a>(
    kpi: &'a KpiDefinition,
    words: &[String],
    lower: &[String],
    from: usize,
    report_year: i32,
) -> Option<Finding<'a>> {
    let end = (from + WINDOW).min(words.len());
    for i in from..end {
        let word = &words[i];
        if is_year(word).is_some() {
            continue;
        }
        let token = word.trim_end_matches(['.', ',']);
        let Ok(Parsed::Value { value, unit }) = parse_number(token) else {
            if word.ends_with('.') && !word.ends_with("mill.") && !word.ends_with("mrd.") {
                return None; // sentence ended
            }
            continue;
        };
        let percent = unit == Some(WrittenUnit::Percent);
        let next = lower.get(i + 1).map(String::as_str).unwrap_or("");
        let unit_fits = match kpi.unit {
            Unit::Percent => percent || next.starts_with('%') || next.starts_with("prosent"),
            Unit::MillionKroner => next.starts_with("mill") || next.starts_with("mrd"),
            Unit::PercentagePoints => next.starts_with("prosentpoeng"),
            Unit::Count
            | Unit::Other(_)
            | Unit::Kroner
            | Unit::ThousandKroner
            | Unit::BillionKroner => {
                !percent && !next.starts_with('%') && !next.starts_with("prosent")
            }
        };
        if !unit_fits {
            return None;
        }
        let value = if next.starts_with("mrd") {
            value * 1000.0
        } else {
            value
        };
        let decimals = token
            .rsplit_once([',', '.'])
            .map_or(0, |(_, d)| d.len().min(6) as u8);
        // "… 7,3 % i 2018": a year right after the figure says which period it is.
        let year = lower[i + 1..(i + 5).min(lower.len())]
            .iter()
            .find_map(|w| is_year(w))
            .unwrap_or(report_year);
        return Some(Finding {
            kpi,
            value,
            decimals,
            year,
        });
    }
    None
}

/// Whether two figures print alike at `decimals`: rounded half away from zero on the decimal
/// they stand for, as the document prints them (0,145 is "0,15", not the double's 0,14).
fn same_as_printed(a: f64, b: f64, decimals: u8) -> bool {
    crate::norsk::exact::round(a, decimals) == crate::norsk::exact::round(b, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;
    use crate::model::kpi::Observation;
    use crate::norsk as format;

    fn data() -> KpiData {
        let mut kpis = KpiData::default();
        std::sync::Arc::make_mut(&mut kpis.definitions)
            .insert("sykefravaer".into(), crate::model::kpi::sick_leave());
        kpis.observations.insert(
            ("sykefravaer".into(), Period::Year(2018)),
            Observation {
                value: Value::Number(7.4),
                origin: Origin::text("k.csv", 3, 18),
                note: String::new(),
            },
        );
        kpis
    }

    #[test]
    fn finds_a_typed_percentage_after_an_inflected_name() {
        let kpis = data();
        let found = typed_figures(
            "Sykefraværet var 7,3 % i 2018, ned fra året før.",
            &kpis,
            2018,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].value, found[0].decimals, found[0].year),
            (7.3, 1, 2018)
        );
    }

    #[test]
    fn ignores_figures_of_another_unit_or_sentence() {
        let kpis = data();
        assert!(
            typed_figures(
                "Sykefraværet gikk ned. Det var 7,3 % færre søknader.",
                &kpis,
                2018
            )
            .is_empty()
        );
        assert!(typed_figures("Sykefravær i 7 enheter.", &kpis, 2018).is_empty());
        assert!(
            typed_figures(
                &crate::model::prose::Prose::parse("Sykefravær: {{ kpi(\"sykefravaer\") }}")
                    .unwrap()
                    .plain_text(" … "),
                &kpis,
                2018
            )
            .is_empty()
        );
    }

    #[test]
    fn a_typed_figure_agrees_with_the_data_as_it_prints() {
        // 0.145 × 100 is 14.499… in binary: the typed "0,15" is what the data prints.
        assert_eq!(format::number(0.145, 2), "0,15");
        assert!(same_as_printed(0.145, 0.15, 2));
        assert!(same_as_printed(-2.675, -2.68, 2));
        assert!(!same_as_printed(0.144, 0.15, 2));
    }

    #[test]
    fn the_year_after_a_figure_picks_the_period() {
        let kpis = data();
        let found = typed_figures("sykefravær på 7,5 prosent i 2017", &kpis, 2018);
        assert_eq!(found[0].year, 2017);
        assert_eq!(format::number(found[0].value, 1), "7,5");
    }
}
