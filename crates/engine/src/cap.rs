//! `max_signals`: at most N alerts per rule per `interval` of event time. Which alerts are kept
//! does not depend on input order: the earliest by (detection time, id); the rest are counted
//! as held back. Duplicate ids (the same event read twice) count once.

use r53guard_alert::Alert;
use std::collections::{BTreeMap, HashSet};

/// The alerts one rule keeps, bucketed by interval.
#[derive(Debug, Default)]
pub struct Capped {
    max: usize,
    interval_ms: i64,
    buckets: BTreeMap<i64, Bucket>,
}

#[derive(Debug, Default)]
struct Bucket {
    kept: BTreeMap<(i64, String), Alert>,
    seen: HashSet<String>,
    held_back: u64,
}

impl Capped {
    /// A cap of `max` alerts per `interval_ms` of event time.
    pub fn new(max: u32, interval_ms: i64) -> Self {
        Capped {
            max: max.max(1) as usize,
            interval_ms: interval_ms.max(1),
            buckets: BTreeMap::new(),
        }
    }

    /// Offers an alert detected at `at_ms`.
    pub fn offer(&mut self, at_ms: i64, alert: Alert) {
        let bucket = self
            .buckets
            .entry(at_ms.div_euclid(self.interval_ms))
            .or_default();
        if !bucket.seen.insert(alert.id.clone()) {
            return;
        }
        bucket.kept.insert((at_ms, alert.id.clone()), alert);
        if bucket.kept.len() > self.max {
            bucket.kept.pop_last();
            bucket.held_back += 1;
        }
    }

    /// The kept alerts and the number held back.
    pub fn finish(self) -> (Vec<Alert>, u64) {
        let mut alerts = Vec::new();
        let mut held = 0;
        for (_, b) in self.buckets {
            held += b.held_back;
            alerts.extend(b.kept.into_values());
        }
        (alerts, held)
    }
}
