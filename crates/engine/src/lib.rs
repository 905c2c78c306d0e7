//! The r53guard rule engine.
//!
//! [`Engine::new`] compiles a [`RuleSet`] once: every query into a [`matcher::Matcher`] over
//! one shared [`Schema`] (so each record is projected once for all rules), exceptions, summary
//! templates and the alert metadata. [`Engine::process`] evaluates one event against the rules
//! for its kind; [`Engine::finish`] turns what was kept into alerts, capped by `max_signals` per
//! rule and interval, deduplicated by id and sorted, with a report per rule.
//!
//! # Rule types
//!
//! Every time below is **event time** (CloudTrail `eventTime`, Resolver `query_timestamp`).
//! Exceptions drop an event before any state sees it.
//!
//! * **query**: every matching event alerts, with an id hashed from the rule and the event's
//!   identity. With `alert_suppression`, matches are grouped by the group-by values into fixed
//!   buckets of the suppression duration (or the rule interval); one alert per group and
//!   bucket, `count` the events folded in and `suppressed` = `count − 1`.
//! * **threshold**: per group key (the
//!   `threshold.field` values; an event missing one is not counted), a sliding **window** of
//!   `window` rounded up to whole minutes, built from one-minute buckets and evaluated at the
//!   end of each minute. A **burst** begins at a minute where the window holds at least
//!   `value` events (and at least the cardinality's distinct values) after a minute where it
//!   did not; the key stays quiet while the condition holds and can fire again once it has
//!   failed. One alert per burst: `detected_at` is the end of the minute where it began,
//!   `count`/`distinct_count` the window's at that minute, `window` that minute's window, the
//!   evidence its earliest events. `alert_suppression.duration` folds bursts of the same key
//!   starting within the duration of its last kept alert into it (`suppressed` counts them).
//! * **sequence**: per join key (the `by` values, all
//!   present), EQL's state machine over the key's step and `until` events in (time, content)
//!   order: a first-step event starts a sequence (replacing the one waiting for step 2), a
//!   pending sequence takes the first later event matching its next step, sequences older
//!   than `maxspan` expire, `until` cancels the key's pending sequences. One alert per
//!   completed sequence, detected at its last step.
//! * **new_terms**: a term (the values of 1–3
//!   fields, one per combination of array values) alerts at its first occurrence unless that
//!   falls in the **learning** period, the first `history_window` after the earliest event
//!   the rule was given. One alert per term.
//!
//! # Order, partitions, checkpoints and bounded state
//!
//! Results depend only on the events, never on their order: alert ids are hashes of the rule,
//! its version and the event identity, group and bucket, burst start, sequence start or term;
//! samples keep the earliest events by (time, content); caps keep the earliest alerts by
//! (time, id); stateful rules are evaluated by sweeping each key's events in time order.
//!
//! * [`Engine::merge`] folds in an engine compiled from the same rules and fed other events:
//!   partitions of the input (by the hash of each stateful rule's key; arbitrarily for query
//!   rules and new-terms run starts) merged before flushing give exactly the single run's
//!   result.
//! * [`Engine::snapshot`] / [`Engine::restore`] serialise and restore every rule's state, so a
//!   restored engine continues exactly where the snapshot was taken.
//! * [`Engine::flush`] evaluates up to a watermark for streaming use: it emits the alerts that
//!   can no longer change (threshold minutes ending by the watermark, sequences and new terms
//!   before it, closed suppression buckets, `max_signals` intervals ended by it) and frees the
//!   state nothing later needs. Events older than a flushed watermark are **late**: counted in
//!   [`RuleReport::late`] and ignored. If no event is late, the alerts of all flushes plus
//!   [`Engine::finish`] are those of a single run.
//! * Per rule, at most [`Limits::max_state_keys`] keys (suppression groups, threshold groups,
//!   join keys or terms) are held; inserting into a full rule evicts the least recently active
//!   keys (by latest event time), counted in [`RuleReport::evicted`]. Results are order
//!   independent only when nothing was evicted.

mod acc;
mod buckets;
mod cap;
mod compile;
mod dispatch;
mod draft;
pub mod entity;
mod evidence;
mod exceptions;
mod keyed;
mod lists;
pub mod matcher;
mod meta;
mod new_terms;
pub mod predicate;
mod query;
mod recent;
mod render;
mod sample;
mod sequence;
mod sigma;
mod snapshot;
mod spill;
mod template;
mod terms;
pub mod testing;
mod threshold;
mod verdicts;
mod ways;

