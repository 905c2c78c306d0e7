//! The configuration of `r53guard run`: a TOML file, every table closed to unknown keys, checked
//! into typed values whose errors name the key at fault.

use crate::config_s3::{S3SourceConfig, SqsSourceConfig};
use crate::firehose_config::FirehoseSourceConfig;
use crate::secret_ref::SecretSpec;
use crate::span::Span;
use r53guard_alert::Severity;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The configuration `r53guard run` uses when given none: watch `./logs`, keep state in
/// `./r53guard-data`, print alerts on stdout, serve the API on 127.0.0.1:8053 with a token
/// generated into the data directory.
pub const DEFAULT_CONFIG: &str = include_str!("default.toml");

/// A whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the store (`r53guard.db`) and the generated API token live.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Which rules run.
    #[serde(default)]
    pub rules: RulesConfig,
    /// Where records come from.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// The HTTP API.
    #[serde(default)]
    pub api: ApiConfig,
    /// Where alerts go.
    #[serde(default, rename = "receiver")]
    pub receivers: Vec<ReceiverSpec>,
    /// Which alerts go where; none: every alert to every receiver.
    #[serde(default, rename = "route")]
    pub routes: Vec<RouteConfig>,
    /// How notifications are retried.
    #[serde(default)]
    pub delivery: DeliveryConfig,
    /// How the pipeline watches its sources.
    #[serde(default)]
    pub pipeline: PipelineConfig,
}

/// `[pipeline]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// A source's newest event time jumping forward by more than this is a gap (counted and
    /// logged).
    #[serde(default = "fifteen_minutes")]
    pub gap_threshold: Span,
}

fn fifteen_minutes() -> Span {
    Span::from_secs(15 * 60)
}

impl Default for PipelineConfig {
    fn default() -> PipelineConfig {
        PipelineConfig {
            gap_threshold: fifteen_minutes(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./r53guard-data")
}

/// `[rules]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Run the built-in pack (its value lists stay available either way).
    #[serde(default = "yes")]
    pub builtin: bool,
    /// Rule files or directories, overlaying the pack (same `rule_id` replaces).
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// Directories of value lists.
    #[serde(default)]
    pub lists: Vec<PathBuf>,
    /// Most triggering events an alert carries.
    #[serde(default = "ten")]
    pub max_events_per_alert: usize,
    /// Sigma rule files or directories (YAML), run beside the rules.
    #[serde(default)]
    pub sigma: Vec<PathBuf>,
    /// A field-mapping file for the Sigma rules instead of the built-in mapping.
    pub sigma_mapping: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

fn ten() -> usize {
    10
}

impl Default for RulesConfig {
    fn default() -> RulesConfig {
        RulesConfig {
            builtin: true,
            paths: Vec::new(),
            lists: Vec::new(),
            max_events_per_alert: 10,
            sigma: Vec::new(),
            sigma_mapping: None,
        }
    }
}

/// One `[[source]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceConfig {
    /// A directory polled for new files and appended lines.
    Directory {
        /// The source's name: positions are kept under it, so keep it stable.
        name: String,
        /// The directory (walked recursively).
        path: PathBuf,
        /// How often it is polled.
        #[serde(default = "one_second")]
        poll_interval: Span,
        /// How far behind the newest event time a record may arrive and still count.
        #[serde(default = "five_minutes")]
        allowed_lateness: Span,
    },
    /// Standard input, read line by line until its end (positions are not kept).
    Stdin {
        /// The source's name.
        name: String,
        /// How far behind the newest event time a record may arrive and still count.
        #[serde(default = "five_minutes")]
        allowed_lateness: Span,
    },
    /// An Amazon Data Firehose HTTP endpoint.
    Firehose(FirehoseSourceConfig),
    /// An S3 bucket prefix, listed every poll interval.
    S3(S3SourceConfig),
    /// S3 event notifications from an SQS queue.
    Sqs(SqsSourceConfig),
}

fn one_second() -> Span {
    Span::from_secs(1)
}

fn five_minutes() -> Span {
    Span::from_secs(300)
}

impl SourceConfig {
    /// The source's name.
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::Directory { name, .. } | SourceConfig::Stdin { name, .. } => name,
            SourceConfig::Firehose(f) => &f.name,
            SourceConfig::S3(c) => &c.name,
            SourceConfig::Sqs(c) => &c.name,
        }
    }

    /// The source's allowed lateness.
    pub fn allowed_lateness(&self) -> Span {
        match self {
            SourceConfig::Directory {
                allowed_lateness, ..
            }
            | SourceConfig::Stdin {
                allowed_lateness, ..
            } => *allowed_lateness,
            SourceConfig::Firehose(f) => f.allowed_lateness,
            SourceConfig::S3(c) => c.allowed_lateness,
            SourceConfig::Sqs(c) => c.allowed_lateness,
        }
    }
}

