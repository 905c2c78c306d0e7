//! Reading S3 objects into the engine for the `s3` and `sqs` sources: the client made at the
//! first use (on the pipeline thread), keys routed as in `hunt` (digests and non-log names
//! passed over), each object read whole under a size cap and fed through the same reader as
//! files, and the objects' outcomes counted in the metrics.

use crate::feed::{Feeder, Start};
use r53guard_api::{Counter, Family, Metrics};
use r53guard_formats::paths;
use r53guard_s3::{Aws, ObjectRef, Options, S3Url};
use r53guard_store::Position;
use std::sync::Arc;

/// The counters of the S3 and SQS sources, registered once per service.
#[derive(Clone)]
pub struct ObjectMetrics {
    /// `r53guard_s3_objects_total{source, outcome}`: `read`, `skipped` (digest or not a log
    /// file), `failed` (could not be read), `duplicate` (already read, per the positions).
    pub objects: Arc<Family<Counter>>,
    /// `r53guard_sqs_messages_total{source, outcome}`: `notification`, `test_event`,
    /// `malformed`, `deleted`, `kept` (an object failed: left for redelivery), `delete_failed`.
    pub messages: Arc<Family<Counter>>,
}

impl ObjectMetrics {
    /// Registers the counters.
    pub fn register(metrics: &Metrics) -> anyhow::Result<ObjectMetrics> {
        Ok(ObjectMetrics {
            objects: metrics.counter(
                "r53guard_s3_objects_total",
                "S3 objects met by the s3 and sqs sources, by outcome.",
                &["source", "outcome"],
            )?,
            messages: metrics.counter(
                "r53guard_sqs_messages_total",
                "SQS messages handled by the sqs sources, by outcome.",
                &["source", "outcome"],
            )?,
        })
    }
}

/// What became of one object.
pub enum Outcome {
    /// Read: its position and newest event time.
    Read(Position, Option<i64>),
    /// Passed over by its key (a digest, not a log file).
    Skipped,
}

/// Reads objects for one source.
pub struct ObjectReader {
    source: String,
    options: Options,
    aws: Option<Aws>,
    max_bytes: u64,
    metrics: ObjectMetrics,
}

impl ObjectReader {
    /// A reader for the source `source`.
    pub fn new(
        source: &str,
        options: Options,
        max_bytes: u64,
        metrics: ObjectMetrics,
    ) -> ObjectReader {
        ObjectReader {
            source: source.to_owned(),
            options,
            aws: None,
            max_bytes,
            metrics,
        }
    }

    /// The clients, made at the first call.
    pub fn aws(&mut self) -> Result<&Aws, r53guard_s3::Error> {
        if self.aws.is_none() {
            self.aws = Some(Aws::connect(&self.options)?);
        }
        Ok(self.aws.as_ref().expect("just made"))
    }

    /// Counts an outcome of this source.
    pub fn count(&self, family: &Family<Counter>, outcome: &str) {
        family.with(&[&self.source, outcome]).inc();
    }

    /// The metrics.
    pub fn metrics(&self) -> &ObjectMetrics {
        &self.metrics
    }

    /// Reads `object` into `feeder`, unless its key is passed over; its position is named by
    /// the object's identity (URL and ETag or sequencer). A failure is logged and counted.
    pub fn read(
        &mut self,
        object: &ObjectRef,
        feeder: &mut Feeder,
    ) -> Result<Outcome, r53guard_s3::Error> {
        let url = S3Url::object(&object.bucket, &object.key);
        if let Some(class) = paths::skip_class(&object.key) {
            tracing::debug!(source = %self.source, object = %url, class = class.name(), "object passed over");
            self.count(&self.metrics.objects, "skipped");
            return Ok(Outcome::Skipped);
        }
        let max = self.max_bytes;
        let got = self
            .aws()
            .and_then(|aws| aws.get(&object.bucket, &object.key, max));
        let bytes = match got {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(source = %self.source, object = %url, error = %e.reason(), "cannot read object");
                self.count(&self.metrics.objects, "failed");
                return Err(e);
            }
        };
        let size = bytes.len() as u64;
        let fed = feeder.feed(&url, bytes, Start::default());
        self.count(&self.metrics.objects, "read");
        tracing::debug!(source = %self.source, object = %url, records = fed.records, "object read");
        let position = Position {
            source: self.source.clone(),
            file: object.identity(),
            offset: size,
            record: fed.records,
        };
        Ok(Outcome::Read(position, fed.newest_ms))
    }
}
