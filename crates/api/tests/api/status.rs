//! `POST /api/alerts/{id}/status`: triage with a note and its history; 404, 422 and the
//! other refusals; dead letters and rules.

use crate::fixture::{TOKEN, api, get, ids, post, request, rules};
use axum::http::StatusCode;
use r53guard_event::time::parse_rfc3339;
use serde_json::{Value, json};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn sets_status_and_records_history() {
    let api = api();
    let before = now_ms();
    let answer = post(
        &api.app,
        "/api/alerts/a07/status",
        r#"{"status": "acknowledged", "note": "looking at it — \"ticket\" SEC-12"}"#,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let alert = answer.json();
    assert_eq!(alert["id"], "a07");
    assert_eq!(alert["status"], "acknowledged");
    let at = parse_rfc3339(alert["status_at"].as_str().unwrap()).unwrap();
    assert!(at >= before - 1 && at <= now_ms() + 1, "status_at is now");
    assert_eq!(
        alert["history"],
        json!([{
            "status": "acknowledged",
            "note": "looking at it — \"ticket\" SEC-12",
            "at": alert["status_at"],
        }])
    );

    let closed = post(
        &api.app,
        "/api/alerts/a07/status",
        r#"{"status": "closed"}"#,
    )
    .await;
    assert_eq!(closed.status, StatusCode::OK);
    let closed = closed.json();
    assert_eq!(closed["status"], "closed");
    let history = closed["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["status"], "acknowledged");
    assert_eq!(history[1]["status"], "closed");
    assert_eq!(history[1]["note"], Value::Null);

    // The change is what GET and the list see.
    let fetched = get(&api.app, "/api/alerts/a07").await.json();
    assert_eq!(fetched, closed);
    let closed_list = get(&api.app, "/api/alerts?status=closed").await.json();
    assert_eq!(ids(&closed_list), ["a07"]);
    assert_eq!(closed_list["alerts"][0]["status"], "closed");
    assert_eq!(closed_list["alerts"][0].get("history"), None);

    // Reopening is allowed and recorded; a blank note counts as none.
    let reopened = post(
        &api.app,
        "/api/alerts/a07/status",
        r#"{"status": "open", "note": "  "}"#,
    )
    .await
    .json();
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["history"][2]["note"], Value::Null);
    assert_eq!(
        api.store().status_history("a07").unwrap().len(),
        3,
        "stored"
    );
}

#[tokio::test]
async fn refuses_bad_changes() {
    let api = api();
    let uri = "/api/alerts/a01/status";
    let unprocessable = [
        (r#"{"status": "done"}"#, "status"),
        (r#"{"status": "Closed"}"#, "status"),
        (r#"{"note": "no status"}"#, "status"),
        (r#"{"status": "closed", "by": "me"}"#, "by"),
        (r#"{"status": 3}"#, "status"),
    ];
    for (body, mentions) in unprocessable {
        let message = post(&api.app, uri, body)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains(mentions), "{body}: {message}");
    }
    let long_note = json!({"status": "closed", "note": "n".repeat(4097)}).to_string();
    let message = post(&api.app, uri, &long_note)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("note"), "{message}");
    let ok_note = json!({"status": "closed", "note": "n".repeat(4096)}).to_string();
    assert_eq!(
        post(&api.app, "/api/alerts/a02/status", &ok_note)
            .await
            .status,
        StatusCode::OK
    );

    post(&api.app, uri, r#"{"status": "#)
        .await
        .error(StatusCode::BAD_REQUEST);
    let huge = json!({"status": "closed", "note": "n".repeat(20_000)}).to_string();
    post(&api.app, uri, &huge)
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE);
    request(
        &api.app,
        "POST",
        uri,
        Some(&format!("Bearer {TOKEN}")),
        None,
    )
    .await
    .error(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let message = post(
        &api.app,
        "/api/alerts/missing/status",
        r#"{"status": "closed"}"#,
    )
    .await
    .error(StatusCode::NOT_FOUND);
    assert_eq!(message, r#"no alert with id "missing""#);

    // Nothing refused left a trace.
    assert!(api.store().status_history("a01").unwrap().is_empty());
    assert_eq!(
        get(&api.app, "/api/alerts/a01").await.json()["status"],
        "open"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json_errors() {
    let api = api();
    get(&api.app, "/api/nothing")
        .await
        .error(StatusCode::NOT_FOUND);
    get(&api.app, "/api/alerts/a01/history")
        .await
        .error(StatusCode::NOT_FOUND);
    get(&api.app, "/").await.error(StatusCode::NOT_FOUND);
    let wrong = request(
        &api.app,
        "DELETE",
        "/api/alerts/a01",
        Some(&format!("Bearer {TOKEN}")),
        None,
    )
    .await;
    wrong.error(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers["allow"], "GET,HEAD");
    get(&api.app, "/api/alerts/a01/status")
        .await
        .error(StatusCode::METHOD_NOT_ALLOWED);
    request(&api.app, "POST", "/healthz", None, None)
        .await
        .error(StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn lists_the_rules_given() {
    let api = api();
    let metrics = api.state.metrics();
    metrics
        .alerts_held_back()
        .with(&["route53-domain-transfer-lock-disabled"])
        .add(3);
    metrics
        .late_records()
        .with(&["route53-domain-transfer-lock-disabled"])
        .inc();
    let answer = get(&api.app, "/api/rules").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        json!({"rules": [{
            "id": "route53-domain-transfer-lock-disabled",
            "name": "Route 53 domain transfer lock disabled",
            "severity": "high",
            "type": "query",
            "data": ["cloudtrail"],
            "mitre": ["TA0003", "T1098"],
            "source": "builtin",
            "held_back": 3,
            "late": 1,
        }]})
    );
    assert_eq!(rules().len(), 1);
}

#[tokio::test]
async fn lists_dead_letters() {
    let api = api();
    assert_eq!(
        get(&api.app, "/api/dead-letters").await.json(),
        json!({"dead_letters": []})
    );
    let mut store = api.store();
    assert!(
        store
            .mark_dead("a01", "slack", 5, "HTTP 404 no_service", BASE_DEAD)
            .unwrap()
    );
    assert!(
        store
            .mark_dead("a02", "slack", 5, "HTTP 410", BASE_DEAD + 1)
            .unwrap()
    );
    let answer = get(&api.app, "/api/dead-letters?limit=1").await.json();
    assert_eq!(
        answer,
        json!({"dead_letters": [{
            "alert_id": "a02",
            "receiver": "slack",
            "attempts": 5,
            "error": "HTTP 410",
            "dead_at": "2024-05-01T14:00:00.001Z",
        }]})
    );
    let all = get(&api.app, "/api/dead-letters").await.json();
    assert_eq!(all["dead_letters"].as_array().unwrap().len(), 2);
    get(&api.app, "/api/dead-letters?limit=0")
        .await
        .error(StatusCode::BAD_REQUEST);
}

/// 2024-05-01T14:00:00Z.
const BASE_DEAD: i64 = 1_714_572_000_000;