pub use cap::{HeldAlert, HeldBackInterval};
pub use evidence::Origin;
pub use exceptions::MissingList;
pub use meta::severity;
pub use sigma::{SigmaRules, SigmaSkipped};

use crate::buckets::BUCKET_MS;
use crate::cap::Capped;
use crate::dispatch::Dispatch;
use crate::entity::EntityFields;
use crate::exceptions::Exceptions;
use crate::lists::ListConditions;
use crate::new_terms::{NewTermsSpec, NewTermsState};
use crate::predicate::Predicate;
use crate::query::{QueryState, Suppress};
use crate::render::Render;
use crate::sample::{Sampler, SourceNames};
use crate::sequence::{SequenceSpec, SequenceState};
use crate::spill::Spill;
use crate::template::Summary;
use crate::threshold::{ThresholdSpec, ThresholdState};
use crate::verdicts::{VerdictTables, Verdicts};
use r53guard_alert::{Alert, AlertRule, Entity};
use r53guard_event::time::format_rfc3339;
use r53guard_event::{Event, FieldId, Kind, Schema};
use r53guard_rules::{DataKind, RuleSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Engine settings.
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    /// `now` for date math and exception expiry, epoch ms.
    pub now_ms: i64,
    /// How many triggering events an alert carries at most.
    pub max_events_per_alert: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            now_ms: 0,
            max_events_per_alert: 10,
        }
    }
}

/// Bounds on the state stateful rules keep (per rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Most keys held per rule: suppression groups, threshold group keys, sequence join keys
    /// or new terms. Default 1,000,000.
    pub max_state_keys: usize,
    /// Most buffered events per sequence join key (the earliest are kept). Default 10,000.
    pub max_events_per_key: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_state_keys: 1_000_000,
            max_events_per_key: 10_000,
        }
    }
}

/// Why rules could not be compiled, or states not combined.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// An exception names a value list that is not loaded.
    #[error("rule {rule}: {source}")]
    MissingList {
        /// The rule id.
        rule: String,
        /// The missing list.
        source: MissingList,
    },
    /// The rule type is not one this engine evaluates.
    #[error("rule {rule}: rule type {kind} is not supported by the engine")]
    Unsupported {
        /// The rule id.
        rule: String,
        /// The rule type.
        kind: &'static str,
    },
    /// Two engines (or an engine and a snapshot) were built from different rules.
    #[error("engine state does not match the rules: {0}")]
    Mismatch(String),
    /// A snapshot could not be written or read.
    #[error("engine snapshot: {0}")]
    Snapshot(#[from] serde_json::Error),
}

/// One compiled rule.
struct Compiled {
    meta: Arc<AlertRule>,
    lists: ListConditions,
    exceptions: Exceptions,
    summary: Option<Summary>,
    logic: Logic,
    /// The verdicts of the predicate and the list conditions by record key, when they read
    /// fields alone (set by [`Engine::new`], which shares keys between rules).
    verdicts: Option<Verdicts>,
    cap: Capped,
    counts: Counts,
    /// The last flush's watermark (`i64::MIN`: none); older events are late.
    watermark: i64,
    /// How far behind a flush's watermark the rule still takes records: its `from` look-back
    /// beyond one `interval` (Elastic's "additional look-back time"; 1 minute by default).
    lookback_ms: i64,
}

/// What a rule detects, and the state it keeps.
enum Logic {
    Query {
        predicate: Predicate,
        suppress: Option<Suppress>,
        state: QueryState,
    },
    Threshold {
        predicate: Predicate,
        spec: ThresholdSpec,
        state: ThresholdState,
    },
    NewTerms {
        predicate: Predicate,
        spec: NewTermsSpec,
        state: NewTermsState,
    },
    Sequence {
        spec: SequenceSpec,
        state: SequenceState,
    },
}

/// Event counters of one rule.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Counts {
    matched: u64,
    excepted: u64,
    alerts: u64,
    late: u64,
    unkeyed: u64,
}

