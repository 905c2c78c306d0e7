//! `[[source]] type = "firehose"`: where the Amazon Data Firehose endpoint listens, the access
//! keys it accepts, its limits, and how long committed request ids are remembered.

use crate::secret_ref::SecretSpec;
use crate::span::Span;
use serde::Deserialize;
use std::net::SocketAddr;

/// Firehose retries a failed delivery for at most this long (the stream's retry duration,
/// 0 to 7,200 s): request ids must be remembered for longer.
pub const FIREHOSE_MAX_RETRY: Span = Span::from_secs(7200);

/// One Firehose source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirehoseSourceConfig {
    /// The source's name.
    pub name: String,
    /// The address the endpoint listens on (plain HTTP: put an HTTPS proxy or load balancer
    /// in front, since Firehose only sends HTTPS).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The URL path Firehose posts to.
    #[serde(default = "default_path")]
    pub path: String,
    /// The accepted access keys (`env:NAME` or `file:PATH`); more than one lets a key be
    /// rotated.
    pub access_keys: Vec<SecretSpec>,
    /// The largest body, as sent and after gzip decompression.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// How long a request may take before it is answered 503 (and retried by Firehose).
    #[serde(default = "default_deadline")]
    pub deadline: Span,
    /// How far behind the newest event time a record may arrive and still count.
    #[serde(default = "default_lateness")]
    pub allowed_lateness: Span,
    /// How long committed request ids are kept, so that a retry is acknowledged without
    /// being processed again; at least [`FIREHOSE_MAX_RETRY`].
    #[serde(default = "default_retention")]
    pub request_retention: Span,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8054))
}

fn default_path() -> String {
    r53guard_firehose::DEFAULT_PATH.to_owned()
}

fn default_max_body_bytes() -> usize {
    r53guard_firehose::DEFAULT_MAX_BODY_BYTES
}

fn default_deadline() -> Span {
    Span::from_secs(r53guard_firehose::DEFAULT_DEADLINE.as_secs())
}

fn default_lateness() -> Span {
    Span::from_secs(300)
}

fn default_retention() -> Span {
    Span::from_secs(24 * 3600)
}

impl FirehoseSourceConfig {
    /// What does not hold together, each message naming its key under `source[i]`.
    pub fn problems(&self, i: usize) -> Vec<String> {
        let mut out = Vec::new();
        if self.access_keys.is_empty() {
            out.push(format!(
                "source[{i}].access_keys: at least one key is needed (env:NAME or file:/path)"
            ));
        }
        for (k, key) in self.access_keys.iter().enumerate() {
            if !key.is_valid() {
                out.push(format!(
                    "source[{i}].access_keys[{k}]: {}",
                    SecretSpec::SYNTAX
                ));
            }
        }
        if !self.path.starts_with('/') {
            out.push(format!(
                "source[{i}].path: {:?} must start with /",
                self.path
            ));
        }
        if self.max_body_bytes == 0 {
            out.push(format!("source[{i}].max_body_bytes: must be more than 0"));
        }
        if self.deadline.is_zero() {
            out.push(format!("source[{i}].deadline: must be more than 0"));
        }
        if self.request_retention < FIREHOSE_MAX_RETRY {
            out.push(format!(
                "source[{i}].request_retention: {} is shorter than Firehose's longest retry duration ({FIREHOSE_MAX_RETRY}); a late retry would be processed twice",
                self.request_retention
            ));
        }
        out
    }

    /// One line for `r53guard config check`.
    pub fn summary(&self) -> String {
        let keys: Vec<String> = self.access_keys.iter().map(SecretSpec::describe).collect();
        format!(
            "source {}: firehose http://{}{} (keys {}, max body {} bytes, deadline {}, lateness {}, request ids kept {})\n",
            self.name,
            self.listen,
            self.path,
            keys.join(", "),
            self.max_body_bytes,
            self.deadline,
            self.allowed_lateness,
            self.request_retention
        )
    }
}
