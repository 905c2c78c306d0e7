//! An alert being built from several events (suppressed repeats, a threshold group, a
//! sequence): counts, first and last time, and a capped sample of the earliest events. The
//! sample is chosen by (event time, content key), so it does not depend on input order.

use crate::evidence::{Origin, content_key, evidence};
use r53guard_alert::{Entity, EvidenceEvent};
use r53guard_event::Event;
use std::collections::BTreeMap;

/// One sampled event with what the alert derives from it.
#[derive(Debug, Clone)]
pub struct Sampled {
    /// The evidence entry.
    pub evidence: EvidenceEvent,
    /// The entity of the event.
    pub entity: Entity,
    /// The rule's summary for the event.
    pub summary: String,
}

/// Events folded into one alert.
#[derive(Debug, Clone)]
pub struct Acc {
    /// Events counted.
    pub count: u64,
    /// Earliest event time.
    pub first_ms: i64,
    /// Latest event time.
    pub last_ms: i64,
    sample: BTreeMap<(i64, String), Sampled>,
    cap: usize,
}

impl Acc {
    /// An empty accumulator keeping up to `cap` sample events.
    pub fn new(cap: usize) -> Acc {
        Acc {
            count: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            sample: BTreeMap::new(),
            cap: cap.max(1),
        }
    }

    /// Adds an event; `derive` computes its entity and summary, only if it enters the sample.
    pub fn add(
        &mut self,
        ev: &Event<'_>,
        origin: &Origin<'_>,
        derive: impl FnOnce(&Event<'_>) -> (Entity, String),
    ) {
        self.count += 1;
        self.first_ms = self.first_ms.min(ev.time_ms);
        self.last_ms = self.last_ms.max(ev.time_ms);
        let full = self.sample.len() >= self.cap;
        if full
            && self
                .sample
                .last_key_value()
                .is_some_and(|((t, _), _)| *t < ev.time_ms)
        {
            return;
        }
        let key = (ev.time_ms, content_key(ev.raw));
        if self.sample.contains_key(&key) {
            return;
        }
        let (entity, summary) = derive(ev);
        self.sample.insert(
            key,
            Sampled {
                evidence: evidence(ev, origin),
                entity,
                summary,
            },
        );
        if self.sample.len() > self.cap {
            self.sample.pop_last();
        }
    }

    /// The earliest sampled event.
    pub fn earliest(&self) -> Option<&Sampled> {
        self.sample.values().next()
    }

    /// The sampled evidence, in event-time order.
    pub fn evidence(&self) -> Vec<EvidenceEvent> {
        self.sample.values().map(|s| s.evidence.clone()).collect()
    }
}
