//! New-terms rules: alert when a value, or a combination of values over 1–3 fields, appears
//! that was not seen in the history window before it.
//!
//! The history is the input itself. A term's first occurrence is its earliest matching event
//! (ties: the smallest content key). The run starts at the earliest event the rule was given
//! (any event of its record kinds, matching or not); the first `history_window` of the run is
//! **learning**: a term first seen before `run start + history_window` is remembered, never
//! alerted. A term first seen at or after that point had no occurrence in the
//! `history_window` before it (the input holds none earlier), so it alerts once, with its
//! first event as evidence; the alert's id hashes only the term's values, so a term alerts at
//! most once. An event missing a field has no term; an array yields one term per combination
//! of values, at most 100 per event.
//!
//! Terms are decided when the engine is flushed (those first seen before the watermark) or at
//! the end of the run; a decided term is remembered (without its event) so a later occurrence
//! is not new.

use crate::cap::HeldAlert;
use crate::draft::Draft;
use crate::keyed::{Activity, Keyed};
use crate::render::Render;
use crate::sample::{Sample, Sampler, content_key128};
use crate::template::Summary;
use crate::terms;
use r53guard_alert::AlertRule;
use r53guard_event::{Event, FieldId};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::sync::Arc;

/// Most terms one event yields.
const MAX_TERMS_PER_EVENT: usize = 100;

/// A new-terms rule's settings, compiled.
#[derive(Debug, Clone)]
pub struct NewTermsSpec {
    /// The term fields.
    pub fields: Vec<(String, FieldId)>,
    /// The history window, ms.
    pub history_ms: i64,
}

/// What a new-terms rule keeps: every term seen, and when the run started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewTermsState {
    terms: Keyed<Vec<String>, Term>,
    /// The earliest event time given to the rule (`i64::MAX`: none yet).
    run_start: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Term {
    first_ms: i64,
    last_ms: i64,
    /// The first occurrence (dropped once the term is decided).
    first: Option<Sample>,
    /// Whether the term was decided (alerted, or learned) by a flush.
    decided: bool,
}

impl Activity for Term {
    fn last_ms(&self) -> i64 {
        self.last_ms
    }
}

impl Term {
    /// Takes `s` as the first occurrence if it comes before the current one.
    fn offer(&mut self, s: Sample) {
        if self.decided {
            return;
        }
        let earlier = self
            .first
            .as_ref()
            .is_none_or(|f| s.order(f) == Ordering::Less);
        if earlier {
            self.first_ms = s.time_ms;
            self.first = Some(s);
        }
    }
}

impl NewTermsState {
    /// No terms; at most `max_keys` at a time.
    pub fn new(max_keys: usize) -> NewTermsState {
        NewTermsState {
            terms: Keyed::new(max_keys),
            run_start: i64::MAX,
        }
    }

    /// The terms and the run's start, leaving none.
    pub fn take(&mut self) -> NewTermsState {
        NewTermsState {
            terms: self.terms.take(),
            run_start: std::mem::replace(&mut self.run_start, i64::MAX),
        }
    }

    /// Notes an event given to the rule (matching or not): the run starts at the earliest.
    pub fn observe(&mut self, time_ms: i64) {
        self.run_start = self.run_start.min(time_ms);
    }

    /// Records a matching event's terms; `false` when it has none (a field missing).
    pub fn add(&mut self, spec: &NewTermsSpec, ev: &Event<'_>, sampler: &Sampler<'_>) -> bool {
        let keys = terms::keys(ev, &spec.fields, MAX_TERMS_PER_EVENT);
        if keys.is_empty() {
            return false;
        }
        let mut content = None;
        for key in keys {
            let term = self.terms.entry(key, || Term {
                first_ms: i64::MAX,
                last_ms: i64::MIN,
                first: None,
                decided: false,
            });
            term.last_ms = term.last_ms.max(ev.time_ms);
            if !term.decided && ev.time_ms <= term.first_ms {
                let k = *content.get_or_insert_with(|| content_key128(ev.raw));
                term.offer(sampler.sample_with_key(ev, k));
            }
        }
        true
    }

    /// Terms evicted to stay under the cap.
    pub fn evicted(&self) -> u64 {
        self.terms.evicted()
    }

    /// Folds in the state of another engine fed other events.
    pub fn merge(&mut self, other: NewTermsState) {
        self.run_start = self.run_start.min(other.run_start);
        self.terms.merge(other.terms, |mine, theirs| {
            mine.last_ms = mine.last_ms.max(theirs.last_ms);
            if theirs.decided {
                mine.decided = true;
                mine.first = None;
                mine.first_ms = mine.first_ms.min(theirs.first_ms);
            } else if let Some(s) = theirs.first {
                mine.offer(s);
            }
        });
    }

    /// Decides the terms first seen before `watermark_ms` (`i64::MAX`: all, ending the run)
    /// and returns the alerts of the new ones with their detection times.
    pub fn flush(
        &mut self,
        watermark_ms: i64,
        ctx: &Ctx<'_>,
        render: &mut Render<'_>,
    ) -> Vec<(i64, HeldAlert)> {
        let learned_until = self.run_start.saturating_add(ctx.spec.history_ms);
        let mut out = Vec::new();
        for (key, term) in self.terms.iter_mut() {
            if term.decided || (term.first_ms >= watermark_ms && watermark_ms != i64::MAX) {
                continue;
            }
            term.decided = true;
            let Some(first) = term.first.take() else {
                continue;
            };
            if first.time_ms >= learned_until {
                out.push(new_term_alert(ctx, key, &first, render));
            }
        }
        if watermark_ms == i64::MAX {
            self.terms.retain(|_, _| false);
        }
        out
    }
}

/// What building a new-terms alert needs besides the term.
pub struct Ctx<'a> {
    /// The rule's settings.
    pub spec: &'a NewTermsSpec,
    /// The rule, as alerts carry it.
    pub meta: &'a Arc<AlertRule>,
    /// The rule's summary template.
    pub summary: Option<&'a Summary>,
}

fn new_term_alert(
    ctx: &Ctx<'_>,
    key: &[String],
    first: &Sample,
    render: &mut Render<'_>,
) -> (i64, HeldAlert) {
    let t = first.time_ms;
    let alert = Draft {
        id_parts: key.iter().map(|v| v.as_bytes().to_vec()).collect(),
        detected_ms: t,
        seen_ms: (t, t),
        group: terms::group_map(&ctx.spec.fields, key),
        count: 1,
        distinct_count: None,
        window: Some((t.saturating_sub(ctx.spec.history_ms), t)),
        suppressed: 0,
    }
    .build(
        "new_terms",
        ctx.meta,
        ctx.summary,
        std::slice::from_ref(first),
        Some(first),
        render,
    );
    (t, alert)
}
