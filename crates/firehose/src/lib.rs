//! The Amazon Data Firehose HTTP endpoint source of `r53guard run`.
//!
//! A Firehose stream with an HTTP endpoint destination POSTs batches of records to
//! [`router`]'s path, following AWS's "HTTP endpoint delivery request and response
//! specifications" (`../shared/reference/log-formats.md` §4). For each request the endpoint:
//!
//! 1. checks `X-Amz-Firehose-Access-Key` against the configured [`AccessKey`]s in constant
//!    time: missing or wrong is **401** (AWS's troubleshooting guide reads 401 as "the access
//!    key is incorrect or missing"; 403, "the key may not deliver here", has no use with one
//!    key scope);
//! 2. refuses a `Content-Encoding` other than `gzip` (or none) with **415**, and a body over
//!    [`FirehoseConfig::max_body_bytes`] with **413** — by `Content-Length` before reading, while
//!    reading (never buffering more than the limit), and while gunzipping (a gzip bomb stops at
//!    the limit). 413 is the one status Firehose does not retry: the batch is dropped;
//! 3. parses `{"requestId","timestamp","records":[{"data"}]}` and base64-decodes each record's
//!    `data` (nothing more: the records are the service's to read); malformed JSON, a missing
//!    field, bad base64, bad common attributes, an empty `requestId`, or a body `requestId`
//!    that differs from `X-Amz-Firehose-Request-Id` are **400**, with an `errorMessage` naming
//!    the fault (Firehose retries them, and logs the message to the stream's CloudWatch error
//!    log). Without the header, the body's id is used;
//! 4. hands the [`Delivery`] to the service's [`Deliveries`] — unless
//!    [`Deliveries::already_handled`] says its request id is durable already — one handling at
//!    a time per request id, on a task of its own;
//! 5. answers **200** once [`Deliveries::handle`] returned `Ok` (the records and the request
//!    id are durable), **500** if it failed, and **503** if the work is still running at
//!    [`FirehoseConfig::deadline`] (default 30 s, against Firehose's 3-minute timeout). The
//!    work goes on after a 503, and Firehose's retry is acknowledged without reprocessing once
//!    it has committed (a retry that arrives while it runs waits for it).
//!
//! Every answer is `application/json`, uncompressed:
//! `{"requestId":"<the request's>","timestamp":<ms>}`, plus `"errorMessage"` (at most 8,192
//! characters) on failure. The request id answered is the header's (the body's without the
//! header); a request refused before its id is known answers `""`.
//!
//! `docs/firehose.md` tells how to point a stream at r53guard: HTTPS through a proxy or load
//! balancer, the access key, buffering hints.

mod access_key;
mod body;
mod config;
mod delivery;
mod endpoint;
mod headers;
mod in_flight;
mod reply;
mod request_body;

pub use access_key::AccessKey;
pub use config::{DEFAULT_DEADLINE, DEFAULT_MAX_BODY_BYTES, DEFAULT_PATH, FirehoseConfig};
pub use delivery::{Deliveries, Delivery, HandleError};
pub use endpoint::router;

/// A decoded body for the fuzz target: request id, timestamp, records.
#[doc(hidden)]
pub type FuzzBody = (String, Option<i64>, Vec<Vec<u8>>);

/// The request-body parser alone (gunzip within `limit` when `gzip`, JSON, base64), for the
/// fuzz target `fuzz/fuzz_targets/firehose_body.rs`; not part of the API. Returns the request
/// id, timestamp and records, or the status and message the endpoint would answer.
#[doc(hidden)]
pub fn fuzz_decode_body(body: &[u8], gzip: bool, limit: usize) -> Result<FuzzBody, (u16, String)> {
    let encoding = if gzip {
        headers::Encoding::Gzip
    } else {
        headers::Encoding::Identity
    };
    request_body::decode(body, encoding, limit)
        .map(|b| (b.request_id, b.timestamp_ms, b.records))
        .map_err(|r| (r.status.as_u16(), r.message))
}
