//! The r53guard rule engine.
//!
//! [`Engine::new`] compiles a [`RuleSet`] once: every query into a [`matcher::Matcher`] over
//! one shared [`Schema`] (so each record is projected once for all rules), exceptions, summary
//! templates and the alert metadata. [`Engine::process`] evaluates one event against the rules
//! for its kind; [`Engine::finish`] turns what was kept into alerts, capped by `max_signals` per
//! rule and interval, deduplicated by id and sorted, with a report per rule.
//!
//! Results depend only on the events, never on their order: alert ids are hashes of the rule,
//! its version and the event identity or group and bucket; samples keep the earliest events by
//! (time, content); caps keep the earliest alerts by (time, id).

mod acc;
mod cap;
pub mod entity;
mod evidence;
mod exceptions;
pub mod matcher;
mod meta;
mod query;
mod template;
pub mod testing;

pub use evidence::Origin;
pub use exceptions::MissingList;

use crate::acc::Acc;
use crate::cap::Capped;
use crate::entity::EntityFields;
use crate::exceptions::Exceptions;
use crate::matcher::{CompileOptions, Matcher};
use crate::query::{QueryState, Suppress, event_key};
use crate::template::Summary;
use r53guard_alert::{Alert, AlertRule, Entity, alert_id};
use r53guard_event::time::format_rfc3339;
use r53guard_event::{Event, FieldId, Kind, Schema};
use r53guard_rules::{DataKind, Rule, RuleKind, RuleSet};
use std::collections::{BTreeMap, BTreeSet};
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

/// Why rules could not be compiled.
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
}

/// One compiled rule.
struct Compiled {
    meta: AlertRule,
    matcher: Matcher,
    exceptions: Exceptions,
    summary: Option<Summary>,
    suppress: Option<Suppress>,
    state: QueryState,
    cap: Capped,
    report: RuleReport,
}

/// What one rule did in a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleReport {
    /// The rule id.
    pub rule_id: String,
    /// The rule name.
    pub name: String,
    /// Events that matched the query.
    pub matched: u64,
    /// Matches dropped by exceptions.
    pub excepted: u64,
    /// Alerts produced.
    pub alerts: u64,
    /// Alerts over `max_signals` per interval, not emitted.
    pub held_back: u64,
}

/// The result of a run.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// Alerts, deduplicated by id, in (detected_at, rule id, id) order.
    pub alerts: Vec<Alert>,
    /// Per rule, in rule order.
    pub rules: Vec<RuleReport>,
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
}

impl Engine {
    /// Compiles every enabled rule of `set`.
    pub fn new(set: &RuleSet, opts: EngineOptions) -> Result<Engine, EngineError> {
        let mut schema = Schema::new();
        let entity = EntityFields::new(&mut schema);
        let account = schema.add("recipientAccountId");
        let event_id = schema.add("eventID");
        let mut rules = Vec::new();
        let mut by_kind = [Vec::new(), Vec::new()];
        for rule in set.rules.iter().filter(|r| r.enabled) {
            let compiled = compile(rule, set, &mut schema, &opts)?;
            for kind in &rule.data {
                let k = match kind {
                    DataKind::CloudTrail => Kind::CloudTrail,
                    DataKind::Resolver => Kind::Resolver,
                };
                by_kind[k.index()].push(rules.len());
            }
            rules.push(compiled);
        }
        Ok(Engine {
            schema: Arc::new(schema),
            rules,
            by_kind,
            entity,
            account,
            event_id,
            opts,
        })
    }

    /// The schema records must be projected with (shared, so a projector can hold it while
    /// the engine is fed).
    pub fn schema(&self) -> Arc<Schema> {
        Arc::clone(&self.schema)
    }

    /// Number of compiled rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Whether any rule needs whole records parsed (free text or wildcard field names).
    pub fn needs_document(&self) -> bool {
        self.rules.iter().any(|r| r.matcher.needs_document())
    }

    /// Evaluates one event (projected with [`Engine::schema`]).
    pub fn process(&mut self, ev: &Event<'_>, origin: &Origin<'_>) {
        let document = self
            .rules_for(ev.kind)
            .any(|r| r.matcher.needs_document())
            .then(|| serde_json::from_str::<serde_json::Value>(ev.raw).ok())
            .flatten();
        let cap = self.opts.max_events_per_alert;
        for &i in &self.by_kind[ev.kind.index()] {
            let r = &mut self.rules[i];
            if !r.matcher.matches(ev, document.as_ref()) {
                continue;
            }
            r.report.matched += 1;
            if r.exceptions.excepts(ev) {
                r.report.excepted += 1;
                continue;
            }
            let derive = |ev: &Event<'_>| derive(&self.entity, r.summary.as_ref(), ev);
            match &r.suppress {
                Some(s) => match s.group(ev) {
                    Some(group) => {
                        let bucket = s.bucket(ev.time_ms);
                        r.state.add(group, bucket, cap, ev, origin, derive);
                    }
                    None => {
                        let alert =
                            single_alert(&r.meta, ev, origin, self.account, self.event_id, derive);
                        r.cap.offer(ev.time_ms, alert);
                    }
                },
                None => {
                    let alert =
                        single_alert(&r.meta, ev, origin, self.account, self.event_id, derive);
                    r.cap.offer(ev.time_ms, alert);
                }
            }
        }
    }