/// What one rule did in a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleReport {
    /// The rule id.
    pub rule_id: String,
    /// The rule name.
    pub name: String,
    /// Events that matched the query (for sequences: a step or `until`).
    pub matched: u64,
    /// Matches dropped by exceptions.
    pub excepted: u64,
    /// Alerts produced.
    pub alerts: u64,
    /// Alerts over `max_signals` per interval, not emitted.
    pub held_back: u64,
    /// Matches older than a flushed watermark, ignored (and alerts for `max_signals`
    /// intervals already emitted).
    #[serde(default)]
    pub late: u64,
    /// Matches without a key (a threshold group-by, sequence `by` or new-terms field
    /// missing), not counted.
    #[serde(default)]
    pub unkeyed: u64,
    /// Keys evicted to stay under [`Limits::max_state_keys`].
    #[serde(default)]
    pub evicted: u64,
    /// Sequence events dropped because their key's buffer was full.
    #[serde(default)]
    pub dropped: u64,
}

/// A `max_signals` interval of one rule that held alerts back, reported once when it is
/// emitted ([`Engine::take_held_back`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBack {
    /// The rule id.
    pub rule_id: String,
    /// The interval and how many alerts it held back.
    pub interval: HeldBackInterval,
}

/// The result of a run: its alerts (or, from [`Engine::finish_held`], the alerts with their
/// evidence still held) and the rules' reports.
#[derive(Debug, Clone)]
pub struct RunResult<A = Alert> {
    /// Alerts, deduplicated by id, in (detected_at, rule id, id) order.
    pub alerts: Vec<A>,
    /// Per rule, in rule order.
    pub rules: Vec<RuleReport>,
}

