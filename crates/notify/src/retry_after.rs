//! The `Retry-After` header: a number of seconds, or an HTTP date.

use std::time::{Duration, SystemTime};

/// How long `value` asks the sender to wait, measured from `now`: `"120"` is two minutes,
/// `"Wed, 21 Oct 2015 07:28:00 GMT"` is the time until then (zero when it has passed).
/// `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long numbers saturate; the retry policy caps the wait anyway.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::parse_retry_after;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn seconds_and_dates() {
        // 2015-10-21T07:28:00Z
        let then = UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let now = then - Duration::from_secs(90);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after(
                "Wed, 21 Oct 2015 07:28:00 GMT",
                then + Duration::from_secs(5)
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in ["", "-5", "1.5", "soon", "Wed, 32 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
