//! RFC 3339 timestamps to epoch milliseconds, for the renderers that need numeric times (OCSF).

/// Epoch milliseconds of an RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS`, an optional fraction
/// (digits past milliseconds are dropped), then `Z` or `±HH:MM`. `t`, `z` and a space instead
/// of `T` are accepted. `None` for anything else, including impossible dates.
pub(crate) fn epoch_millis(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = number(&b[0..4])?;
    let month = number(&b[5..7])?;
    let day = number(&b[8..10])?;
    let hour = number(&b[11..13])?;
    let minute = number(&b[14..16])?;
    let second = number(&b[17..19])?;
    if !(1..=12).contains(&month) || day == 0 || day > month_length(year, month) {
        return None;
    }
    // 60 is a leap second; it counts as the first second of the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let (millis, zone) = match &b[19..] {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let millis = fraction[..digits]
                .iter()
                .chain(std::iter::repeat(&b'0'))
                .take(3)
                .fold(0, |acc, d| acc * 10 + i64::from(d - b'0'));
            (millis, &fraction[digits..])
        }
        rest => (0, rest),
    };
    let offset_minutes = match zone {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = number(&[*h1, *h2])?;
            let minutes = number(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 60 + minutes;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };

    let days = days_since_epoch(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// The value of a run of ASCII digits; `None` if any byte is not a digit.
fn number(digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

fn month_length(year: i64, month: i64) -> i64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date, counting years from March so that the
/// leap day falls at the end of the counted year.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::epoch_millis;

    #[test]
    fn canonical_form() {
        assert_eq!(epoch_millis("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            epoch_millis("2024-05-01T12:34:56.789Z"),
            Some(1_714_566_896_789)
        );
        assert_eq!(epoch_millis("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(epoch_millis("1969-12-31T23:59:59.999Z"), Some(-1));
    }

    #[test]
    fn fractions_and_offsets() {
        assert_eq!(epoch_millis("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(epoch_millis("1970-01-01T00:00:00.123456789z"), Some(123));
        assert_eq!(epoch_millis("1970-01-01t01:00:00+01:00"), Some(0));
        assert_eq!(epoch_millis("1970-01-01 00:00:00-00:30"), Some(1_800_000));
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00.Z",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00+0100",
            "2024-05-01T12:00:00+01:00:00",
            "2024/05/01T12:00:00Z",
            "+024-05-01T12:00:00Z",
            "2024-05-01T12:00:00ZZ",
            "2024-05-01T12:00:0é",
        ] {
            assert_eq!(epoch_millis(bad), None, "{bad}");
        }
    }
}