impl<A> Default for RunResult<A> {
    fn default() -> Self {
        RunResult {
            alerts: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// The rule engine.
pub struct Engine {
    schema: Arc<Schema>,
    rules: Vec<Compiled>,
    by_kind: [Vec<usize>; 2],
    entity: EntityFields,
    account: FieldId,
    event_id: FieldId,
    opts: EngineOptions,
    limits: Limits,
    sigma_skipped: Vec<SigmaSkipped>,
    dispatch: Dispatch,
    /// Per record kind, whether some rule needs whole records parsed.
    documents: [bool; 2],
    /// The rules' verdicts remembered by record key.
    tables: VerdictTables,
    /// The rules the current event is offered to (reused across events).
    offered: Vec<usize>,
    /// Where kept records keep their text, when not in memory ([`Engine::spill_records`]).
    spill: Option<Arc<Spill>>,
    /// The input name the samples of the current input share.
    names: SourceNames,
}

impl Engine {
    /// Compiles every enabled rule of `set`, with the default [`Limits`].
    pub fn new(set: &RuleSet, opts: EngineOptions) -> Result<Engine, EngineError> {
        Engine::with_limits(set, opts, Limits::default())
    }

    /// Compiles every enabled rule of `set`, bounding each rule's state by `limits`.
    pub fn with_limits(
        set: &RuleSet,
        opts: EngineOptions,
        limits: Limits,
    ) -> Result<Engine, EngineError> {
        Engine::build(set, None, opts, limits)
    }

    /// Compiles every enabled rule of `set` and the Sigma rules and correlations of `sigma`
    /// (after them, in their order). Sigma rules that cannot run are listed by
    /// [`Engine::sigma_skipped`] with the reason.
    pub fn with_sigma(
        set: &RuleSet,
        sigma: SigmaRules<'_>,
        opts: EngineOptions,
        limits: Limits,
    ) -> Result<Engine, EngineError> {
        Engine::build(set, Some(sigma), opts, limits)
    }

    fn build(
        set: &RuleSet,
        sigma: Option<SigmaRules<'_>>,
        opts: EngineOptions,
        limits: Limits,
    ) -> Result<Engine, EngineError> {
        let mut schema = Schema::new();
        let entity = EntityFields::new(&mut schema);
        let account = schema.add("recipientAccountId");
        let event_id = schema.add("eventID");
        let names = Dispatch::name_fields(&mut schema);
        let mut rules = Vec::new();
        let mut by_kind = [Vec::new(), Vec::new()];
        let mut add = |compiled: Compiled, kinds: &[Kind]| {
            for k in kinds {
                by_kind[k.index()].push(rules.len());
            }
            rules.push(compiled);
        };
        for rule in set.rules.iter().filter(|r| r.enabled) {
            let kinds: Vec<Kind> = rule
                .data
                .iter()
                .map(|d| match d {
                    DataKind::CloudTrail => Kind::CloudTrail,
                    DataKind::Resolver => Kind::Resolver,
                })
                .collect();
            add(
                compile::rule(rule, set, &mut schema, &opts, &limits)?,
                &kinds,
            );
        }
        let mut sigma_skipped = Vec::new();
        if let Some(input) = sigma {
            let compiled = sigma::compile(input, set, &mut schema, opts.now_ms, &limits)?;
            for (rule, kinds) in compiled.rules {
                add(rule, &kinds);
            }
            sigma_skipped = compiled.skipped;
        }
        let dispatch = Dispatch::new(
            names[0],
            by_kind[Kind::CloudTrail.index()]
                .iter()
                .map(|&i| (i, rules[i].logic.required_names(&names))),
        );
        let mut tables = VerdictTables::default();
        for (i, r) in rules.iter_mut().enumerate() {
            let kinds: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|k| by_kind[k.index()].contains(&i))
                .collect();
            r.verdicts = r
                .logic
                .verdicts(&r.lists.fields(), &kinds, &schema, &mut tables);
        }
        let documents = Kind::ALL.map(|k| {
            by_kind[k.index()]
                .iter()
                .any(|&i| rules[i].logic.needs_document())
        });
        Ok(Engine {
            schema: Arc::new(schema),
            rules,
            by_kind,
            entity,
            account,
            event_id,
            opts,
            limits,
            sigma_skipped,
            dispatch,
            documents,
            tables,
            offered: Vec::new(),
            spill: None,
            names: SourceNames::default(),
        })
    }

    /// The Sigma rules and correlations given to [`Engine::with_sigma`] that do not run, and
    /// why.
    pub fn sigma_skipped(&self) -> &[SigmaSkipped] {
        &self.sigma_skipped
    }

    /// The schema records must be projected with (shared, so a projector can hold it while
    /// the engine is fed).
    pub fn schema(&self) -> Arc<Schema> {
        Arc::clone(&self.schema)
    }

    /// The state bounds in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether any rule needs whole records parsed (free text or wildcard field names).
    pub fn needs_document(&self) -> bool {
        self.rules.iter().any(|r| r.logic.needs_document())
    }

    /// Evaluates one event (projected with [`Engine::schema`]).
    pub fn process(&mut self, ev: &Event<'_>, origin: &Origin<'_>) {
        let document = self.documents[ev.kind.index()]
            .then(|| serde_json::from_str::<serde_json::Value>(ev.raw).ok())
            .flatten();
        let cap = self.opts.max_events_per_alert;
        let max_per_key = self.limits.max_events_per_key;
        let mut offered = std::mem::take(&mut self.offered);
        offered.clear();
        self.tables.next_record();
        if ev.kind == Kind::CloudTrail {
            let (always, named) = self.dispatch.rules_for(ev);
            offered.extend_from_slice(always);
            offered.extend_from_slice(named);
        } else {
            offered.extend_from_slice(&self.by_kind[ev.kind.index()]);
        }
        for &i in &offered {
            let r = &mut self.rules[i];
            let late = ev.time_ms < r.watermark;
            let mut parts = 0;
            let lists = &r.lists;
            // The predicate's matching parts, none unless the list conditions hold too:
            // remembered per key when the rule reads fields alone.
            let mut hits = |p: &Predicate| {
                let decide = || match p.hits(ev, document.as_ref()) {
                    0 => 0,
                    h if lists.hold(ev) => h,
                    _ => 0,
                };
                match &mut r.verdicts {
                    Some(v) => v.get(&mut self.tables, ev, decide),
                    None => decide(),
                }
            };
            let hit = match &mut r.logic {
                Logic::Query { predicate, .. } => (hits(predicate) != 0).then_some(None),
                Logic::Threshold { predicate, .. } => {
                    parts = hits(predicate);
                    (parts != 0).then_some(None)
                }
                Logic::NewTerms {
                    predicate, state, ..
                } => {
                    if !late {
                        state.observe(ev.time_ms);
                    }
                    (hits(predicate) != 0).then_some(None)
                }
                Logic::Sequence { spec, .. } => spec
                    .hit(ev, document.as_ref())
                    .filter(|_| lists.hold(ev))
                    .map(Some),
            };
            let Some(hit) = hit else {
                continue;
            };
            r.counts.matched += 1;
            if late {
                r.counts.late += 1;
                continue;
            }
            if r.exceptions.excepts(ev) {
                r.counts.excepted += 1;
                continue;
            }
            let sampler = Sampler {
                origin,
                spill: self.spill.as_ref(),
                names: &self.names,
            };
            let keyed = match &mut r.logic {
                Logic::Query {
                    suppress, state, ..
                } => {
                    let group = suppress.as_ref().and_then(|s| Some((s, s.group(ev)?)));
                    match group {
                        Some((s, group)) => {
                            state.add(group, s.bucket(ev.time_ms), cap, ev, &sampler)
                        }
                        None => {
                            let digest =
                                query::alert_digest(&r.meta, ev, self.account, self.event_id);
                            let (meta, summary, entity) =
                                (&r.meta, r.summary.as_ref(), &self.entity);
                            r.cap.offer_with(ev.time_ms, digest, |id| {
                                single_alert(meta, ev, &sampler, id, |ev| {
                                    derive(entity, summary, ev)
                                })
                            });
                        }
                    }
                    true
                }
                Logic::Threshold { spec, state, .. } => state.add(spec, ev, &sampler, parts, cap),
                Logic::NewTerms { spec, state, .. } => state.add(spec, ev, &sampler),
                Logic::Sequence { spec, state } => match hit {
                    Some(hit) => state.add(spec, ev, &sampler, hit, max_per_key),
                    None => true,
                },
            };
            if !keyed {
                r.counts.unkeyed += 1;
            }
        }
        self.offered = offered;
    }

    /// Evaluates what can no longer change once every event before `watermark_ms` has been
    /// processed, and returns those alerts (deduplicated, in (detected_at, rule id, id)
    /// order). An alert is emitted once its rule's `max_signals` interval has ended by the
    /// watermark (after the suppression duration, for alerts that fold later repeats in), so
    /// streaming output lags event time by up to an interval. Each rule is flushed to the
    /// watermark less its look-back beyond one interval (`from` less `interval`: 1 minute for
    /// the defaults `now-6m` and `5m`; none for Sigma rules), so a rule still takes records that
    /// late. Events older than a rule's flushed watermark that arrive afterwards are late. A
    /// watermark below an earlier one counts as the earlier one.
    pub fn flush(&mut self, watermark_ms: i64) -> Vec<Alert> {
        self.flush_kinds([watermark_ms; 2])
    }

    /// [`Engine::flush`] with a watermark per record kind (by [`Kind::index`]; `i64::MIN`
    /// for a kind with none yet): each rule is flushed to the earliest watermark of the kinds
    /// it reads. A caller reading CloudTrail and Resolver logs one after the other, each in
    /// time order, gives each kind the watermark of its own records, so the second kind's
    /// records are not late because the first kind's were newer.
    pub fn flush_kinds(&mut self, watermarks_ms: [i64; 2]) -> Vec<Alert> {
        let held = self.close(watermarks_ms.map(|w| w.min(i64::MAX - 1)));
        held.into_iter().map(HeldAlert::release).collect()
    }

    /// The time before which the alerts of every rule flushed so far have all been emitted:
    /// later flushes and the end of the run emit those rules' alerts detected at or after it.
    /// `i64::MAX` when no rule has been flushed. A rule not yet flushed (one reading a kind of
    /// record with no watermark yet) can still emit earlier alerts.
    pub fn settled_before(&self) -> i64 {
        self.rules
            .iter()
            .filter(|r| r.watermark != i64::MIN)
            .map(|r| r.cap.open_from_ms())
            .min()
            .unwrap_or(i64::MAX)
    }

    /// The reports so far, per rule in rule order.
    pub fn reports(&self) -> Vec<RuleReport> {
        self.rules.iter().map(Compiled::report).collect()
    }

    /// The `max_signals` intervals that held alerts back, emitted by the flushes since the
    /// last call (per rule in rule order, then by time). A streaming caller reports them after
    /// each flush; they are not part of snapshots.
    pub fn take_held_back(&mut self) -> Vec<HeldBack> {
        let mut out = Vec::new();
        for r in &mut self.rules {
            out.extend(r.cap.take_held_back().into_iter().map(|interval| HeldBack {
                rule_id: r.meta.id.clone(),
                interval,
            }));
        }
        out
    }

    /// Every compiled rule as its alerts describe it, with the record kinds it reads, in rule
    /// order (the rule set's enabled rules, then the Sigma rules and correlations that run).
    pub fn rule_meta(&self) -> Vec<(&AlertRule, Vec<Kind>)> {
        self.rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let kinds = Kind::ALL
                    .into_iter()
                    .filter(|k| self.by_kind[k.index()].contains(&i))
                    .collect();
                (&*r.meta, kinds)
            })
            .collect()
    }

