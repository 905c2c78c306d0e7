//! What the endpoint hands to the service: one decoded delivery, and the trait the service
//! implements to process deliveries durably.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt;
use std::future::Future;

/// One Firehose request, decoded: its id, its time, the records' bytes and the stream's common
/// attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The request id (`X-Amz-Firehose-Request-Id`, equal to the body's `requestId`). It stays
    /// the same across Firehose's retries of the batch.
    pub request_id: String,
    /// The body's `timestamp`, Unix milliseconds, when Firehose sent it.
    pub timestamp_ms: Option<i64>,
    /// Each record's `data`, base64-decoded and otherwise untouched: one or more log lines
    /// (Resolver query-log JSON lines, CloudTrail events), or a gzip-compressed CloudWatch Logs
    /// subscription payload. Records may be empty.
    pub records: Vec<Vec<u8>>,
    /// The stream's common attributes (`X-Amz-Firehose-Common-Attributes`); empty when the
    /// header is absent.
    pub common_attributes: BTreeMap<String, String>,
    /// The stream's ARN (`X-Amz-Firehose-Source-Arn`), when sent.
    pub source_arn: Option<String>,
}

/// The service's side of the endpoint.
///
/// The endpoint calls [`Deliveries::already_handled`] and then, if that said no,
/// [`Deliveries::handle`], at most one of them at a time for a given request id (concurrent
/// deliveries of one id wait for each other). Both run on a task of their own, so they finish
/// even when the request that started them was answered 503 at the deadline or its connection
/// dropped.
///
/// The contract that makes dedupe across retries, restarts and crashes work: once `handle`
/// returns `Ok`, the records' results **and the request id** are durable (committed in one
/// transaction, e.g. `r53guard_store::Batch::requests`), and `already_handled` answers `true`
/// for that id from then on, in this process and after a restart. If `handle` fails, nothing
/// of the delivery may count as handled.
pub trait Deliveries: Send + Sync + 'static {
    /// Processes a delivery's records durably. The endpoint answers 200 only after this
    /// returns `Ok`; an error is answered 500, and Firehose retries.
    fn handle(&self, delivery: Delivery) -> impl Future<Output = Result<(), HandleError>> + Send;

    /// Whether a delivery with this request id was handled before (and is durable): a retry
    /// of it is then answered 200 without being processed again.
    fn already_handled(
        &self,
        request_id: &str,
    ) -> impl Future<Output = Result<bool, HandleError>> + Send;
}

/// Why a delivery could not be handled. Its message is sent back to Firehose as the
/// response's `errorMessage`, and shows in the stream's CloudWatch error logs, so it must not
/// carry secrets.
#[derive(Debug)]
pub struct HandleError(Box<dyn Error + Send + Sync>);

impl HandleError {
    /// Wraps an error, or a message.
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> HandleError {
        HandleError(error.into())
    }
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for HandleError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}
