//! Threshold rules: per group key, at least `value` matching events (and, with
//! `cardinality`, at least N distinct values of a field) in a sliding event-time window made
//! of one-minute buckets ([`crate::buckets`]).
//!
//! A key's window is evaluated at the end of every minute. A **burst** starts at the first
//! step where the condition holds after a step where it did not (or after the key was first
//! seen), and lasts while it keeps holding; each burst is **one alert**, detected at the end of
//! the minute where it started. Its `count` and `distinct_count` are the window's at that
//! step, its `window` is that step's window, and its evidence the earliest events of that
//! window. With `alert_suppression.duration` (or the rule interval when no duration is set),
//! a burst alert starting less than the duration after the key's last kept alert is folded
//! into it (`suppressed` counts such bursts).
//!
//! Bursts are evaluated when the engine is flushed (only the steps that end at or before the
//! watermark, after which buckets that no later window needs are dropped) or at the end of the
//! run (every step), so the order events arrive in does not matter.

use crate::buckets::{BUCKET_MS, Buckets, Crossing};
use crate::cap::HeldAlert;
use crate::draft::Draft;
use crate::keyed::{Activity, Keyed};
use crate::render::Render;
use crate::sample::{self, Sampler, content_key128};
use crate::template::Summary;
use crate::terms;
use r53guard_alert::AlertRule;
use r53guard_event::{Event, FieldId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most group keys one event can count toward (combinations of array values).
const MAX_KEYS_PER_EVENT: usize = 100;

/// A threshold rule's settings, compiled.
#[derive(Debug, Clone)]
pub struct ThresholdSpec {
    /// Group-by fields (none: one group).
    pub group_by: Vec<(String, FieldId)>,
    /// How many events the window must hold.
    pub count: Bounds,
    /// What is counted distinct, and how many distinct values the window must hold.
    pub cardinality: Option<(Distinct, Bounds)>,
    /// Window length in minutes (the rule's window rounded up, at least one).
    pub window_minutes: i64,
    /// Suppression duration, ms.
    pub suppress_ms: Option<i64>,
}

/// What a threshold rule keeps: per group key, its buckets and burst state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThresholdState {
    keys: Keyed<Vec<String>, KeyState>,
    /// The last step evaluated by a flush (`i64::MIN`: none).
    evaluated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyState {
    buckets: Buckets,
    last_ms: i64,
    /// Whether the condition held at the last step evaluated.
    above: bool,
    /// The kept alert whose suppression period is still open.
    held: Option<Box<Held>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Held {
    at_ms: i64,
    until_ms: i64,
    alert: HeldAlert,
}

impl Activity for KeyState {
    fn last_ms(&self) -> i64 {
        self.last_ms
    }
}

impl KeyState {
    fn new() -> KeyState {
        KeyState {
            buckets: Buckets::default(),
            last_ms: i64::MIN,
            above: false,
            held: None,
        }
    }
}

/// Inclusive bounds on a count. A window is never empty when it holds: the lower bound is at
/// least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Fewest.
    pub min: u64,
    /// Most.
    pub max: u64,
}

impl Bounds {
    /// At least `n` (Elastic's `threshold.value` and `cardinality.value`).
    pub fn at_least(n: u64) -> Bounds {
        Bounds {
            min: n.max(1),
            max: u64::MAX,
        }
    }

    fn contains(self, n: u64) -> bool {
        n >= self.min.max(1) && n <= self.max
    }
}

/// What a threshold counts distinct values of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distinct {
    /// The values of a field.
    Field(FieldId),
    /// Which of the rule's parts matched (a Sigma `temporal` correlation: its rules).
    Parts,
}

impl ThresholdSpec {
    fn holds(&self, count: u64, distinct: u64) -> bool {
        self.count.contains(count) && self.cardinality.is_none_or(|(_, b)| b.contains(distinct))
    }
}

impl ThresholdState {
    /// No keys; at most `max_keys` at a time.
    pub fn new(max_keys: usize) -> ThresholdState {
        ThresholdState {
            keys: Keyed::new(max_keys),
            evaluated: i64::MIN,
        }
    }

    /// Counts a matching event (`parts`: bit `i` set when the rule's part `i` matched it);
    /// `false` when it has no group key (a group-by field missing).
    pub fn add(
        &mut self,
        spec: &ThresholdSpec,
        ev: &Event<'_>,
        sampler: &Sampler<'_>,
        parts: u64,
        cap: usize,
    ) -> bool {
        let keys = terms::keys(ev, &spec.group_by, MAX_KEYS_PER_EVENT);
        if keys.is_empty() {
            return false;
        }
        let distinct: Vec<String> = match spec.cardinality {
            Some((Distinct::Field(field), _)) => ev
                .values(field)
                .filter(|v| !v.is_null())
                .map(|v| v.to_string())
                .collect(),
            Some((Distinct::Parts, _)) => (0..u64::BITS)
                .filter(|i| parts & (1 << i) != 0)
                .map(|i| i.to_string())
                .collect(),
            None => Vec::new(),
        };
        let minute = ev.time_ms.div_euclid(BUCKET_MS);
        let mut content = None;
        for key in keys {
            let state = self.keys.entry(key, KeyState::new);
            state.last_ms = state.last_ms.max(ev.time_ms);
            let bucket = state.buckets.bucket_mut(minute);
            bucket.count += 1;
            bucket.first_ms = bucket.first_ms.min(ev.time_ms);
            bucket.last_ms = bucket.last_ms.max(ev.time_ms);
            for v in &distinct {
                bucket.add_distinct(v);
            }
            if sample::could_take(&bucket.sample, cap, ev.time_ms) {
                let key = *content.get_or_insert_with(|| content_key128(ev.raw));
                sample::offer(&mut bucket.sample, sampler.sample_with_key(ev, key), cap);
            }
        }
        true
    }