    /// Ends the run: alerts of every rule, capped, deduplicated and sorted, and the reports.
    pub fn finish(mut self) -> RunResult {
        let held = self.finish_held();
        RunResult {
            alerts: held.alerts.into_iter().map(HeldAlert::release).collect(),
            rules: held.rules,
        }
    }

    /// [`Engine::finish`] with each alert's evidence still held ([`HeldAlert`], in the spill
    /// file when there is one), for a caller that writes the alerts one by one and so never
    /// holds every alert's records at once; and without giving up the engine, whose state
    /// (spent) is then freed when the caller drops it, or not at all by a process about to
    /// exit. The engine takes no more records after this.
    pub fn finish_held(&mut self) -> RunResult<HeldAlert> {
        RunResult {
            alerts: self.close([i64::MAX; 2]),
            rules: self.reports(),
        }
    }

    /// Flushes each rule up to the earliest of `watermarks_ms` (by [`Kind::index`]) among the
    /// kinds it reads (`i64::MAX`: everything).
    fn close(&mut self, watermarks_ms: [i64; 2]) -> Vec<HeldAlert> {
        let cap = self.opts.max_events_per_alert;
        let max_per_key = self.limits.max_events_per_key;
        let mut render = Render::new(&self.schema, &self.entity);
        let mut until = Vec::with_capacity(self.rules.len());
        for (i, r) in self.rules.iter_mut().enumerate() {
            let watermark_ms = kinds_watermark(&self.by_kind, i, watermarks_ms);
            if watermark_ms == i64::MIN {
                until.push(i64::MIN);
                continue;
            }
            let w = if watermark_ms == i64::MAX {
                watermark_ms
            } else {
                watermark_ms.saturating_sub(r.lookback_ms)
            }
            .max(r.watermark);
            let summary = r.summary.as_ref();
            let produced = match &mut r.logic {
                Logic::Query {
                    suppress: Some(s),
                    state,
                    ..
                } => state.flush(w, s, &r.meta, summary, &mut render),
                Logic::Query { suppress: None, .. } => Vec::new(),
                Logic::Threshold { spec, state, .. } => state.flush(
                    w,
                    &threshold::Ctx {
                        spec,
                        meta: &r.meta,
                        summary,
                        cap,
                    },
                    &mut render,
                ),
                Logic::NewTerms { spec, state, .. } => state.flush(
                    w,
                    &new_terms::Ctx {
                        spec,
                        meta: &r.meta,
                        summary,
                    },
                    &mut render,
                ),
                Logic::Sequence { spec, state } => state.flush(
                    w,
                    &sequence::Ctx {
                        spec,
                        meta: &r.meta,
                        summary,
                        max_per_key,
                    },
                    &mut render,
                ),
            };
            for (at, alert) in produced {
                r.cap.offer(at, alert);
            }
            until.push(if w == i64::MAX {
                w
            } else {
                r.watermark = w;
                w.saturating_sub(r.logic.delay_ms())
            });
        }
        // Sized once and sorted in place: at the end of a long hunt these are every alert.
        // Alert ids carry the rule's id and a rule's cap holds one alert per id, so two alerts
        // with the same sort key are the same alert, and an unstable sort orders the list as a
        // stable one would.
        let ready = self.rules.iter().zip(&until);
        let mut out = Vec::with_capacity(ready.map(|(r, &u)| r.cap.ready(u)).sum());
        for (r, u) in self.rules.iter_mut().zip(until) {
            if u == i64::MIN {
                continue; // not flushed
            }
            let before = out.len();
            r.cap.drain_into(u, &mut out);
            r.counts.alerts += (out.len() - before) as u64;
        }
        out.sort_unstable_by(|a, b| a.alert.sort_key().cmp(&b.alert.sort_key()));
        out.dedup_by(|a, b| a.alert.id == b.alert.id);
        out
    }

