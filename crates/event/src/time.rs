//! Event time: RFC 3339 timestamps to and from epoch milliseconds, without a calendar dependency.

/// Parses an RFC 3339 / ISO-8601 UTC timestamp (`2023-07-10T11:42:36Z`, with or without a
/// fraction, `Z` or a numeric offset, `T` or a space between date and time) into epoch
/// milliseconds. Returns `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    at_time(b, date_days(b)?)
}

/// [`parse_rfc3339`] remembering the last date it read: a log's records come in time order,
/// so most share the date of the record before, and only their time of day is read.
#[derive(Debug, Clone, Default)]
pub struct TimeParser {
    /// The last valid date's text (`2023-07-10`) and its days since 1970-01-01.
    date: Option<([u8; 10], i64)>,
}

impl TimeParser {
    /// As [`parse_rfc3339`].
    pub fn parse(&mut self, s: &str) -> Option<i64> {
        let b = s.as_bytes();
        let date = b.get(..10)?;
        let days = match &self.date {
            Some((last, days)) if last == date => *days,
            _ => {
                let days = date_days(b)?;
                self.date = Some((date.try_into().ok()?, days));
                days
            }
        };
        at_time(b, days)
    }
}

/// Days since 1970-01-01 of the date `b` starts with (`2023-07-10`), when it is a valid date.
fn date_days(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year as i64, month, day))
}

/// Epoch milliseconds of the timestamp `b`, whose date (checked) falls `days` after 1970-01-01:
/// the time of day after it, a fraction, and `Z` or an offset.
fn at_time(b: &[u8], days: i64) -> Option<i64> {
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if let Some((&b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for (i, c) in frac[..n].iter().take(3).enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1][i];
        }
        rest = &frac[n..];
    }
    let offset_secs = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            if h > 23 || m > 59 {
                return None;
            }
            let off = (h * 3600 + m * 60) as i64;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let secs = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64 - offset_secs;
    Some(secs * 1000 + millis)
}

/// Formats epoch milliseconds as RFC 3339 UTC with millisecond precision
/// (`2023-07-10T11:42:36.000Z`).
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::Strategy;

    #[test]
    fn parses_the_forms_aws_writes() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2023-07-10T11:42:36Z"),
            Some(1_688_989_356_000)
        );
        assert_eq!(
            parse_rfc3339("2023-07-10T11:42:36.5Z"),
            Some(1_688_989_356_500)
        );
        assert_eq!(
            parse_rfc3339("2024-07-31T14:23:44.841442289Z"),
            Some(1_722_435_824_841)
        );
        assert_eq!(
            parse_rfc3339("2023-07-10T13:42:36+02:00"),
            Some(1_688_989_356_000)
        );
        assert!(parse_rfc3339("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in [
            "",
            "2023-07-10",
            "2023-07-10T11:42:36",
            "2023-13-10T11:42:36Z",
            "2023-02-29T11:42:36Z",
            "2023-07-10T24:00:00Z",
            "2023-07-10T11:42:36.Z",
            "2023-07-10T11:42:36Zjunk",
            "２023-07-10T11:42:36Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// The parser that remembers dates answers as the plain one, over sequences that
        /// repeat dates, change them, and mix in broken texts sharing a valid date's prefix.
        #[test]
        fn remembering_dates_changes_nothing(
            texts in proptest::collection::vec(
                proptest::prop_oneof![
                    (0i64..4_000_000_000_000).prop_map(format_rfc3339),
                    proptest::sample::select(vec![
                        "2024-02-29T23:59:59Z", "2024-02-29T24:00:00Z", "2024-02-29",
                        "2024-02-29T12:00:00+01:00", "2024-02-29 12:00:00.5z",
                        "2023-02-29T12:00:00Z", "2024-02-2912:00:00Z", "", "2024-02-3",
                        "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.999999Z",
                    ]).prop_map(str::to_owned),
                ],
                1..20,
            )
        ) {
            let mut memo = TimeParser::default();
            for t in &texts {
                proptest::prop_assert_eq!(memo.parse(t), parse_rfc3339(t), "{}", t);
            }
        }
    }

    #[test]
    fn formats_round_trip() {
        for ms in [0, 1_688_989_356_123, -86_400_000, 4_102_444_800_000] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms));
        }
    }
}
