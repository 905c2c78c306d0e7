//! `GET /healthz` (the process serves) and `GET /readyz` (the service has flagged itself
//! ready); both open, without a token.

use crate::state::ApiState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Always 200 `{"status": "ok"}`.
pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// 200 `{"status": "ready"}` once flagged ready, 503 `{"status": "not ready"}` before.
pub(crate) async fn readyz(State(state): State<ApiState>) -> (StatusCode, Json<Value>) {
    if state.is_ready() {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready" })),
        )
    }
}
