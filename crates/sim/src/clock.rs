//! Calendar arithmetic and the timestamp formats the logs use.
//!
//! Everything works on UTC epoch seconds (`i64`); there is no clock access.
//! Formats: RFC 3339 (`2026-11-01T00:05:09Z`), the minute and second stamps in
//! S3 object keys (`20261101T0005Z`, `20261101T000509Z`), the `YYYY/MM/DD` key
//! directory, and the US-style timestamps some AWS APIs put into
//! `responseElements` (`Nov 1, 2026, 12:05:09 AM`).

use std::fmt;

/// 2026-11-01T00:00:00Z, the default start of a simulated run.
pub const DEFAULT_START: i64 = 1_793_491_200;

/// Largest supported timestamp: 9999-12-31T23:59:59Z.
pub const MAX_TS: i64 = 253_402_300_799;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Breaks epoch seconds down into a UTC date and time.
pub fn civil(ts: i64) -> Civil {
    let (year, month, day) = r53guard_event::time::civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400) as u32;
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

fn push2(out: &mut Vec<u8>, n: u32) {
    out.push(b'0' + (n / 10 % 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}

fn push4(out: &mut Vec<u8>, n: i64) {
    let n = n.clamp(0, 9999) as u32;
    push2(out, n / 100);
    push2(out, n % 100);
}

/// Appends `2026-11-01T00:05:09Z`.
pub fn push_rfc3339(out: &mut Vec<u8>, ts: i64) {
    let c = civil(ts);
    push4(out, c.year);
    out.push(b'-');
    push2(out, c.month);
    out.push(b'-');
    push2(out, c.day);
    out.push(b'T');
    push2(out, c.hour);
    out.push(b':');
    push2(out, c.minute);
    out.push(b':');
    push2(out, c.second);
    out.push(b'Z');
}

/// Formats `2026-11-01T00:05:09Z`.
pub fn rfc3339(ts: i64) -> String {
    let mut out = Vec::with_capacity(20);
    push_rfc3339(&mut out, ts);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the key stamp `20261101T0005Z` (minute precision).
pub fn push_key_minute(out: &mut Vec<u8>, ts: i64) {
    let c = civil(ts);
    push_key_date(out, c);
    out.push(b'T');
    push2(out, c.hour);
    push2(out, c.minute);
    out.push(b'Z');
}

/// Appends the key stamp `20261101T000509Z` (second precision).
pub fn push_key_second(out: &mut Vec<u8>, ts: i64) {
    let c = civil(ts);
    push_key_date(out, c);
    out.push(b'T');
    push2(out, c.hour);
    push2(out, c.minute);
    push2(out, c.second);
    out.push(b'Z');
}

fn push_key_date(out: &mut Vec<u8>, c: Civil) {
    push4(out, c.year);
    push2(out, c.month);
    push2(out, c.day);
}

/// Appends the key directory `2026/11/01`.
pub fn push_date_path(out: &mut Vec<u8>, ts: i64) {
    let c = civil(ts);
    push4(out, c.year);
    out.push(b'/');
    push2(out, c.month);
    out.push(b'/');
    push2(out, c.day);
}

/// Formats the US-style stamp some AWS responses use: `Nov 1, 2026, 3:04:05 AM`
/// (`with_comma`) or `Nov 1, 2026 3:04:05 AM`.
pub fn us_style(ts: i64, with_comma: bool) -> String {
    let c = civil(ts);
    let (hour12, half) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{} {}, {}{} {}:{:02}:{:02} {}",
        MONTHS[(c.month - 1) as usize],
        c.day,
        c.year,
        if with_comma { "," } else { "" },
        hour12,
        c.minute,
        c.second,
        half
    )
}

/// Why an RFC 3339 timestamp was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeParseError {
    input: String,
}

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid RFC 3339 timestamp `{}` (expected e.g. 2026-11-01T00:00:00Z)",
            self.input
        )
    }
}

impl std::error::Error for TimeParseError {}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into epoch seconds (the event view's
/// parser; fractions are truncated).
pub fn parse_rfc3339(s: &str) -> Result<i64, TimeParseError> {
    r53guard_event::time::parse_rfc3339(s.trim())
        .map(|ms| ms.div_euclid(1000))
        .ok_or_else(|| TimeParseError {
            input: s.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53guard_event::time::days_from_civil;

    #[test]
    fn default_start_is_november_first() {
        assert_eq!(rfc3339(DEFAULT_START), "2026-11-01T00:00:00Z");
        assert_eq!(days_from_civil(2026, 11, 1) * 86_400, DEFAULT_START);
    }

    #[test]
    fn civil_round_trips() {
        for ts in [
            0,
            951_782_400,
            1_709_164_799,
            DEFAULT_START + 86_399,
            MAX_TS,
        ] {
            let c = civil(ts);
            let back = days_from_civil(c.year, c.month, c.day) * 86_400
                + i64::from(c.hour * 3600 + c.minute * 60 + c.second);
            assert_eq!(back, ts);
        }
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(MAX_TS), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn key_stamps() {
        let ts = DEFAULT_START + 3600 + 5 * 60 + 9;
        let mut out = Vec::new();
        push_key_minute(&mut out, ts);
        out.push(b' ');
        push_key_second(&mut out, ts);
        out.push(b' ');
        push_date_path(&mut out, ts);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "20261101T0105Z 20261101T010509Z 2026/11/01"
        );
        assert_eq!(us_style(ts, true), "Nov 1, 2026, 1:05:09 AM");
        assert_eq!(us_style(ts + 12 * 3600, false), "Nov 1, 2026 1:05:09 PM");
        assert_eq!(us_style(DEFAULT_START, false), "Nov 1, 2026 12:00:00 AM");
    }

    #[test]
    fn parses_rfc3339_variants() {
        assert_eq!(parse_rfc3339("2026-11-01T00:00:00Z"), Ok(DEFAULT_START));
        assert_eq!(parse_rfc3339("2026-11-01T00:00:00.999Z"), Ok(DEFAULT_START));
        assert_eq!(
            parse_rfc3339("2026-11-01T02:00:00+02:00"),
            Ok(DEFAULT_START)
        );
        assert_eq!(
            parse_rfc3339("2026-10-31T23:30:00-00:30"),
            Ok(DEFAULT_START)
        );
        for bad in [
            "",
            "2026-11-01",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-01T24:00:00Z",
            "2026-11-01T00:00:00",
            "2026-11-01T00:00:00.Z",
            "2026-11-01T00:00:00+0200",
            "２026-11-01T00:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
        let msg = parse_rfc3339("yesterday").unwrap_err().to_string();
        assert!(msg.contains("yesterday"));
    }
}
