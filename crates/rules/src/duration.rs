//! Durations (`10m`) and look-backs (`now-60m`).
//!
//! * A **duration** is `^\d+[smhd]$`: a positive whole number of seconds, minutes, hours or
//!   days. It is used by `interval`, `window`, sequence `maxspan` and is the shape Elastic
//!   uses for intervals.
//! * A **look-back** is date math relative to the run's start, `now` or `now-<n><unit>` with
//!   unit `y`, `M`, `w`, `d`, `h`/`H`, `m` or `s` (detection-rules' `^now-\d+[yMwdhHms]$`),
//!   used by `from`, `to` and new-terms `history_window_start`. Its [`Lookback::millis`] is
//!   the nominal length (a month counts 30 days, a year 365); [`Lookback::resolve`] applies
//!   calendar arithmetic to a given instant instead.

use r53guard_kql::datemath::{DateAnchor, DateMath};
use std::time::Duration;

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Parses `^\d+[smhd]$` (for example `90s`, `10m`, `1h`, `7d`). Zero is rejected.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let shape = || {
        format!(
            "`{text}` is not a duration: expected a number and a unit s, m, h or d (like `10m`)"
        )
    };
    let unit = text.chars().last().ok_or_else(shape)?;
    let digits = &text[..text.len() - unit.len_utf8()];
    let per = match unit {
        's' => SECOND,
        'm' => MINUTE,
        'h' => HOUR,
        'd' => DAY,
        _ => return Err(shape()),
    };
    let count = parse_count(digits).ok_or_else(shape)?;
    if count == 0 {
        return Err(format!("`{text}` is zero; a duration must be positive"));
    }
    count
        .checked_mul(per)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}` is too long"))
}

/// Formats a duration in the largest unit of `s`, `m`, `h`, `d` that divides it exactly
/// (`600s` prints as `10m`); sub-second durations print in milliseconds (`250ms`).
pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    for (unit, per) in [("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)] {
        let per = u128::from(per);
        if ms != 0 && ms.is_multiple_of(per) {
            return format!("{}{unit}", ms / per);
        }
    }
    format!("{ms}ms")
}

fn parse_count(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A look-back: `now` or `now-<n><unit>`, relative to a rule run's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookback {
    text: String,
    millis: u64,
    math: DateMath,
}

impl Lookback {
    /// Parses `now` or `now-<n><unit>` (units `y M w d h H m s`).
    pub fn parse(text: &str) -> Result<Lookback, String> {
        let shape = || {
            format!(
                "`{text}` is not a look-back: expected `now` or `now-<n><unit>` with unit y, M, w, d, h, H, m or s (like `now-6m`)"
            )
        };
        let millis = if text == "now" {
            0
        } else {
            let rest = text.strip_prefix("now-").ok_or_else(shape)?;
            let unit = rest.chars().last().ok_or_else(shape)?;
            let per = match unit {
                'y' => 365 * DAY,
                'M' => 30 * DAY,
                'w' => 7 * DAY,
                'd' => DAY,
                'h' | 'H' => HOUR,
                'm' => MINUTE,
                's' => SECOND,
                _ => return Err(shape()),
            };
            let count = parse_count(&rest[..rest.len() - unit.len_utf8()]).ok_or_else(shape)?;
            count
                .checked_mul(per)
                .ok_or_else(|| format!("`{text}` is too far back"))?
        };
        let math = DateMath::parse(text).ok_or_else(shape)?;
        Ok(Lookback {
            text: text.to_string(),
            millis,
            math,
        })
    }

    /// `now`: no look-back.
    pub fn now() -> Lookback {
        Lookback {
            text: "now".to_string(),
            millis: 0,
            math: DateMath {
                anchor: DateAnchor::Now,
                ops: Vec::new(),
            },
        }
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The nominal look-back in milliseconds (a month is 30 days, a year 365).
    pub fn millis(&self) -> u64 {
        self.millis
    }

    /// The nominal look-back as a [`Duration`].
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.millis)
    }

    /// The instant the expression names for a run starting at `now_ms` (epoch milliseconds),
    /// with calendar months and years. `None` outside years -9999..=9999.
    pub fn resolve(&self, now_ms: i64) -> Option<i64> {
        self.math.resolve(now_ms, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        for bad in [
            "", "m", "10", "10M", "1.5h", "-1m", "10 m", "10mm", "0s", "h1", "1é",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("999999999999999999d").is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_secs(86_400)), "1d");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn lookbacks() {
        let l = Lookback::parse("now-60m").unwrap();
        assert_eq!(l.millis(), 3_600_000);
        assert_eq!(l.resolve(10_000_000), Some(6_400_000));
        assert_eq!(Lookback::parse("now-2H").unwrap().millis(), 7_200_000);
        assert_eq!(Lookback::parse("now-1M").unwrap().millis(), 30 * DAY);
        assert_eq!(Lookback::parse("now").unwrap(), Lookback::now());
        // 2024-03-31 minus one calendar month is 2024-02-29.
        let march_31 = 1_711_843_200_000;
        assert_eq!(
            Lookback::parse("now-1M").unwrap().resolve(march_31),
            Some(march_31 - 31 * DAY as i64)
        );
        for bad in [
            "now-", "now-6", "now+6m", "now-6x", "6m", "now-6m/d", "now-1.5h", "now -6m",
        ] {
            assert!(Lookback::parse(bad).is_err(), "{bad:?}");
        }
    }
}