/// `[api]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// The address to listen on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The bearer token (`env:NAME` or `file:PATH`); none: one is generated into
    /// `<data_dir>/api-token`, which only a loopback `listen` allows.
    pub token: Option<SecretSpec>,
}

fn default_listen() -> SocketAddr {
    r53guard_api::DEFAULT_ADDR
}

impl Default for ApiConfig {
    fn default() -> ApiConfig {
        ApiConfig {
            listen: default_listen(),
            token: None,
        }
    }
}

/// A receiver's rate limit.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sends per second.
    pub per_second: f64,
    /// Sends allowed at once.
    #[serde(default = "one")]
    pub burst: u32,
}

fn one() -> u32 {
    1
}

/// One `[[receiver]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ReceiverSpec {
    /// A Slack incoming webhook.
    Slack {
        /// The name routes use.
        name: String,
        /// The webhook URL, a secret.
        webhook_url: SecretSpec,
        /// Overrides the 1/s default.
        rate_limit: Option<RateLimitConfig>,
    },
    /// PagerDuty Events API v2.
    PagerDuty {
        /// The name routes use.
        name: String,
        /// The integration (routing) key, a secret.
        routing_key: SecretSpec,
        /// The Events API v2 endpoint (default `https://events.pagerduty.com/v2/enqueue`;
        /// accounts in PagerDuty's EU service region use
        /// `https://events.eu.pagerduty.com/v2/enqueue`).
        events_url: Option<String>,
        /// Overrides the 2/s default.
        rate_limit: Option<RateLimitConfig>,
    },
    /// A JSON webhook signed with HMAC-SHA256.
    Webhook {
        /// The name routes use.
        name: String,
        /// The URL, a secret.
        url: SecretSpec,
        /// The signing key, a secret.
        signing_key: SecretSpec,
        /// The largest body; evidence is dropped to fit (default 20 KiB).
        max_body_bytes: Option<usize>,
        /// A rate limit (default none).
        rate_limit: Option<RateLimitConfig>,
    },
    /// A JSON-lines file with rotation.
    Jsonl {
        /// The name routes use.
        name: String,
        /// The file.
        path: PathBuf,
        /// Rotate before the file would pass this size (default 64 MiB).
        max_bytes: Option<u64>,
        /// Rotated files kept (default 5).
        keep: Option<u32>,
    },
    /// Standard output, one JSON line per alert.
    Stdout {
        /// The name routes use.
        name: String,
    },
}

impl ReceiverSpec {
    /// The receiver's name.
    pub fn name(&self) -> &str {
        match self {
            ReceiverSpec::Slack { name, .. }
            | ReceiverSpec::PagerDuty { name, .. }
            | ReceiverSpec::Webhook { name, .. }
            | ReceiverSpec::Jsonl { name, .. }
            | ReceiverSpec::Stdout { name } => name,
        }
    }

    /// The receiver's secrets, by key.
    pub fn secrets(&self) -> Vec<(&'static str, &SecretSpec)> {
        match self {
            ReceiverSpec::Slack { webhook_url, .. } => vec![("webhook_url", webhook_url)],
            ReceiverSpec::PagerDuty { routing_key, .. } => vec![("routing_key", routing_key)],
            ReceiverSpec::Webhook {
                url, signing_key, ..
            } => vec![("url", url), ("signing_key", signing_key)],
            ReceiverSpec::Jsonl { .. } | ReceiverSpec::Stdout { .. } => Vec::new(),
        }
    }

    /// The receiver's type, as written in the file.
    pub fn type_name(&self) -> &'static str {
        match self {
            ReceiverSpec::Slack { .. } => "slack",
            ReceiverSpec::PagerDuty { .. } => "pagerduty",
            ReceiverSpec::Webhook { .. } => "webhook",
            ReceiverSpec::Jsonl { .. } => "jsonl",
            ReceiverSpec::Stdout { .. } => "stdout",
        }
    }
}

/// One `[[route]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Receiver names.
    pub receivers: Vec<String>,
    /// Only alerts at least this severe.
    pub min_severity: Option<Severity>,
    /// Rule id patterns (globs); one must match.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Tag patterns (globs); one of the rule's tags must match one.
    #[serde(default)]
    pub tags: Vec<String>,
    /// End routing when this route matches.
    #[serde(default)]
    pub stop: bool,
}

