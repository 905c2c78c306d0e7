//! Dates and date math, as used in range bounds (`@timestamp >= now-15m`).
//!
//! An expression is an anchor followed by operations:
//!
//! * anchor: `now`, or an ISO 8601 / RFC 3339 date followed by `||`
//!   (`2024-05-01||`), or a date alone without operations;
//! * `+N<unit>` / `-N<unit>` add or subtract (`N` defaults to 1);
//! * `/<unit>` rounds to the start of the unit (or to its last millisecond
//!   when resolving with `round_up`, as Elasticsearch does for `>` and `<=`).
//!
//! Units: `y` year, `M` month, `w` week (ISO, from Monday), `d` day, `h` or
//! `H` hour, `m` minute, `s` second. All arithmetic is in UTC.
//!
//! Dates: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, optionally followed by `T` (or
//! `t` or a space) and `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fraction`, then an
//! optional `Z` or `±hh:mm` offset (UTC when absent). Document values are
//! dates only with at least `YYYY-MM-DD` ([`parse_timestamp`]).

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// A date-math time unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateUnit {
    /// `y`
    Year,
    /// `M`
    Month,
    /// `w`
    Week,
    /// `d`
    Day,
    /// `h` or `H`
    Hour,
    /// `m`
    Minute,
    /// `s`
    Second,
}

impl DateUnit {
    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            'y' => DateUnit::Year,
            'M' => DateUnit::Month,
            'w' => DateUnit::Week,
            'd' => DateUnit::Day,
            'h' | 'H' => DateUnit::Hour,
            'm' => DateUnit::Minute,
            's' => DateUnit::Second,
            _ => return None,
        })
    }

    /// Length in milliseconds of the fixed-length units.
    fn fixed_millis(self) -> Option<i64> {
        match self {
            DateUnit::Year | DateUnit::Month => None,
            DateUnit::Week => Some(WEEK),
            DateUnit::Day => Some(DAY),
            DateUnit::Hour => Some(HOUR),
            DateUnit::Minute => Some(MINUTE),
            DateUnit::Second => Some(SECOND),
        }
    }
}

/// Where a date-math expression starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateAnchor {
    /// `now`, supplied at resolution.
    Now,
    /// An absolute date, in epoch milliseconds.
    At(i64),
}

/// One date-math operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOp {
    /// `+N<unit>` (positive) or `-N<unit>` (negative).
    Shift(i64, DateUnit),
    /// `/<unit>`.
    Round(DateUnit),
}

/// A parsed date-math expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateMath {
    /// The starting point.
    pub anchor: DateAnchor,
    /// Operations, applied left to right.
    pub ops: Vec<DateOp>,
}

impl DateMath {
    /// Parses an expression such as `now-15m`, `now-2w/d`,
    /// `2024-05-01||+1d` or `2024-05-01T10:00:00Z`. `None` when the text is
    /// not date math.
    pub fn parse(text: &str) -> Option<DateMath> {
        let (anchor, ops) = if let Some(ops) = text.strip_prefix("now") {
            (DateAnchor::Now, ops)
        } else if let Some((date, ops)) = text.split_once("||") {
            (DateAnchor::At(parse_date(date, true)?), ops)
        } else {
            return Some(DateMath {
                anchor: DateAnchor::At(parse_date(text, true)?),
                ops: Vec::new(),
            });
        };
        Some(DateMath {
            anchor,
            ops: parse_ops(ops)?,
        })
    }

    /// Resolves to epoch milliseconds. `round_up` makes `/unit` round to
    /// the last millisecond of the unit instead of its first. `None` when
    /// the result leaves the supported range (years -9999..=9999).
    pub fn resolve(&self, now_ms: i64, round_up: bool) -> Option<i64> {
        let mut t = match self.anchor {
            DateAnchor::Now => now_ms,
            DateAnchor::At(ms) => ms,
        };
        if !(MIN_MS..=MAX_MS).contains(&t) {
            return None;
        }
        for op in &self.ops {
            t = match *op {
                DateOp::Shift(n, unit) => shift(t, n, unit)?,
                DateOp::Round(unit) => round(t, unit, round_up)?,
            };
            if !(MIN_MS..=MAX_MS).contains(&t) {
                return None;
            }
        }
        Some(t)
    }
}

fn parse_ops(mut text: &str) -> Option<Vec<DateOp>> {
    let mut ops = Vec::new();
    while let Some(sign) = text.chars().next() {
        text = &text[sign.len_utf8()..];
        match sign {
            '+' | '-' => {
                let digits = text.bytes().take_while(u8::is_ascii_digit).count();
                let amount: i64 = if digits == 0 {
                    1
                } else {
                    text[..digits].parse().ok()?
                };
                let unit = DateUnit::from_char(text[digits..].chars().next()?)?;
                text = &text[digits + 1..];
                ops.push(DateOp::Shift(
                    if sign == '-' { -amount } else { amount },
                    unit,
                ));
            }
            '/' => {
                let unit = DateUnit::from_char(text.chars().next()?)?;
                text = &text[1..];
                ops.push(DateOp::Round(unit));
            }
            _ => return None,
        }
    }
    Some(ops)
}