    /// From now on, the records kept for later (the samples of stateful rules, and the
    /// evidence of the alerts `max_signals` caps keep) keep their text in `file`, an empty file
    /// opened for reading and writing that nothing else uses (an unlinked temporary file), and
    /// read it back when an alert is built or released ([`HeldAlert::release`]). A long `hunt`
    /// keeps them to the end of the run; in memory, their text would be most of the engine's.
    /// When the file cannot be written, records keep their text in memory. Snapshots hold the
    /// text itself.
    pub fn spill_records(&mut self, file: std::fs::File) {
        self.spill = Some(Spill::new(file));
    }

    /// Folds in an engine compiled from the same rules and options and fed other events.
    /// For the single run's exact result, partition stateful rules' events by their key
    /// (threshold group, sequence join key, new term) and merge before flushing.
    pub fn merge(&mut self, mut other: Engine) -> Result<(), EngineError> {
        self.absorb(&mut other)?;
        for (mine, theirs) in self.rules.iter_mut().zip(&other.rules) {
            mine.watermark = mine.watermark.max(theirs.watermark);
        }
        Ok(())
    }

    /// [`Engine::merge`] for an engine that goes on reading: folds in the state and counts of
    /// `other` and leaves it with none, its rules, caches, spill file and late bounds as they
    /// were. The watermarks here stay as they are too, so a caller that flushes this engine
    /// while `other` reads on must keep `other`'s records from falling behind them: it gives
    /// `other` the late bound of each flush to come ([`Engine::late_before`]) and flushes no
    /// further than that bound until `other` is folded in.
    pub fn absorb(&mut self, other: &mut Engine) -> Result<(), EngineError> {
        self.check_same_rules(other.rules.iter().map(|r| (&r.meta.id, r.meta.version)))?;
        let cap = self.opts.max_events_per_alert;
        let max_per_key = self.limits.max_events_per_key;
        for (mine, theirs) in self.rules.iter_mut().zip(&mut other.rules) {
            mine.counts.merge(std::mem::take(&mut theirs.counts));
            mine.cap.merge(theirs.cap.take());
            match (&mut mine.logic, &mut theirs.logic) {
                (Logic::Query { state: a, .. }, Logic::Query { state: b, .. }) => {
                    a.merge(b.take(), cap)
                }
                (Logic::Threshold { state: a, .. }, Logic::Threshold { state: b, .. }) => {
                    a.merge(b.take(), cap)
                }
                (Logic::NewTerms { state: a, .. }, Logic::NewTerms { state: b, .. }) => {
                    a.merge(b.take())
                }
                (Logic::Sequence { state: a, .. }, Logic::Sequence { state: b, .. }) => {
                    a.merge(b.take(), max_per_key)
                }
                _ => {
                    return Err(EngineError::Mismatch(format!(
                        "rule {} has another type in the other engine",
                        mine.meta.id
                    )));
                }
            }
        }
        Ok(())
    }

