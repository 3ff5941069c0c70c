//! Norwegian numbers as finance systems and SSB write them, parsed into values.
//!
//! Accepts decimal comma or point, group separators U+0020/U+00A0/U+202F, `−` or `-`, Excel's
//! padded accounting forms (` -1 362 250 `, ` -   ` for zero, `(1 362 250)`), a trailing
//! unit (`7,3 %`, `558 mill. kr`, `2,6 mrd.`), and SSB's "no value" symbols, which are never
//! zero. Codes (`00300`, `1.006.01`) are recognised so that they stay text.

use std::fmt;

/// Why a cell holds no value (SSB's symbol conventions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// `.`: the category cannot occur.
    CannotOccur,
    /// `..`: the figure is missing.
    NotAvailable,
    /// `...` or `…`: not yet available.
    NotYetAvailable,
    /// `:`: confidential.
    Confidential,
    /// `*` (NAV, Udir) or a mark the manifest lists (`suppressed:`): withheld, as a small count
    /// could identify a person.
    Suppressed,
}

impl Missing {
    /// Every reason, for checking that the locale words each.
    #[cfg(test)]
    pub(crate) const ALL: [Missing; 5] = [
        Missing::CannotOccur,
        Missing::NotAvailable,
        Missing::NotYetAvailable,
        Missing::Confidential,
        Missing::Suppressed,
    ];

    /// The locale key (group `missing`) of the reason's words, which the stage that prints
    /// chooses: ingest knows the symbol, not the language.
    pub fn key(self) -> &'static str {
        match self {
            Missing::CannotOccur => "cannot_occur",
            Missing::NotAvailable => "not_available",
            Missing::NotYetAvailable => "not_yet_available",
            Missing::Confidential => "confidential",
            Missing::Suppressed => "suppressed",
        }
    }
}

/// A unit written after a number in the cell itself: `7,3 %`, `558 mill. kr`, `2,6 mrd.`.
///
/// What a unit means for a figure depends on the KPI it belongs to (`2,6 mrd.` is 2 600 for a
/// KPI in "mill. kr"), so parsing only records it; validation converts or refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenUnit {
    Percent,
    /// `kr`, `kroner`, `NOK`.
    Kroner,
    /// `tusen`, `tusen kr`: thousands (of kroner, when `kroner` is set).
    Thousand {
        kroner: bool,
    },
    /// `mill.`, `mill. kr`, `millioner`: millions.
    Million {
        kroner: bool,
    },
    /// `mrd.`, `mrd. kr`, `milliarder`: thousands of millions.
    Billion {
        kroner: bool,
    },
}

impl WrittenUnit {
    /// The power of ten one of the written unit is of its base unit (kroner, or one):
    /// kr 0, tusen 3, mill. 6, mrd. 9; figures move between units by shifting the point.
    pub(crate) fn exponent(self) -> i32 {
        match self {
            WrittenUnit::Percent | WrittenUnit::Kroner => 0,
            WrittenUnit::Thousand { .. } => 3,
            WrittenUnit::Million { .. } => 6,
            WrittenUnit::Billion { .. } => 9,
        }
    }

    /// Whether the unit says kroner (rather than a bare magnitude).
    pub(crate) fn is_kroner(self) -> bool {
        match self {
            WrittenUnit::Kroner => true,
            WrittenUnit::Thousand { kroner }
            | WrittenUnit::Million { kroner }
            | WrittenUnit::Billion { kroner } => kroner,
            WrittenUnit::Percent => false,
        }
    }