    fn rules_for(&self, kind: Kind) -> impl Iterator<Item = &Compiled> {
        self.by_kind[kind.index()].iter().map(|&i| &self.rules[i])
    }

    /// Ends the run: alerts of every rule, capped, deduplicated and sorted, and the reports.
    pub fn finish(self) -> RunResult {
        let mut alerts = Vec::new();
        let mut reports = Vec::new();
        for mut r in self.rules {
            if let Some(s) = &r.suppress {
                for ((group, bucket), acc) in std::mem::take(&mut r.state.groups) {
                    let alert = grouped_alert(&r.meta, s, &group, bucket, acc);
                    let at =
                        r53guard_event::time::parse_rfc3339(&alert.detected_at).unwrap_or(bucket);
                    r.cap.offer(at, alert);
                }
            }
            let (kept, held) = r.cap.finish();
            r.report.alerts = kept.len() as u64;
            r.report.held_back = held;
            alerts.extend(kept);
            reports.push(r.report);
        }
        alerts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        alerts.dedup_by(|a, b| a.id == b.id);
        RunResult {
            alerts,
            rules: reports,
        }
    }
}

fn compile(
    rule: &Rule,
    set: &RuleSet,
    schema: &mut Schema,
    opts: &EngineOptions,
) -> Result<Compiled, EngineError> {
    let query = match &rule.kind {
        RuleKind::Query { query, .. } => query,
        other => {
            return Err(EngineError::Unsupported {
                rule: rule.rule_id.clone(),
                kind: other.type_name(),
            });
        }
    };
    let ci: BTreeSet<String> = rule.case_insensitive_fields.iter().cloned().collect();
    let matcher = Matcher::compile(
        query,
        schema,
        &CompileOptions {
            case_insensitive: &ci,
            now_ms: opts.now_ms,
        },
    );
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
    let interval_ms = rule.interval.as_millis().max(1) as i64;
    let suppress = rule.suppression.as_ref().map(|s| Suppress {
        fields: s
            .group_by
            .iter()
            .map(|f| (f.clone(), schema.add(f)))
            .collect(),
        bucket_ms: s
            .duration
            .map_or(interval_ms, |d| d.as_millis().max(1) as i64),
        missing: s.missing_fields,
    });
    Ok(Compiled {
        meta: meta::alert_rule(rule, None),
        matcher,
        exceptions,
        summary: rule.summary.as_ref().map(|t| Summary::new(t, schema)),
        suppress,
        state: QueryState::default(),
        cap: Capped::new(rule.max_signals, interval_ms),
        report: RuleReport {
            rule_id: rule.rule_id.clone(),
            name: rule.name.clone(),
            ..RuleReport::default()
        },
    })
}

fn derive(entity: &EntityFields, summary: Option<&Summary>, ev: &Event<'_>) -> (Entity, String) {
    let e = entity.extract(ev);
    let s = summary.map_or_else(String::new, |s| s.render(ev));
    (e, s)
}

fn single_alert(
    meta: &AlertRule,
    ev: &Event<'_>,
    origin: &Origin<'_>,
    account: FieldId,
    event_id: FieldId,
    derive: impl FnOnce(&Event<'_>) -> (Entity, String),
) -> Alert {
    let key = event_key(ev, account, event_id);
    let (entity, summary) = derive(ev);
    let at = format_rfc3339(ev.time_ms);
    Alert {
        id: alert_id(&[
            b"query",
            meta.id.as_bytes(),
            meta.version.to_string().as_bytes(),
            key.as_bytes(),
        ]),
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
        events: vec![evidence::evidence(ev, origin)],
    }
}

fn grouped_alert(
    meta: &AlertRule,
    s: &Suppress,
    group: &[Option<String>],
    bucket: i64,
    acc: Acc,
) -> Alert {
    let mut parts: Vec<Vec<u8>> = vec![
        b"suppressed".to_vec(),
        meta.id.as_bytes().to_vec(),
        meta.version.to_string().into_bytes(),
        bucket.to_string().into_bytes(),
    ];
    parts.extend(
        group
            .iter()
            .map(|g| g.as_deref().unwrap_or("\u{0}null").as_bytes().to_vec()),
    );
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let earliest = acc.earliest().cloned();
    Alert {
        id: alert_id(&refs),
        rule: meta.clone(),
        detected_at: format_rfc3339(acc.first_ms),
        first_seen: format_rfc3339(acc.first_ms),
        last_seen: format_rfc3339(acc.last_ms),
        summary: earliest
            .as_ref()
            .map(|e| e.summary.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| meta.name.clone()),
        entity: earliest.map(|e| e.entity).unwrap_or_default(),
        group: s
            .fields
            .iter()
            .zip(group)
            .filter_map(|((name, _), v)| v.clone().map(|v| (name.clone(), v)))
            .collect(),
        count: acc.count,
        distinct_count: None,
        window: Some(r53guard_alert::Window {
            start: format_rfc3339(bucket),
            end: format_rfc3339(bucket + s.bucket_ms),
        }),
        suppressed: acc.count - 1,
        events_total: acc.count,
        events: acc.evidence(),
    }
}