/// `[delivery]`: the retry policy of every receiver, and which HTTP targets are allowed.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Attempts in all, the first included.
    #[serde(default = "ten_u32")]
    pub max_attempts: u32,
    /// The ceiling of the first retry's delay.
    #[serde(default = "five_seconds")]
    pub base_delay: Span,
    /// How much the ceiling grows per attempt.
    #[serde(default = "four")]
    pub multiplier: f64,
    /// The longest delay.
    #[serde(default = "one_day")]
    pub max_delay: Span,
    /// Allow `http://` receiver URLs (otherwise HTTPS only).
    #[serde(default)]
    pub allow_plain_http: bool,
    /// Allow receiver URLs that are, or resolve to, loopback, private or link-local addresses
    /// (otherwise public addresses only).
    #[serde(default)]
    pub allow_private_targets: bool,
}

fn ten_u32() -> u32 {
    10
}

fn five_seconds() -> Span {
    Span::from_secs(5)
}

fn four() -> f64 {
    4.0
}

fn one_day() -> Span {
    Span::from_secs(24 * 3600)
}

impl Default for DeliveryConfig {
    fn default() -> DeliveryConfig {
        DeliveryConfig {
            max_attempts: 10,
            base_delay: five_seconds(),
            multiplier: 4.0,
            max_delay: one_day(),
            allow_plain_http: false,
            allow_private_targets: false,
        }
    }
}

