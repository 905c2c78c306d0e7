//! Checkpoints: an engine's state as bytes, and back. A snapshot holds, per rule (by id and
//! version), its counters, its last flushed watermark, its `max_signals` intervals not yet
//! emitted and its stateful rule's state, plus the [`Limits`] in force. It is JSON (the
//! alerts inside carry their records as raw JSON), versioned by [`FORMAT`]. The compiled rules
//! are not in it: [`Engine::restore`] compiles the same rule set again and checks that it
//! matches.

use crate::cap::Capped;
use crate::new_terms::NewTermsState;
use crate::query::QueryState;
use crate::sequence::SequenceState;
use crate::threshold::ThresholdState;
use crate::{Counts, Engine, EngineError, EngineOptions, Limits, Logic, SigmaRules};
use r53guard_rules::RuleSet;
use serde::{Deserialize, Serialize};

/// The snapshot format version.
const FORMAT: u32 = 1;

#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: u32,
    limits: Limits,
    rules: Vec<RuleRef<'a>>,
}

#[derive(Serialize)]
struct RuleRef<'a> {
    id: &'a str,
    version: u32,
    watermark: i64,
    counts: Counts,
    cap: &'a Capped,
    state: StateRef<'a>,
}

#[derive(Serialize)]
enum StateRef<'a> {
    Query(&'a QueryState),
    Threshold(&'a ThresholdState),
    NewTerms(&'a NewTermsState),
    Sequence(&'a SequenceState),
}

#[derive(Deserialize)]
struct Snapshot {
    format: u32,
    limits: Limits,
    rules: Vec<RuleSnapshot>,
}

#[derive(Deserialize)]
struct RuleSnapshot {
    id: String,
    version: u32,
    watermark: i64,
    counts: Counts,
    cap: Capped,
    state: State,
}

#[derive(Deserialize)]
enum State {
    Query(QueryState),
    Threshold(ThresholdState),
    NewTerms(NewTermsState),
    Sequence(SequenceState),
}

impl Engine {
    /// Serialises every rule's state (see the [module docs](crate) for what a restored
    /// engine guarantees).
    pub fn snapshot(&self) -> Result<Vec<u8>, EngineError> {
        let rules = self
            .rules
            .iter()
            .map(|r| RuleRef {
                id: &r.meta.id,
                version: r.meta.version,
                watermark: r.watermark,
                counts: r.counts,
                cap: &r.cap,
                state: match &r.logic {
                    Logic::Query { state, .. } => StateRef::Query(state),
                    Logic::Threshold { state, .. } => StateRef::Threshold(state),
                    Logic::NewTerms { state, .. } => StateRef::NewTerms(state),
                    Logic::Sequence { state, .. } => StateRef::Sequence(state),
                },
            })
            .collect();
        Ok(serde_json::to_vec(&SnapshotRef {
            format: FORMAT,
            limits: self.limits,
            rules,
        })?)
    }

    /// Compiles `set` with `opts` and the snapshot's limits, and restores the state
    /// [`Engine::snapshot`] wrote. Fails when the snapshot is unreadable, of another format,
    /// or of other rules (ids, versions, types).
    pub fn restore(
        set: &RuleSet,
        opts: EngineOptions,
        bytes: &[u8],
    ) -> Result<Engine, EngineError> {
        Engine::restore_from(set, None, opts, bytes)
    }

    /// [`Engine::restore`] for an engine made by [`Engine::with_sigma`]: compiles `set` and
    /// `sigma` again (which must be the rules the snapshot was taken of) and restores the
    /// state.
    pub fn restore_with_sigma(
        set: &RuleSet,
        sigma: SigmaRules<'_>,
        opts: EngineOptions,
        bytes: &[u8],
    ) -> Result<Engine, EngineError> {
        Engine::restore_from(set, Some(sigma), opts, bytes)
    }

    fn restore_from(
        set: &RuleSet,
        sigma: Option<SigmaRules<'_>>,
        opts: EngineOptions,
        bytes: &[u8],
    ) -> Result<Engine, EngineError> {
        let snap: Snapshot = serde_json::from_slice(bytes)?;
        if snap.format != FORMAT {
            return Err(EngineError::Mismatch(format!(
                "snapshot format {} (this engine reads {FORMAT})",
                snap.format
            )));
        }
        let mut engine = match sigma {
            Some(sigma) => Engine::with_sigma(set, sigma, opts, snap.limits)?,
            None => Engine::with_limits(set, opts, snap.limits)?,
        };
        engine.check_same_rules(snap.rules.iter().map(|r| (&r.id, r.version)))?;
        for (r, s) in engine.rules.iter_mut().zip(snap.rules) {
            r.watermark = s.watermark;
            r.counts = s.counts;
            r.cap = s.cap;
            match (&mut r.logic, s.state) {
                (Logic::Query { state, .. }, State::Query(s)) => *state = s,
                (Logic::Threshold { state, .. }, State::Threshold(s)) => *state = s,
                (Logic::NewTerms { state, .. }, State::NewTerms(s)) => *state = s,
                (Logic::Sequence { state, .. }, State::Sequence(s)) => *state = s,
                _ => {
                    return Err(EngineError::Mismatch(format!(
                        "rule {} has another type in the snapshot",
                        r.meta.id
                    )));
                }
            }
        }
        Ok(engine)
    }
}
