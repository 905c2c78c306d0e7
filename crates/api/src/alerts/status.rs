//! `POST /api/alerts/{id}/status`: triage an alert, with a note.

use super::detail::detail;
use super::view::AlertDetail;
use crate::error::ApiError;
use crate::state::ApiState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use r53guard_store::Status;
use serde::Deserialize;
use std::time::{SystemTime, UNIX_EPOCH};

/// The longest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 4096;

/// The request body: `{"status": "acknowledged", "note": "..."}` (`note` optional).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusBody {
    status: String,
    note: Option<String>,
}

/// `POST /api/alerts/{id}/status`: sets the status (422 for an unknown status or a note over
/// [`MAX_NOTE_BYTES`], 404 for an unknown alert) and answers the alert as
/// `GET /api/alerts/{id}` would.
pub(crate) async fn set_status(
    State(state): State<ApiState>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<StatusBody>, JsonRejection>,
) -> Result<Json<AlertDetail>, ApiError> {
    let Path(id) = id?;
    let Json(body) = body?;
    let status: Status = body
        .status
        .parse()
        .map_err(|e| ApiError::unprocessable(format!("status: {e}")))?;
    let note = body.note.filter(|n| !n.trim().is_empty());
    if note.as_ref().is_some_and(|n| n.len() > MAX_NOTE_BYTES) {
        return Err(ApiError::unprocessable(format!(
            "note: longer than {MAX_NOTE_BYTES} bytes"
        )));
    }
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let detail = state
        .with_store(move |store| {
            if !store.set_status(&id, status, note.as_deref(), now_ms)? {
                return Err(ApiError::not_found(format!("no alert with id {id:?}")));
            }
            detail(store, &id)
        })
        .await?;
    Ok(Json(detail))
}
