//! The `[[source]]` tables of types `s3` (a bucket prefix listed at every poll) and `sqs` (S3
//! event notifications from a queue): their keys, defaults and checks.

use crate::span::Span;
use serde::Deserialize;

/// The largest object read by default (as stored, before decompression).
const DEFAULT_MAX_OBJECT_BYTES: u64 = 512 << 20;

/// `type = "s3"`: every object under `bucket`/`prefix`, listed every `poll_interval`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3SourceConfig {
    /// The source's name: positions are kept under it, so keep it stable.
    pub name: String,
    /// The bucket.
    pub bucket: String,
    /// The key prefix (default: the whole bucket).
    #[serde(default)]
    pub prefix: String,
    /// How often the prefix is listed.
    #[serde(default = "one_minute")]
    pub poll_interval: Span,
    /// How far behind the newest event time a record may arrive and still count.
    #[serde(default = "five_minutes")]
    pub allowed_lateness: Span,
    /// Objects larger than this (as stored) are reported and passed over.
    #[serde(default = "default_max_object_bytes")]
    pub max_object_bytes: u64,
    /// The region, instead of the standard chain's.
    pub region: Option<String>,
    /// The endpoint (an S3-compatible store, a local test server); S3 is then path-style.
    pub endpoint_url: Option<String>,
}

/// `type = "sqs"`: S3 event notifications (raw or through SNS) received from a queue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsSourceConfig {
    /// The source's name: done objects are kept under it, so keep it stable.
    pub name: String,
    /// The queue URL.
    pub queue_url: String,
    /// How long one receive waits for messages (long polling, at most 20s).
    #[serde(default = "two_seconds")]
    pub wait_time: Span,
    /// Most messages per receive (1 to 10).
    #[serde(default = "ten")]
    pub max_messages: u32,
    /// How long received messages stay hidden while their objects are read and committed.
    #[serde(default = "five_minutes")]
    pub visibility_timeout: Span,
    /// How far behind the newest event time a record may arrive and still count.
    #[serde(default = "five_minutes")]
    pub allowed_lateness: Span,
    /// Objects larger than this (as stored) are reported and passed over.
    #[serde(default = "default_max_object_bytes")]
    pub max_object_bytes: u64,
    /// The region, instead of the standard chain's.
    pub region: Option<String>,
    /// The endpoint (an S3-compatible store, a local test server); S3 is then path-style.
    pub endpoint_url: Option<String>,
}

/// Client options from a source's `region` and `endpoint_url` (the standard AWS chain for
/// what they leave unset: environment, profile, SSO, container or instance role).
pub fn aws_options(region: &Option<String>, endpoint_url: &Option<String>) -> r53guard_s3::Options {
    r53guard_s3::Options {
        region: region.clone(),
        endpoint_url: endpoint_url.clone(),
        credentials: None,
    }
}

fn aws_problems(
    at: &str,
    region: &Option<String>,
    endpoint_url: &Option<String>,
    out: &mut Vec<String>,
) {
    if region.as_deref() == Some("") {
        out.push(format!("{at}.region: must not be empty"));
    }
    if let Some(url) = endpoint_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        out.push(format!(
            "{at}.endpoint_url: {url:?} is not an http:// or https:// URL"
        ));
    }
}

fn aws_describe(region: &Option<String>, endpoint_url: &Option<String>) -> String {
    let mut s = String::new();
    if let Some(r) = region {
        s.push_str(&format!(", region {r}"));
    }
    if let Some(e) = endpoint_url {
        s.push_str(&format!(", endpoint {e}"));
    }
    s
}

fn one_minute() -> Span {
    Span::from_secs(60)
}

fn two_seconds() -> Span {
    Span::from_secs(2)
}

fn five_minutes() -> Span {
    Span::from_secs(300)
}

fn ten() -> u32 {
    10
}

fn default_max_object_bytes() -> u64 {
    DEFAULT_MAX_OBJECT_BYTES
}

impl S3SourceConfig {
    /// Problems with the table `source[i]`, each naming its key.
    pub fn problems(&self, i: usize, out: &mut Vec<String>) {
        let at = format!("source[{i}]");
        let url = format!("s3://{}/{}", self.bucket, self.prefix);
        if let Err(e) = r53guard_s3::S3Url::parse(&url) {
            out.push(format!("{at}.bucket: {}", e.why));
        }
        if self.poll_interval.is_zero() {
            out.push(format!("{at}.poll_interval: must be more than 0"));
        }
        if self.max_object_bytes == 0 {
            out.push(format!("{at}.max_object_bytes: must be more than 0"));
        }
        aws_problems(&at, &self.region, &self.endpoint_url, out);
    }

    /// One line for `config check`.
    pub fn summary(&self) -> String {
        format!(
            "source {}: s3 s3://{}/{} (poll {}, lateness {}{})\n",
            self.name,
            self.bucket,
            self.prefix,
            self.poll_interval,
            self.allowed_lateness,
            aws_describe(&self.region, &self.endpoint_url)
        )
    }
}

impl SqsSourceConfig {
    /// Problems with the table `source[i]`, each naming its key.
    pub fn problems(&self, i: usize, out: &mut Vec<String>) {
        let at = format!("source[{i}]");
        if !(self.queue_url.starts_with("https://") || self.queue_url.starts_with("http://")) {
            out.push(format!(
                "{at}.queue_url: {:?} is not a queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)",
                self.queue_url
            ));
        }
        if self.wait_time.get().as_secs_f64() > 20.0 {
            out.push(format!("{at}.wait_time: at most 20s (SQS's limit)"));
        }
        if !(1..=10).contains(&self.max_messages) {
            out.push(format!("{at}.max_messages: from 1 to 10 (SQS's limit)"));
        }
        let visibility = self.visibility_timeout.get().as_secs_f64();
        if !(1.0..=43_200.0).contains(&visibility) {
            out.push(format!(
                "{at}.visibility_timeout: from 1s to 12h (SQS's limits)"
            ));
        }
        if self.max_object_bytes == 0 {
            out.push(format!("{at}.max_object_bytes: must be more than 0"));
        }
        aws_problems(&at, &self.region, &self.endpoint_url, out);
    }

    /// One line for `config check`.
    pub fn summary(&self) -> String {
        format!(
            "source {}: sqs {} (wait {}, up to {} messages, visibility {}, lateness {}{})\n",
            self.name,
            self.queue_url,
            self.wait_time,
            self.max_messages,
            self.visibility_timeout,
            self.allowed_lateness,
            aws_describe(&self.region, &self.endpoint_url)
        )
    }
}
