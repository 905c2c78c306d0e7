//! Sampled events: what stateful rules keep of a triggering record (its text, where it was
//! read, its time and content key), and the order samples are chosen by.
//!
//! A sample is ordered by (event time, content key, source): the content key is a hash of the
//! record's text, and the source only breaks ties between copies of the same record read from
//! different places. Keeping "the earliest N by this order" therefore gives the same samples
//! whatever order the records arrive in, and merging two such lists gives the earliest N of
//! the union. Entities, summaries and evidence are derived from the text when an alert is
//! built ([`crate::render`]), so state holds only the record once.

use crate::evidence::{HeldEvidence, Origin};
use crate::spill::{Spill, Text};
use r53guard_alert::SourceRef;
use r53guard_event::{Event, Kind};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::Arc;

/// One kept record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Event time, epoch ms.
    pub time_ms: i64,
    /// The record's content key (the first 128 bits of its text's SHA-256).
    pub key: u128,
    /// [`Kind::index`] of the record.
    pub kind: u8,
    /// The record's JSON text, verbatim (in memory or in the engine's spill file).
    pub raw: Text,
    /// Where it was read.
    pub source: SourceRef,
}

/// Where the records being processed come from, and where their samples keep their text.
pub struct Sampler<'a> {
    /// Where the record was read.
    pub origin: &'a Origin<'a>,
    /// The engine's spill file, if it has one.
    pub spill: Option<&'a Arc<Spill>>,
    /// The input name samples share.
    pub names: &'a SourceNames,
}

/// The name of the input last sampled, shared by its samples: an input's records come one
/// after another, so samples of one input hold one copy of its name.
#[derive(Debug, Default)]
pub struct SourceNames(RefCell<Option<Arc<str>>>);

impl SourceNames {
    /// `name`, shared with earlier samples of the same input.
    fn shared(&self, name: &str) -> Arc<str> {
        let mut last = self.0.borrow_mut();
        match &*last {
            Some(same) if **same == *name => same.clone(),
            _ => last.insert(Arc::from(name)).clone(),
        }
    }
}

impl Sampler<'_> {
    /// The sample of an event.
    pub fn sample(&self, ev: &Event<'_>) -> Sample {
        self.sample_with_key(ev, content_key128(ev.raw))
    }

    /// The sample of an event whose content key is already known.
    pub fn sample_with_key(&self, ev: &Event<'_>, key: u128) -> Sample {
        Sample {
            time_ms: ev.time_ms,
            key,
            kind: ev.kind.index() as u8,
            raw: Text::keep(ev.raw, self.spill),
            source: self.source(),
        }
    }

    /// The evidence entry of an event, held.
    pub fn evidence(&self, ev: &Event<'_>) -> HeldEvidence {
        HeldEvidence {
            source: self.source(),
            kind: ev.kind.name(),
            text: Text::keep(ev.raw, self.spill),
        }
    }

    fn source(&self) -> SourceRef {
        let origin = self.origin;
        SourceRef {
            path: self.names.shared(origin.path),
            line: origin.line,
            record: origin.record,
            part: origin.part,
        }
    }
}

impl Sample {
    /// The sample as an alert's evidence entry, its text shared (not read).
    pub fn evidence(&self) -> HeldEvidence {
        HeldEvidence {
            source: self.source.clone(),
            kind: self.kind().name(),
            text: self.raw.clone(),
        }
    }

    /// The record kind.
    pub fn kind(&self) -> Kind {
        Kind::ALL[usize::from(self.kind).min(1)]
    }

    /// The content key as 32 hex characters (as in alert ids).
    pub fn key_hex(&self) -> String {
        r53guard_alert::id_text(self.key)
    }

    /// The sample order: time, content key, then source.
    pub fn order(&self, other: &Sample) -> Ordering {
        (self.time_ms, self.key)
            .cmp(&(other.time_ms, other.key))
            .then_with(|| source_order(&self.source, &other.source))
    }
}

fn source_order(a: &SourceRef, b: &SourceRef) -> Ordering {
    (&a.path, a.line, a.record, a.part).cmp(&(&b.path, b.line, b.record, b.part))
}

/// A record's content key: the digest of its text as one part, for records without an id of
/// their own (Resolver lines).
pub fn content_key128(raw: &str) -> u128 {
    r53guard_alert::alert_digest(&[raw.as_bytes()])
}

/// Whether a sorted list holding at most `cap` samples could take a sample of time `time_ms`
/// (a cheap test before hashing the record).
pub fn could_take(list: &[Sample], cap: usize, time_ms: i64) -> bool {
    list.len() < cap || list.last().is_some_and(|last| last.time_ms >= time_ms)
}

/// Offers a sample to a sorted list of the earliest `cap` samples. A copy of a record already
/// kept (same time and content) replaces it only if it was read from an earlier source.
pub fn offer(list: &mut Vec<Sample>, sample: Sample, cap: usize) {
    let cap = cap.max(1);
    if !could_take(list, cap, sample.time_ms) {
        return;
    }
    let same = |s: &Sample| (s.time_ms, s.key) == (sample.time_ms, sample.key);
    if let Some(i) = list.iter().position(same) {
        if source_order(&sample.source, &list[i].source) == Ordering::Less {
            list[i] = sample;
        }
        return;
    }
    let at = list.partition_point(|s| s.order(&sample) == Ordering::Less);
    if at >= cap {
        return;
    }
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.insert(at, sample);
    list.truncate(cap);
}

/// Merges the samples of `other` into `list` (both sorted), keeping the earliest `cap`.
pub fn merge(list: &mut Vec<Sample>, other: Vec<Sample>, cap: usize) {
    for s in other {
        offer(list, s, cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_of_one_input_share_its_name() {
        let names = SourceNames::default();
        let a = names.shared("logs/a.json");
        let b = names.shared(&String::from("logs/a.json"));
        let c = names.shared("logs/c.json");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*c, "logs/c.json");
        assert!(
            !Arc::ptr_eq(&names.shared("logs/a.json"), &a),
            "a new input, a new name"
        );
    }
}
