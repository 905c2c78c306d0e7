//! An alert being built from several events (suppressed repeats of a query rule): counts,
//! first and last time, and a capped sample of the earliest events. The sample is chosen by
//! (event time, content key), so it does not depend on input order, and two accumulators of
//! disjoint inputs merge into the accumulator of the whole.

use crate::keyed::Activity;
use crate::sample::{self, Sample, Sampler};
use r53guard_event::Event;
use serde::{Deserialize, Serialize};

/// Events folded into one alert.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Acc {
    /// Events counted.
    pub count: u64,
    /// Earliest event time.
    pub first_ms: i64,
    /// Latest event time.
    pub last_ms: i64,
    /// The earliest events, sorted.
    sample: Vec<Sample>,
}

impl Default for Acc {
    fn default() -> Acc {
        Acc {
            count: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            sample: Vec::new(),
        }
    }
}

impl Acc {
    /// Adds an event, keeping up to `cap` sample events.
    pub fn add(&mut self, ev: &Event<'_>, sampler: &Sampler<'_>, cap: usize) {
        self.count += 1;
        self.first_ms = self.first_ms.min(ev.time_ms);
        self.last_ms = self.last_ms.max(ev.time_ms);
        if sample::could_take(&self.sample, cap, ev.time_ms) {
            sample::offer(&mut self.sample, sampler.sample(ev), cap);
        }
    }

    /// Folds in an accumulator of other events.
    pub fn merge(&mut self, other: Acc, cap: usize) {
        self.count += other.count;
        self.first_ms = self.first_ms.min(other.first_ms);
        self.last_ms = self.last_ms.max(other.last_ms);
        sample::merge(&mut self.sample, other.sample, cap);
    }

    /// The earliest sampled event.
    pub fn earliest(&self) -> Option<&Sample> {
        self.sample.first()
    }

    /// The sampled events, in sample order.
    pub fn samples(&self) -> &[Sample] {
        &self.sample
    }
}

impl Activity for Acc {
    fn last_ms(&self) -> i64 {
        self.last_ms
    }
}
