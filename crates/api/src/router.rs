//! The routes, which of them need the token, and the limits on every request.

use crate::auth::require_token;
use crate::error::{no_route, wrong_method};
use crate::state::ApiState;
use crate::{alerts, dead_letters, health, metrics_endpoint, rules};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

/// The largest request body accepted, in bytes (larger: 413).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The API's routes over `state`.
///
/// `/healthz` and `/readyz` are open; everything else — every `/api/*` route, `/metrics`,
/// and any other path — answers 401 without `Authorization: Bearer <token>`. Unknown paths
/// answer 404 and wrong methods 405, both with a JSON error.
pub fn router(state: ApiState) -> Router {
    let protected = Router::new()
        .route("/api/alerts", get(alerts::list))
        .route("/api/alerts/{id}", get(alerts::get))
        .route("/api/alerts/{id}/status", post(alerts::set_status))
        .route("/api/rules", get(rules::list))
        .route("/api/dead-letters", get(dead_letters::list))
        .route("/metrics", get(metrics_endpoint::metrics))
        .method_not_allowed_fallback(wrong_method)
        .fallback(no_route)
        .layer(from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .method_not_allowed_fallback(wrong_method)
        .merge(protected)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
