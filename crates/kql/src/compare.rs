//! Value comparisons shared by the reference evaluator and compiled matchers, so both read
//! numbers, IPs, CIDRs, dates and strings the same way.

use std::cmp::Ordering;

use crate::ast::{RangeOp, Value};
use crate::datemath::{DateMath, parse_timestamp};
use crate::ip::{Cidr, ordering_key, parse_ip};

/// Whether a string field value equals a term value: exact (or ignoring case), a wildcard
/// pattern over the whole value, or an IP inside a CIDR literal.
pub fn string_term_matches(s: &str, value: &Value, ci: bool) -> bool {
    let Some(literal) = value.as_literal() else {
        return if ci {
            value.pattern().to_lowercase().matches(&s.to_lowercase())
        } else {
            value.pattern().matches(s)
        };
    };
    let equal = if ci {
        s.to_lowercase() == literal.to_lowercase()
    } else {
        s == literal
    };
    equal
        || match (Cidr::parse(literal), parse_ip(s)) {
            (Some(network), Some(ip)) => network.contains(ip),
            _ => false,
        }
}

/// Whether a numeric field value equals a term value (the literal read as a number).
pub fn number_term_matches(n: Number, value: &Value) -> bool {
    value
        .as_literal()
        .and_then(parse_number)
        .is_some_and(|literal| compare_numbers(n, literal) == Some(Ordering::Equal))
}

/// `field_value.cmp(bound)` for a string field value: as IPs, as dates (the bound may be date
/// math, resolved against `now_ms`), as numbers, else as strings.
pub fn compare_string_bound(
    s: &str,
    op: RangeOp,
    bound: &str,
    ci: bool,
    now_ms: i64,
) -> Option<Ordering> {
    StringBound::new(bound, op, ci, now_ms).compare(s)
}

/// A range bound read once: what it is as an IP, a resolved date and a number, so that each
/// field value is parsed only as the kinds the bound can be compared with
/// ([`compare_string_bound`] for one value).
#[derive(Debug, Clone)]
pub struct StringBound {
    text: String,
    ci: bool,
    ip: Option<std::net::IpAddr>,
    /// The date math resolved (`Some(None)`: date math that does not resolve).
    date: Option<Option<i64>>,
    number: Option<Number>,
}

impl StringBound {
    /// Reads `bound` for comparisons under `op` (date math rounds by it), ignoring case when
    /// `ci`, with `now_ms` for date math.
    pub fn new(bound: &str, op: RangeOp, ci: bool, now_ms: i64) -> StringBound {
        StringBound {
            text: if ci {
                bound.to_lowercase()
            } else {
                bound.to_owned()
            },
            ci,
            ip: parse_ip(bound),
            date: DateMath::parse(bound).map(|m| m.resolve(now_ms, op.rounds_up())),
            number: parse_number(bound),
        }
    }

    /// `s.cmp(bound)`: as IPs, as dates, as numbers, else as strings; `None` when the two
    /// cannot be ordered.
    pub fn compare(&self, s: &str) -> Option<Ordering> {
        if let Some(b) = self.ip
            && let Some(a) = parse_ip(s)
        {
            return Some(ordering_key(a).cmp(&ordering_key(b)));
        }
        if let Some(b) = self.date
            && let Some(t) = parse_timestamp(s)
        {
            return Some(t.cmp(&b?));
        }
        if let Some(b) = self.number
            && let Some(a) = parse_number(s)
        {
            return compare_numbers(a, b);
        }
        Some(if self.ci {
            s.to_lowercase().cmp(&self.text)
        } else {
            s.cmp(&self.text)
        })
    }

    /// The bound as a number, when it is one.
    pub fn number(&self) -> Option<Number> {
        self.number
    }
}

/// A number read from a literal or a document.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    /// A whole number.
    Int(i128),
    /// A number with a fraction or an exponent.
    Float(f64),
}

/// Parses a decimal number: `[+-]digits[.digits][e[+-]digits]` (or
/// `.digits…`); leading zeros allowed (`070` is 70). No `inf`/`NaN`/hex.
pub fn parse_number(text: &str) -> Option<Number> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let digits_ok = all_digits(int_part)
        && frac_part.is_none_or(all_digits)
        && !(int_part.is_empty() && frac_part.is_none_or(str::is_empty));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if !digits_ok || !exponent_ok {
        return None;
    }
    if frac_part.is_none()
        && exponent.is_none()
        && let Ok(i) = text.parse::<i128>()
    {
        return Some(Number::Int(i));
    }
    if exponent.is_none()
        && let Some(f) = frac_part.and_then(|frac| short_decimal(int_part, frac))
    {
        return Some(Number::Float(if text.starts_with('-') { -f } else { f }));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Number::Float)
}

/// `int.frac` as `f64` without the general parser, when it has at most 15 digits: the digits
/// as an integer are exact in an `f64`, and so is the power of ten, so one division gives the
/// correctly rounded value, the same as `str::parse` (scores such as `0.734`).
fn short_decimal(int: &str, frac: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    if int.len() + frac.len() > 15 {
        return None;
    }
    let digits = int
        .bytes()
        .chain(frac.bytes())
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    Some(digits as f64 / POW10[frac.len()])
}

/// Orders two numbers (whole numbers exactly, others as `f64`).
pub fn compare_numbers(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
        (a, b) => as_f64(a).partial_cmp(&as_f64(b)),
    }
}

/// The number as an `f64`.
pub fn as_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Short decimals read without the general parser give exactly its value.
        #[test]
        fn short_decimals_are_parsed_exactly(text in "[+-]?[0-9]{0,9}\\.[0-9]{0,9}") {
            let want = text.parse::<f64>().ok().filter(|f| f.is_finite());
            match parse_number(&text) {
                Some(Number::Float(f)) => prop_assert_eq!(Some(f.to_bits()), want.map(f64::to_bits)),
                other => prop_assert!(want.is_none(), "{:?} for {}", other, text),
            }
        }
    }

    #[test]
    fn numbers() {
        let ok = [
            ("070", 70.0),
            ("-4", -4.0),
            ("+5", 5.0),
            ("1.5", 1.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("2.5E-1", 0.25),
        ];
        for (text, want) in ok {
            let n = parse_number(text).unwrap_or_else(|| panic!("{text} is a number"));
            assert_eq!(as_f64(n), want, "{text}");
        }
        for bad in [
            "", "-", ".", "0.0.1", "1e", "inf", "NaN", "0x10", "1_000", " 1", "1e999", "e5", "--1",
        ] {
            assert!(parse_number(bad).is_none(), "{bad}");
        }
        assert!(matches!(
            parse_number("18446744073709551617"),
            Some(Number::Int(_))
        ));
    }
}
