//! Exact decimal arithmetic for amounts: a figure read from a file is a decimal (`1 234 567`,
//! `7,35`), and scaling it to another unit, summing it and rounding it to the printed digits
//! must give the digits a person with a calculator gets, not binary noise (1,15 rounds to
//! 1,2; 0,1 + 0,2 is 0,3). Values travel as `f64` whose shortest decimal form is the figure
//! read (every figure below 2⁵³ with at most 15 significant digits is), and every scaling,
//! sum and rounding goes through [`Exact`].

use std::cmp::Ordering;

/// `mantissa × 10^−scale`, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exact {
    mantissa: i128,
    scale: u32,
}

/// The most decimals an exact value keeps (far below what i128 holds with any figure below 2⁵³).
const MAX_SCALE: u32 = 18;

impl Exact {
    pub const ZERO: Exact = Exact {
        mantissa: 0,
        scale: 0,
    };

    /// The decimal an `f64` stands for: its shortest form that reads back as the same `f64`
    /// (`1.15` for the double nearest 1,15). `None` for infinities and NaN.
    pub fn from_f64(value: f64) -> Option<Exact> {
        if !value.is_finite() {
            return None;
        }
        // `{:e}` writes the shortest round-trip digits: `1.15e0`, `-1.234567e6`, `5e-7`.
        let text = format!("{value:e}");
        let (digits, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let negative = digits.starts_with('-');
        let digits = digits.trim_start_matches('-');
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all: String = format!("{int}{frac}");
        let mantissa: i128 = all.parse().ok()?;
        // value = all × 10^(exponent − frac.len())
        let power = exponent - frac.len() as i32;
        let exact = if power >= 0 {
            Exact {
                mantissa: mantissa.checked_mul(10i128.checked_pow(power as u32)?)?,
                scale: 0,
            }
        } else {
            Exact {
                mantissa,
                scale: (-power) as u32,
            }
        };
        let exact = if negative { exact.negated() } else { exact };
        Some(exact.normalised())
    }

    /// Whole numbers exactly.
    pub fn from_i64(value: i64) -> Exact {
        Exact {
            mantissa: i128::from(value),
            scale: 0,
        }
    }

    /// The nearest `f64` (exact for any value `from_f64` gave, scaled by powers of ten).
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(0.0)
    }

    fn negated(self) -> Exact {
        Exact {
            mantissa: -self.mantissa,
            scale: self.scale,
        }
    }

    /// Without trailing zeros after the decimal point.
    fn normalised(mut self) -> Exact {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// At `scale` decimals (never fewer than it has; `None` past [`MAX_SCALE`] or on overflow).
    fn at_scale(self, scale: u32) -> Option<i128> {
        let extra = scale.checked_sub(self.scale)?;
        self.mantissa.checked_mul(10i128.checked_pow(extra)?)
    }

    /// `self × 10^places`: 1 234 567 kr shifted by −6 is 1,234567 mill. kr.
    pub fn shifted(self, places: i32) -> Option<Exact> {
        if places >= 0 {
            let factor = 10i128.checked_pow(places as u32)?;
            let mantissa = match self.scale.checked_sub(places as u32) {
                Some(scale) => {
                    return Some(Exact {
                        mantissa: self.mantissa,
                        scale,
                    });
                }
                None => self.mantissa.checked_mul(factor / 10i128.pow(self.scale))?,
            };
            Some(Exact { mantissa, scale: 0 })
        } else {
            let scale = self.scale + places.unsigned_abs();
            (scale <= MAX_SCALE).then_some(Exact {
                mantissa: self.mantissa,
                scale,
            })
        }
    }

    /// `self + other`, exactly (`None` on overflow).
    pub fn plus(self, other: Exact) -> Option<Exact> {
        let scale = self.scale.max(other.scale);
        let sum = self.at_scale(scale)?.checked_add(other.at_scale(scale)?)?;
        Some(
            Exact {
                mantissa: sum,
                scale,
            }
            .normalised(),
        )
    }

    /// The exact sum of `values`; `None` if one is no number or the sum overflows.
    pub fn sum(values: impl IntoIterator<Item = f64>) -> Option<Exact> {
        values
            .into_iter()
            .try_fold(Exact::ZERO, |sum, v| sum.plus(Exact::from_f64(v)?))
    }

    /// Rounded to `decimals`, half away from zero (1,15 → 1,2; −0,25 → −0,3), as people and
    /// finance systems round.
    pub fn rounded(self, decimals: u8) -> Exact {
        let decimals = u32::from(decimals);
        if self.scale <= decimals {
            return self;
        }
        let divisor = 10i128.pow(self.scale - decimals);
        let (quotient, remainder) = (self.mantissa / divisor, self.mantissa % divisor);
        let half_or_more = remainder.abs() * 2 >= divisor;
        let quotient = match (half_or_more, self.mantissa.cmp(&0)) {
            (true, Ordering::Less) => quotient - 1,
            (true, _) => quotient + 1,
            (false, _) => quotient,
        };
        Exact {
            mantissa: quotient,
            scale: decimals,
        }
        .normalised()
    }

    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The digits with exactly `decimals` after the point, without sign or grouping:
    /// `("1234", "57")` for 1 234,57 at 2 decimals. Round first: more digits are cut.
    pub fn digits(self, decimals: u8) -> (String, String) {
        let decimals = u32::from(decimals);
        let shown = self.rounded(decimals as u8);
        let mantissa = shown.at_scale(decimals).unwrap_or(0).unsigned_abs();
        let text = format!("{mantissa:0>width$}", width = decimals as usize + 1);
        let (int, frac) = text.split_at(text.len() - decimals as usize);
        (int.to_string(), frac.to_string())
    }
}

impl std::fmt::Display for Exact {
    /// Plain decimal with a point: `-1.234567`, `1500`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (int, frac) = self.digits(self.scale.min(255) as u8);
        let sign = if self.mantissa < 0 { "-" } else { "" };
        if frac.is_empty() {
            write!(f, "{sign}{int}")
        } else {
            write!(f, "{sign}{int}.{frac}")
        }
    }
}