    /// From now on, counts as late the matches a flush to `watermarks_ms` (by [`Kind::index`];
    /// `i64::MIN`: none for that kind) would make late, without evaluating anything: each
    /// rule's records older than the earliest watermark of its kinds less its look-back. The
    /// bounds only rise.
    pub fn late_before(&mut self, watermarks_ms: [i64; 2]) {
        for (i, r) in self.rules.iter_mut().enumerate() {
            let w = kinds_watermark(&self.by_kind, i, watermarks_ms);
            if w != i64::MIN && w != i64::MAX {
                r.watermark = r.watermark.max(w.saturating_sub(r.lookback_ms));
            }
        }
    }

    fn check_same_rules<'a>(
        &self,
        other: impl ExactSizeIterator<Item = (&'a String, u32)>,
    ) -> Result<(), EngineError> {
        if other.len() != self.rules.len() {
            return Err(EngineError::Mismatch(format!(
                "{} rules here, {} there",
                self.rules.len(),
                other.len()
            )));
        }
        for (mine, (id, version)) in self.rules.iter().zip(other) {
            if &mine.meta.id != id || mine.meta.version != version {
                return Err(EngineError::Mismatch(format!(
                    "rule {} v{} here, {} v{} there",
                    mine.meta.id, mine.meta.version, id, version
                )));
            }
        }
        Ok(())
    }
}

