//! `max_signals`: at most N alerts per rule per `interval` of event time (the alert's detection
//! time). Which alerts are kept does not depend on input order: the earliest by (detection
//! time, id); the other distinct ids are counted as held back. Duplicate ids (the same event
//! read twice) count once.
//!
//! Intervals are emitted when they are closed: all of them at the end of a run, or, when the
//! engine is flushed up to a watermark, those that end before it. An alert offered for an
//! interval already emitted is late: counted, not emitted.

use r53guard_alert::Alert;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The alerts one rule keeps, bucketed by interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Capped {
    max: usize,
    interval_ms: i64,
    buckets: BTreeMap<i64, Bucket>,
    /// Intervals with an index below this one have been emitted.
    closed: i64,
    held_back: u64,
    late: u64,
    /// The intervals emitted since the last [`Capped::take_held_back`] that held alerts back
    /// (not in snapshots: they are taken before the state that follows them is saved).
    #[serde(skip)]
    summaries: Vec<HeldBackInterval>,
}

/// One emitted `max_signals` interval that held alerts back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldBackInterval {
    /// The interval's start, Unix milliseconds of event time.
    pub start_ms: i64,
    /// The interval's end (exclusive).
    pub end_ms: i64,
    /// Distinct alerts over the cap in it, not emitted.
    pub held_back: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Bucket {
    /// The kept alerts, sorted by (detection time, id).
    kept: Vec<(i64, Alert)>,
    /// Every distinct id offered.
    seen: BTreeSet<String>,
}

impl Capped {
    /// A cap of `max` alerts per `interval_ms` of event time.
    pub fn new(max: u32, interval_ms: i64) -> Self {
        Capped {
            max: max.max(1) as usize,
            interval_ms: interval_ms.max(1),
            buckets: BTreeMap::new(),
            closed: i64::MIN,
            held_back: 0,
            late: 0,
            summaries: Vec::new(),
        }
    }

    /// Offers an alert detected at `at_ms`.
    pub fn offer(&mut self, at_ms: i64, alert: Alert) {
        let id = alert.id.clone();
        self.offer_with(at_ms, id, |_| alert);
    }

    /// Offers the alert with id `id` detected at `at_ms`, built by `build` (given the id) only
    /// when it is kept or may replace a kept copy: an alert past the cap is counted by its id
    /// alone.
    pub fn offer_with(&mut self, at_ms: i64, id: String, build: impl FnOnce(String) -> Alert) {
        let index = at_ms.div_euclid(self.interval_ms);
        if index < self.closed {
            self.late += 1;
            return;
        }
        let bucket = self.buckets.entry(index).or_default();
        if bucket.seen.contains(&id) {
            if bucket.kept.iter().any(|(_, a)| a.id == id) {
                bucket.prefer(build(id));
            }
            return;
        }
        bucket.seen.insert(id.clone());
        bucket.insert_with(at_ms, id, self.max, build);
    }

    /// Emits the intervals that end at or before `until_ms`, in time order.
    pub fn drain(&mut self, until_ms: i64) -> Vec<Alert> {
        let bound = until_ms.div_euclid(self.interval_ms);
        let mut out = Vec::new();
        while let Some(entry) = self.buckets.first_entry() {
            if *entry.key() >= bound {
                break;
            }
            let (index, bucket) = entry.remove_entry();
            let held_back = (bucket.seen.len() - bucket.kept.len()) as u64;
            if held_back > 0 {
                let start_ms = index.saturating_mul(self.interval_ms);
                self.summaries.push(HeldBackInterval {
                    start_ms,
                    end_ms: start_ms.saturating_add(self.interval_ms),
                    held_back,
                });
            }
            self.held_back += held_back;
            out.extend(bucket.kept.into_iter().map(|(_, a)| a));
        }
        self.closed = self.closed.max(bound);
        out
    }

    /// Emits every interval.
    pub fn drain_all(&mut self) -> Vec<Alert> {
        self.drain(i64::MAX)
    }

    /// Alerts held back so far (in emitted intervals).
    pub fn held_back(&self) -> u64 {
        self.held_back
    }

    /// The intervals that held alerts back, emitted since the last call.
    pub fn take_held_back(&mut self) -> Vec<HeldBackInterval> {
        std::mem::take(&mut self.summaries)
    }

    /// Alerts offered after their interval was emitted.
    pub fn late(&self) -> u64 {
        self.late
    }

    /// Folds in the cap of another engine fed other events.
    pub fn merge(&mut self, other: Capped) {
        self.closed = self.closed.max(other.closed);
        self.held_back += other.held_back;
        self.late += other.late;
        self.summaries.extend(other.summaries);
        for (index, theirs) in other.buckets {
            let mine = self.buckets.entry(index).or_default();
            for (at, alert) in theirs.kept {
                if mine.kept.iter().any(|(_, a)| a.id == alert.id) {
                    mine.prefer(alert);
                } else {
                    let id = alert.id.clone();
                    mine.insert_with(at, id, self.max, |_| alert);
                }
            }
            mine.seen.extend(theirs.seen);
        }
    }
}

impl Bucket {
    /// The same alert (same id) seen again, e.g. the same event in two files: keep the copy
    /// whose evidence comes first by source (path, line, record), so the choice does not depend
    /// on which copy was read first.
    fn prefer(&mut self, alert: Alert) {
        let source = |a: &Alert| {
            a.events.first().map(|e| {
                (
                    e.source.path.clone(),
                    e.source.line,
                    e.source.record,
                    e.source.part,
                )
            })
        };
        if let Some((_, kept)) = self.kept.iter_mut().find(|(_, a)| a.id == alert.id)
            && source(&alert) < source(kept)
        {
            *kept = alert;
        }
    }

    /// Keeps the alert with this time and id, built by `build` (given the id), when it is
    /// among the first `max` by (time, id).
    fn insert_with(
        &mut self,
        at_ms: i64,
        id: String,
        max: usize,
        build: impl FnOnce(String) -> Alert,
    ) {
        let pos = self
            .kept
            .partition_point(|(t, a)| (*t, a.id.as_str()) < (at_ms, id.as_str()));
        if pos < max {
            self.kept.insert(pos, (at_ms, build(id)));
            self.kept.truncate(max);
        }
    }
}
