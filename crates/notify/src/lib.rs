//! r53guard notifications: alerts to Slack, PagerDuty, signed JSON webhooks, JSON-lines files
//! and standard output.
//!
//! The crate is built to be driven by a durable outbox. When an alert is stored, a
//! [`RouteTable`] says which receivers it goes to, and one job per receiver is queued with it.
//! A worker then calls [`Notifier::deliver`] for a due job, "attempt N of this alert to this
//! receiver", and gets back an [`Outcome`]:
//!
//! | outcome | the outbox |
//! |---|---|
//! | [`Outcome::Delivered`] | marks the job sent (the sent-ledger) |
//! | [`Outcome::Deferred`] | reschedules it after the wait, same attempt number (nothing was sent: rate limit or a receiver's pause) |
//! | [`Outcome::Retry`] | reschedules it after the wait, next attempt number |
//! | [`Outcome::Dead`] | moves it to the dead letters: the last allowed attempt failed |
//! | [`Outcome::Failed`] | moves it to the dead letters at once: retrying cannot help (a 4xx) |
//!
//! Nothing is lost, because a job leaves the outbox only on an outcome, and nothing is sent
//! twice to a receiver that dedupes: the alert id is PagerDuty's `dedup_key`, webhooks carry it
//! in the [`ALERT_ID_HEADER`] header, and the Slack message and file lines show it. (Slack has
//! no idempotency key, so a crash between a post and the ledger write can repeat a message.)
//!
//! # Example
//!
//! ```no_run
//! use r53guard_alert::{Alert, Severity};
//! use r53guard_notify::{
//!     JsonlConfig, Notifier, Outcome, PagerDutyConfig, Receiver, ReceiverConfig, Route,
//!     RouteTable, SecretRef, SlackConfig,
//! };
//!
//! # async fn run(alert: Alert) -> Result<(), Box<dyn std::error::Error>> {
//! let slack = SlackConfig { webhook_url: "env:SLACK_WEBHOOK_URL".parse::<SecretRef>()?.resolve()? };
//! let pd = PagerDutyConfig::new("file:/run/secrets/pd-routing-key".parse::<SecretRef>()?.resolve()?);
//! let notifier = Notifier::builder()
//!     .receiver(ReceiverConfig::new("slack-secops", Receiver::Slack(slack)))
//!     .receiver(ReceiverConfig::new("pagerduty", Receiver::PagerDuty(pd)))
//!     .receiver(ReceiverConfig::new("archive", Receiver::Jsonl(JsonlConfig::new("alerts.jsonl"))))
//!     .alert_link_base("https://r53guard.example.com/alerts")
//!     .build()?;
//! let routes = RouteTable::new(vec![
//!     Route::to(["archive"]),
//!     Route::to(["slack-secops"]).min_severity(Severity::Medium),
//!     Route::to(["pagerduty"]).min_severity(Severity::High).rule("route53-domain-*"),
//! ]);
//! notifier.check_routes(&routes)?;
//!
//! for receiver in routes.receivers_for(&alert) {
//!     let mut attempt = 1;
//!     loop {
//!         match notifier.deliver(&alert, receiver, attempt).await {
//!             Outcome::Delivered | Outcome::Dead { .. } | Outcome::Failed { .. } => break,
//!             Outcome::Deferred { after } => tokio::time::sleep(after).await,
//!             Outcome::Retry { after, .. } => {
//!                 attempt += 1;
//!                 tokio::time::sleep(after).await;
//!             }
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! (A real service keeps the jobs in its outbox rather than looping in memory.)
//!
//! # What is sent
//!
//! - **Slack**: a Block Kit message with the severity, rule, summary, entity (account, principal
//!   ARN, source IP, VPC, instance, domain, … as present), ATT&CK ids, a link to the alert and
//!   the alert id, cut to Slack's text limits. Delivered on `200 ok`.
//! - **PagerDuty**: an Events API v2 `trigger` with `dedup_key` = alert id, severity mapped
//!   (low → info, medium → warning, high → error, critical → critical), `custom_details` and
//!   links, within PagerDuty's field and request limits. Delivered on 2xx (202).
//! - **Webhook**: the alert JSON, with [`ALERT_ID_HEADER`], [`TIMESTAMP_HEADER`] and
//!   [`SIGNATURE_HEADER`] (`sha256=` hex HMAC-SHA256 of `"<timestamp>.<body>"`); receivers
//!   check it with [`verify`] or the recipe in `docs/notifications.md`.
//! - **JSON-lines file** (rotated by size) and **stdout**: the line `r53guard hunt` writes.
//!
//! # Failures and retries
//!
//! 2xx (as the receiver defines success) is delivered. 408, 429, 5xx, timeouts and connection
//! errors are retried per the [`RetryPolicy`] (exponential back-off with full jitter, or the
//! receiver's `Retry-After`, which also pauses that receiver); other statuses, redirects
//! included (they are never followed), are permanent failures. [`HttpSettings`] keeps targets
//! to HTTPS and public addresses unless told otherwise. Each receiver has its own token-bucket
//! [`RateLimit`].
//!
//! Secrets (webhook URLs, routing keys, signing keys) are [`Secret`]s, read through
//! [`SecretRef`]s (`env:NAME`, `file:/path`); they print as `***` and no error message
//! contains them.

mod clock;
mod describe;
mod glob;
mod http;
mod jsonl_file;
mod notifier;
mod outcome;
mod pagerduty;
mod policy;
mod rate_limit;
mod receiver;
mod retry_after;
mod route;
mod secret;
mod signature;
mod slack;
#[cfg(test)]
mod test_alert;
mod text;
mod webhook;

pub use clock::{Clock, ManualClock, SystemClock};
pub use http::HttpSettings;
pub use jsonl_file::JsonlConfig;
pub use notifier::{BuildError, Notifier, NotifierBuilder};
pub use outcome::{Failure, FailureKind, Outcome};
pub use pagerduty::{PAGERDUTY_EVENTS_URL, PagerDutyConfig};
pub use policy::RetryPolicy;
pub use rate_limit::RateLimit;
pub use receiver::{Receiver, ReceiverConfig};
pub use retry_after::parse_retry_after;
pub use route::{Route, RouteTable};
pub use secret::{Secret, SecretError, SecretRef};
pub use signature::{
    ALERT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, VerifyError, sign, verify,
};
pub use slack::SlackConfig;
pub use webhook::WebhookConfig;
