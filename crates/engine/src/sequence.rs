//! Sequence rules (`sequence by … with maxspan=… [step] [step] … until [query]`), evaluated
//! with EQL's state machine over each join key's events in event-time order.
//!
//! While reading, every event matching a step or `until` is buffered under its join key (the
//! values of the `by` fields; an event lacking one is not used). The buffer keeps at most
//! `max_events_per_key` events per key, the earliest by (time, content key); later ones are
//! counted as dropped. When the engine is flushed (events before the watermark) or the run
//! ends (all events), each key's buffered events are replayed in (time, content key) order:
//!
//! 1. Pending sequences whose first step is more than `maxspan` before the event expire.
//! 2. An event matching `until` cancels every pending sequence of the key, and does nothing
//!    else.
//! 3. Otherwise, from the last stage down to the first, a pending sequence that has matched
//!    steps `1..=k` and whose next step the event matches takes the event: it moves to stage
//!    `k + 1`, replacing the sequence waiting there, or completes when that was the last
//!    step. One event can advance several pending sequences (of different stages).
//! 4. An event matching the first step starts a sequence, replacing the one waiting at stage
//!    1 (the most recent start wins, as in EQL).
//!
//! Each completed sequence is one alert, detected at its last event, with the steps' events
//! as evidence in order and the entity and summary of the last step's event. Its id hashes the
//! join key, the first event's time and its content key. Pending sequences do not outlive the
//! run; between flushes they are kept (and dropped once `maxspan` has passed the watermark).

use crate::cap::HeldAlert;
use crate::draft::Draft;
use crate::keyed::{Activity, Keyed};
use crate::predicate::Predicate;
use crate::render::Render;
use crate::sample::{Sample, Sampler};
use crate::template::Summary;
use crate::terms;
use r53guard_alert::AlertRule;
use r53guard_event::{Event, FieldId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most join keys one event can belong to (combinations of array values).
const MAX_KEYS_PER_EVENT: usize = 100;

/// Most steps a sequence can have (one bit each in a step mask).
pub const MAX_STEPS: usize = 64;

/// A sequence rule's settings, compiled.
#[derive(Debug, Clone)]
pub struct SequenceSpec {
    /// Join fields.
    pub by: Vec<(String, FieldId)>,
    /// The steps, in order.
    pub steps: Vec<Predicate>,
    /// The `until` query.
    pub until: Option<Predicate>,
    /// Longest time from the first step to the last, ms.
    pub maxspan_ms: Option<i64>,
}

/// Which parts of a sequence an event matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// Bit `i` set: the event matches step `i`.
    pub steps: u64,
    /// The event matches `until`.
    pub until: bool,
}

