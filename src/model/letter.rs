//! Assignment letters: the year's assignments (oppdrag) per department, their climate measures,
//! cross-cutting partners and the reporting calendar that follows from them.

use chrono::{Datelike, NaiveDate};

use crate::diag::Origin;

/// One row of the assignments table.
#[derive(Debug, Clone)]
pub(crate) struct Assignment {
    pub(crate) id: String,
    pub(crate) department: String,
    pub(crate) title: String,
    pub(crate) description: String,
    /// Where the assignment comes from: budget decision, verbal proposal, climate budget …
    pub(crate) source: String,
    pub(crate) deadline: NaiveDate,
    pub(crate) owner: String,
    pub(crate) climate_measure: bool,
    /// Estimated reduction in tonnes CO₂-equivalents, where known.
    pub(crate) co2e_tonnes: Option<f64>,
    /// Departments that take part in a cross-cutting assignment.
    pub(crate) partners: Vec<String>,
    pub(crate) origin: Origin,
}

use crate::norsk::MONTHS;

/// 1-based month number of a Norwegian month name.
pub(crate) fn month_number(name: &str) -> Option<u32> {
    let wanted = name.trim().to_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == wanted)
        .map(|i| i as u32 + 1)
}

/// A stable, readable file name for a department: lowercase ASCII, `æ`→`ae`, `ø`→`o`,
/// `å`→`aa`, other runs of non-alphanumerics → `-`. "Økonomi og styring" → `okonomi-og-styring`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let mapped: &str = match c {
            'æ' => "ae",
            'ø' => "o",
            'å' => "aa",
            'é' | 'è' | 'ê' => "e",
            'ü' => "u",
            'ö' => "o",
            'ä' => "a",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if mapped == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(mapped);
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// What happens in one month of the letter's year, for one department.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CalendarMonth {
    pub(crate) month: u32,
    pub(crate) reporting: bool,
    /// Deadlines falling in the month: (date, what).
    pub(crate) deadlines: Vec<(NaiveDate, String)>,
}

/// The reporting calendar: every month with a report or a deadline, in order.
pub(crate) fn calendar(
    year: i32,
    reporting_months: &[u32],
    deadlines: impl IntoIterator<Item = (NaiveDate, String)>,
) -> Vec<CalendarMonth> {
    let mut months: Vec<CalendarMonth> = (1..=12)
        .map(|month| CalendarMonth {
            month,
            reporting: reporting_months.contains(&month),
            deadlines: Vec::new(),
        })
        .collect();
    for (date, what) in deadlines {
        if date.year() == year {
            months[date.month0() as usize].deadlines.push((date, what));
        }
    }
    for month in &mut months {
        month.deadlines.sort();
    }
    months
        .into_iter()
        .filter(|m| m.reporting || !m.deadlines.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_ascii() {
        assert_eq!(slug("Økonomi og styring"), "okonomi-og-styring");
        assert_eq!(
            slug("Kultur, idrett og frivillighet"),
            "kultur-idrett-og-frivillighet"
        );
        assert_eq!(slug("Bærum – Ås/Årdal"), "baerum-aas-aardal");
        assert_eq!(slug("  Skole "), "skole");
    }

    #[test]
    fn months_by_name() {
        assert_eq!(month_number("Februar"), Some(2));
        assert_eq!(month_number("desember"), Some(12));
        assert_eq!(month_number("feb"), None);
    }

    #[test]
    fn calendar_merges_reporting_and_deadlines() {
        let d = |m, day| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        let cal = calendar(
            2022,
            &[2, 4],
            [
                (d(2, 15), "Virksomhetsplan".to_string()),
                (d(3, 1), "Oppdrag A".to_string()),
                (
                    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
                    "neste år".to_string(),
                ),
            ],
        );
        let months: Vec<u32> = cal.iter().map(|m| m.month).collect();
        assert_eq!(months, vec![2, 3, 4]);
        assert!(cal[0].reporting && cal[0].deadlines.len() == 1);
        assert!(!cal[1].reporting);
    }
}
