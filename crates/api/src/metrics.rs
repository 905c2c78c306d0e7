//! The service's own metrics: counters and gauges with labels, updated from any thread with
//! one atomic operation, and read by `GET /metrics`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// A monotonically increasing count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down (kept as the bits of an `f64`).
#[derive(Debug, Default)]
pub struct Gauge(AtomicU64);

impl Gauge {
    /// Sets the value.
    pub fn set(&self, value: f64) {
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }

    /// The value (0 until set).
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// A metric name with its help text and label names, and one [`Counter`] or [`Gauge`] per
/// combination of label values seen.
#[derive(Debug)]
pub struct Family<M> {
    name: String,
    help: String,
    labels: Vec<String>,
    series: RwLock<BTreeMap<Vec<String>, Arc<M>>>,
}

impl<M: Default> Family<M> {
    fn new(name: &str, help: &str, labels: &[&str]) -> Family<M> {
        Family {
            name: name.to_owned(),
            help: help.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            series: RwLock::default(),
        }
    }

    /// The series with these label values (one per label name, in order), created at 0 on
    /// first use. Keep the returned handle where updates are frequent: updating it is a
    /// single atomic operation, while this lookup takes a lock.
    ///
    /// # Panics
    ///
    /// When the number of values differs from the number of label names (a programming
    /// error).
    pub fn with(&self, values: &[&str]) -> Arc<M> {
        assert_eq!(
            values.len(),
            self.labels.len(),
            "metric {} takes the labels {:?}",
            self.name,
            self.labels
        );
        let key: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        if let Some(series) = self
            .series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(series);
        }
        let mut series = self.series.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(series.entry(key).or_default())
    }
}

impl<M> Family<M> {
    /// The metric's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The help text.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The label names.
    pub fn label_names(&self) -> &[String] {
        &self.labels
    }

    /// Every series, as (label values, metric), ordered by label values.
    pub fn series(&self) -> Vec<(Vec<String>, Arc<M>)> {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(values, metric)| (values.clone(), Arc::clone(metric)))
            .collect()
    }
}

/// A metric family the caller registered.
#[derive(Debug, Clone)]
pub(crate) enum Registered {
    Counter(Arc<Family<Counter>>),
    Gauge(Arc<Family<Gauge>>),
}

/// A metric that cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricError {
    /// The name is not `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[error("bad metric name {0:?}: expected [a-zA-Z_:][a-zA-Z0-9_:]*")]
    BadName(String),
    /// A label name is not `[a-zA-Z_][a-zA-Z0-9_]*`, starts with `__`, or is repeated.
    #[error("bad label name {0:?}: expected [a-zA-Z_][a-zA-Z0-9_]*, not starting with __, once")]
    BadLabel(String),
    /// The name is taken, by a built-in metric or an earlier registration.
    #[error("metric {0:?} is already defined")]
    Duplicate(String),
}

/// Records read, by kind.
pub const RECORDS_IN: &str = "r53guard_records_in_total";
/// Bad records, by class.
pub const BAD_RECORDS: &str = "r53guard_bad_records_total";
/// Source lag, by source.
pub const SOURCE_LAG: &str = "r53guard_source_lag_seconds";
/// Alerts held back by `max_signals`, by rule.
pub const ALERTS_HELD_BACK: &str = "r53guard_alerts_held_back_total";
/// Late records, by rule: matches older than the rule's flushed watermark.
pub const LATE_RECORDS: &str = "r53guard_late_records_total";
/// Late records, by source: records older than the pipeline's watermark when read.
pub const SOURCE_LATE_RECORDS: &str = "r53guard_source_late_records_total";
/// Gaps, by source: the source's newest event time jumping forward past the gap threshold.
pub const SOURCE_GAPS: &str = "r53guard_source_gaps_total";
/// Alerts in the store, by rule (read from the store at each scrape).
pub const ALERTS_STORED: &str = "r53guard_alerts_stored";
/// Notification jobs waiting in the outbox (read from the store).
pub const OUTBOX_DEPTH: &str = "r53guard_outbox_depth";
/// Notification jobs delivered, the sent-ledger's size (read from the store).
pub const NOTIFICATIONS_SENT: &str = "r53guard_notifications_sent";
/// Notification jobs given up on (read from the store).
pub const DEAD_LETTERS: &str = "r53guard_dead_letters";

