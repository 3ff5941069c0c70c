//! Periods a figure belongs to: a year, or a part of one (tertial, quarter, month) or a school
//! year, parsed from the many ways exports write them and printed the bokmål way. Every word
//! the periods print is in `label_nb` here (month names: `norsk::MONTHS`).

use serde::Serialize;

use crate::norsk::MONTHS;

/// The period of one figure. The derived order is chronological within a kind (year first,
/// then the part); kinds sort in the order listed, so a KPI's years form one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Ord, PartialOrd, Serialize)]
pub enum Period {
    Year(i32),
    /// The municipal reporting rhythm: T1 (January–April), T2, T3.
    Tertial {
        year: i32,
        n: u8,
    },
    Quarter {
        year: i32,
        n: u8,
    },
    Month {
        year: i32,
        n: u8,
    },
    /// The school year that starts in the autumn of `start`: `2020-21`.
    SchoolYear {
        start: i32,
    },
}

/// The years a figure may plausibly belong to; a number outside is not read as a year.
pub(crate) fn plausible_year(year: i64) -> Option<i32> {
    (1900..=2200).contains(&year).then_some(year as i32)
}

impl Period {
    /// Reads a period as exports write it: `2018`, `2018K4`, `K4 2018`, `2018Q4`, `2018M12`,
    /// `2018M01`, `desember 2018`, `T2 2018`, `2018T2`, `2. tertial 2018`, `2020-21`,
    /// `2020/2021`, `2020-2021`. Anything else, or a part out of range (`2018K5`, `2020-22`),
    /// is `None`: never a guess.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words[..] {
            [one] => Self::parse_word(one),
            // `K4 2018`, `T2 2018`, `desember 2018`
            [part, year] => {
                let year = year_word(year)?;
                Self::with_part(part, year)
            }
            // `2. tertial 2018`, `4. kvartal 2018`
            [n, kind, year] => {
                let n: u8 = n.strip_suffix('.')?.parse().ok()?;
                let year = year_word(year)?;
                match kind {
                    "tertial" => Self::checked(Period::Tertial { year, n }),
                    "kvartal" => Self::checked(Period::Quarter { year, n }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn parse_word(word: &str) -> Option<Period> {
        if let Some(year) = year_word(word) {
            return Some(Period::Year(year));
        }
        // `2020-21`, `2020/2021`, `2020-2021`: a school year (two consecutive years).
        if let Some((first, second)) = word.split_once(['-', '/', '–']) {
            let start = year_word(first)?;
            let end: i32 = match second.len() {
                2 if second.chars().all(|c| c.is_ascii_digit()) => {
                    let short: i32 = second.parse().ok()?;
                    (start / 100) * 100 + short + if short < start % 100 { 100 } else { 0 }
                }
                4 => year_word(second)?,
                _ => return None,
            };
            return (end == start + 1).then_some(Period::SchoolYear { start });
        }
        // `2018K4`, `2018M12`, `2018T2`
        let year = year_word(word.get(..4)?)?;
        Self::with_part(word.get(4..)?, year)
    }

    /// A part of `year` written as `K4`, `Q4`, `M12`, `T2` or a month's name.
    fn with_part(part: &str, year: i32) -> Option<Period> {
        if let Some(n) = month_of(part) {
            return Some(Period::Month { year, n });
        }
        let (kind, number) = part.split_at(part.char_indices().nth(1)?.0);
        let n: u8 = number.parse().ok()?;
        Self::checked(match kind {
            "k" | "q" => Period::Quarter { year, n },
            "m" => Period::Month { year, n },
            "t" => Period::Tertial { year, n },
            _ => return None,
        })
    }

    /// The period if its part exists (`K1`–`K4`, `T1`–`T3`, `M1`–`M12`).
    fn checked(period: Period) -> Option<Period> {
        let fits = match period {
            Period::Tertial { n, .. } => (1..=3).contains(&n),
            Period::Quarter { n, .. } => (1..=4).contains(&n),
            Period::Month { n, .. } => (1..=12).contains(&n),
            _ => true,
        };
        fits.then_some(period)
    }

    /// The calendar year the period belongs to. A school year counts in the year it starts
    /// (`2020-21` → 2020), as KOSTRA does: its school figures are counted on 1 October.
    pub fn year(&self) -> i32 {
        match *self {
            Period::Year(year)
            | Period::Tertial { year, .. }
            | Period::Quarter { year, .. }
            | Period::Month { year, .. } => year,
            Period::SchoolYear { start } => start,
        }
    }

    pub fn is_year(&self) -> bool {
        matches!(self, Period::Year(_))
    }

    /// The period in bokmål: `2018`, `T2 2018`, `K4 2018`, `desember 2018`, `2020–21`.
    pub fn label_nb(&self) -> String {
        match *self {
            Period::Year(year) => year.to_string(),
            Period::Tertial { year, n } => format!("T{n} {year}"),
            Period::Quarter { year, n } => format!("K{n} {year}"),
            Period::Month { year, n } => {
                format!("{} {year}", MONTHS[usize::from(n.clamp(1, 12)) - 1])
            }
            Period::SchoolYear { start } => {
                format!("{start}\u{2013}{:02}", (start + 1).rem_euclid(100))
            }
        }
    }
}

/// A four-digit plausible year, alone.
fn year_word(word: &str) -> Option<i32> {
    (word.len() == 4 && word.chars().all(|c| c.is_ascii_digit()))
        .then(|| word.parse().ok().and_then(plausible_year))
        .flatten()
}

/// The month a name or common abbreviation (`januar`, `jan`, `jan.`) stands for, 1–12.
pub(crate) fn month_of(word: &str) -> Option<u8> {
    let word = word.trim().trim_end_matches('.').to_lowercase();
    if word.chars().count() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == word || (word.chars().count() == 3 && m.starts_with(&word)))
        .map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_parses() {
        let cases = [
            ("2018", Period::Year(2018)),
            ("2018K4", Period::Quarter { year: 2018, n: 4 }),
            ("K4 2018", Period::Quarter { year: 2018, n: 4 }),
            ("2018Q1", Period::Quarter { year: 2018, n: 1 }),
            ("2018M12", Period::Month { year: 2018, n: 12 }),
            ("2018M01", Period::Month { year: 2018, n: 1 }),
            ("desember 2018", Period::Month { year: 2018, n: 12 }),
            ("Des. 2018", Period::Month { year: 2018, n: 12 }),
            ("T2 2018", Period::Tertial { year: 2018, n: 2 }),
            ("2018T2", Period::Tertial { year: 2018, n: 2 }),
            ("2. tertial 2018", Period::Tertial { year: 2018, n: 2 }),
            ("2020-21", Period::SchoolYear { start: 2020 }),
            ("2020/2021", Period::SchoolYear { start: 2020 }),
            ("2014-2015", Period::SchoolYear { start: 2014 }),
            ("1999-00", Period::SchoolYear { start: 1999 }),
        ];
        for (text, period) in cases {
            assert_eq!(Period::parse(text), Some(period), "{text}");
        }
    }

    #[test]
    fn nothing_else_is_a_period() {
        for text in [
            "2018K5",
            "2018M13",
            "T4 2018",
            "2020-22",
            "2018-12-31",
            "2O18",
            "18",
            "1-5 år",
            "(2015=100)",
            "",
            "K4",
            "mars",
        ] {
            assert_eq!(Period::parse(text), None, "{text}");
        }
    }

    #[test]
    fn labels_and_years() {
        assert_eq!(
            Period::Month { year: 2018, n: 12 }.label_nb(),
            "desember 2018"
        );
        assert_eq!(Period::Tertial { year: 2018, n: 2 }.label_nb(), "T2 2018");
        assert_eq!(Period::Quarter { year: 2018, n: 4 }.label_nb(), "K4 2018");
        assert_eq!(Period::SchoolYear { start: 2020 }.label_nb(), "2020–21");
        assert_eq!(Period::SchoolYear { start: 2020 }.year(), 2020);
        assert!(Period::Year(2018).is_year());
        assert!(Period::Quarter { year: 2018, n: 1 } < Period::Quarter { year: 2018, n: 2 });
        assert!(Period::Month { year: 2017, n: 12 } < Period::Month { year: 2018, n: 1 });
    }
}
