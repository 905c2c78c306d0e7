//! Sigma rules and correlations compiled onto the engine's machinery, beside r53guard's own
//! rules and with the same alert schema, ids, caps, merging and snapshots.
//!
//! * A **rule** (with the filters attached to it) becomes a query rule; it alerts on its own
//!   unless every correlation using it says `generate: false` (the default).
//! * **`event_count`** becomes a threshold rule: per `group-by` key, the events matching any of
//!   the referenced rules in a sliding window of `timespan`; the condition's bounds are the
//!   window's count bounds (`gte 100` is at least 100; `lt 5` is one to four events).
//! * **`value_count`**: the same with the condition on the number of distinct values of
//!   `condition.field` (one field).
//! * **`temporal`**: a threshold whose distinct values are *which rules matched*: it fires when
//!   every referenced rule (or as many as the condition asks) matched in the window, in any
//!   order.
//! * **`temporal_ordered`**: a sequence of the referenced rules, in order, joined by the
//!   `group-by` fields, with `maxspan` = `timespan`.
//!
//! Windows are whole minutes (the threshold machinery's one-minute buckets), so a `timespan`
//! is rounded up to a minute. Sigma rules run with the defaults of an r53guard rule file
//! (`interval` 5m, `max_signals` 100 per interval). Shared exception files in the rule
//! directories apply to Sigma rules by their id. What cannot run is returned as
//! [`SigmaSkipped`] with the reason: log sources the mapping does not route, unsupported
//! values, correlations over correlations, `aliases`, `neq` conditions.

use crate::buckets::BUCKET_MS;
use crate::cap::Capped;
use crate::exceptions::Exceptions;
use crate::predicate::{MAX_SIGMA_RULES, Predicate};
use crate::query::QueryState;
use crate::sequence::{SequenceSpec, SequenceState};
use crate::threshold::{Bounds, Distinct, ThresholdSpec, ThresholdState};
use crate::{Compiled, Counts, EngineError, Limits, Logic, MissingList};
use r53guard_alert::AlertRule;
use r53guard_event::{Kind, Schema};
use r53guard_rules::RuleSet;
use r53guard_sigma::{
    CompiledSigma, Correlation, CorrelationKind, CountOp, Mapping, SigmaSet, Target,
};
use std::sync::Arc;

/// The `interval` of a Sigma rule (an r53guard rule file's default).
const INTERVAL_MS: i64 = 5 * 60_000;
/// The `max_signals` of a Sigma rule (an r53guard rule file's default).
const MAX_SIGNALS: u32 = 100;

/// Sigma rules to run, and the field mapping they are read with.
#[derive(Clone, Copy)]
pub struct SigmaRules<'a> {
    /// The loaded rules, correlations and filters.
    pub set: &'a SigmaSet,
    /// The field mapping.
    pub mapping: &'a Mapping,
}

/// A Sigma rule or correlation that does not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmaSkipped {
    /// Its id, else name, else title.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it was loaded from (`file: document N (line L)`).
    pub origin: String,
    /// Why it does not run.
    pub reason: String,
}

/// The compiled rules (with the record kinds each runs on) and what was skipped.
pub(crate) struct CompiledSigmaSet {
    pub rules: Vec<(Compiled, Vec<Kind>)>,
    pub skipped: Vec<SigmaSkipped>,
}