/// The metrics the service updates and `GET /metrics` reports, beside those it reads from
/// the store at each scrape ([`ALERTS_STORED`], [`OUTBOX_DEPTH`], [`NOTIFICATIONS_SENT`],
/// [`DEAD_LETTERS`]).
///
/// Share it as an `Arc<Metrics>` between the pipeline and the API. Built in:
///
/// | metric | type | label |
/// |---|---|---|
/// | [`RECORDS_IN`] | counter | `kind` (`cloudtrail`, `resolver`, …) |
/// | [`BAD_RECORDS`] | counter | `class` (`json`, `utf8`, `shape`, `time`, …) |
/// | [`SOURCE_LAG`] | gauge | `source`: how far the source's event time is behind the wall clock |
/// | [`ALERTS_HELD_BACK`] | counter | `rule`: alerts over `max_signals` in emitted intervals |
/// | [`LATE_RECORDS`] | counter | `rule`: matches older than the rule's flushed watermark |
/// | [`SOURCE_LATE_RECORDS`] | counter | `source`: records older than the watermark when read |
/// | [`SOURCE_GAPS`] | counter | `source`: jumps of the newest event time past the gap threshold |
///
/// More can be added with [`Metrics::counter`] and [`Metrics::gauge`].
///
/// ```
/// use r53guard_api::Metrics;
/// let metrics = Metrics::new();
/// let cloudtrail = metrics.records_in().with(&["cloudtrail"]);
/// cloudtrail.add(250);
/// metrics.source_lag().with(&["s3-main"]).set(4.5);
/// let sent = metrics.counter("r53guard_firehose_requests_total", "Firehose requests.", &["code"]).unwrap();
/// sent.with(&["200"]).inc();
/// assert_eq!(cloudtrail.get(), 250);
/// ```
#[derive(Debug)]
pub struct Metrics {
    records_in: Arc<Family<Counter>>,
    bad_records: Arc<Family<Counter>>,
    source_lag: Arc<Family<Gauge>>,
    alerts_held_back: Arc<Family<Counter>>,
    late_records: Arc<Family<Counter>>,
    source_late_records: Arc<Family<Counter>>,
    source_gaps: Arc<Family<Counter>>,
    registered: RwLock<Vec<Registered>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// The built-in metrics, all empty.
    pub fn new() -> Metrics {
        Metrics {
            records_in: Arc::new(Family::new(RECORDS_IN, "Records read, by kind.", &["kind"])),
            bad_records: Arc::new(Family::new(
                BAD_RECORDS,
                "Bad records reported and skipped, by class.",
                &["class"],
            )),
            source_lag: Arc::new(Family::new(
                SOURCE_LAG,
                "How far each source's latest event time is behind the wall clock, in seconds.",
                &["source"],
            )),
            alerts_held_back: Arc::new(Family::new(
                ALERTS_HELD_BACK,
                "Alerts held back by max_signals, by rule.",
                &["rule"],
            )),
            late_records: Arc::new(Family::new(
                LATE_RECORDS,
                "Matches older than the rule's flushed watermark, ignored, by rule.",
                &["rule"],
            )),
            source_late_records: Arc::new(Family::new(
                SOURCE_LATE_RECORDS,
                "Records older than the pipeline's watermark when read, by source.",
                &["source"],
            )),
            source_gaps: Arc::new(Family::new(
                SOURCE_GAPS,
                "Jumps of a source's newest event time past the gap threshold, by source.",
                &["source"],
            )),
            registered: RwLock::default(),
        }
    }

    /// Records read, by `kind`.
    pub fn records_in(&self) -> &Family<Counter> {
        &self.records_in
    }

    /// Bad records, by `class`.
    pub fn bad_records(&self) -> &Family<Counter> {
        &self.bad_records
    }

    /// Source lag in seconds, by `source`.
    pub fn source_lag(&self) -> &Family<Gauge> {
        &self.source_lag
    }

    /// Alerts held back by `max_signals`, by `rule`.
    pub fn alerts_held_back(&self) -> &Family<Counter> {
        &self.alerts_held_back
    }

    /// Late matches, by `rule`.
    pub fn late_records(&self) -> &Family<Counter> {
        &self.late_records
    }

    /// Late records, by `source`.
    pub fn source_late_records(&self) -> &Family<Counter> {
        &self.source_late_records
    }