    /// The unit the Norwegian way, for messages.
    pub(crate) fn text(self) -> &'static str {
        match self {
            WrittenUnit::Percent => "%",
            WrittenUnit::Kroner => "kr",
            WrittenUnit::Thousand { kroner: false } => "tusen",
            WrittenUnit::Thousand { kroner: true } => "tusen kr",
            WrittenUnit::Million { kroner: false } => "mill.",
            WrittenUnit::Million { kroner: true } => "mill. kr",
            WrittenUnit::Billion { kroner: false } => "mrd.",
            WrittenUnit::Billion { kroner: true } => "mrd. kr",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parsed {
    /// A number, with the unit written after it in the cell, if any.
    Value {
        value: f64,
        unit: Option<WrittenUnit>,
    },
    Missing(Missing),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError {
    pub(crate) found: String,
    /// A number, but too large to be kept exactly.
    pub(crate) inexact: bool,
}

/// 2⁵³: from here on a 64-bit float no longer holds every whole number, so a figure this large
/// would print changed (12345678901234567891 as 12 345 678 901 234 567 168). Such figures are
/// refused at their cell instead.
pub const EXACT_UP_TO: f64 = 9_007_199_254_740_992.0;

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inexact {
            write!(
                f,
                "\"{}\" is too large to be kept exactly (figures must be below 9 007 199 254 740 992); write it in a larger unit, e.g. mill. or mrd.",
                self.found.trim()
            )
        } else if self.found.trim().is_empty() {
            write!(f, "the cell is empty; expected a number, e.g. 7,3")
        } else {
            write!(f, "\"{}\" is not a number; expected e.g. 7,3", self.found)
        }
    }
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Units recognised after a number, longest first so `mill. kr` wins over `kr`.
const UNIT_SUFFIXES: [(&str, WrittenUnit); 23] = [
    ("milliarder kroner", WrittenUnit::Billion { kroner: true }),
    ("millioner kroner", WrittenUnit::Million { kroner: true }),
    ("milliarder", WrittenUnit::Billion { kroner: false }),
    ("millioner", WrittenUnit::Million { kroner: false }),
    ("tusen kr", WrittenUnit::Thousand { kroner: true }),
    ("mill. kr", WrittenUnit::Million { kroner: true }),
    ("mrd. kr", WrittenUnit::Billion { kroner: true }),
    ("mill.kr", WrittenUnit::Million { kroner: true }),
    ("mill kr", WrittenUnit::Million { kroner: true }),
    ("mrd.kr", WrittenUnit::Billion { kroner: true }),
    ("mrd kr", WrittenUnit::Billion { kroner: true }),
    ("prosent", WrittenUnit::Percent),
    ("kroner", WrittenUnit::Kroner),
    ("tusen", WrittenUnit::Thousand { kroner: false }),
    ("mill.", WrittenUnit::Million { kroner: false }),
    ("mnok", WrittenUnit::Million { kroner: true }),
    ("mill", WrittenUnit::Million { kroner: false }),
    ("mrd.", WrittenUnit::Billion { kroner: false }),
    ("mrd", WrittenUnit::Billion { kroner: false }),
    ("nok", WrittenUnit::Kroner),
    ("kr.", WrittenUnit::Kroner),
    ("kr", WrittenUnit::Kroner),
    ("%", WrittenUnit::Percent),
];

/// Splits a unit off the end of `text`: `2,6 mrd.` → (`2,6`, mrd.). The unit must follow a
/// digit or a space, so `12kr` and `12 kr` are units but `Akr` is not.
fn split_unit(text: &str) -> (&str, Option<WrittenUnit>) {
    for (suffix, unit) in UNIT_SUFFIXES {
        let Some(start) = text.len().checked_sub(suffix.len()) else {
            continue;
        };
        let Some(tail) = text.get(start..) else {
            continue;
        };
        if !tail.eq_ignore_ascii_case(suffix) {
            continue;
        }
        let head = &text[..start];
        if head.ends_with(|c: char| c.is_ascii_digit() || c == ')' || is_group_space(c)) {
            return (head.trim_end_matches(is_group_space), Some(unit));
        }
    }
    (text, None)
}

/// A unit written on its own, as in a table's unit column: `mrd. kr`, `%`, `tusen kr`.
pub(crate) fn parse_unit(text: &str) -> Option<WrittenUnit> {
    let text = text.trim();
    UNIT_SUFFIXES
        .iter()
        .find(|(suffix, _)| suffix.eq_ignore_ascii_case(text))
        .map(|(_, unit)| *unit)
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '\u{2212}' | '\u{2013}')
}

/// Parses one cell's text as a Norwegian number or an SSB "no value" symbol.
pub fn parse_number(text: &str) -> Result<Parsed, NumberError> {
    let error = || NumberError {
        found: text.to_string(),
        inexact: false,
    };
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || is_group_space(c));
    match trimmed {
        "." => return Ok(Parsed::Missing(Missing::CannotOccur)),
        ".." => return Ok(Parsed::Missing(Missing::NotAvailable)),
        "..." | "…" => return Ok(Parsed::Missing(Missing::NotYetAvailable)),
        ":" => return Ok(Parsed::Missing(Missing::Confidential)),
        "*" => return Ok(Parsed::Missing(Missing::Suppressed)),
        // Excel's accounting format and SSB both write a lone dash for a real zero.
        "-" | "\u{2212}" | "\u{2013}" => {
            return Ok(Parsed::Value {
                value: 0.0,
                unit: None,
            });
        }
        _ => {}
    }
    let (body, unit) = split_unit(trimmed);
    // Accounting formats write negatives in parentheses, `(1 362 250)`; ledgers such as
    // SAP put the minus last, `1 362 250-`.
    let (negative, body) =
        if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
            (true, inner.trim_matches(is_group_space))
        } else if let Some(rest) = body
            .strip_suffix(is_minus)
            .filter(|r| r.ends_with(|c: char| c.is_ascii_digit()))
        {
            (true, rest)
        } else {
            match body.chars().next() {
                Some(c) if is_minus(c) => (
                    true,
                    body[c.len_utf8()..].trim_start_matches(is_group_space),
                ),
                Some('+') => (false, body[1..].trim_start_matches(is_group_space)),
                _ => (false, body),
            }
        };
    if body.is_empty() {
        return Err(error());
    }
    let digits_only: String = body.chars().filter(|c| !is_group_space(*c)).collect();
    if digits_only.len() != body.len() && !valid_space_grouping(body) {
        return Err(error());
    }
    let normalised = normalise_separators(&digits_only).ok_or_else(error)?;
    let value: f64 = normalised.parse().map_err(|_| error())?;
    if !value.is_finite() {
        return Err(error());
    }
    if value >= EXACT_UP_TO {
        return Err(NumberError {
            inexact: true,
            ..error()
        });
    }
    Ok(Parsed::Value {
        value: if negative { -value } else { value },
        unit,
    })
}

