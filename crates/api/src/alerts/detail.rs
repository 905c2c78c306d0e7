//! `GET /api/alerts/{id}`: one alert with its status history.

use super::view::AlertDetail;
use crate::error::ApiError;
use crate::state::ApiState;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use r53guard_store::Store;

/// The alert `id` with its history, or a 404.
pub(crate) fn detail(store: &Store, id: &str) -> Result<AlertDetail, ApiError> {
    let stored = store
        .get(id)?
        .ok_or_else(|| ApiError::not_found(format!("no alert with id {id:?}")))?;
    Ok(AlertDetail::new(stored, store.status_history(id)?))
}

/// `GET /api/alerts/{id}`.
pub(crate) async fn get(
    State(state): State<ApiState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<AlertDetail>, ApiError> {
    let Path(id) = id?;
    let detail = state.with_store(move |store| detail(store, &id)).await?;
    Ok(Json(detail))
}
