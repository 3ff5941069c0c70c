//! Norwegian numbers as finance systems and SSB write them, parsed into values.
//!
//! Accepts decimal comma or point, group separators U+0020/U+00A0/U+202F, `−` or `-`, Excel's
//! padded accounting forms (` -1 362 250 `, ` -   ` for zero), a trailing `%`, and SSB's
//! "no value" symbols, which are never zero.

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
}

impl Missing {
    /// The reason as the document prints it.
    pub fn reason(self) -> &'static str {
        match self {
            Missing::CannotOccur => "kan ikke forekomme",
            Missing::NotAvailable => "tall mangler",
            Missing::NotYetAvailable => "tall foreligger ikke ennå",
            Missing::Confidential => "konfidensielt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parsed {
    /// A number; `percent` is set when the text carried a `%` sign.
    Value {
        value: f64,
        percent: bool,
    },
    Missing(Missing),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError {
    pub found: String,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.found.trim().is_empty() {
            write!(f, "the cell is empty; expected a number, e.g. 7,3")
        } else {
            write!(f, "\"{}\" is not a number; expected e.g. 7,3", self.found)
        }
    }
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Parses one cell's text as a Norwegian number or an SSB "no value" symbol.
pub fn parse_number(text: &str) -> Result<Parsed, NumberError> {
    let error = || NumberError {
        found: text.to_string(),
    };
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || is_group_space(c));
    match trimmed {
        "." => return Ok(Parsed::Missing(Missing::CannotOccur)),
        ".." => return Ok(Parsed::Missing(Missing::NotAvailable)),
        "..." | "…" => return Ok(Parsed::Missing(Missing::NotYetAvailable)),
        ":" => return Ok(Parsed::Missing(Missing::Confidential)),
        // Excel's accounting format and SSB both write a lone dash for a real zero.
        "-" | "\u{2212}" | "\u{2013}" => {
            return Ok(Parsed::Value {
                value: 0.0,
                percent: false,
            });
        }
        _ => {}
    }
    let (body, percent) = match trimmed.strip_suffix('%') {
        Some(rest) => (rest.trim_end_matches(is_group_space), true),
        None => (trimmed, false),
    };
    let (negative, body) = match body.chars().next() {
        Some('-' | '\u{2212}' | '\u{2013}') => {
            let first_len = body.chars().next().map_or(0, char::len_utf8);
            (true, body[first_len..].trim_start_matches(is_group_space))
        }
        Some('+') => (false, body[1..].trim_start_matches(is_group_space)),
        _ => (false, body),
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
    Ok(Parsed::Value {
        value: if negative { -value } else { value },
        percent,
    })
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
    fn minus_signs_and_accounting_forms() {
        assert_eq!(value("−41"), -41.0);
        assert_eq!(value("-41"), -41.0);
        assert_eq!(value(" -1 362 250 "), -1_362_250.0);
        assert_eq!(value(" -   "), 0.0);
        assert_eq!(value("- 21"), -21.0);
    }

    #[test]
    fn percent_is_flagged() {
        assert_eq!(
            parse_number("7,3 %"),
            Ok(Parsed::Value {
                value: 7.3,
                percent: true
            })
        );
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
}
