//! `max_signals`: at most N alerts per rule per `interval` of event time (the alert's detection
//! time). Which alerts are kept does not depend on input order: the earliest by (detection
//! time, id). The matches past the cap are counted as held back; a second copy of a kept
//! alert's event (the same event read twice) is not. The count is exact and the same whatever
//! the input order, and costs no memory per match: an interval keeps the number of matches
//! offered and, per kept alert, the number of its copies, so held back = offered − copies kept.
//! (A match past the cap is never kept later: the alerts ahead of it stay ahead.)
//!
//! Intervals are emitted when they are closed: all of them at the end of a run, or, when the
//! engine is flushed up to a watermark, those that end before it. An alert offered for an
//! interval already emitted is late: counted, not emitted.

use crate::evidence::HeldEvidence;
use r53guard_alert::{Alert, id_digest, id_text};
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
    /// Matches over the cap in it, not alerted.
    pub held_back: u64,
}

/// One interval's alerts. Ids are held as the digests they write ([`id_digest`]): the same
/// order as the ids' text, at a fraction of the cost.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "BucketText", into = "BucketText")]
struct Bucket {
    /// The kept alerts, sorted by (detection time, digest).
    kept: Vec<Kept>,
    /// Matches offered, copies included.
    offered: u64,
}

#[derive(Debug, Clone)]
struct Kept {
    at_ms: i64,
    digest: u128,
    /// How many times the alert was offered (copies of its event).
    copies: u64,
    held: HeldAlert,
}

/// An alert waiting in a cap for its interval to end, its evidence entries held apart as
/// text (in the engine's spill file when it has one): in `hunt` every kept alert waits for
/// the end of the run. Snapshots hold it as the whole alert.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Alert", into = "Alert")]
pub struct HeldAlert {
    /// The alert, without its evidence entries.
    pub alert: Alert,
    /// Its evidence entries.
    pub evidence: Vec<HeldEvidence>,
}

/// A whole alert (from a snapshot, or a test), its evidence held in memory.
impl From<Alert> for HeldAlert {
    fn from(mut alert: Alert) -> HeldAlert {
        let evidence = std::mem::take(&mut alert.events)
            .into_iter()
            .map(HeldEvidence::hold)
            .collect();
        HeldAlert { alert, evidence }
    }
}

impl From<HeldAlert> for Alert {
    fn from(held: HeldAlert) -> Alert {
        held.release()
    }
}

impl HeldAlert {
    /// The whole alert, its evidence read back.
    pub fn release(self) -> Alert {
        let HeldAlert {
            mut alert,
            evidence,
        } = self;
        alert.events = evidence.iter().map(HeldEvidence::entry).collect();
        alert
    }
}

impl Bucket {
    fn held_back(&self) -> u64 {
        self.offered - self.kept.iter().map(|k| k.copies).sum::<u64>()
    }
}

/// A [`Bucket`] as snapshots hold it: the kept alerts in order, with their copies, and the
/// matches offered. Snapshots written before these counts held the id of every match offered
/// (`seen`) instead: each counts as one match, each kept alert as one copy.
#[derive(Serialize, Deserialize)]
struct BucketText {
    kept: Vec<(i64, HeldAlert)>,
    #[serde(default)]
    copies: Vec<u64>,
    #[serde(default)]
    offered: u64,
    #[serde(default, skip_serializing)]
    seen: BTreeSet<String>,
}

impl From<BucketText> for Bucket {
    fn from(text: BucketText) -> Self {
        let copies = text.copies.into_iter().chain(std::iter::repeat(1));
        let kept: Vec<Kept> = text
            .kept
            .into_iter()
            .zip(copies)
            .map(|((at_ms, held), copies)| Kept {
                at_ms,
                digest: id_digest(&held.alert.id),
                copies,
                held,
            })
            .collect();
        let copied: u64 = kept.iter().map(|k| k.copies).sum();
        Bucket {
            offered: text.offered.max(text.seen.len() as u64).max(copied),
            kept,
        }
    }
}

