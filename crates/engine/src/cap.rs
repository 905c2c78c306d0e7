//! `max_signals`: at most N alerts per rule per `interval` of event time (the alert's detection
//! time). Which alerts are kept does not depend on input order: the earliest by (detection
//! time, id); the other distinct ids are counted as held back. Duplicate ids (the same event
//! read twice) count once.
//!
//! Intervals are emitted when they are closed: all of them at the end of a run, or, when the
//! engine is flushed up to a watermark, those that end before it. An alert offered for an
//! interval already emitted is late: counted, not emitted.

use r53guard_alert::{Alert, id_digest, id_text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

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

/// One interval's alerts. Ids are held as the digests they write ([`id_digest`]): the same
/// order as the ids' text, at a fraction of the cost.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "BucketText", into = "BucketText")]
struct Bucket {
    /// The kept alerts with their ids' digests, sorted by (detection time, digest).
    kept: Vec<(i64, u128, Alert)>,
    /// The digest of every distinct id offered.
    seen: HashSet<u128, foldhash::fast::RandomState>,
}

/// A [`Bucket`] as snapshots hold it: alerts and the ids seen as text, in order.
#[derive(Serialize, Deserialize)]
struct BucketText {
    kept: Vec<(i64, Alert)>,
    seen: BTreeSet<String>,
}

impl From<BucketText> for Bucket {
    fn from(text: BucketText) -> Self {
        Bucket {
            kept: text
                .kept
                .into_iter()
                .map(|(at, a)| (at, id_digest(&a.id), a))
                .collect(),
            seen: text.seen.iter().map(|id| id_digest(id)).collect(),
        }
    }
}

impl From<Bucket> for BucketText {
    fn from(bucket: Bucket) -> Self {
        BucketText {
            kept: bucket.kept.into_iter().map(|(at, _, a)| (at, a)).collect(),
            seen: bucket.seen.into_iter().map(id_text).collect(),
        }
    }
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
        self.offer_with(at_ms, id_digest(&alert.id), |_| alert);
    }

    /// Offers the alert whose id has digest `digest` ([`r53guard_alert::alert_digest`]),
    /// detected at `at_ms`, built by `build` (given the id) only when it is kept or may replace
    /// a kept copy: an alert past the cap is counted by its digest alone.
    pub fn offer_with(&mut self, at_ms: i64, digest: u128, build: impl FnOnce(String) -> Alert) {
        let index = at_ms.div_euclid(self.interval_ms);
        if index < self.closed {
            self.late += 1;
            return;
        }
        let bucket = self.buckets.entry(index).or_default();
        if !bucket.seen.insert(digest) {
            if bucket.kept.iter().any(|&(_, d, _)| d == digest) {
                bucket.prefer(digest, build(id_text(digest)));
            }
            return;
        }
        bucket.insert_with(at_ms, digest, self.max, build);
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
            out.extend(bucket.kept.into_iter().map(|(_, _, a)| a));
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
            for (at, digest, alert) in theirs.kept {
                if mine.kept.iter().any(|&(_, d, _)| d == digest) {
                    mine.prefer(digest, alert);
                } else {
                    mine.insert_with(at, digest, self.max, |_| alert);
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
    fn prefer(&mut self, digest: u128, alert: Alert) {
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
        if let Some((_, _, kept)) = self.kept.iter_mut().find(|(_, d, _)| *d == digest)
            && source(&alert) < source(kept)
        {
            *kept = alert;
        }
    }

    /// Keeps the alert with this time and id digest, built by `build` (given the id), when it
    /// is among the first `max` by (time, id).
    fn insert_with(
        &mut self,
        at_ms: i64,
        digest: u128,
        max: usize,
        build: impl FnOnce(String) -> Alert,
    ) {
        let pos = self
            .kept
            .partition_point(|&(t, d, _)| (t, d) < (at_ms, digest));
        if pos < max {
            self.kept
                .insert(pos, (at_ms, digest, build(id_text(digest))));
            self.kept.truncate(max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53guard_alert::testing::sample_alert;
    use r53guard_alert::{Severity, alert_digest, alert_id};

    fn alert(id: &str) -> Alert {
        let at = "2026-11-01T00:00:00.000Z";
        sample_alert(id, "r", Severity::Low, at, "{}".to_owned())
    }

    fn offer(cap: &mut Capped, at_ms: i64, n: u32) {
        let digest = alert_digest(&[&n.to_le_bytes()]);
        cap.offer_with(at_ms, digest, |id| alert(&id));
    }

    fn kept_ids(alerts: &[Alert]) -> Vec<&str> {
        alerts.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn keeps_the_first_ids_in_text_order_and_counts_distinct_ones() {
        let mut cap = Capped::new(3, 60_000);
        for n in (0..20).chain(0..20) {
            offer(&mut cap, 1_000, n);
        }
        let mut ids: Vec<String> = (0u32..20).map(|n| alert_id(&[&n.to_le_bytes()])).collect();
        ids.sort();
        let kept = cap.drain_all();
        assert_eq!(
            kept_ids(&kept),
            ids[..3].iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(cap.held_back(), 17);
    }

    #[test]
    fn snapshots_hold_ids_as_text_and_restore_to_the_same_cap() {
        // Alert ids are written as they are; other text (never an engine id) as its digest.
        let mut cap = Capped::new(1, 60_000);
        offer(&mut cap, 2_000, 1);
        offer(&mut cap, 1_000, 2);
        cap.offer(1_500, alert("not a hex id"));
        let text = serde_json::to_value(&cap).unwrap();
        let bucket = &text["buckets"]["0"];
        let mut seen = vec![
            alert_id(&[&1u32.to_le_bytes()]),
            alert_id(&[&2u32.to_le_bytes()]),
            id_text(id_digest("not a hex id")),
        ];
        seen.sort();
        assert_eq!(bucket["seen"], serde_json::json!(seen));
        assert_eq!(bucket["kept"][0][0], 1_000);
        assert_eq!(bucket["kept"][0][1]["id"], alert_id(&[&2u32.to_le_bytes()]));
        let mut restored: Capped = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(serde_json::to_value(&restored).unwrap(), text);
        offer(&mut restored, 3_000, 1);
        let kept = restored.drain_all();
        assert_eq!(kept_ids(&kept), [alert_id(&[&2u32.to_le_bytes()])]);
        assert_eq!(
            restored.held_back(),
            2,
            "the repeat of a seen id is not counted again"
        );
    }
}
