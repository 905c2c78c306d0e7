//! The notifier: delivers one alert to one named receiver, one attempt at a time, and tells the
//! outbox what to do next.

use crate::clock::{Clock, SystemClock};
use crate::http::{HttpSettings, Transport};
use crate::jsonl_file::{JsonlFile, line};
use crate::outcome::{Failure, FailureKind, Outcome, Verdict};
use crate::pagerduty::{self, PagerDutyConfig};
use crate::policy::RetryPolicy;
use crate::rate_limit::Throttle;
use crate::receiver::{Receiver, ReceiverConfig};
use crate::route::RouteTable;
use crate::slack::{self, SlackConfig};
use crate::webhook::{self, WebhookConfig};
use r53guard_alert::Alert;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

/// A configuration the notifier cannot run with. Messages name receivers, never secrets.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Two receivers have the same name.
    #[error("receiver {0:?} is defined twice")]
    DuplicateReceiver(String),
    /// A route names a receiver that is not defined.
    #[error("a route sends to receiver {0:?}, which is not defined")]
    UnknownReceiver(String),
    /// A receiver's URL is malformed or not allowed by the [`HttpSettings`].
    #[error("receiver {receiver:?}: {failure}")]
    InvalidTarget {
        /// The receiver.
        receiver: String,
        /// What is wrong with its URL.
        failure: Failure,
    },
    /// A rate limit is not a positive, finite rate.
    #[error("receiver {0:?}: the rate limit must be a positive number per second")]
    InvalidRateLimit(String),
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Sets up a [`Notifier`].
pub struct NotifierBuilder {
    receivers: Vec<ReceiverConfig>,
    policy: RetryPolicy,
    http: HttpSettings,
    clock: Arc<dyn Clock>,
    rng: Option<Box<dyn RngCore + Send>>,
    link_base: Option<String>,
}

impl NotifierBuilder {
    /// Adds a receiver.
    pub fn receiver(mut self, receiver: ReceiverConfig) -> NotifierBuilder {
        self.receivers.push(receiver);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> NotifierBuilder {
        self.policy = policy;
        self
    }

    /// How HTTP receivers connect (default: [`HttpSettings::default`]).
    pub fn http(mut self, settings: HttpSettings) -> NotifierBuilder {
        self.http = settings;
        self
    }

    /// The clock for rate limits, `Retry-After` dates and signature timestamps (default: the
    /// system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> NotifierBuilder {
        self.clock = clock;
        self
    }

    /// Seeds the back-off jitter, for a reproducible schedule (default: seeded by the OS).
    pub fn rng_seed(mut self, seed: u64) -> NotifierBuilder {
        self.rng = Some(Box::new(StdRng::seed_from_u64(seed)));
        self
    }

    /// Where alerts can be opened: Slack and PagerDuty link to `<base>/<alert id>`.
    pub fn alert_link_base(mut self, base: impl Into<String>) -> NotifierBuilder {
        self.link_base = Some(base.into());
        self
    }

    /// Checks the configuration and sets up the HTTP client.
    pub fn build(self) -> Result<Notifier, BuildError> {
        let http = Transport::new(self.http)?;
        let now = self.clock.now();
        let mut receivers = BTreeMap::new();
        for config in self.receivers {
            let name = config.name;
            if config
                .rate_limit
                .is_some_and(|l| !(l.per_second.is_finite() && l.per_second > 0.0))
            {
                return Err(BuildError::InvalidRateLimit(name));
            }
            let target = match &config.receiver {
                Receiver::Slack(c) => Some(c.webhook_url.expose()),
                Receiver::PagerDuty(c) => Some(c.url.as_str()),
                Receiver::Webhook(c) => Some(c.url.expose()),
                Receiver::Jsonl(_) | Receiver::Stdout => None,
            };
            if let Some(url) = target
                && let Err(failure) = http.check_url(url)
            {
                return Err(BuildError::InvalidTarget {
                    receiver: name,
                    failure,
                });
            }
            let channel = match config.receiver {
                Receiver::Slack(c) => Channel::Slack(c),
                Receiver::PagerDuty(c) => Channel::PagerDuty(c),
                Receiver::Webhook(c) => Channel::Webhook(c),
                Receiver::Jsonl(c) => Channel::Jsonl(Arc::new(JsonlFile::new(c))),
                Receiver::Stdout => Channel::Stdout,
            };
            let slot = Slot {
                channel,
                throttle: Mutex::new(Throttle::new(config.rate_limit, now)),
            };
            if receivers.insert(name.clone(), slot).is_some() {
                return Err(BuildError::DuplicateReceiver(name));
            }
        }
        Ok(Notifier {
            receivers,
            policy: self.policy,
            http,
            clock: self.clock,
            rng: Mutex::new(self.rng.unwrap_or_else(|| Box::new(StdRng::from_os_rng()))),
            link_base: self.link_base,
        })
    }
}

/// Delivers alerts to named receivers, one attempt per call, for an outbox to drive.
///
/// The outbox holds jobs `(alert id, receiver, attempt)`, queued from a
/// [`RouteTable`](crate::RouteTable) when the alert is stored. A worker takes a due job, calls
/// [`Notifier::deliver`] and acts on the [`Outcome`]: mark it sent, reschedule it (with the same
/// attempt number after [`Outcome::Deferred`], the next one after [`Outcome::Retry`]), or move it
/// to the dead letters. Receivers dedupe on the alert id: it is PagerDuty's `dedup_key`, and
/// webhooks get it in a header, so a job sent again after a crash does no harm there.
pub struct Notifier {
    receivers: BTreeMap<String, Slot>,
    policy: RetryPolicy,
    http: Transport,
    clock: Arc<dyn Clock>,
    rng: Mutex<Box<dyn RngCore + Send>>,
    link_base: Option<String>,
}

