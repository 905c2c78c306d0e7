//! `GET /api/rules`: the rules the service runs, as the caller described them.

use crate::state::ApiState;
use axum::Json;
use axum::extract::State;
use r53guard_alert::Severity;
use serde::Serialize;

/// One rule the service runs, as `GET /api/rules` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The rule id (`rule_id`, or a Sigma rule's UUID).
    pub id: String,
    /// The rule's name.
    pub name: String,
    /// The severity of its alerts.
    pub severity: Severity,
    /// `query`, `threshold`, `sequence`, … (JSON `type`).
    #[serde(rename = "type")]
    pub rule_type: String,
    /// The kinds of data it reads: `cloudtrail`, `resolver`, ….
    pub data: Vec<String>,
    /// The MITRE ATT&CK tactic and technique ids it maps to.
    pub mitre: Vec<String>,
    /// Where it comes from: `builtin`, a rule file's path, a Sigma file's path.
    pub source: String,
}

/// A rule as listed, with what it did since the service started.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    rule: &'a RuleInfo,
    /// Alerts held back by `max_signals` ([`crate::ALERTS_HELD_BACK`]).
    held_back: u64,
    /// Late matches ([`crate::LATE_RECORDS`]).
    late: u64,
}

/// `GET /api/rules`: `{"rules": [...]}`, each rule with its `held_back` and `late` counts
/// since the service started.
pub(crate) async fn list(State(state): State<ApiState>) -> Json<serde_json::Value> {
    let metrics = &state.metrics;
    let rules: Vec<Listed<'_>> = state
        .rules
        .iter()
        .map(|rule| Listed {
            rule,
            held_back: metrics.alerts_held_back().with(&[&rule.id]).get(),
            late: metrics.late_records().with(&[&rule.id]).get(),
        })
        .collect();
    Json(serde_json::json!({ "rules": rules }))
}
