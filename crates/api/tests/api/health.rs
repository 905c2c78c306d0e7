//! `/healthz` and `/readyz`: open, and readiness follows the caller's flag.

use crate::fixture::{api, request};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn healthz_is_open_and_always_ok() {
    let api = api();
    for authorization in [None, Some("Bearer wrong")] {
        let answer = request(&api.app, "GET", "/healthz", authorization, None).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.json(), json!({"status": "ok"}));
    }
}

#[tokio::test]
async fn readyz_follows_the_ready_flag() {
    let api = api();
    let readyz = || request(&api.app, "GET", "/readyz", None, None);
    let answer = readyz().await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.json(), json!({"status": "not ready"}));

    api.state.set_ready(true);
    assert!(api.state.is_ready());
    let answer = readyz().await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!({"status": "ready"}));

    // A clone of the state shares the flag (the service keeps one, the router another).
    let clone = api.state.clone();
    clone.set_ready(false);
    assert_eq!(readyz().await.status, StatusCode::SERVICE_UNAVAILABLE);
}
