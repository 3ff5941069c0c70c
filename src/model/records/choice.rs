//! Choosing columns among look-alikes, by the mapping's `value:` and `exclude:` names. Real
//! exports head many columns with the same words: Udir's all-programmes column holds a subset
//! of the parts of each programme's column, and each year's `.Brudd` note column every part of
//! its figure column. A `value:` name equal to a header minus its period picks that column
//! over headers with more parts; `exclude:` drops look-alikes; a name that finds no header is
//! an error naming the closest ones, never ignored.

use super::header::{header_period, label_holds, without_period};
use crate::diag::{Diagnostic, Origin};
use crate::ingest::{CellValue, normalise_header};
use crate::model::period::Period;

/// A column the names may choose: its index, whole header and period (wide layout).
pub(super) struct Candidate<'a> {
    pub(super) index: usize,
    pub(super) label: &'a str,
    pub(super) period: Option<Period>,
}

/// A name split into the period it may carry (`2020-21.Antall elever`) and the rest, its
/// dots kept (each part between dots is looked for on its own).
fn split_name(name: &str, year: Option<i32>) -> (Option<Period>, String) {
    let period = header_period(&CellValue::Text(name.to_string()), year);
    let rest: Vec<String> = name
        .split('.')
        .map(|part| {
            part.split_whitespace()
                .filter(|word| Period::parse(word).is_none())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|part| !part.is_empty())
        .collect();
    (period, rest.join("."))
}

/// Whether a name finds a column: the header minus its period holds the name's parts (a name
/// with dots needs each part), and a name giving a period finds only that period's columns.
fn holds(candidate: &Candidate, name: &str, year: Option<i32>) -> bool {
    let (period, rest) = split_name(name, year);
    let period_fits = period.is_none() || period == candidate.period;
    let whole = normalise_header(candidate.label) == normalise_header(name);
    whole || (period_fits && !rest.is_empty() && label_holds(candidate.label, &rest, year))
}

/// Whether a name is the header minus its period, exactly: `Antall elever` is exactly
/// `2022-23.Antall elever` and only part of `2022-23.Yrkesfaglig.Antall elever`. Of a header
/// over several rows (`Netto driftsresultat / Landet`), the last row's name alone is exact too.
fn exactly(candidate: &Candidate, name: &str, year: Option<i32>) -> bool {
    let (period, rest) = split_name(name, year);
    let rest = without_period(&rest, year);
    let own = candidate.label.rsplit(" / ").next().unwrap_or_default();
    (period.is_none() || period == candidate.period)
        && !rest.is_empty()
        && (without_period(candidate.label, year) == rest || without_period(own, year) == rest)
}

/// The columns the value names choose: those each name finds exactly where any, else those
/// that hold it. `None` when no name finds a column.
pub(super) fn chosen(
    candidates: &[Candidate],
    names: &[String],
    year: Option<i32>,
) -> Option<Vec<usize>> {
    let mut picked = Vec::new();
    for name in names {
        let exact: Vec<usize> = candidates
            .iter()
            .filter(|c| exactly(c, name, year))
            .map(|c| c.index)
            .collect();
        if exact.is_empty() {
            picked.extend(
                candidates
                    .iter()
                    .filter(|c| holds(c, name, year))
                    .map(|c| c.index),
            );
        } else {
            picked.extend(exact);
        }
    }
    picked.sort_unstable();
    picked.dedup();
    (!picked.is_empty()).then_some(picked)
}

/// Whether an `exclude:` name drops a column: a part of its header, or its whole header.
pub(super) fn excluded(label: &str, names: &[String], year: Option<i32>) -> bool {
    let candidate = Candidate {
        index: 0,
        label,
        period: header_period(&CellValue::Text(label.to_string()), year),
    };
    names.iter().any(|n| holds(&candidate, n, year))
}

/// The error for `value:` names that find no header: which headers come closest.
pub(super) fn value_finds_nothing(
    at: Origin,
    names: &[String],
    labels: &[&str],
    year: Option<i32>,
) -> Diagnostic {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let near = closest_headers(names, labels, year);
    let example = match near.first() {
        Some(label) => format!(
            "e.g. value: [\"{}\"] for \"{label}\"",
            split_name(label, year).1
        ),
        None => "e.g. value: [Antall elever]".to_string(),
    };
    Diagnostic::error(
        at,
        format!(
            "columns: value: {} finds no column (closest headers: {})",
            quoted.join(", "),
            quoted_list(&near)
        ),
    )
    .with_hint(format!(
        "write a header as it stands, or without its period ({example}); a name that is the \
         header minus its period wins over headers with more parts"
    ))
}

/// The error for an `exclude:` name that finds no header.
pub(super) fn exclude_finds_nothing(
    at: Origin,
    name: &str,
    labels: &[&str],
    year: Option<i32>,
) -> Diagnostic {
    let near = closest_headers(&[name.to_string()], labels, year);
    Diagnostic::error(
        at,
        format!(
            "columns: exclude: \"{name}\" finds no column (closest headers: {})",
            quoted_list(&near)
        ),
    )
    .with_hint(
        "name a part of the headers to leave out (exclude: [Brudd]) or a whole header, \
         or remove the name",
    )
}

/// Whether any header holds the exclude name.
pub(super) fn finds_any(name: &str, labels: &[&str], year: Option<i32>) -> bool {
    labels
        .iter()
        .any(|label| excluded(label, &[name.to_string()], year))
}

/// Headers quoted for a message, or `none`.
fn quoted_list(labels: &[&str]) -> String {
    if labels.is_empty() {
        return "none".into();
    }
    let quoted: Vec<String> = labels.iter().map(|l| format!("\"{}\"", l.trim())).collect();
    quoted.join(", ")
}

/// Up to three headers nearest the names: most words of a name (a typo allowed) first,
/// then by edit distance once periods are taken out.
fn closest_headers<'a>(names: &[String], labels: &[&'a str], year: Option<i32>) -> Vec<&'a str> {
    let words = |text: &str| -> Vec<String> {
        without_period(text, year)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let near = |a: &str, b: &str| strsim::levenshtein(a, b) <= (a.chars().count() / 4).max(1);
    let mut ranked: Vec<(usize, usize, &str)> = labels
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|label| {
            let rest = without_period(label, year);
            let label_words = words(label);
            let score = |name: &String| {
                let name = split_name(name, year).1;
                let shared = words(&name)
                    .iter()
                    .filter(|w| label_words.iter().any(|l| near(w, l)))
                    .count();
                let distance = strsim::levenshtein(&without_period(&name, year), &rest);
                (usize::MAX - shared, distance)
            };
            let (missing, distance) = names.iter().map(score).min().unwrap_or((usize::MAX, 0));
            (missing, distance, *label)
        })
        .collect();
    ranked.sort();
    let mut shown: Vec<&str> = Vec::new();
    for (_, _, label) in ranked {
        if !shown.iter().any(|s| s.trim() == label.trim()) {
            shown.push(label);
        }
        if shown.len() == 3 {
            break;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates<'a>(labels: &'a [&'a str]) -> Vec<Candidate<'a>> {
        labels
            .iter()
            .enumerate()
            .map(|(index, label)| Candidate {
                index,
                label,
                period: header_period(&CellValue::Text(label.to_string()), None),
            })
            .collect()
    }

    #[test]
    fn the_header_minus_its_period_wins_over_headers_with_more_parts() {
        let labels = [
            "2020-21.Alle programområder.Mobbing",
            "2020-21.Studieforberedende.Alle programområder.Mobbing",
            "2020-21.Yrkesfaglig.Alle programområder.Mobbing",
            "2020-21.Alle programområder.Mobbing.Brudd",
        ];
        let c = candidates(&labels);
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            chosen(&c, &names(&["Alle programområder.Mobbing"]), None),
            Some(vec![0])
        );
        // With its period the name still finds the column.
        assert_eq!(
            chosen(&c, &names(&["2020-21.Alle programområder.Mobbing"]), None),
            Some(vec![0])
        );
        assert_eq!(chosen(&c, &names(&["Yrkesfaglig"]), None), Some(vec![2]));
        assert_eq!(chosen(&c, &names(&["Mobbning"]), None), None);
        assert!(excluded(labels[3], &names(&["Brudd"]), None));
        assert!(!excluded(labels[0], &names(&["Brudd"]), None));
    }

    #[test]
    fn a_name_that_finds_nothing_names_the_closest_headers() {
        let labels = ["2020 Lørenskog", "2020 Landet", "2020 Oslo"];
        let d = value_finds_nothing(
            Origin::file(std::path::Path::new("t.csv")),
            &["Lørenskg".to_string()],
            &labels,
            None,
        );
        assert!(
            d.message.starts_with(
                "columns: value: \"Lørenskg\" finds no column (closest headers: \"2020 Lørenskog\""
            ),
            "{}",
            d.message
        );
    }
}