    /// Gaps in event time, by `source`.
    pub fn source_gaps(&self) -> &Family<Counter> {
        &self.source_gaps
    }

    /// Registers a counter family (by convention its name ends in `_total`).
    pub fn counter(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<Arc<Family<Counter>>, MetricError> {
        let family = Arc::new(Family::new(name, help, labels));
        self.register(name, labels, Registered::Counter(Arc::clone(&family)))?;
        Ok(family)
    }

    /// Registers a gauge family.
    pub fn gauge(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<Arc<Family<Gauge>>, MetricError> {
        let family = Arc::new(Family::new(name, help, labels));
        self.register(name, labels, Registered::Gauge(Arc::clone(&family)))?;
        Ok(family)
    }

    fn register(&self, name: &str, labels: &[&str], family: Registered) -> Result<(), MetricError> {
        if !valid_name(name, true) {
            return Err(MetricError::BadName(name.to_owned()));
        }
        for (i, label) in labels.iter().enumerate() {
            if !valid_name(label, false) || label.starts_with("__") || labels[..i].contains(label) {
                return Err(MetricError::BadLabel((*label).to_owned()));
            }
        }
        let mut registered = self
            .registered
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let builtin = [
            RECORDS_IN,
            BAD_RECORDS,
            SOURCE_LAG,
            ALERTS_HELD_BACK,
            LATE_RECORDS,
            SOURCE_LATE_RECORDS,
            SOURCE_GAPS,
            ALERTS_STORED,
            OUTBOX_DEPTH,
            NOTIFICATIONS_SENT,
            DEAD_LETTERS,
        ];
        let taken = builtin.contains(&name)
            || registered.iter().any(|r| match r {
                Registered::Counter(f) => f.name == name,
                Registered::Gauge(f) => f.name == name,
            });
        if taken {
            return Err(MetricError::Duplicate(name.to_owned()));
        }
        registered.push(family);
        Ok(())
    }

    /// The caller's registered families, in registration order.
    pub(crate) fn registered(&self) -> Vec<Registered> {
        self.registered
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A metric name (`colons` allowed) or label name.
fn valid_name(name: &str, colons: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic()
            || c == '_'
            || (colons && c == ':')
            || (!first && c.is_ascii_digit())
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_are_shared_and_counted_across_threads() {
        let metrics = Arc::new(Metrics::new());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        metrics.records_in().with(&["resolver"]).inc();
                    }
                });
            }
        });
        assert_eq!(metrics.records_in().with(&["resolver"]).get(), 4000);
        assert_eq!(metrics.records_in().series().len(), 1);
    }

    #[test]
    fn gauges_keep_fractions() {
        let metrics = Metrics::new();
        metrics.source_lag().with(&["dir"]).set(-0.25);
        assert_eq!(metrics.source_lag().with(&["dir"]).get(), -0.25);
    }

    #[test]
    fn registration_checks_names() {
        let metrics = Metrics::new();
        assert!(metrics.counter("ok_total", "h", &["a", "b"]).is_ok());
        assert_eq!(
            metrics.gauge("ok_total", "h", &[]).unwrap_err(),
            MetricError::Duplicate("ok_total".into())
        );
        assert_eq!(
            metrics.gauge(OUTBOX_DEPTH, "h", &[]).unwrap_err(),
            MetricError::Duplicate(OUTBOX_DEPTH.into())
        );
        assert_eq!(
            metrics.gauge("9lives", "h", &[]).unwrap_err(),
            MetricError::BadName("9lives".into())
        );
        assert_eq!(
            metrics.gauge("x", "h", &["a:b"]).unwrap_err(),
            MetricError::BadLabel("a:b".into())
        );
        assert_eq!(
            metrics.gauge("x", "h", &["__name"]).unwrap_err(),
            MetricError::BadLabel("__name".into())
        );
        assert_eq!(
            metrics.gauge("x", "h", &["a", "a"]).unwrap_err(),
            MetricError::BadLabel("a".into())
        );
        assert!(metrics.gauge("ns:x", "h", &["le_1"]).is_ok());
    }

    #[test]
    #[should_panic(expected = "takes the labels")]
    fn wrong_label_count_panics() {
        Metrics::new().records_in().with(&["a", "b"]);
    }
}