impl Logic {
    fn predicates(&self) -> Box<dyn Iterator<Item = &Predicate> + '_> {
        match self {
            Logic::Query { predicate, .. }
            | Logic::Threshold { predicate, .. }
            | Logic::NewTerms { predicate, .. } => Box::new(std::iter::once(predicate)),
            Logic::Sequence { spec, .. } => Box::new(spec.predicates()),
        }
    }

    fn needs_document(&self) -> bool {
        self.predicates().any(Predicate::needs_document)
    }

    /// A place in the verdict tables for rules with one predicate that reads fields alone,
    /// with list conditions on the fields `also`, run on records of `kinds` (sequences keep
    /// their steps' verdicts apart).
    fn verdicts(
        &self,
        also: &[FieldId],
        kinds: &[Kind],
        schema: &Schema,
        tables: &mut VerdictTables,
    ) -> Option<Verdicts> {
        match self {
            Logic::Query { predicate, .. }
            | Logic::Threshold { predicate, .. }
            | Logic::NewTerms { predicate, .. } => {
                Verdicts::new(predicate, also, kinds, schema, tables)
            }
            Logic::Sequence { .. } => None,
        }
    }

    /// The event names (lower-cased) one of which a record must have for this rule to use
    /// it, read from `fields`; `None` when the rule takes others too. New-terms rules take
    /// every record (each starts their learning period).
    fn required_names(&self, fields: &[FieldId]) -> Option<Vec<String>> {
        if matches!(self, Logic::NewTerms { .. }) {
            return None;
        }
        let mut all = Vec::new();
        for p in self.predicates() {
            all.extend(p.required_values(fields)?);
        }
        Some(all)
    }

    /// How long after an alert's detection time it can still be produced (so `max_signals`
    /// intervals are emitted only once nothing more can fall in them).
    fn delay_ms(&self) -> i64 {
        match self {
            Logic::Query {
                suppress: Some(s), ..
            } => s.bucket_ms,
            Logic::Threshold { spec, .. } => {
                spec.suppress_ms.map_or(0, |d| d.saturating_add(BUCKET_MS))
            }
            Logic::Query { suppress: None, .. }
            | Logic::NewTerms { .. }
            | Logic::Sequence { .. } => 0,
        }
    }

    fn evicted(&self) -> u64 {
        match self {
            Logic::Query { state, .. } => state.evicted(),
            Logic::Threshold { state, .. } => state.evicted(),
            Logic::NewTerms { state, .. } => state.evicted(),
            Logic::Sequence { state, .. } => state.evicted(),
        }
    }
}

impl Counts {
    fn merge(&mut self, other: Counts) {
        self.matched += other.matched;
        self.excepted += other.excepted;
        self.alerts += other.alerts;
        self.late += other.late;
        self.unkeyed += other.unkeyed;
    }
}

impl Compiled {
    fn report(&self) -> RuleReport {
        RuleReport {
            rule_id: self.meta.id.clone(),
            name: self.meta.name.clone(),
            matched: self.counts.matched,
            excepted: self.counts.excepted,
            alerts: self.counts.alerts,
            held_back: self.cap.held_back(),
            late: self.counts.late + self.cap.late(),
            unkeyed: self.counts.unkeyed,
            evicted: self.logic.evicted(),
            dropped: match &self.logic {
                Logic::Sequence { state, .. } => state.dropped(),
                _ => 0,
            },
        }
    }
}

/// The watermark of rule `i`: the earliest of `watermarks_ms` (by [`Kind::index`]) among the
/// kinds it reads (`i64::MAX` for a rule reading none).
fn kinds_watermark(by_kind: &[Vec<usize>; 2], i: usize, watermarks_ms: [i64; 2]) -> i64 {
    Kind::ALL
        .into_iter()
        .filter(|k| by_kind[k.index()].contains(&i))
        .map(|k| watermarks_ms[k.index()])
        .min()
        .unwrap_or(i64::MAX)
}

fn derive(entity: &EntityFields, summary: Option<&Summary>, ev: &Event<'_>) -> (Entity, String) {
    let e = entity.extract(ev);
    let s = summary.map_or_else(String::new, |s| s.render(ev));
    (e, s)
}

/// The alert a query rule raises for one event, with its id ([`query::alert_digest`]), its
/// evidence held by `sampler`.
fn single_alert(
    meta: &Arc<AlertRule>,
    ev: &Event<'_>,
    sampler: &Sampler<'_>,
    id: String,
    derive: impl FnOnce(&Event<'_>) -> (Entity, String),
) -> HeldAlert {
    let (entity, summary) = derive(ev);
    let at = format_rfc3339(ev.time_ms);
    let alert = Alert {
        id,
        rule: meta.clone(),
        detected_at: at.clone(),
        first_seen: at.clone(),
        last_seen: at,
        summary: if summary.is_empty() {
            meta.name.clone()
        } else {
            summary
        },
        entity,
        group: BTreeMap::new(),
        count: 1,
        distinct_count: None,
        window: None,
        suppressed: 0,
        events_total: 1,
        events: Vec::new(),
    };
    HeldAlert {
        alert,
        evidence: vec![sampler.evidence(ev)],
    }
}