/// `value` rounded to `decimals` the way it prints, exactly (an `f64` again).
pub fn round(value: f64, decimals: u8) -> f64 {
    Exact::from_f64(value).map_or(value, |e| e.rounded(decimals).to_f64())
}

/// `value × 10^places` exactly: a figure moved between kr, 1 000 kr, mill. kr and mrd. kr.
pub fn shift(value: f64, places: i32) -> f64 {
    Exact::from_f64(value)
        .and_then(|e| e.shifted(places))
        .map_or(value * 10f64.powi(places), Exact::to_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(v: f64) -> Exact {
        Exact::from_f64(v).unwrap()
    }

    #[test]
    fn reads_the_decimal_an_f64_stands_for() {
        assert_eq!(exact(1.15).to_string(), "1.15");
        assert_eq!(exact(-1_234_567.0).to_string(), "-1234567");
        assert_eq!(exact(5e-7).to_string(), "0.0000005");
        assert_eq!(exact(1e21).to_string(), "1000000000000000000000");
    }

    #[test]
    fn rounds_half_away_from_zero_on_the_decimal_not_the_binary() {
        // format!("{:.1}", 1.15) gives "1.1": the double is a hair below 1,15.
        assert_eq!(round(1.15, 1), 1.2);
        assert_eq!(round(-0.25, 1), -0.3);
        assert_eq!(round(2.675, 2), 2.68);
        assert_eq!(round(7.04, 1), 7.0);
        assert_eq!(round(1_234_567.0, 0), 1_234_567.0);
    }

    #[test]
    fn scales_and_sums_without_noise() {
        assert_eq!(shift(1_234_567.0, -6), 1.234567);
        assert_eq!(shift(-16_500.0, -6), -0.0165);
        assert_eq!(shift(2.6, 3), 2600.0);
        assert_eq!(shift(0.073, 2), 7.3);
        assert_eq!(Exact::sum([0.1, 0.2]).unwrap().to_f64(), 0.3);
        let parts = [1.04, 1.04, 1.04];
        assert_eq!(Exact::sum(parts).unwrap().rounded(1).to_string(), "3.1");
    }

    #[test]
    fn digits_pad_to_the_decimals_asked() {
        assert_eq!(exact(1.2).digits(2), ("1".to_string(), "20".to_string()));
        assert_eq!(exact(-0.04).digits(1), ("0".to_string(), "0".to_string()));
        assert_eq!(exact(1893.0).digits(0), ("1893".to_string(), String::new()));
    }
}
