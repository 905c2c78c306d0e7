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

/// `GET /api/rules`: `{"rules": [...]}`.
pub(crate) async fn list(State(state): State<ApiState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "rules": &*state.rules }))
}