pub(crate) fn compile(
    input: SigmaRules<'_>,
    rules: &RuleSet,
    schema: &mut Schema,
    now_ms: i64,
    limits: &Limits,
) -> Result<CompiledSigmaSet, EngineError> {
    let set = input.set;
    let mut out = CompiledSigmaSet {
        rules: Vec::new(),
        skipped: Vec::new(),
    };
    let mut compiled = Vec::with_capacity(set.rules.len());
    for (i, rule) in set.rules.iter().enumerate() {
        match CompiledSigma::compile(rule, input.mapping, schema) {
            Ok(c) => {
                if set.emits_alerts(i) {
                    let kinds = c.kinds().to_vec();
                    let logic = Logic::Query {
                        predicate: Predicate::Sigma(vec![c.clone()]),
                        suppress: None,
                        state: QueryState::new(limits.max_state_keys),
                    };
                    let meta = rule.alert_rule("query");
                    out.rules
                        .push((compiled_rule(meta, logic, rules, schema, now_ms)?, kinds));
                }
                compiled.push(Ok(c));
            }
            Err(e) => {
                out.skipped.push(SigmaSkipped {
                    id: rule.label().to_owned(),
                    title: rule.title.clone(),
                    origin: rule.origin.to_string(),
                    reason: e.to_string(),
                });
                compiled.push(Err(e.to_string()));
            }
        }
    }
    for corr in &set.correlations {
        let skip = |reason: String| SigmaSkipped {
            id: corr.label().to_owned(),
            title: corr.title.clone(),
            origin: corr.origin.to_string(),
            reason,
        };
        match correlation(corr, set, &compiled, input.mapping, schema, limits) {
            Ok((rule_type, logic, kinds)) => {
                let meta = corr.alert_rule(rule_type);
                out.rules
                    .push((compiled_rule(meta, logic, rules, schema, now_ms)?, kinds));
            }
            Err(reason) => out.skipped.push(skip(reason)),
        }
    }
    Ok(out)
}

fn compiled_rule(
    meta: AlertRule,
    logic: Logic,
    rules: &RuleSet,
    schema: &mut Schema,
    now_ms: i64,
) -> Result<Compiled, EngineError> {
    let exceptions = Exceptions::compile(
        rules.shared_exceptions_for(&meta.id),
        &[],
        &rules.lists,
        schema,
        now_ms,
    )
    .map_err(|MissingList(list)| EngineError::MissingList {
        rule: meta.id.clone(),
        source: MissingList(list),
    })?;
    Ok(Compiled {
        meta: Arc::new(meta),
        lists: Default::default(),
        exceptions,
        summary: None,
        verdicts: None,
        logic,
        cap: Capped::new(MAX_SIGNALS, INTERVAL_MS),
        counts: Counts::default(),
        watermark: i64::MIN,
        // Sigma rules have no `from`: the sources' allowed lateness is all their look-back.
        lookback_ms: 0,
    })
}

