//! Norwegian formatting of numbers, units and dates (Språkrådet, SSB): the ground floor that
//! model messages and the view share, so a figure is written the same way everywhere.
//!
//! `1 893`, `7,3 %`, `558 mill. kr`, `−41`, `26. april 2019`, `01.04.2018`. Group and unit
//! spaces are no-break spaces (U+00A0) so a figure never breaks across lines.

use chrono::{Datelike, NaiveDate};

pub mod exact;

/// The no-break space between digit groups and before a unit.
pub(crate) const NBSP: char = '\u{a0}';
/// The real minus sign.
pub(crate) const MINUS: char = '\u{2212}';

/// The months in Norwegian (the same in bokmål and nynorsk).
pub(crate) const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

/// `1893.0, 0` → `1 893`; `-3.14, 1` → `−3,1`; never `−0`. Rounded half away from zero on
/// the decimal the value stands for (`1.15, 1` → `1,2`), as [`exact::round`] does for
/// statuses and sums, so what prints and what is compared agree.
pub(crate) fn number(value: f64, decimals: u8) -> String {
    match exact::Exact::from_f64(value) {
        Some(exact) => exact_number(exact, decimals),
        None => value.to_string(),
    }
}

/// An exact value as [`number`] prints it: sums print from their exact digits.
pub(crate) fn exact_number(exact: exact::Exact, decimals: u8) -> String {
    let rounded = exact.rounded(decimals);
    let (integer, fraction) = rounded.digits(decimals);
    let mut out = String::new();
    if rounded.is_negative() && !rounded.is_zero() {
        out.push(MINUS);
    }
    let digits: Vec<char> = integer.chars().collect();
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(NBSP);
        }
        out.push(*digit);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(&fraction);
    }
    out
}

/// Like [`number`] but always signed: `+98`, `−41`, `0`.
pub(crate) fn signed_number(value: f64, decimals: u8) -> String {
    let text = number(value, decimals);
    if text.starts_with(MINUS) || text.chars().all(|c| c == '0' || c == ',') {
        text
    } else {
        format!("+{text}")
    }
}

/// A value followed by its unit: `7,3 %`, `558 mill. kr`, or the bare number for counts.
pub(crate) fn with_unit(number_text: String, unit_suffix: &str) -> String {
    if unit_suffix.is_empty() {
        number_text
    } else {
        format!("{number_text}{NBSP}{unit_suffix}")
    }
}

/// `26. april 2019`.
pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{}. {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// `9. november 2018` with the month names of a locale.
pub(crate) fn long_date_in(date: NaiveDate, months: &[String]) -> String {
    let month = months
        .get(date.month0() as usize)
        .map_or("", String::as_str);
    format!("{}. {month} {}", date.day(), date.year())
}

/// `01.04.2018`.
pub(crate) fn short_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// 1-based month number of a Norwegian month name (`Februar` → 2).
pub(crate) fn month_number(name: &str) -> Option<u32> {
    let wanted = name.trim().to_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == wanted)
        .map(|i| i as u32 + 1)
}

/// A stable, readable file name for a unit: lowercase ASCII, `æ`→`ae`, `ø`→`o`, `å`→`aa`,
/// other runs of non-alphanumerics → `-`. "Økonomi og styring" → `okonomi-og-styring`.
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
    fn numbers_use_nbsp_groups_comma_and_real_minus() {
        assert_eq!(number(1893.0, 0), "1\u{a0}893");
        assert_eq!(number(2433.0, 0), "2\u{a0}433");
        assert_eq!(number(7.3, 1), "7,3");
        assert_eq!(number(-41.0, 0), "\u{2212}41");
        assert_eq!(number(-3.1, 1), "\u{2212}3,1");
        assert_eq!(number(1_362_250.0, 0), "1\u{a0}362\u{a0}250");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-0.04, 1), "0,0");
        assert_eq!(number(0.05, 1), "0,1");
    }

    #[test]
    fn signed_numbers_show_plus() {
        assert_eq!(signed_number(98.0, 0), "+98");
        assert_eq!(signed_number(-114.0, 0), "\u{2212}114");
        assert_eq!(signed_number(0.0, 1), "0,0");
    }

    #[test]
    fn units_are_joined_by_nbsp() {
        assert_eq!(with_unit(number(7.3, 1), "%"), "7,3\u{a0}%");
        assert_eq!(with_unit(number(558.0, 0), "mill. kr"), "558\u{a0}mill. kr");
        assert_eq!(with_unit(number(67.0, 0), ""), "67");
    }

    #[test]
    fn dates_in_norwegian() {
        let d = NaiveDate::from_ymd_opt(2019, 4, 26).unwrap();
        assert_eq!(long_date(d), "26. april 2019");
        assert_eq!(
            short_date(NaiveDate::from_ymd_opt(2018, 4, 1).unwrap()),
            "01.04.2018"
        );
    }
}
