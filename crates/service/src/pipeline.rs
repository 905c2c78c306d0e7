//! The pipeline: polls every source, runs the records through the engine, flushes what the
//! event-time watermark has closed, and commits positions, engine state and the routed alerts
//! in one store transaction per poll batch. Firehose deliveries wake it at once (it waits on
//! their channel between polls) and are answered after the commit that holds their request
//! ids.

use crate::directory::DirectorySource;
use crate::feed::Feeder;
use crate::firehose_source::{FirehoseSource, Intake, Pending, RequestPruner};
use crate::s3_source::S3Source;
use crate::sqs_source::SqsSource;
use crate::stdin::StdinSource;
use crate::stream_report::StreamReport;
use r53guard_api::Metrics;
use r53guard_notify::RouteTable;
use r53guard_store::{Batch, RoutedAlert, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One source of the pipeline.
pub enum Source {
    /// A polled directory.
    Directory(DirectorySource),
    /// Standard input.
    Stdin(StdinSource),
    /// A Firehose endpoint.
    Firehose(FirehoseSource),
    /// A listed S3 bucket prefix.
    S3(S3Source),
    /// S3 event notifications from an SQS queue.
    Sqs(SqsSource),
}

/// A source with its event-time bookkeeping.
pub struct Tracked {
    /// The source.
    pub source: Source,
    /// Records older than the newest event time by more than this are late.
    pub allowed_lateness_ms: i64,
    /// The newest event time read so far (since start).
    pub newest_ms: Option<i64>,
}

/// The streaming pipeline.
pub struct Pipeline {
    /// The engine feeder.
    pub feeder: Feeder,
    /// The pipeline's store connection (the one writer).
    pub store: Store,
    /// The sources.
    pub sources: Vec<Tracked>,
    /// Which receivers each alert goes to.
    pub routes: RouteTable,
    /// Metrics the API reports.
    pub metrics: Arc<Metrics>,
    /// Time between polls.
    pub poll_interval: Duration,
    /// Firehose deliveries waiting for the pipeline.
    pub intake: Intake,
    /// Prunes old Firehose request ids (when there is a Firehose source).
    pub pruner: Option<RequestPruner>,
    /// Held-back and late counts, reported after each flush.
    pub report: StreamReport,
}

/// How often a waiting pipeline looks at the stop flag.
const STOP_CHECK: Duration = Duration::from_millis(20);

impl Pipeline {
    /// Polls until `stop` is set; every batch is committed before the next poll, so on return
    /// everything read is committed.
    pub fn run(mut self, stop: &AtomicBool) -> anyhow::Result<()> {
        let mut next_poll = Instant::now();
        while !stop.load(Ordering::Acquire) {
            let poll_files = Instant::now() >= next_poll;
            if poll_files {
                next_poll = Instant::now() + self.poll_interval;
            }
            self.step(poll_files)?;
            if let Some(pruner) = &mut self.pruner {
                pruner.run_if_due(&mut self.store, now_ms())?;
            }
            // Until the next poll: woken at once by a Firehose delivery.
            while !stop.load(Ordering::Acquire) {
                let left = next_poll.saturating_duration_since(Instant::now());
                if left.is_zero() || self.intake.wait(left.min(STOP_CHECK)) {
                    break;
                }
            }
        }
        // Deliveries that arrived meanwhile are answered rather than dropped.
        self.step(false)?;
        tracing::info!("intake stopped; every batch read is committed");
        Ok(())
    }

    /// One poll batch: read (the directories and stdin only when `poll_files`; Firehose
    /// deliveries always), flush by the watermark, commit, answer the deliveries.
    pub fn step(&mut self, poll_files: bool) -> anyhow::Result<()> {
        let mut positions = Vec::new();
        let mut deliveries: Vec<Pending> = Vec::new();
        for tracked in &mut self.sources {
            let (name, newest) = match &mut tracked.source {
                Source::Directory(d) if poll_files => {
                    self.feeder.enter(d.name());
                    let (p, newest) = d.poll(&mut self.feeder);
                    positions.extend(p);
                    (d.name().to_owned(), newest)
                }
                Source::Stdin(s) if poll_files => {
                    self.feeder.enter(s.name());
                    let newest = s.poll(&mut self.feeder);
                    (s.name().to_owned(), newest)
                }
                Source::S3(s) if poll_files => {
                    self.feeder.enter(s.name());
                    let (p, newest) = s.poll(&mut self.feeder);
                    positions.extend(p);
                    (s.name().to_owned(), newest)
                }
                Source::Sqs(s) if poll_files => {
                    self.feeder.enter(s.name());
                    let (p, newest) = s.poll(&mut self.feeder);
                    positions.extend(p);
                    (s.name().to_owned(), newest)
                }
                Source::Directory(_) | Source::Stdin(_) | Source::S3(_) | Source::Sqs(_) => {
                    continue;
                }
                Source::Firehose(f) => {
                    self.feeder.enter(f.name());
                    let (pending, newest) = f.poll(&mut self.intake, &mut self.feeder);
                    deliveries.extend(pending);
                    (f.name().to_owned(), newest)
                }
            };
            if let Some(t) = newest {
                tracked.newest_ms = Some(tracked.newest_ms.map_or(t, |n| n.max(t)));
            }
            if let Some(t) = tracked.newest_ms {
                let lag = (now_ms() - t) as f64 / 1000.0;
                self.metrics.source_lag().with(&[&name]).set(lag.max(0.0));
            }
        }
        let alerts = match self.watermark() {
            Some(w) => {
                self.feeder.watermark_ms = Some(self.feeder.watermark_ms.map_or(w, |m| m.max(w)));
                self.feeder.engine.flush(w)
            }
            None => Vec::new(),
        };
        self.report.after_flush(&mut self.feeder.engine);
        let records = std::mem::take(&mut self.feeder.records_since_commit);
        if positions.is_empty() && alerts.is_empty() && records == 0 && deliveries.is_empty() {
            self.committed();
            return Ok(());
        }
        let routed: Vec<RoutedAlert> = alerts
            .into_iter()
            .map(|alert| RoutedAlert {
                receivers: self
                    .routes
                    .receivers_for(&alert)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                alert,
            })
            .collect();
        let batch = Batch {
            now_ms: now_ms(),
            positions,
            engine_state: Some(self.feeder.engine.snapshot()?),
            alerts: routed,
            requests: deliveries
                .iter()
                .map(|p| p.request_id().to_owned())
                .collect(),
        };
        let new = match self.store.commit(&batch) {
            Ok(new) => new,
            Err(e) => {
                for p in deliveries {
                    p.answer(Err(format!("committing the records failed: {e}")));
                }
                return Err(e.into());
            }
        };
        for p in deliveries {
            p.answer(Ok(()));
        }
        let late: u64 = self.feeder.engine.reports().iter().map(|r| r.late).sum();
        tracing::info!(
            records,
            positions = batch.positions.len(),
            alerts = batch.alerts.len(),
            new_alerts = new.len(),
            firehose_requests = batch.requests.len(),
            late_records_total = late,
            "batch committed"
        );
        self.committed();
        Ok(())
    }

    /// Tells the sources that everything they read is durable (SQS messages are deleted).
    fn committed(&mut self) {
        for tracked in &mut self.sources {
            if let Source::Sqs(s) = &mut tracked.source {
                s.committed();
            }
        }
    }

    /// The event-time watermark: for each source that has read events, its newest event time
    /// less its allowed lateness; the lowest of these.
    fn watermark(&self) -> Option<i64> {
        self.sources
            .iter()
            .filter_map(|s| Some(s.newest_ms?.saturating_sub(s.allowed_lateness_ms)))
            .min()
    }
}

/// The wall clock, Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
