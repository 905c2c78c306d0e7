//! Compiling an r53guard rule (KQL queries, lists, exceptions, summary) into the engine's
//! form.

use crate::buckets::BUCKET_MS;
use crate::cap::Capped;
use crate::exceptions::Exceptions;
use crate::lists::ListConditions;
use crate::matcher::{CompileOptions, Matcher};
use crate::new_terms::{NewTermsSpec, NewTermsState};
use crate::predicate::Predicate;
use crate::query::{QueryState, Suppress};
use crate::sequence::{MAX_STEPS, SequenceSpec, SequenceState};
use crate::template::Summary;
use crate::threshold::{Bounds, Distinct, ThresholdSpec, ThresholdState};
use crate::{Compiled, Counts, EngineError, EngineOptions, Limits, Logic, MissingList, meta};
use r53guard_event::Schema;
use r53guard_rules::{Rule, RuleKind, RuleSet};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Compiles one rule of `set`.
pub(crate) fn rule(
    rule: &Rule,
    set: &RuleSet,
    schema: &mut Schema,
    opts: &EngineOptions,
    limits: &Limits,
) -> Result<Compiled, EngineError> {
    let ci: BTreeSet<String> = rule.case_insensitive_fields.iter().cloned().collect();
    let copts = CompileOptions {
        case_insensitive: &ci,
        now_ms: opts.now_ms,
    };
    let mut field = |name: &String| (name.clone(), schema.add(name));
    let interval_ms = rule.interval.as_millis().max(1) as i64;
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1);
    let max_keys = limits.max_state_keys;
    let logic = match &rule.kind {
        RuleKind::Query { query, .. } => Logic::Query {
            suppress: rule.suppression.as_ref().map(|s| Suppress {
                fields: s.group_by.iter().map(&mut field).collect(),
                bucket_ms: s.duration.map_or(interval_ms, ms),
                missing: s.missing_fields,
            }),
            predicate: Predicate::Kql(Matcher::compile(query, schema, &copts)),
            state: QueryState::new(max_keys),
        },
        RuleKind::Threshold {
            query,
            group_by,
            value,
            cardinality,
            window,
            ..
        } => Logic::Threshold {
            spec: ThresholdSpec {
                group_by: group_by.iter().map(&mut field).collect(),
                count: Bounds::at_least(*value),
                cardinality: cardinality
                    .as_ref()
                    .map(|(f, min)| (Distinct::Field(schema.add(f)), Bounds::at_least(*min))),
                window_minutes: (ms(*window) + BUCKET_MS - 1) / BUCKET_MS,
                suppress_ms: rule
                    .suppression
                    .as_ref()
                    .map(|s| s.duration.map_or(interval_ms, ms)),
            },
            predicate: Predicate::Kql(Matcher::compile(query, schema, &copts)),
            state: ThresholdState::new(max_keys),
        },
        RuleKind::NewTerms {
            query,
            fields,
            history_window,
            ..
        } => Logic::NewTerms {
            spec: NewTermsSpec {
                fields: fields.iter().map(&mut field).collect(),
                history_ms: ms(*history_window),
            },
            predicate: Predicate::Kql(Matcher::compile(query, schema, &copts)),
            state: NewTermsState::new(max_keys),
        },
        RuleKind::Sequence(seq) => {
            if seq.steps.len() > MAX_STEPS {
                return Err(EngineError::Unsupported {
                    rule: rule.rule_id.clone(),
                    kind: "sequence of more than 64 steps",
                });
            }
            Logic::Sequence {
                spec: SequenceSpec {
                    by: seq.by.iter().map(&mut field).collect(),
                    steps: seq
                        .steps
                        .iter()
                        .map(|q| Predicate::Kql(Matcher::compile(q, schema, &copts)))
                        .collect(),
                    until: seq
                        .until
                        .as_ref()
                        .map(|q| Predicate::Kql(Matcher::compile(q, schema, &copts))),
                    maxspan_ms: seq.maxspan.map(ms),
                },
                state: SequenceState::new(max_keys),
            }
        }
    };
    let lists = ListConditions::compile(&rule.lists, &set.lists, schema).map_err(|list| {
        EngineError::MissingList {
            rule: rule.rule_id.clone(),
            source: MissingList(list),
        }
    })?;
    let exceptions = Exceptions::compile(
        set.exceptions_for(rule),
        &rule.case_insensitive_fields,
        &set.lists,
        schema,
        opts.now_ms,
    )
    .map_err(|source| EngineError::MissingList {
        rule: rule.rule_id.clone(),
        source,
    })?;
    Ok(Compiled {
        meta: Arc::new(meta::alert_rule(rule, None)),
        lists,
        exceptions,
        summary: rule.summary.as_ref().map(|t| Summary::new(t, schema)),
        verdicts: None,
        logic,
        cap: Capped::new(rule.max_signals, interval_ms),
        counts: Counts::default(),
        watermark: i64::MIN,
        lookback_ms: (i64::try_from(rule.from.millis()).unwrap_or(i64::MAX) - interval_ms).max(0),
    })
}
