//! Receivers: where alerts go, as configured.

use crate::jsonl_file::JsonlConfig;
use crate::pagerduty::PagerDutyConfig;
use crate::rate_limit::RateLimit;
use crate::slack::SlackConfig;
use crate::webhook::WebhookConfig;

/// One kind of destination.
#[derive(Debug, Clone)]
pub enum Receiver {
    /// A Slack incoming webhook.
    Slack(SlackConfig),
    /// A PagerDuty service (Events API v2).
    PagerDuty(PagerDutyConfig),
    /// A JSON webhook signed with HMAC-SHA256.
    Webhook(WebhookConfig),
    /// A JSON-lines file with rotation.
    Jsonl(JsonlConfig),
    /// Standard output, one JSON line per alert.
    Stdout,
}

impl Receiver {
    /// The rate limit a receiver of this kind gets unless told otherwise: 1/s for Slack, 2/s
    /// for PagerDuty, none for the rest.
    pub fn default_rate_limit(&self) -> Option<RateLimit> {
        match self {
            Receiver::Slack(_) => Some(SlackConfig::DEFAULT_RATE_LIMIT),
            Receiver::PagerDuty(_) => Some(PagerDutyConfig::DEFAULT_RATE_LIMIT),
            Receiver::Webhook(_) | Receiver::Jsonl(_) | Receiver::Stdout => None,
        }
    }
}

/// A named receiver and its rate limit.
///
/// ```
/// use r53guard_notify::{RateLimit, Receiver, ReceiverConfig, Secret, WebhookConfig};
/// let hook = WebhookConfig::new(Secret::new("https://siem.example/hook"), Secret::new("k"));
/// let r = ReceiverConfig::new("siem", Receiver::Webhook(hook))
///     .rate_limit(Some(RateLimit::new(5.0, 10)));
/// assert_eq!(r.name, "siem");
/// ```
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// The name routes and outbox jobs use.
    pub name: String,
    /// The destination.
    pub receiver: Receiver,
    /// Sends allowed per second (None: no limit).
    pub rate_limit: Option<RateLimit>,
}

impl ReceiverConfig {
    /// A receiver with its kind's [default rate limit](Receiver::default_rate_limit).
    pub fn new(name: impl Into<String>, receiver: Receiver) -> ReceiverConfig {
        ReceiverConfig {
            name: name.into(),
            rate_limit: receiver.default_rate_limit(),
            receiver,
        }
    }

    /// Replaces the rate limit.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> ReceiverConfig {
        self.rate_limit = limit;
        self
    }
}
