//! `GET /api/dead-letters`: the notifications given up on, most recent first.

use crate::error::ApiError;
use crate::limit::parse_limit;
use crate::state::ApiState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use r53guard_event::time::format_rfc3339;
use serde::{Deserialize, Serialize};

/// `?limit=N` (1 to 1000, default 100).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeadLetterParams {
    limit: Option<String>,
}

/// One dead letter: the alert, the receiver, attempts made, the last error and when.
#[derive(Debug, Serialize)]
struct DeadLetterView {
    alert_id: String,
    receiver: String,
    attempts: u32,
    error: String,
    dead_at: String,
}

/// `GET /api/dead-letters?limit=N`: `{"dead_letters": [...]}`.
pub(crate) async fn list(
    State(state): State<ApiState>,
    params: Result<Query<DeadLetterParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = parse_limit(params?.0.limit)?;
    let dead = state
        .with_store(move |store| Ok(store.dead_letters(limit)?))
        .await?;
    let views: Vec<DeadLetterView> = dead
        .into_iter()
        .map(|d| DeadLetterView {
            alert_id: d.alert_id,
            receiver: d.receiver,
            attempts: d.attempts,
            error: d.error,
            dead_at: format_rfc3339(d.dead_ms),
        })
        .collect();
    Ok(Json(serde_json::json!({ "dead_letters": views })))
}