/// A correlation's rule type, logic and record kinds, or why it cannot run.
fn correlation(
    corr: &Correlation,
    set: &SigmaSet,
    compiled: &[Result<CompiledSigma, String>],
    mapping: &Mapping,
    schema: &mut Schema,
    limits: &Limits,
) -> Result<(&'static str, Logic, Vec<Kind>), String> {
    if !corr.aliases.is_empty() {
        return Err("correlation `aliases` are not supported".into());
    }
    if corr.targets.len() > MAX_SIGMA_RULES {
        return Err(format!(
            "a correlation can reference at most {MAX_SIGMA_RULES} rules"
        ));
    }
    let mut parts = Vec::with_capacity(corr.targets.len());
    let mut sources = Vec::new();
    for (target, name) in corr.targets.iter().zip(&corr.rules) {
        let Target::Rule(i) = *target else {
            return Err(format!(
                "`{name}` is a correlation: correlations of correlations are not supported"
            ));
        };
        match &compiled[i] {
            Ok(c) => parts.push(c.clone()),
            Err(e) => return Err(format!("referenced rule `{name}` does not run: {e}")),
        }
        sources.push(
            mapping
                .source_for_rule(&set.rules[i])
                .map_err(|e| e.to_string())?,
        );
    }
    let mut kinds: Vec<Kind> = parts.iter().flat_map(|c| c.kinds().to_vec()).collect();
    kinds.sort_by_key(|k| k.index());
    kinds.dedup();
    // A field name the referenced rules' log sources map alike (the first source decides).
    let mut field = |name: &str| -> Result<(String, r53guard_event::FieldId), String> {
        let mapped = sources[0]
            .resolve(name)
            .ok_or_else(|| format!("field `{name}` is not mapped for {}", sources[0].name))?;
        Ok((name.to_owned(), schema.add(&mapped)))
    };
    let group_by = corr
        .group_by
        .iter()
        .map(|g| field(g))
        .collect::<Result<Vec<_>, _>>()?;
    let window_minutes = (corr.timespan_ms as i64 + BUCKET_MS - 1) / BUCKET_MS;
    let n_rules = parts.len() as u64;
    let threshold = |count, cardinality| Logic::Threshold {
        predicate: Predicate::Sigma(parts.clone()),
        spec: ThresholdSpec {
            group_by: group_by.clone(),
            count,
            cardinality,
            window_minutes,
            suppress_ms: None,
        },
        state: ThresholdState::new(limits.max_state_keys),
    };
    let bounds = || match &corr.condition {
        Some(c) => bounds(&c.bounds),
        None => Ok(Bounds::at_least(n_rules)),
    };
    let logic = match corr.kind {
        CorrelationKind::EventCount => ("threshold", threshold(bounds()?, None)),
        CorrelationKind::ValueCount => {
            let fields = &corr.condition.as_ref().map_or(&[][..], |c| &c.fields);
            let [name] = fields else {
                return Err("value_count over more than one field is not supported".into());
            };
            let (_, id) = field(name)?;
            let distinct = Some((Distinct::Field(id), bounds()?));
            ("threshold", threshold(Bounds::at_least(1), distinct))
        }
        CorrelationKind::Temporal => {
            let distinct = Some((Distinct::Parts, bounds()?));
            ("threshold", threshold(Bounds::at_least(1), distinct))
        }
        CorrelationKind::TemporalOrdered => {
            if bounds()? != Bounds::at_least(n_rules) {
                return Err(
                    "temporal_ordered with a condition other than all rules is not supported"
                        .into(),
                );
            }
            let spec = SequenceSpec {
                by: group_by,
                steps: parts
                    .into_iter()
                    .map(|c| Predicate::Sigma(vec![c]))
                    .collect(),
                until: None,
                maxspan_ms: Some(corr.timespan_ms as i64),
            };
            let state = SequenceState::new(limits.max_state_keys);
            ("sequence", Logic::Sequence { spec, state })
        }
    };
    Ok((logic.0, logic.1, kinds))
}

/// The window count bounds of a correlation condition (all of its comparisons).
fn bounds(ops: &[(CountOp, u64)]) -> Result<Bounds, String> {
    let mut b = Bounds::at_least(1);
    for &(op, n) in ops {
        match op {
            CountOp::Gt => b.min = b.min.max(n.saturating_add(1)),
            CountOp::Gte => b.min = b.min.max(n),
            CountOp::Lt => b.max = b.max.min(n.checked_sub(1).ok_or("`lt: 0` never holds")?),
            CountOp::Lte => b.max = b.max.min(n),
            CountOp::Eq => {
                b.min = b.min.max(n);
                b.max = b.max.min(n);
            }
            CountOp::Neq => {
                return Err(
                    "`neq` conditions are not supported (a count that is not N is \
                            not a burst of activity)"
                        .into(),
                );
            }
        }
    }
    if b.min > b.max {
        return Err("the condition can never hold".into());
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_bounds() {
        let b = |ops: &[(CountOp, u64)]| bounds(ops);
        assert_eq!(b(&[(CountOp::Gte, 100)]), Ok(Bounds::at_least(100)));
        assert_eq!(b(&[(CountOp::Gt, 100)]), Ok(Bounds::at_least(101)));
        assert_eq!(
            b(&[(CountOp::Gt, 2), (CountOp::Lte, 5)]),
            Ok(Bounds { min: 3, max: 5 })
        );
        assert_eq!(b(&[(CountOp::Lt, 5)]), Ok(Bounds { min: 1, max: 4 }));
        assert_eq!(b(&[(CountOp::Eq, 0)]).ok(), None);
        assert!(b(&[(CountOp::Lt, 0)]).is_err());
        assert!(b(&[(CountOp::Neq, 3)]).is_err());
        assert!(b(&[(CountOp::Gt, 5), (CountOp::Lt, 5)]).is_err());
    }
}