impl From<Bucket> for BucketText {
    fn from(bucket: Bucket) -> Self {
        BucketText {
            copies: bucket.kept.iter().map(|k| k.copies).collect(),
            kept: bucket.kept.into_iter().map(|k| (k.at_ms, k.held)).collect(),
            offered: bucket.offered,
            seen: BTreeSet::new(),
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
    pub fn offer(&mut self, at_ms: i64, held: HeldAlert) {
        self.offer_with(at_ms, id_digest(&held.alert.id), |_| held);
    }

    /// Offers the alert whose id has digest `digest` ([`r53guard_alert::alert_digest`]),
    /// detected at `at_ms`, built by `build` (given the id) only when it is kept or may replace
    /// a kept copy: an alert past the cap is only counted.
    pub fn offer_with(
        &mut self,
        at_ms: i64,
        digest: u128,
        build: impl FnOnce(String) -> HeldAlert,
    ) {
        let index = at_ms.div_euclid(self.interval_ms);
        if index < self.closed {
            self.late += 1;
            return;
        }
        let bucket = self.buckets.entry(index).or_default();
        bucket.offered += 1;
        bucket.add(at_ms, digest, 1, self.max, build);
    }

    /// How many alerts [`Capped::drain_into`] would emit for `until_ms`.
    pub fn ready(&self, until_ms: i64) -> usize {
        let bound = until_ms.div_euclid(self.interval_ms);
        self.buckets.range(..bound).map(|(_, b)| b.kept.len()).sum()
    }

    /// Emits the intervals that end at or before `until_ms` (`i64::MAX`: all), in time order,
    /// onto `out`.
    pub fn drain_into(&mut self, until_ms: i64, out: &mut Vec<HeldAlert>) {
        let bound = until_ms.div_euclid(self.interval_ms);
        while let Some(entry) = self.buckets.first_entry() {
            if *entry.key() >= bound {
                break;
            }
            let (index, bucket) = entry.remove_entry();
            let held_back = bucket.held_back();
            if held_back > 0 {
                let start_ms = index.saturating_mul(self.interval_ms);
                self.summaries.push(HeldBackInterval {
                    start_ms,
                    end_ms: start_ms.saturating_add(self.interval_ms),
                    held_back,
                });
            }
            self.held_back += held_back;
            out.extend(bucket.kept.into_iter().map(|k| k.held));
        }
        self.closed = self.closed.max(bound);
    }

    /// The start of the first interval not yet emitted (`i64::MIN` before any): every alert
    /// this cap emits from now on is detected at or after it.
    pub fn open_from_ms(&self) -> i64 {
        self.closed.saturating_mul(self.interval_ms)
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

    /// The intervals held and the counts, leaving none (and the intervals emitted as they are).
    pub fn take(&mut self) -> Capped {
        Capped {
            max: self.max,
            interval_ms: self.interval_ms,
            buckets: std::mem::take(&mut self.buckets),
            closed: self.closed,
            held_back: std::mem::take(&mut self.held_back),
            late: std::mem::take(&mut self.late),
            summaries: std::mem::take(&mut self.summaries),
        }
    }

    /// Folds in the cap of another engine fed other events.
    pub fn merge(&mut self, other: Capped) {
        self.closed = self.closed.max(other.closed);
        self.held_back += other.held_back;
        self.late += other.late;
        self.summaries.extend(other.summaries);
        for (index, theirs) in other.buckets {
            let mine = self.buckets.entry(index).or_default();
            mine.offered += theirs.offered;
            for k in theirs.kept {
                mine.add(k.at_ms, k.digest, k.copies, self.max, |_| k.held);
            }
        }
    }
}

impl Kept {
    /// The same alert (same id) seen again, e.g. the same event in two files: keep the copy
    /// whose evidence comes first by source (path, line, record), so the choice does not depend
    /// on which copy was read first.
    fn prefer(&mut self, other: HeldAlert) {
        let source = |h: &HeldAlert| {
            h.evidence.first().map(|e| {
                let s = &e.source;
                (s.path.clone(), s.line, s.record, s.part)
            })
        };
        if source(&other) < source(&self.held) {
            self.held = other;
        }
    }
}

impl Bucket {
    /// Adds the alert with this time and id digest, offered `copies` times and built by `build`
    /// (given the id): to its kept copy, or kept when it is among the first `max` by (time,
    /// id). Past the cap, only a kept copy at the same time is looked for.
    fn add(
        &mut self,
        at_ms: i64,
        digest: u128,
        copies: u64,
        max: usize,
        build: impl FnOnce(String) -> HeldAlert,
    ) {
        let pos = self
            .kept
            .partition_point(|k| (k.at_ms, k.digest) < (at_ms, digest));
        let same = |k: &Kept| k.digest == digest;
        let found = if self.kept.get(pos).is_some_and(same) {
            Some(pos)
        } else if pos < max {
            self.kept.iter().position(same)
        } else {
            None
        };
        if let Some(i) = found {
            self.kept[i].copies += copies;
            self.kept[i].prefer(build(id_text(digest)));
        } else if pos < max {
            let held = build(id_text(digest));
            self.kept.insert(
                pos,
                Kept {
                    at_ms,
                    digest,
                    copies,
                    held,
                },
            );
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
        cap.offer_with(at_ms, digest, |id| HeldAlert::from(alert(&id)));
    }

    fn drain_all(cap: &mut Capped) -> Vec<Alert> {
        let mut out = Vec::with_capacity(cap.ready(i64::MAX));
        cap.drain_into(i64::MAX, &mut out);
        assert_eq!(out.len(), out.capacity(), "ready counts what is drained");
        out.into_iter().map(HeldAlert::release).collect()
    }

    fn kept_ids(alerts: &[Alert]) -> Vec<&str> {
        alerts.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn keeps_the_first_ids_in_text_order_and_counts_the_matches_past_them() {
        let mut cap = Capped::new(3, 60_000);
        for n in (0..20).chain(0..20) {
            offer(&mut cap, 1_000, n);
        }
        let mut ids: Vec<String> = (0u32..20).map(|n| alert_id(&[&n.to_le_bytes()])).collect();
        ids.sort();
        let kept = drain_all(&mut cap);
        assert_eq!(
            kept_ids(&kept),
            ids[..3].iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(
            cap.held_back(),
            40 - 3 * 2,
            "copies of kept alerts are not held back"
        );
    }

    /// What a cap of `max` per minute keeps and holds back of `offers` (ids; an id's time is
    /// a function of it, as an event's is), worked out from the whole list.
    fn expected(offers: &[u32], max: usize) -> (Vec<String>, u64) {
        let mut by_interval: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        for &n in offers {
            by_interval
                .entry(at(n).div_euclid(60_000))
                .or_default()
                .push(n);
        }
        let (mut kept, mut held_back) = (Vec::new(), 0);
        for (_, ns) in by_interval {
            let mut distinct: Vec<(i64, String, u32)> = ns
                .iter()
                .map(|&n| (at(n), alert_id(&[&n.to_le_bytes()]), n))
                .collect();
            distinct.sort();
            distinct.dedup();
            distinct.truncate(max);
            let copies = ns
                .iter()
                .filter(|n| distinct.iter().any(|d| d.2 == **n))
                .count();
            held_back += (ns.len() - copies) as u64;
            kept.extend(distinct.into_iter().map(|d| d.1));
        }
        (kept, held_back)
    }

    fn at(n: u32) -> i64 {
        i64::from(n % 5) * 25_000
    }

    proptest::proptest! {
        #[test]
        fn the_same_alerts_and_count_in_any_order_split_or_restore(
            offers in proptest::collection::vec(0u32..12, 0..60),
            max in 1usize..4,
            split in 0usize..60,
        ) {
            let split = split.min(offers.len());
            let mut first = Capped::new(max as u32, 60_000);
            let mut second = Capped::new(max as u32, 60_000);
            for &n in &offers[..split] {
                offer(&mut first, at(n), n);
            }
            for &n in offers[split..].iter().rev() {
                offer(&mut second, at(n), n);
            }
            let text = serde_json::to_string(&second).unwrap();
            let mut restored: Capped = serde_json::from_str(&text).unwrap();
            restored.merge(first);
            let kept = drain_all(&mut restored);
            let (ids, held_back) = expected(&offers, max);
            proptest::prop_assert_eq!(kept_ids(&kept), ids.iter().map(String::as_str).collect::<Vec<_>>());
            proptest::prop_assert_eq!(restored.held_back(), held_back);
        }
    }

    #[test]
    fn snapshots_hold_the_kept_alerts_and_counts_and_restore_to_the_same_cap() {
        let mut cap = Capped::new(1, 60_000);
        offer(&mut cap, 2_000, 1);
        offer(&mut cap, 1_000, 2);
        cap.offer(1_500, alert("not a hex id").into());
        let text = serde_json::to_value(&cap).unwrap();
        let bucket = &text["buckets"]["0"];
        assert_eq!(bucket["kept"][0][0], 1_000);
        assert_eq!(bucket["kept"][0][1]["id"], alert_id(&[&2u32.to_le_bytes()]));
        assert_eq!(bucket["copies"], serde_json::json!([1]));
        assert_eq!(bucket["offered"], 3);
        assert!(bucket.get("seen").is_none());
        let mut restored: Capped = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(serde_json::to_value(&restored).unwrap(), text);
        offer(&mut restored, 1_000, 2);
        offer(&mut restored, 3_000, 1);
        let kept = drain_all(&mut restored);
        assert_eq!(kept_ids(&kept), [alert_id(&[&2u32.to_le_bytes()])]);
        assert_eq!(
            restored.held_back(),
            3,
            "the second copy of the kept alert is not held back"
        );
    }

    #[test]
    fn snapshots_with_the_ids_seen_restore_with_each_id_one_match() {
        let kept = alert(&alert_id(&[&2u32.to_le_bytes()]));
        let text = serde_json::json!({
            "max": 1, "interval_ms": 60_000, "closed": i64::MIN, "held_back": 0, "late": 0,
            "buckets": {"0": {
                "kept": [[1_000, kept]],
                "seen": [alert_id(&[&1u32.to_le_bytes()]), alert_id(&[&2u32.to_le_bytes()]), "x"],
            }},
        });
        let mut restored: Capped = serde_json::from_value(text).unwrap();
        offer(&mut restored, 1_000, 2);
        drain_all(&mut restored);
        assert_eq!(restored.held_back(), 2);
    }
}
