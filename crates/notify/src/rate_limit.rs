//! Per-receiver rate limits: a token bucket on an injected clock, which a receiver's
//! `Retry-After` can also pause.

use std::time::{Duration, SystemTime};

/// A rate: `per_second` sends on average, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second; above zero.
    pub per_second: f64,
    /// The bucket's size: how many sends may go back to back; at least 1.
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` sends a second, in bursts of up to `burst`.
    pub fn new(per_second: f64, burst: u32) -> RateLimit {
        RateLimit { per_second, burst }
    }
}

/// What holds a receiver's sends back: its token bucket (if it has a rate limit) and a pause that
/// the receiver asked for with `Retry-After`. Pure state: every method takes the current time, so
/// it is tested without waiting.
#[derive(Debug, Clone)]
pub(crate) struct Throttle {
    bucket: Option<TokenBucket>,
    paused_until: Option<SystemTime>,
}

impl Throttle {
    /// A throttle with a full bucket, or none.
    pub(crate) fn new(limit: Option<RateLimit>, now: SystemTime) -> Throttle {
        Throttle {
            bucket: limit.map(|l| TokenBucket::new(l, now)),
            paused_until: None,
        }
    }

    /// Lets one send through, or says how long until one may go (the pause ends, a token is
    /// available).
    pub(crate) fn try_acquire(&mut self, now: SystemTime) -> Result<(), Duration> {
        if let Some(until) = self.paused_until {
            match until.duration_since(now) {
                Ok(wait) if !wait.is_zero() => return Err(wait),
                _ => self.paused_until = None,
            }
        }
        match &mut self.bucket {
            Some(bucket) => bucket.try_acquire(now),
            None => Ok(()),
        }
    }

    /// Holds every send until `until` (a receiver said `Retry-After`). An earlier time does not
    /// shorten a pause.
    pub(crate) fn pause_until(&mut self, until: SystemTime) {
        if self.paused_until.is_none_or(|p| p < until) {
            self.paused_until = Some(until);
        }
    }
}

/// A token bucket.
#[derive(Debug, Clone)]
struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    last: SystemTime,
}

impl TokenBucket {
    fn new(limit: RateLimit, now: SystemTime) -> TokenBucket {
        TokenBucket {
            limit,
            tokens: Self::capacity(limit),
            last: now,
        }
    }

    fn capacity(limit: RateLimit) -> f64 {
        f64::from(limit.burst.max(1))
    }

    /// Takes a token, or says how long until one is available.
    fn try_acquire(&mut self, now: SystemTime) -> Result<(), Duration> {
        // A clock that steps back adds nothing and leaves `last` alone.
        if let Ok(elapsed) = now.duration_since(self.last) {
            self.tokens = (self.tokens + elapsed.as_secs_f64() * self.limit.per_second)
                .min(Self::capacity(self.limit));
            self.last = now;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - self.tokens;
        let rate = self.limit.per_second.max(f64::MIN_POSITIVE);
        Err(Duration::try_from_secs_f64(missing / rate).unwrap_or(Duration::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn t(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(ms)
    }

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let mut b = Throttle::new(Some(RateLimit::new(2.0, 3)), t(0));
        assert!(b.try_acquire(t(0)).is_ok());
        assert!(b.try_acquire(t(0)).is_ok());
        assert!(b.try_acquire(t(0)).is_ok());
        assert_eq!(b.try_acquire(t(0)), Err(Duration::from_millis(500)));
        assert_eq!(b.try_acquire(t(200)), Err(Duration::from_millis(300)));
        assert!(b.try_acquire(t(500)).is_ok());
        assert!(b.try_acquire(t(500)).is_err());
        // A long idle time refills no more than the burst.
        for _ in 0..3 {
            assert!(b.try_acquire(t(60_000)).is_ok());
        }
        assert!(b.try_acquire(t(60_000)).is_err());
    }

    #[test]
    fn one_per_second_without_burst() {
        let mut b = Throttle::new(Some(RateLimit::new(1.0, 1)), t(0));
        assert!(b.try_acquire(t(0)).is_ok());
        assert_eq!(b.try_acquire(t(0)), Err(Duration::from_secs(1)));
        assert!(b.try_acquire(t(1000)).is_ok());
    }

    #[test]
    fn without_a_limit_only_a_pause_holds_sends() {
        let mut b = Throttle::new(None, t(0));
        for _ in 0..100 {
            assert!(b.try_acquire(t(0)).is_ok());
        }
        b.pause_until(t(30_000));
        b.pause_until(t(10_000)); // an earlier pause does not shorten it
        assert_eq!(b.try_acquire(t(1_000)), Err(Duration::from_secs(29)));
        assert!(b.try_acquire(t(30_000)).is_ok());
    }

    #[test]
    fn a_clock_that_steps_back_gives_no_tokens() {
        let mut b = Throttle::new(Some(RateLimit::new(1.0, 1)), t(10_000));
        assert!(b.try_acquire(t(10_000)).is_ok());
        assert!(b.try_acquire(t(0)).is_err());
        assert!(b.try_acquire(t(11_000)).is_ok());
    }
}