/// Rounds away float noise from scaling (0.073 × 100 → 7,3, not 7,300 000 000 000 001;
/// 1,1 mrd. → 1 100, not 1 100,000 000 000 2); a value with real digits that far out stays.
pub(crate) fn without_float_noise(value: f64) -> f64 {
    let rounded: f64 = format!("{value:.9}").parse().unwrap_or(value);
    if (rounded - value).abs() <= value.abs() * 1e-12 {
        rounded
    } else {
        value
    }
}

/// Whether a cell holds a code that must stay text: leading zeros (`00300`, `0219`) or more
/// than one dot (`1.006.01`). Such cells are ids, never numbers.
pub fn looks_like_code(text: &str) -> bool {
    let t = text.trim();
    let leading_zero = t.len() > 1 && t.starts_with('0') && t.chars().all(|c| c.is_ascii_digit());
    let dotted = t.matches('.').count() >= 2
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !t.contains("..");
    leading_zero || dotted
}

/// Spaces may only group the integer part in threes: `1 893`, `1 362 250`, `1 316 303,34`.
fn valid_space_grouping(body: &str) -> bool {
    let integer_end = body.find([',', '.']).unwrap_or(body.len());
    let (integer, fraction) = body.split_at(integer_end);
    if fraction.chars().any(is_group_space) {
        return false;
    }
    let groups: Vec<&str> = integer.split(is_group_space).collect();
    groups[0].len() <= 3
        && !groups[0].is_empty()
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
}

