//! The bearer-token check in front of `/api/*` and `/metrics`.

use crate::error::ApiError;
use crate::state::ApiState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// Passes the request on only when it carries `Authorization: Bearer <the token>` (the
/// scheme in any case, RFC 7235); answers 401 with a `WWW-Authenticate: Bearer` challenge
/// otherwise. The presented token is never logged or echoed.
pub(crate) async fn require_token(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return ApiError::unauthorized(false);
    };
    let presented = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match presented {
        Some(token) if state.token.matches(token) => next.run(request).await,
        _ => ApiError::unauthorized(true),
    }
}