/// A configuration that does not parse or does not hold together.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, an unknown key, a value of the wrong type.
    #[error("{0}")]
    Parse(String),
    /// Values that do not hold together, each naming its key.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text)
    }

    /// The configuration used when none is given.
    pub fn default_config() -> Config {
        Config::parse(DEFAULT_CONFIG).expect("the embedded default configuration is valid")
    }

    /// Parses and checks a configuration.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        let problems = config.problems();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// What does not hold together, one message per problem, each naming its key.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.sources.is_empty() {
            out.push("source: at least one [[source]] is needed".to_owned());
        }
        let mut names = BTreeSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            if s.name().is_empty() {
                out.push(format!("source[{i}].name: must not be empty"));
            } else if !names.insert(s.name()) {
                out.push(format!("source[{i}].name: {:?} is used twice", s.name()));
            }
            match s {
                SourceConfig::Directory { poll_interval, .. } if poll_interval.is_zero() => {
                    out.push(format!("source[{i}].poll_interval: must be more than 0"));
                }
                SourceConfig::S3(c) => c.problems(i, &mut out),
                SourceConfig::Sqs(c) => c.problems(i, &mut out),
                _ => {}
            }
            if let SourceConfig::Firehose(f) = s {
                out.extend(f.problems(i));
                if f.listen == self.api.listen {
                    out.push(format!(
                        "source[{i}].listen: {} is api.listen too",
                        f.listen
                    ));
                }
            }
        }
        let stdins = self
            .sources
            .iter()
            .filter(|s| matches!(s, SourceConfig::Stdin { .. }))
            .count();
        let mut listens = BTreeSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            if let SourceConfig::Firehose(f) = s
                && !listens.insert(f.listen)
            {
                out.push(format!(
                    "source[{i}].listen: {} is used by another firehose source",
                    f.listen
                ));
            }
        }
        if self.pipeline.gap_threshold.is_zero() {
            out.push("pipeline.gap_threshold: must be more than 0".to_owned());
        }
        if self.rules.sigma_mapping.is_some() && self.rules.sigma.is_empty() {
            out.push("rules.sigma_mapping: only used with rules.sigma".to_owned());
        }
        if stdins > 1 {
            out.push("source: at most one source of type \"stdin\"".to_owned());
        }
        if self.api.token.as_ref().is_some_and(|t| !t.is_valid()) {
            out.push(format!("api.token: {}", SecretSpec::SYNTAX));
        }
        if self.api.token.is_none() && !self.api.listen.ip().is_loopback() {
            out.push(format!(
                "api.token: required when api.listen ({}) is not a loopback address",
                self.api.listen
            ));
        }
        if self.receivers.is_empty() {
            out.push("receiver: at least one [[receiver]] is needed".to_owned());
        }
        let mut receivers = BTreeSet::new();
        for (i, r) in self.receivers.iter().enumerate() {
            if r.name().is_empty() {
                out.push(format!("receiver[{i}].name: must not be empty"));
            } else if !receivers.insert(r.name()) {
                out.push(format!("receiver[{i}].name: {:?} is used twice", r.name()));
            }
            for (key, secret) in r.secrets() {
                if !secret.is_valid() {
                    out.push(format!("receiver[{i}].{key}: {}", SecretSpec::SYNTAX));
                }
            }
            let limit = match r {
                ReceiverSpec::Slack { rate_limit, .. }
                | ReceiverSpec::PagerDuty { rate_limit, .. }
                | ReceiverSpec::Webhook { rate_limit, .. } => *rate_limit,
                ReceiverSpec::Jsonl { .. } | ReceiverSpec::Stdout { .. } => None,
            };
            if let ReceiverSpec::PagerDuty {
                events_url: Some(url),
                ..
            } = r
            {
                let plain = url.starts_with("http://");
                if !(url.starts_with("https://") || plain) {
                    out.push(format!("receiver[{i}].events_url: must be an https:// URL"));
                } else if plain && !self.delivery.allow_plain_http {
                    out.push(format!(
                        "receiver[{i}].events_url: an http:// URL needs delivery.allow_plain_http = true"
                    ));
                }
            }
            if let Some(l) = limit
                && (!(l.per_second > 0.0 && l.per_second.is_finite()) || l.burst == 0)
            {
                out.push(format!(
                    "receiver[{i}].rate_limit: per_second must be above 0 and burst at least 1"
                ));
            }
        }
        for (i, route) in self.routes.iter().enumerate() {
            if route.receivers.is_empty() {
                out.push(format!(
                    "route[{i}].receivers: must name at least one receiver"
                ));
            }
            for name in &route.receivers {
                if !receivers.contains(name.as_str()) {
                    out.push(format!(
                        "route[{i}].receivers: no receiver is named {name:?}"
                    ));
                }
            }
        }
        let d = &self.delivery;
        if d.max_attempts == 0 {
            out.push("delivery.max_attempts: must be at least 1".to_owned());
        }
        if !(d.multiplier >= 1.0 && d.multiplier.is_finite()) {
            out.push("delivery.multiplier: must be at least 1".to_owned());
        }
        if d.max_delay.get() < d.base_delay.get() {
            out.push("delivery.max_delay: must not be below delivery.base_delay".to_owned());
        }
        out
    }

    /// A short human summary, for `r53guard config check`.
    pub fn summary(&self) -> String {
        let mut s = format!("data_dir: {}\n", self.data_dir.display());
        let r = &self.rules;
        s.push_str(&format!(
            "rules: builtin {}, {} rule path(s), {} list dir(s), {} sigma path(s){}\n",
            if r.builtin { "on" } else { "off" },
            r.paths.len(),
            r.lists.len(),
            r.sigma.len(),
            match &r.sigma_mapping {
                Some(m) => format!(" (mapping {})", m.display()),
                None => String::new(),
            }
        ));
        for src in &self.sources {
            match src {
                SourceConfig::Directory {
                    name,
                    path,
                    poll_interval,
                    allowed_lateness,
                } => s.push_str(&format!(
                    "source {name}: directory {} (poll {poll_interval}, lateness {allowed_lateness})\n",
                    path.display()
                )),
                SourceConfig::Stdin {
                    name,
                    allowed_lateness,
                } => s.push_str(&format!(
                    "source {name}: stdin (lateness {allowed_lateness})\n"
                )),
                SourceConfig::Firehose(f) => s.push_str(&f.summary()),
                SourceConfig::S3(c) => s.push_str(&c.summary()),
                SourceConfig::Sqs(c) => s.push_str(&c.summary()),
            }
        }
        s.push_str(&format!(
            "api: {} (token: {})\n",
            self.api.listen,
            match &self.api.token {
                Some(t) => t.describe(),
                None => "generated into data_dir/api-token".to_owned(),
            }
        ));
        for r in &self.receivers {
            s.push_str(&format!("receiver {}: {}", r.name(), r.type_name()));
            if let ReceiverSpec::PagerDuty {
                events_url: Some(url),
                ..
            } = r
            {
                s.push_str(&format!(" ({url})"));
            }
            s.push('\n');
        }
        if self.routes.is_empty() {
            s.push_str("routes: none (every alert to every receiver)\n");
        }
        for (i, route) in self.routes.iter().enumerate() {
            s.push_str(&format!(
                "route[{i}]: -> {} (min severity {}, {} rule pattern(s), {} tag pattern(s){})\n",
                route.receivers.join(", "),
                route.min_severity.unwrap_or(Severity::Low),
                route.rules.len(),
                route.tags.len(),
                if route.stop { ", stop" } else { "" }
            ));
        }
        let d = &self.delivery;
        s.push_str(&format!(
            "pipeline: gap threshold {}\n",
            self.pipeline.gap_threshold
        ));
        s.push_str(&format!(
            "delivery: {} attempts, base {}, x{}, max {}{}{}\n",
            d.max_attempts,
            d.base_delay,
            d.multiplier,
            d.max_delay,
            if d.allow_plain_http {
                ", plain http allowed"
            } else {
                ""
            },
            if d.allow_private_targets {
                ", private targets allowed"
            } else {
                ""
            }
        ));
        s
    }
}