    /// Keys evicted to stay under the cap.
    pub fn evicted(&self) -> u64 {
        self.keys.evicted()
    }

    /// The keys and their buckets, leaving none (and the steps evaluated as they are).
    pub fn take(&mut self) -> ThresholdState {
        ThresholdState {
            keys: self.keys.take(),
            evaluated: self.evaluated,
        }
    }

    /// Folds in the state of another engine fed other events (exact when neither was flushed,
    /// or when the two saw different keys).
    pub fn merge(&mut self, other: ThresholdState, cap: usize) {
        self.evaluated = self.evaluated.max(other.evaluated);
        self.keys.merge(other.keys, |mine, theirs| {
            mine.buckets.merge(theirs.buckets, cap);
            mine.last_ms = mine.last_ms.max(theirs.last_ms);
            mine.above |= theirs.above;
            if mine.held.is_none() {
                mine.held = theirs.held;
            }
        });
    }

    /// The alerts final at `watermark_ms` (`i64::MAX`: the end of the run), with their
    /// detection times.
    pub fn flush(
        &mut self,
        watermark_ms: i64,
        ctx: &Ctx<'_>,
        render: &mut Render<'_>,
    ) -> Vec<(i64, HeldAlert)> {
        let end = watermark_ms == i64::MAX;
        let upto = if end {
            i64::MAX
        } else {
            watermark_ms.div_euclid(BUCKET_MS) - 1
        };
        if upto <= self.evaluated {
            return Vec::new();
        }
        let spec = ctx.spec;
        let n = spec.window_minutes;
        let after = self.evaluated;
        let mut out = Vec::new();
        for (key, state) in self.keys.iter_mut() {
            let crossings = state.buckets.sweep(
                after,
                upto,
                n,
                |count, distinct| spec.holds(count, distinct),
                &mut state.above,
            );
            for c in &crossings {
                let (at, alert) = burst_alert(ctx, key, &state.buckets, c, render);
                match spec.suppress_ms {
                    None => out.push((at, alert)),
                    Some(d) => match &mut state.held {
                        Some(h) if at < h.until_ms => h.alert.alert.suppressed += 1,
                        held => {
                            if let Some(h) = held.take() {
                                out.push((h.at_ms, h.alert));
                            }
                            *held = Some(Box::new(Held {
                                at_ms: at,
                                until_ms: at.saturating_add(d),
                                alert,
                            }));
                        }
                    },
                }
            }
            if state
                .held
                .as_ref()
                .is_some_and(|h| end || h.until_ms <= (upto + 1) * BUCKET_MS)
                && let Some(h) = state.held.take()
            {
                out.push((h.at_ms, h.alert));
            }
            if !end {
                state.buckets.prune_before(upto - n + 2);
            }
        }
        // At the end the keys stay: nothing more comes of them (`evaluated` makes any later
        // flush a no-op), and they go with the engine, which a caller about to exit may
        // leave unfreed.
        if !end {
            self.keys
                .retain(|_, s| !s.buckets.is_empty() || s.above || s.held.is_some());
        }
        self.evaluated = upto;
        out
    }
}

/// What building a threshold alert needs besides the key's state.
pub struct Ctx<'a> {
    /// The rule's settings.
    pub spec: &'a ThresholdSpec,
    /// The rule, as alerts carry it.
    pub meta: &'a Arc<AlertRule>,
    /// The rule's summary template.
    pub summary: Option<&'a Summary>,
    /// Most sample events per alert.
    pub cap: usize,
}

fn burst_alert(
    ctx: &Ctx<'_>,
    key: &[String],
    buckets: &Buckets,
    c: &Crossing,
    render: &mut Render<'_>,
) -> (i64, HeldAlert) {
    let n = ctx.spec.window_minutes;
    let (first, last, samples) = buckets.window(c, ctx.cap);
    let start = c.step.saturating_mul(BUCKET_MS);
    let at = start.saturating_add(BUCKET_MS);
    let mut id_parts: Vec<Vec<u8>> = key.iter().map(|v| v.as_bytes().to_vec()).collect();
    id_parts.push(start.to_string().into_bytes());
    let alert = Draft {
        id_parts,
        detected_ms: at,
        seen_ms: (first, last),
        group: terms::group_map(&ctx.spec.group_by, key),
        count: c.count,
        distinct_count: ctx.spec.cardinality.map(|_| c.distinct),
        window: Some((at.saturating_sub(n.saturating_mul(BUCKET_MS)), at)),
        suppressed: 0,
    }
    .build(
        "threshold",
        ctx.meta,
        ctx.summary,
        &samples,
        samples.first(),
        render,
    );
    (at, alert)
}
