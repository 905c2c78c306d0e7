//! Building the `s3` and `sqs` sources from their configuration.

use crate::config::{Config, SourceConfig};
use crate::config_s3::{S3SourceConfig, SqsSourceConfig, aws_options};
use crate::object_reader::{ObjectMetrics, ObjectReader};
use crate::pipeline::Source;
use crate::s3_source::S3Source;
use crate::sqs_source::SqsSource;
use r53guard_api::Metrics;
use r53guard_s3::{ReceiveOptions, S3Url};
use r53guard_store::Position;

/// The S3 and SQS counters, registered when the configuration has such a source.
pub fn metrics(config: &Config, metrics: &Metrics) -> anyhow::Result<Option<ObjectMetrics>> {
    let any = config
        .sources
        .iter()
        .any(|s| matches!(s, SourceConfig::S3(_) | SourceConfig::Sqs(_)));
    Ok(if any {
        Some(ObjectMetrics::register(metrics)?)
    } else {
        None
    })
}

/// An `s3` source continuing from `positions`.
pub fn s3(
    c: &S3SourceConfig,
    positions: Vec<Position>,
    metrics: &Option<ObjectMetrics>,
) -> anyhow::Result<Source> {
    let url = S3Url::parse(&format!("s3://{}/{}", c.bucket, c.prefix))?;
    tracing::info!(source = %c.name, prefix = %url, objects = positions.len(), "s3 source");
    let reader = reader(
        &c.name,
        aws_options(&c.region, &c.endpoint_url),
        c.max_object_bytes,
        metrics,
    )?;
    Ok(Source::S3(S3Source::new(
        &c.name,
        url,
        c.poll_interval.get(),
        reader,
        positions,
    )))
}

/// An `sqs` source continuing from `positions`.
pub fn sqs(
    c: &SqsSourceConfig,
    positions: Vec<Position>,
    metrics: &Option<ObjectMetrics>,
) -> anyhow::Result<Source> {
    tracing::info!(source = %c.name, queue = %c.queue_url, objects = positions.len(), "sqs source");
    let seconds = |s: crate::span::Span| i32::try_from(s.get().as_secs()).unwrap_or(i32::MAX);
    let receive = ReceiveOptions {
        max_messages: i32::try_from(c.max_messages).unwrap_or(10),
        wait_seconds: seconds(c.wait_time),
        visibility_timeout_seconds: seconds(c.visibility_timeout),
    };
    let reader = reader(
        &c.name,
        aws_options(&c.region, &c.endpoint_url),
        c.max_object_bytes,
        metrics,
    )?;
    Ok(Source::Sqs(SqsSource::new(
        &c.name,
        &c.queue_url,
        receive,
        reader,
        positions,
    )))
}

fn reader(
    name: &str,
    options: r53guard_s3::Options,
    max_bytes: u64,
    metrics: &Option<ObjectMetrics>,
) -> anyhow::Result<ObjectReader> {
    let metrics = metrics
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the S3 metrics are not registered"))?;
    Ok(ObjectReader::new(name, options, max_bytes, metrics))
}
