//! Value semantics shared by the compiled matcher and the reference evaluator (so both read
//! numbers, orderings, dates, field references and keywords the same way):
//!
//! * the **text** of a value: strings as they are, numbers as written, booleans as
//!   `true`/`false`, objects as their JSON text; null has none;
//! * **orderings** (`gt`…): numerically when both sides are numbers, else as case-folded
//!   strings;
//! * **time parts**: the value read as an ISO 8601 / RFC 3339 date (UTC), then its minute,
//!   hour, day of month, ISO week, month or year;
//! * **field references**: case-insensitive comparison of the two values' texts (numerically
//!   when both are numbers and the comparison is equality);
//! * **keywords**: a keyword is searched in the record's JSON text. Its literal parts are first
//!   written the way JSON writes string contents (`\` → `\\`, `"` → `\"`, control characters
//!   escaped), so `C:\Windows` finds the JSON text `C:\\Windows`; it then matches anywhere
//!   (implicit `*` on both ends).

use crate::modifiers::{RefMode, TimePart};
use crate::pattern::{Part, SigmaString};
use crate::text::fold;
use r53guard_event::time::{civil_from_days, days_from_civil};
use r53guard_kql::compare::{compare_numbers, parse_number};
use r53guard_kql::datemath::parse_timestamp;
use std::cmp::Ordering;

/// `field.cmp(bound)` for an ordering modifier.
pub(crate) fn compare_text(field: &str, bound: &str) -> Option<Ordering> {
    match (parse_number(field), parse_number(bound)) {
        (Some(a), Some(b)) => compare_numbers(a, b),
        _ => Some(fold(field).cmp(&fold(bound))),
    }
}

/// The part of the date in `text`, if `text` is a date.
pub(crate) fn time_part(text: &str, part: TimePart) -> Option<i64> {
    let ms = parse_timestamp(text)?;
    let days = ms.div_euclid(86_400_000);
    let of_day = ms.rem_euclid(86_400_000) / 1000;
    let (year, month, day) = civil_from_days(days);
    Some(match part {
        TimePart::Minute => of_day % 3600 / 60,
        TimePart::Hour => of_day / 3600,
        TimePart::Day => i64::from(day),
        TimePart::Month => i64::from(month),
        TimePart::Year => year,
        TimePart::Week => {
            // ISO 8601: the week (Monday first) whose Thursday falls in the year.
            let weekday = (days + 3).rem_euclid(7);
            let thursday = days - weekday + 3;
            let (t_year, _, _) = civil_from_days(thursday);
            (thursday - days_from_civil(t_year, 1, 1)) / 7 + 1
        }
    })
}

/// Whether `value` relates to `other` as `mode` says (case-insensitive).
pub(crate) fn ref_matches(value: &str, other: &str, mode: RefMode) -> bool {
    if mode == RefMode::Equal
        && let (Some(a), Some(b)) = (parse_number(value), parse_number(other))
    {
        return compare_numbers(a, b) == Some(Ordering::Equal);
    }
    let (a, b) = (fold(value), fold(other));
    match mode {
        RefMode::Equal => a == b,
        RefMode::Prefix => a.starts_with(&*b),
        RefMode::Suffix => a.ends_with(&*b),
        RefMode::Contains => a.contains(&*b),
    }
}

/// A keyword as a pattern over a record's JSON text: literal parts JSON-escaped, wildcards
/// kept, `*` added at both ends.
pub(crate) fn keyword_pattern(s: &SigmaString) -> SigmaString {
    SigmaString::from_parts(s.parts().iter().map(|p| match p {
        Part::Lit(l) => Part::Lit(json_escape(l)),
        other => other.clone(),
    }))
    .with_leading_star()
    .with_trailing_star()
}

/// `s` as it appears inside a JSON string literal (serde_json's escaping).
fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_parts() {
        let t = "2023-07-10T11:42:36Z";
        assert_eq!(time_part(t, TimePart::Minute), Some(42));
        assert_eq!(time_part(t, TimePart::Hour), Some(11));
        assert_eq!(time_part(t, TimePart::Day), Some(10));
        assert_eq!(time_part(t, TimePart::Month), Some(7));
        assert_eq!(time_part(t, TimePart::Year), Some(2023));
        assert_eq!(time_part(t, TimePart::Week), Some(28));
        assert_eq!(time_part("2021-01-03", TimePart::Week), Some(53));
        assert_eq!(time_part("2024-12-30T00:00:00Z", TimePart::Week), Some(1));
        assert_eq!(
            time_part("2023-07-10T23:30:00-02:00", TimePart::Hour),
            Some(1)
        );
        assert_eq!(time_part("not a date", TimePart::Hour), None);
    }

    #[test]
    fn comparisons() {
        assert_eq!(compare_text("10", "9"), Some(Ordering::Greater));
        assert_eq!(compare_text("10", "9x"), Some(Ordering::Less));
        assert_eq!(compare_text("B", "a"), Some(Ordering::Greater));
        assert!(ref_matches("Bob", "bob", RefMode::Equal));
        assert!(ref_matches("070", "70", RefMode::Equal));
        assert!(ref_matches(
            "arn:aws:iam::1:user/Bob",
            "bob",
            RefMode::Suffix
        ));
        assert!(!ref_matches("bob", "bobby", RefMode::Contains));
    }

    #[test]
    fn keywords_are_json_escaped() {
        let k = keyword_pattern(&SigmaString::parse(r#"C:\Win "x"*"#));
        assert_eq!(k.to_sigma(), r#"*C:\\\\Win \\"x\\"*"#);
    }
}
