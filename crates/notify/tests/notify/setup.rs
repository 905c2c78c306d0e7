//! What the tests share: the fixture alert, a stopped clock, and a notifier set up for local
//! receivers.

use r53guard_alert::Alert;
use r53guard_notify::{HttpSettings, ManualClock, Notifier, NotifierBuilder, RetryPolicy};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

pub const LINK_BASE: &str = "https://r53guard.example/alerts";

pub fn alert() -> Alert {
    serde_json::from_str(include_str!("../fixtures/alert.json")).unwrap()
}

/// 2023-11-14T22:13:20Z.
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ))
}

/// Plain HTTP to 127.0.0.1 allowed, short timeouts, 4 attempts, a seeded jitter and `clock`.
pub fn builder(clock: &Arc<ManualClock>) -> NotifierBuilder {
    Notifier::builder()
        .http(HttpSettings {
            timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_millis(500),
            allow_plain_http: true,
            allow_private_targets: true,
        })
        .retry_policy(RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        })
        .clock(clock.clone())
        .rng_seed(42)
        .alert_link_base(LINK_BASE)
}