const MIN_MS: i64 = -377_705_116_800_000; // -9999-01-01T00:00:00Z
const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

fn shift(t: i64, n: i64, unit: DateUnit) -> Option<i64> {
    if let Some(len) = unit.fixed_millis() {
        return t.checked_add(n.checked_mul(len)?);
    }
    let months = match unit {
        DateUnit::Year => n.checked_mul(12)?,
        _ => n,
    };
    let (days, time) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let (year, month, day) = civil_from_days(days);
    let index = (year.checked_mul(12)?)
        .checked_add(i64::from(month) - 1)?
        .checked_add(months)?;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
    if !(-9999..=9999).contains(&year) {
        return None;
    }
    let day = day.min(days_in_month(year, month));
    Some(days_from_civil(year, month, day) * DAY + time)
}

fn round(t: i64, unit: DateUnit, round_up: bool) -> Option<i64> {
    let (start, next) = match unit {
        DateUnit::Year | DateUnit::Month => {
            let (year, month, _) = civil_from_days(t.div_euclid(DAY));
            let (start, next) = if unit == DateUnit::Year {
                ((year, 1), (year + 1, 1))
            } else if month == 12 {
                ((year, 12), (year + 1, 1))
            } else {
                ((year, month), (year, month + 1))
            };
            (
                days_from_civil(start.0, start.1, 1) * DAY,
                days_from_civil(next.0, next.1, 1) * DAY,
            )
        }
        DateUnit::Week => {
            let days = t.div_euclid(DAY);
            // 1970-01-01 was a Thursday: Monday is three days earlier.
            let monday = days - (days + 3).rem_euclid(7);
            (monday * DAY, (monday + 7) * DAY)
        }
        fixed => {
            let len = fixed.fixed_millis()?;
            let start = t - t.rem_euclid(len);
            (start, start + len)
        }
    };
    Some(if round_up { next - 1 } else { start })
}

/// Parses a document timestamp: an RFC 3339 / ISO 8601 date-time or date
/// with at least `YYYY-MM-DD` (see the module docs), to epoch milliseconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    parse_date(text, false)
}

