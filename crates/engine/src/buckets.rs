//! One-minute event-time buckets of one threshold key, and the sliding window over them.
//!
//! Each bucket holds the events whose time falls in one UTC minute: their count, earliest and
//! latest time, the distinct values of the cardinality field (an exact, sorted set) and the
//! earliest sampled events. A window of `n` minutes evaluated at step `s` (the minute starting
//! at `s × 60 s`) covers the buckets `s − n + 1 ..= s`; it is evaluated at the end of minute
//! `s`. The count and distinct count can only rise at a step where a bucket enters and only
//! fall at a step where one leaves (`m + n` for bucket `m`), so a sweep visits only those
//! steps, in time order, with a reference count per distinct value.

use crate::sample::{self, Sample};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Bucket length: one minute.
pub const BUCKET_MS: i64 = 60_000;

/// The events of one key in one minute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    /// The minute (epoch ms / 60 000).
    pub minute: i64,
    /// Events counted.
    pub count: u64,
    /// Earliest event time.
    pub first_ms: i64,
    /// Latest event time.
    pub last_ms: i64,
    /// Distinct values of the cardinality field, sorted.
    pub distinct: Vec<String>,
    /// The earliest events, sorted.
    pub sample: Vec<Sample>,
}

/// A key's buckets, sorted by minute.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Buckets {
    list: Vec<Bucket>,
}

/// A step at which a key's window reached the threshold.
#[derive(Debug, Clone, Copy)]
pub struct Crossing {
    /// The step (minute).
    pub step: i64,
    /// Events in the window.
    pub count: u64,
    /// Distinct values in the window.
    pub distinct: u64,
    /// The window's buckets, as a range of indexes.
    lo: usize,
    hi: usize,
}

impl Bucket {
    fn new(minute: i64) -> Bucket {
        Bucket {
            minute,
            count: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            distinct: Vec::new(),
            sample: Vec::new(),
        }
    }

    /// Adds a distinct value.
    pub fn add_distinct(&mut self, value: &str) {
        if let Err(at) = self.distinct.binary_search_by(|v| v.as_str().cmp(value)) {
            self.distinct.insert(at, value.to_owned());
        }
    }

    fn merge(&mut self, other: Bucket, cap: usize) {
        self.count += other.count;
        self.first_ms = self.first_ms.min(other.first_ms);
        self.last_ms = self.last_ms.max(other.last_ms);
        for v in other.distinct {
            self.add_distinct(&v);
        }
        sample::merge(&mut self.sample, other.sample, cap);
    }
}

impl Buckets {
    /// The bucket of `minute`, created empty when absent.
    pub fn bucket_mut(&mut self, minute: i64) -> &mut Bucket {
        let at = match self.list.binary_search_by_key(&minute, |b| b.minute) {
            Ok(at) => at,
            Err(at) => {
                if self.list.capacity() == 0 {
                    self.list.reserve_exact(1);
                }
                self.list.insert(at, Bucket::new(minute));
                at
            }
        };
        &mut self.list[at]
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Drops the buckets before `minute`.
    pub fn prune_before(&mut self, minute: i64) {
        let keep_from = self.list.partition_point(|b| b.minute < minute);
        self.list.drain(..keep_from);
    }

    /// Folds in the buckets of the same key from other events.
    pub fn merge(&mut self, other: Buckets, cap: usize) {
        for b in other.list {
            let minute = b.minute;
            self.bucket_mut(minute).merge(b, cap);
        }
    }

    /// Evaluates the steps after `after` up to `upto` (inclusive) with an `n`-minute window:
    /// `holds(count, distinct)` is the threshold condition, `above` whether it held at the
    /// last step evaluated (updated). Returns the steps where it starts to hold.
    pub fn sweep(
        &self,
        after: i64,
        upto: i64,
        n: i64,
        holds: impl Fn(u64, u64) -> bool,
        above: &mut bool,
    ) -> Vec<Crossing> {
        let mut steps: Vec<i64> = Vec::with_capacity(self.list.len() * 2 + 1);
        if after != i64::MIN && after < upto {
            // The bucket that leaves at the first step may already have been pruned.
            steps.push(after + 1);
        }
        for b in &self.list {
            for s in [b.minute, b.minute.saturating_add(n)] {
                if s > after && s <= upto {
                    steps.push(s);
                }
            }
        }
        steps.sort_unstable();
        steps.dedup();
        let mut out = Vec::new();
        let (mut lo, mut hi, mut count) = (0, 0, 0u64);
        let mut values: HashMap<&str, u32> = HashMap::new();
        for s in steps {
            while hi < self.list.len() && self.list[hi].minute <= s {
                count += self.list[hi].count;
                for v in &self.list[hi].distinct {
                    *values.entry(v).or_default() += 1;
                }
                hi += 1;
            }
            while lo < hi && self.list[lo].minute <= s.saturating_sub(n) {
                count -= self.list[lo].count;
                for v in &self.list[lo].distinct {
                    if let Some(c) = values.get_mut(v.as_str()) {
                        *c -= 1;
                        if *c == 0 {
                            values.remove(v.as_str());
                        }
                    }
                }
                lo += 1;
            }
            let distinct = values.len() as u64;
            let now = holds(count, distinct);
            if now && !*above {
                out.push(Crossing {
                    step: s,
                    count,
                    distinct,
                    lo,
                    hi,
                });
            }
            *above = now;
        }
        out
    }

    /// The earliest and latest event time and the earliest `cap` samples of a crossing's
    /// window.
    pub fn window(&self, c: &Crossing, cap: usize) -> (i64, i64, Vec<Sample>) {
        let buckets = &self.list[c.lo..c.hi];
        let first = buckets.iter().map(|b| b.first_ms).min().unwrap_or(i64::MAX);
        let last = buckets.iter().map(|b| b.last_ms).max().unwrap_or(i64::MIN);
        let mut samples = Vec::new();
        for b in buckets {
            sample::merge(&mut samples, b.sample.clone(), cap);
        }
        (first, last, samples)
    }
}