/// Turns `1.234,5`, `1,234.5`, `7,3` and `7.3` into `1234.5`-style text for `f64::from_str`.
fn normalise_separators(s: &str) -> Option<String> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let commas = s.matches(',').count();
    let points = s.matches('.').count();
    let result = match (commas, points) {
        (0, 0) => s.to_string(),
        (1, 0) => s.replace(',', "."),
        (0, 1) => s.to_string(),
        (1, _) if s.rfind(',') > s.rfind('.') => {
            // `1.234,5`: points group thousands, the comma is the decimal mark.
            if !valid_grouping(&s[..s.find(',')?], '.') {
                return None;
            }
            s.replace('.', "").replace(',', ".")
        }
        (_, 1) if s.rfind('.') > s.rfind(',') => {
            if !valid_grouping(&s[..s.find('.')?], ',') {
                return None;
            }
            s.replace(',', "")
        }
        (0, _) if valid_grouping(s, '.') => s.replace('.', ""),
        (_, 0) if valid_grouping(s, ',') => s.replace(',', ""),
        _ => return None,
    };
    if result.ends_with('.') {
        return None;
    }
    Some(result)
}

fn valid_grouping(integer: &str, separator: char) -> bool {
    let groups: Vec<&str> = integer.split(separator).collect();
    !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(s: &str) -> f64 {
        match parse_number(s) {
            Ok(Parsed::Value { value, .. }) => value,
            other => panic!("{s:?} gave {other:?}"),
        }
    }

    #[test]
    fn decimal_comma_and_point() {
        assert_eq!(value("7,3"), 7.3);
        assert_eq!(value("7.3"), 7.3);
        assert_eq!(value("1 893"), 1893.0);
        assert_eq!(value("1\u{a0}893"), 1893.0);
        assert_eq!(value("1\u{202f}893,5"), 1893.5);
        assert_eq!(value("1 316 303,34"), 1_316_303.34);
        assert_eq!(value("1.234,5"), 1234.5);
        assert_eq!(value("1,234.5"), 1234.5);
    }

    #[test]
    fn figures_a_float_cannot_hold_exactly_are_refused() {
        assert_eq!(value("9 007 199 254 740 991"), 9_007_199_254_740_991.0);
        for too_large in ["12345678901234567891", "9 007 199 254 740 992", "-1e300"] {
            let err = parse_number(too_large).unwrap_err();
            assert!(err.inexact || too_large.contains('e'), "{too_large}: {err}");
        }
        let err = parse_number("12345678901234567891").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("\"12345678901234567891\" is too large to be kept exactly"),
            "{err}"
        );
    }

    #[test]
    fn minus_signs_and_accounting_forms() {
        assert_eq!(value("−41"), -41.0);
        assert_eq!(value("-41"), -41.0);
        assert_eq!(value(" -1 362 250 "), -1_362_250.0);
        assert_eq!(value(" -   "), 0.0);
        assert_eq!(value("- 21"), -21.0);
    }

    #[test]
    fn units_after_the_number_are_recorded() {
        let unit = |s: &str| match parse_number(s) {
            Ok(Parsed::Value { value, unit }) => (value, unit),
            other => panic!("{s:?} gave {other:?}"),
        };
        assert_eq!(unit("7,3 %"), (7.3, Some(WrittenUnit::Percent)));
        assert_eq!(unit("7,3%"), (7.3, Some(WrittenUnit::Percent)));
        assert_eq!(
            unit("2,6 mrd."),
            (2.6, Some(WrittenUnit::Billion { kroner: false }))
        );
        assert_eq!(
            unit("558 mill. kr"),
            (558.0, Some(WrittenUnit::Million { kroner: true }))
        );
        assert_eq!(
            unit("1 893 MILL."),
            (1893.0, Some(WrittenUnit::Million { kroner: false }))
        );
        assert_eq!(unit("−41 kr"), (-41.0, Some(WrittenUnit::Kroner)));
        assert_eq!(unit("12"), (12.0, None));
        for bad in ["kr", "mill.", "Akr", "7,3 %%", "2,6 mrd. mill."] {
            assert!(parse_number(bad).is_err(), "{bad:?} should be an error");
        }
    }

    #[test]
    fn accounting_negatives() {
        assert_eq!(value("(1 362 250)"), -1_362_250.0);
        assert_eq!(value("1 362 250-"), -1_362_250.0);
        assert_eq!(value("\u{2013}17 700"), -17_700.0);
    }

    #[test]
    fn codes_stay_text() {
        for code in ["00300", "0219", "1.006.01", "01.02.03"] {
            assert!(looks_like_code(code), "{code}");
        }
        for not_code in ["0", "300", "7,3", "1.5", "0,5", "F357", "..", "1 006"] {
            assert!(!looks_like_code(not_code), "{not_code}");
        }
        // And the number parser does not read a dotted code as a number either.
        assert!(parse_number("1.006.01").is_err());
    }

    #[test]
    fn ssb_symbols_are_missing_never_zero() {
        assert_eq!(
            parse_number(".."),
            Ok(Parsed::Missing(Missing::NotAvailable))
        );
        assert_eq!(
            parse_number("…"),
            Ok(Parsed::Missing(Missing::NotYetAvailable))
        );
        assert_eq!(
            parse_number(":"),
            Ok(Parsed::Missing(Missing::Confidential))
        );
        assert_eq!(parse_number("."), Ok(Parsed::Missing(Missing::CannotOccur)));
    }

    #[test]
    fn words_and_bad_groupings_are_errors() {
        for bad in [
            "sju", "", "7,3,1", "1 89", "12 34", "1e5", "NaN", "inf", "7,", "+", "%", "1..2",
        ] {
            assert!(parse_number(bad).is_err(), "{bad:?} should be an error");
        }
        assert_eq!(
            parse_number("sju").unwrap_err().to_string(),
            "\"sju\" is not a number; expected e.g. 7,3"
        );
    }

    mod properties {
        use super::super::*;
        use crate::norsk as format;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics_on_any_string(s in "\\PC*") {
                let _ = parse_number(&s);
                let _ = looks_like_code(&s);
            }

            #[test]
            fn never_panics_on_number_like_strings(s in "[-−–+( ]?[0-9 .,\u{a0}\u{202f}]{0,14}[)%-]?( ?(mill\\.|mrd\\.|kr|%))?") {
                let _ = parse_number(&s);
            }

            #[test]
            fn reads_back_every_number_the_formatter_writes(
                value in -1.0e12f64..1.0e12,
                decimals in 0u8..=6,
            ) {
                let written = format::number(value, decimals);
                // The formatter rounds half away from zero on the decimal the value stands for
                // (SSB's rule), not on the binary double as `format!("{:.2}")` does.
                let expected = format::exact::round(value, decimals);
                match parse_number(&written) {
                    Ok(Parsed::Value { value: read, unit: None }) => {
                        prop_assert!((read - expected).abs() <= expected.abs() * 1e-15, "{written:?} read as {read}, wrote {expected}");
                    }
                    other => prop_assert!(false, "{written:?} gave {other:?}"),
                }
                let signed = format::signed_number(value, decimals);
                prop_assert!(matches!(parse_number(&signed), Ok(Parsed::Value { .. })), "{signed:?}");
                for suffix in ["%", "mill. kr", "mrd. kr"] {
                    let with_unit = format::with_unit(written.clone(), suffix);
                    let parsed = parse_number(&with_unit);
                    prop_assert!(matches!(parsed, Ok(Parsed::Value { unit: Some(_), .. })), "{with_unit:?} gave {parsed:?}");
                }
            }
        }
    }
}