fn parse_date(text: &str, allow_partial: bool) -> Option<i64> {
    let mut cursor = Cursor { text };
    let year = cursor.digits(4)?;
    let mut month = 1;
    let mut day = 1;
    if cursor.eat('-') {
        month = cursor.digits(2)?;
        if cursor.eat('-') {
            day = cursor.digits(2)?;
        } else if !allow_partial {
            return None;
        }
    } else if !allow_partial {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month as u32) as i64 {
        return None;
    }
    let mut ms = days_from_civil(year, month as u32, day as u32) * DAY;
    if cursor.text.is_empty() {
        return Some(ms);
    }
    if !(cursor.eat('T') || cursor.eat('t') || cursor.eat(' ')) {
        return None;
    }
    let hour = cursor.digits(2)?;
    if !cursor.eat(':') {
        return None;
    }
    let minute = cursor.digits(2)?;
    let mut second = 0;
    let mut millis = 0;
    if cursor.eat(':') {
        second = cursor.digits(2)?;
        if cursor.eat('.') || cursor.eat(',') {
            let count = cursor.text.bytes().take_while(u8::is_ascii_digit).count();
            if count == 0 {
                return None;
            }
            let fraction = &cursor.text[..count];
            millis = fraction
                .bytes()
                .chain(std::iter::repeat(b'0'))
                .take(3)
                .fold(0, |acc, b| acc * 10 + i64::from(b - b'0'));
            cursor.text = &cursor.text[count..];
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    ms += hour * HOUR + minute * MINUTE + second * SECOND + millis;
    let offset = match cursor.text.chars().next() {
        None => 0,
        Some('Z' | 'z') => {
            cursor.text = &cursor.text[1..];
            0
        }
        Some(sign @ ('+' | '-')) => {
            cursor.text = &cursor.text[1..];
            let hours = cursor.digits(2)?;
            cursor.eat(':');
            let minutes = cursor.digits(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * HOUR + minutes * MINUTE;
            if sign == '-' { -offset } else { offset }
        }
        Some(_) => return None,
    };
    cursor.text.is_empty().then_some(ms - offset)
}

struct Cursor<'a> {
    text: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, c: char) -> bool {
        match self.text.strip_prefix(c) {
            Some(rest) => {
                self.text = rest;
                true
            }
            None => false,
        }
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let digits = self.text.get(..n)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.text = &self.text[n..];
        digits.parse().ok()
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400;
    (if month <= 2 { year + 1 } else { year }, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-05-15T13:45:30.250Z, a Wednesday.
    const NOW: i64 = 1_715_780_730_250;

    fn ts(text: &str) -> i64 {
        parse_timestamp(text).unwrap_or_else(|| panic!("{text} is a timestamp"))
    }

    #[test]
    fn timestamps() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ts("2024-05-15T13:45:30.250Z"), NOW);
        assert_eq!(ts("2024-05-15T13:45:30.25Z"), NOW);
        assert_eq!(ts("2024-05-15T15:45:30.250123+02:00"), NOW);
        assert_eq!(ts("2024-05-15t13:45:30.250z"), NOW);
        assert_eq!(ts("2024-05-15 13:45:30.250"), NOW);
        assert_eq!(ts("2024-02-29"), ts("2024-02-28") + DAY);
        assert_eq!(ts("1969-12-31T23:59:59Z"), -1000);
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-05",
            "2024",
            "2024-05-15T25:00",
            "x",
            "",
            "2024-05-15T10:00Zjunk",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn supported_range() {
        assert_eq!(MIN_MS, days_from_civil(-9999, 1, 1) * DAY);
        assert_eq!(MAX_MS, days_from_civil(10_000, 1, 1) * DAY - 1);
        let now = DateMath::parse("now").expect("parses");
        assert_eq!(now.resolve(i64::MAX, false), None);
        assert_eq!(now.resolve(i64::MIN, true), None);
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn resolve() {
        let cases: &[(&str, bool, &str)] = &[
            ("now", false, "2024-05-15T13:45:30.250Z"),
            ("now-15m", false, "2024-05-15T13:30:30.250Z"),
            ("now+1h", false, "2024-05-15T14:45:30.250Z"),
            ("now+1H", false, "2024-05-15T14:45:30.250Z"),
            ("now-1d/d", false, "2024-05-14T00:00:00Z"),
            ("now-1d/d", true, "2024-05-14T23:59:59.999Z"),
            ("now/w", false, "2024-05-13T00:00:00Z"),
            ("now-2w/d", false, "2024-05-01T00:00:00Z"),
            ("now/M", false, "2024-05-01T00:00:00Z"),
            ("now/M", true, "2024-05-31T23:59:59.999Z"),
            ("now/y", false, "2024-01-01T00:00:00Z"),
            ("now/s", false, "2024-05-15T13:45:30Z"),
            ("now/m", true, "2024-05-15T13:45:59.999Z"),
            ("now-d", false, "2024-05-14T13:45:30.250Z"),
            ("now+1y", false, "2025-05-15T13:45:30.250Z"),
            ("now-3M", false, "2024-02-15T13:45:30.250Z"),
            ("2024-01-31||+1M", false, "2024-02-29T00:00:00Z"),
            ("2024-05-01||+1d", false, "2024-05-02T00:00:00Z"),
            ("2024-05-01", false, "2024-05-01T00:00:00Z"),
            ("2024-05", false, "2024-05-01T00:00:00Z"),
            ("2024||/y", true, "2024-12-31T23:59:59.999Z"),
            ("2024-12-15||/M", true, "2024-12-31T23:59:59.999Z"),
            (
                "2024-05-01T10:00:00+02:00||-1s",
                false,
                "2024-05-01T07:59:59Z",
            ),
        ];
        for (expr, up, want) in cases {
            let math = DateMath::parse(expr).unwrap_or_else(|| panic!("{expr} parses"));
            assert_eq!(math.resolve(NOW, *up), Some(ts(want)), "{expr}");
        }
    }

    #[test]
    fn ast() {
        assert_eq!(
            DateMath::parse("now-2w/d+3h"),
            Some(DateMath {
                anchor: DateAnchor::Now,
                ops: vec![
                    DateOp::Shift(-2, DateUnit::Week),
                    DateOp::Round(DateUnit::Day),
                    DateOp::Shift(3, DateUnit::Hour),
                ],
            })
        );
    }

    #[test]
    fn not_date_math() {
        for bad in [
            "now-",
            "now-1x",
            "now/",
            "now+1",
            "nowish",
            "2024-05-01+1d",
            "abc",
            "10.0.0.1",
            "-4",
            "2024-02-30||",
            "now-99999999999999999999d",
        ] {
            assert_eq!(DateMath::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn out_of_range_is_none() {
        let far = DateMath::parse("now+9223372036854775807y").expect("parses");
        assert_eq!(far.resolve(NOW, false), None);
        let far = DateMath::parse("now-999999999d").expect("parses");
        assert_eq!(far.resolve(NOW, false), None);
        assert_eq!(
            DateMath::parse("now+9000y").and_then(|m| m.resolve(NOW, false)),
            None
        );
    }
}