struct Slot {
    channel: Channel,
    throttle: Mutex<Throttle>,
}

enum Channel {
    Slack(SlackConfig),
    PagerDuty(PagerDutyConfig),
    Webhook(WebhookConfig),
    Jsonl(Arc<JsonlFile>),
    Stdout,
}

impl Notifier {
    /// A builder with no receivers, the default retry policy and HTTP settings, the system clock
    /// and OS-seeded jitter.
    pub fn builder() -> NotifierBuilder {
        NotifierBuilder {
            receivers: Vec::new(),
            policy: RetryPolicy::default(),
            http: HttpSettings::default(),
            clock: Arc::new(SystemClock),
            rng: None,
            link_base: None,
        }
    }

    /// The receivers' names, sorted.
    pub fn receiver_names(&self) -> impl Iterator<Item = &str> {
        self.receivers.keys().map(String::as_str)
    }

    /// Checks that every receiver a route sends to exists.
    pub fn check_routes(&self, routes: &RouteTable) -> Result<(), BuildError> {
        for route in routes.routes() {
            for name in route.receivers() {
                if !self.receivers.contains_key(name) {
                    return Err(BuildError::UnknownReceiver(name.clone()));
                }
            }
        }
        Ok(())
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Attempt number `attempt` (1-based) to deliver `alert` to the receiver named `receiver`.
    ///
    /// Nothing is sent when the receiver's rate limit, or a `Retry-After` it gave earlier,
    /// holds it ([`Outcome::Deferred`]). A failure that may pass gives [`Outcome::Retry`] with
    /// the wait (the receiver's `Retry-After` if it gave one, otherwise jittered exponential
    /// back-off), or [`Outcome::Dead`] when `attempt` was the policy's last; one that will not
    /// pass gives [`Outcome::Failed`].
    pub async fn deliver(&self, alert: &Alert, receiver: &str, attempt: u32) -> Outcome {
        let Some(slot) = self.receivers.get(receiver) else {
            return Outcome::Failed {
                failure: Failure::new(FailureKind::UnknownReceiver, receiver),
            };
        };
        if let Err(after) = lock(&slot.throttle).try_acquire(self.clock.now()) {
            return Outcome::Deferred { after };
        }
        match self.attempt(&slot.channel, alert).await {
            Verdict::Delivered => Outcome::Delivered,
            Verdict::Permanent(failure) => Outcome::Failed { failure },
            Verdict::Transient {
                failure,
                retry_after,
            } => {
                if let Some(wait) = retry_after {
                    let until = self.clock.now() + wait.min(self.policy.max_delay);
                    lock(&slot.throttle).pause_until(until);
                }
                let attempt = attempt.max(1);
                if self.policy.is_exhausted(attempt) {
                    Outcome::Dead {
                        attempts: attempt,
                        failure,
                    }
                } else {
                    let mut rng = lock(&self.rng);
                    let after = self.policy.delay(attempt, retry_after, &mut **rng);
                    Outcome::Retry { after, failure }
                }
            }
        }
    }

    async fn attempt(&self, channel: &Channel, alert: &Alert) -> Verdict {
        let link = self.link_base.as_deref();
        match channel {
            Channel::Slack(c) => {
                let body = serde_json::to_vec(&slack::message(alert, link))
                    .expect("JSON values serialize");
                self.post(c.webhook_url.expose(), &[], body, slack::verdict)
                    .await
            }
            Channel::PagerDuty(c) => match pagerduty::event(alert, &c.routing_key, link) {
                Ok(body) => self.post(&c.url, &[], body, pagerduty::verdict).await,
                Err(failure) => Verdict::Permanent(failure),
            },
            Channel::Webhook(c) => {
                let body = webhook::body(alert, c.max_body_bytes);
                let timestamp = self
                    .clock
                    .now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let headers = webhook::headers(alert, &c.signing_key, timestamp, &body);
                self.post(c.url.expose(), &headers, body, webhook::verdict)
                    .await
            }
            Channel::Jsonl(file) => {
                let file = Arc::clone(file);
                let written = match line(alert) {
                    Ok(line) => tokio::task::spawn_blocking(move || file.append(&line))
                        .await
                        .unwrap_or_else(|e| Err(std::io::Error::other(e))),
                    Err(e) => Err(e),
                };
                io_verdict(written)
            }
            Channel::Stdout => io_verdict(line(alert).and_then(|line| {
                let mut out = std::io::stdout().lock();
                out.write_all(&line)?;
                out.flush()
            })),
        }
    }

    async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
        verdict: fn(u16, Option<Duration>, &str) -> Verdict,
    ) -> Verdict {
        match self
            .http
            .post_json(url, headers, body, self.clock.now())
            .await
        {
            Ok(answer) => verdict(answer.status, answer.retry_after, &answer.body),
            Err(failure) if failure.kind == FailureKind::Blocked => Verdict::Permanent(failure),
            Err(failure) => Verdict::Transient {
                failure,
                retry_after: None,
            },
        }
    }
}

fn io_verdict(result: std::io::Result<()>) -> Verdict {
    match result {
        Ok(()) => Verdict::Delivered,
        Err(e) => Verdict::Transient {
            failure: Failure::new(FailureKind::Io, e.to_string()),
            retry_after: None,
        },
    }
}

fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
