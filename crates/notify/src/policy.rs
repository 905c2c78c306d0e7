//! The retry policy: how many attempts, and how long to wait between them (exponential back-off
//! with full jitter, or the receiver's `Retry-After`).

use rand::{Rng, RngCore};
use std::time::Duration;

/// When to try again after a failure that may pass.
///
/// Before attempt `n + 1` the sender waits a uniformly random time between zero and
/// `min(max_delay, base_delay × multiplier^(n-1))` ("full jitter"), unless the receiver asked for
/// a time with `Retry-After`, which is then used as it is (capped at `max_delay`). A failure on
/// attempt `max_attempts` dead-letters the delivery.
///
/// The default (10 attempts; 5 s, ×4, capped at 24 h) spreads the attempts over about a day on
/// average and at most about 2.3 days, in the spirit of the multi-day schedule that Standard
/// Webhooks suggests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; at least 1.
    pub max_attempts: u32,
    /// The ceiling of the first retry's delay.
    pub base_delay: Duration,
    /// How much the ceiling grows per attempt; at least 1.
    pub multiplier: f64,
    /// The largest delay, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(5),
            multiplier: 4.0,
            max_delay: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// Whether a failed attempt number `attempt` (1-based) was the last one allowed.
    pub fn is_exhausted(&self, attempt: u32) -> bool {
        attempt >= self.max_attempts.max(1)
    }

    /// The ceiling of the jittered delay after failed attempt `attempt` (1-based).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(1024) as i32;
        let secs = self.base_delay.as_secs_f64() * self.multiplier.max(1.0).powi(exponent);
        if secs.is_finite() && secs < self.max_delay.as_secs_f64() {
            Duration::from_secs_f64(secs)
        } else {
            self.max_delay
        }
    }

    /// How long to wait after failed attempt `attempt` (1-based): `retry_after` (capped) when the
    /// receiver gave one, otherwise a random time up to [`RetryPolicy::ceiling`], drawn from
    /// `rng` (seed it in tests for a fixed schedule).
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        rng: &mut dyn RngCore,
    ) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let ceiling = self.ceiling(attempt).as_millis().min(u128::from(u64::MAX)) as u64;
        Duration::from_millis(rng.random_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn ceilings_grow_exponentially_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_secs(5));
        assert_eq!(p.ceiling(2), Duration::from_secs(20));
        assert_eq!(p.ceiling(3), Duration::from_secs(80));
        assert_eq!(p.ceiling(9), Duration::from_secs(24 * 3600));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(24 * 3600));
    }

    #[test]
    fn delays_are_full_jitter_and_reproducible_with_a_seed() {
        let p = RetryPolicy::default();
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (1..=10)
                .map(|n| p.delay(n, None, &mut rng))
                .collect::<Vec<_>>()
        };
        let a = draw(7);
        assert_eq!(a, draw(7));
        assert_ne!(a, draw(8));
        for (n, d) in (1..).zip(&a) {
            assert!(*d <= p.ceiling(n), "attempt {n}: {d:?}");
        }
        let mut rng = StdRng::seed_from_u64(1);
        let spread: Vec<_> = (0..200).map(|_| p.delay(3, None, &mut rng)).collect();
        assert!(spread.iter().any(|d| *d < Duration::from_secs(20)));
        assert!(spread.iter().any(|d| *d > Duration::from_secs(60)));
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let p = RetryPolicy {
            max_delay: Duration::from_secs(60),
            ..RetryPolicy::default()
        };
        let mut rng = StdRng::seed_from_u64(0);
        let d = p.delay(1, Some(Duration::from_secs(30)), &mut rng);
        assert_eq!(d, Duration::from_secs(30));
        let d = p.delay(1, Some(Duration::from_secs(3600)), &mut rng);
        assert_eq!(d, Duration::from_secs(60));
    }

    #[test]
    fn the_last_attempt_is_exhausted() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        assert!(!p.is_exhausted(2));
        assert!(p.is_exhausted(3));
        assert!(p.is_exhausted(4));
        let never_zero = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        };
        assert!(never_zero.is_exhausted(1));
    }
}
