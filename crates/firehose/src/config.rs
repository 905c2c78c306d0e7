//! What the endpoint needs to know: its path, the accepted access keys, the body limit and the
//! processing deadline.

use crate::access_key::AccessKey;
use std::time::Duration;

/// The largest request body Firehose sends: 64 MiB before compression.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 << 20;

/// How long the endpoint works on a request before answering 503: well inside Firehose's
/// 3-minute request timeout, leaving room for a proxy or load balancer in between.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// The path served by default (Firehose sends the configured URL's path unchanged).
pub const DEFAULT_PATH: &str = "/firehose";

/// The endpoint's settings.
#[derive(Debug, Clone)]
pub struct FirehoseConfig {
    /// The URL path deliveries are posted to; it starts with `/`.
    pub path: String,
    /// The keys a request may present in `X-Amz-Firehose-Access-Key`. More than one lets a key
    /// be rotated: Firehose may send the old or the new key while the stream is being
    /// reconfigured. With no key, every request is refused.
    pub access_keys: Vec<AccessKey>,
    /// The largest body accepted, in bytes, both as sent (compressed or not) and after gzip
    /// decompression; larger requests are answered 413.
    pub max_body_bytes: usize,
    /// How long after a request arrives the endpoint answers at the latest. Work still running
    /// then goes on in the background; the request is answered 503 so that Firehose retries,
    /// and the retry is acknowledged once that work is done.
    pub deadline: Duration,
}

impl FirehoseConfig {
    /// The defaults ([`DEFAULT_PATH`], [`DEFAULT_MAX_BODY_BYTES`], [`DEFAULT_DEADLINE`]) with
    /// one access key.
    pub fn new(access_key: AccessKey) -> FirehoseConfig {
        FirehoseConfig {
            path: DEFAULT_PATH.to_owned(),
            access_keys: vec![access_key],
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            deadline: DEFAULT_DEADLINE,
        }
    }
}