/// What a sequence rule keeps: per join key, buffered events and pending sequences.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SequenceState {
    keys: Keyed<Vec<String>, KeyState>,
    dropped: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyState {
    buffer: Vec<Buffered>,
    /// `pending[k]`: the sequence that has matched steps `0..=k`.
    pending: Vec<Option<Vec<Sample>>>,
    last_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Buffered {
    hit: Hit,
    sample: Sample,
}

impl Activity for KeyState {
    fn last_ms(&self) -> i64 {
        self.last_ms
    }
}

impl SequenceSpec {
    /// The parts of the sequence `ev` matches (`None`: none).
    pub fn hit(&self, ev: &Event<'_>, document: Option<&serde_json::Value>) -> Option<Hit> {
        let mut steps = 0u64;
        for (i, m) in self.steps.iter().enumerate() {
            if m.matches(ev, document) {
                steps |= 1 << i;
            }
        }
        let until = self.until.as_ref().is_some_and(|m| m.matches(ev, document));
        (steps != 0 || until).then_some(Hit { steps, until })
    }

    /// Every event test of the rule.
    pub fn predicates(&self) -> impl Iterator<Item = &Predicate> {
        self.steps.iter().chain(self.until.as_ref())
    }
}

impl SequenceState {
    /// No keys; at most `max_keys` at a time.
    pub fn new(max_keys: usize) -> SequenceState {
        SequenceState {
            keys: Keyed::new(max_keys),
            dropped: 0,
        }
    }

    /// The keys' events and sequences and the drop count, leaving none.
    pub fn take(&mut self) -> SequenceState {
        SequenceState {
            keys: self.keys.take(),
            dropped: std::mem::take(&mut self.dropped),
        }
    }

    /// Buffers a matching event; `false` when it has no join key.
    pub fn add(
        &mut self,
        spec: &SequenceSpec,
        ev: &Event<'_>,
        sampler: &Sampler<'_>,
        hit: Hit,
        max_per_key: usize,
    ) -> bool {
        let keys = terms::keys(ev, &spec.by, MAX_KEYS_PER_EVENT);
        if keys.is_empty() {
            return false;
        }
        let sample = sampler.sample(ev);
        let stages = spec.steps.len() - 1;
        for key in keys {
            let state = self.keys.entry(key, || KeyState {
                buffer: Vec::new(),
                pending: vec![None; stages],
                last_ms: i64::MIN,
            });
            state.last_ms = state.last_ms.max(ev.time_ms);
            state.buffer.push(Buffered {
                hit,
                sample: sample.clone(),
            });
            if state.buffer.len() > max_per_key.max(1).saturating_mul(2) {
                self.dropped += state.trim(max_per_key);
            }
        }
        true
    }

    /// Keys evicted to stay under the cap.
    pub fn evicted(&self) -> u64 {
        self.keys.evicted()
    }

    /// Events dropped because a key's buffer was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Folds in the state of another engine fed other events (exact when neither was flushed,
    /// or when the two saw different keys).
    pub fn merge(&mut self, other: SequenceState, max_per_key: usize) {
        self.dropped += other.dropped;
        let mut dropped = 0;
        self.keys.merge(other.keys, |mine, theirs| {
            mine.buffer.extend(theirs.buffer);
            mine.last_ms = mine.last_ms.max(theirs.last_ms);
            for (m, t) in mine.pending.iter_mut().zip(theirs.pending) {
                if m.is_none() {
                    *m = t;
                }
            }
            if mine.buffer.len() > max_per_key.max(1) {
                dropped += mine.trim(max_per_key);
            }
        });
        self.dropped += dropped;
    }

    /// Replays the buffered events before `watermark_ms` (`i64::MAX`: all, ending the run)
    /// and returns the completed sequences' alerts with their detection times.
    pub fn flush(
        &mut self,
        watermark_ms: i64,
        ctx: &Ctx<'_>,
        render: &mut Render<'_>,
    ) -> Vec<(i64, HeldAlert)> {
        let end = watermark_ms == i64::MAX;
        let mut out = Vec::new();
        let mut dropped = 0;
        for (key, state) in self.keys.iter_mut() {
            dropped += state.trim(ctx.max_per_key);
            let ready = if end {
                state.buffer.len()
            } else {
                state
                    .buffer
                    .partition_point(|b| b.sample.time_ms < watermark_ms)
            };
            let events: Vec<Buffered> = state.buffer.drain(..ready).collect();
            for b in events {
                for done in state.step(ctx.spec, b) {
                    out.push(sequence_alert(ctx, key, &done, render));
                }
            }
            if let Some(span) = ctx.spec.maxspan_ms {
                for slot in &mut state.pending {
                    let expired = slot
                        .as_ref()
                        .and_then(|s| s.first())
                        .is_some_and(|f| watermark_ms.saturating_sub(f.time_ms) > span);
                    if expired {
                        *slot = None;
                    }
                }
            }
        }
        self.dropped += dropped;
        if end {
            self.keys.retain(|_, _| false);
        } else {
            self.keys
                .retain(|_, s| !s.buffer.is_empty() || s.pending.iter().any(Option::is_some));
        }
        out
    }
}

impl KeyState {
    /// Sorts the buffer and keeps the earliest `max` events; returns how many were dropped.
    fn trim(&mut self, max: usize) -> u64 {
        self.buffer.sort_by(|a, b| a.sample.order(&b.sample));
        let max = max.max(1);
        let dropped = self.buffer.len().saturating_sub(max);
        self.buffer.truncate(max);
        dropped as u64
    }

    /// One event through the state machine; returns the sequences it completes.
    fn step(&mut self, spec: &SequenceSpec, b: Buffered) -> Vec<Vec<Sample>> {
        let t = b.sample.time_ms;
        if let Some(span) = spec.maxspan_ms {
            for slot in &mut self.pending {
                if slot
                    .as_ref()
                    .and_then(|s| s.first())
                    .is_some_and(|f| t.saturating_sub(f.time_ms) > span)
                {
                    *slot = None;
                }
            }
        }
        if b.hit.until {
            self.pending.iter_mut().for_each(|slot| *slot = None);
            return Vec::new();
        }
        let last = self.pending.len();
        let mut done = Vec::new();
        for k in (0..last).rev() {
            if b.hit.steps & (1 << (k + 1)) == 0 {
                continue;
            }
            if let Some(mut seq) = self.pending[k].take() {
                seq.push(b.sample.clone());
                if k + 1 == last {
                    done.push(seq);
                } else {
                    self.pending[k + 1] = Some(seq);
                }
            }
        }
        if b.hit.steps & 1 != 0 {
            self.pending[0] = Some(vec![b.sample]);
        }
        done
    }
}

/// What building a sequence alert needs besides the key.
pub struct Ctx<'a> {
    /// The rule's settings.
    pub spec: &'a SequenceSpec,
    /// The rule, as alerts carry it.
    pub meta: &'a Arc<AlertRule>,
    /// The rule's summary template.
    pub summary: Option<&'a Summary>,
    /// Most buffered events per key.
    pub max_per_key: usize,
}

fn sequence_alert(
    ctx: &Ctx<'_>,
    key: &[String],
    events: &[Sample],
    render: &mut Render<'_>,
) -> (i64, HeldAlert) {
    let first = events.first().map_or(0, |s| s.time_ms);
    let last = events.last().map_or(first, |s| s.time_ms);
    let mut id_parts: Vec<Vec<u8>> = key.iter().map(|v| v.as_bytes().to_vec()).collect();
    id_parts.push(first.to_string().into_bytes());
    id_parts.push(
        events
            .first()
            .map(Sample::key_hex)
            .unwrap_or_default()
            .into_bytes(),
    );
    let alert = Draft {
        id_parts,
        detected_ms: last,
        seen_ms: (first, last),
        group: terms::group_map(&ctx.spec.by, key),
        count: events.len() as u64,
        distinct_count: None,
        window: ctx
            .spec
            .maxspan_ms
            .map(|span| (first, first.saturating_add(span))),
        suppressed: 0,
    }
    .build(
        "sequence",
        ctx.meta,
        ctx.summary,
        events,
        events.last(),
        render,
    );
    (last, alert)
}
