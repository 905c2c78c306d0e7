//! A populated store, the API over it, and requests to it.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use r53guard_alert::testing::{sample_alert, sample_alert_set};
use r53guard_alert::{Alert, Severity};
use r53guard_api::{ApiState, ApiToken, Metrics, RuleInfo, router};
use r53guard_event::time::format_rfc3339;
use r53guard_store::{Batch, RoutedAlert, Store};
use serde_json::Value;
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

/// The API token of the tests.
pub const TOKEN: &str = "t0ken-for-tests_0123456789";

/// 2024-05-01T12:00:00Z.
pub const BASE: i64 = 1_714_564_800_000;
pub const MINUTE: i64 = 60_000;

/// The API over a store in a temporary directory.
pub struct Api {
    pub dir: TempDir,
    pub state: ApiState,
    pub app: Router,
}

/// An alert of `rule` with this id, severity and `detected_at`, carrying one record.
pub fn alert(id: &str, rule: &str, severity: Severity, detected_at: &str) -> Alert {
    sample_alert(id, rule, severity, detected_at, record(id))
}

fn record(id: &str) -> String {
    format!(r#"{{"eventName":"X","id":"{id}"}}"#)
}

/// The alerts of [`sample_alert_set`] from BASE, each routed to `slack` by the callers.
pub fn alerts() -> Vec<Alert> {
    sample_alert_set(|minute| format_rfc3339(BASE + minute * MINUTE), record)
}

/// The rules the tests' API says it runs.
pub fn rules() -> Vec<RuleInfo> {
    vec![RuleInfo {
        id: "route53-domain-transfer-lock-disabled".to_owned(),
        name: "Route 53 domain transfer lock disabled".to_owned(),
        severity: Severity::High,
        rule_type: "query".to_owned(),
        data: vec!["cloudtrail".to_owned()],
        mitre: vec!["TA0003".to_owned(), "T1098".to_owned()],
        source: "builtin".to_owned(),
    }]
}

/// A store holding [`alerts`], and the API over it.
pub fn api() -> Api {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path()).expect("open store");
    let batch = Batch {
        now_ms: BASE + 3_600_000,
        alerts: alerts()
            .into_iter()
            .map(|alert| RoutedAlert {
                alert,
                receivers: vec!["slack".to_owned()],
            })
            .collect(),
        ..Batch::default()
    };
    store.commit(&batch).expect("commit");
    let token = ApiToken::new(TOKEN).expect("token");
    let state = ApiState::new(store, token, rules(), Arc::new(Metrics::new()));
    let app = router(state.clone());
    Api { dir, state, app }
}

impl Api {
    /// Another connection to the API's store (for what the pipeline and notifier would do).
    pub fn store(&self) -> Store {
        Store::open(self.dir.path()).expect("open store")
    }
}

/// A request's answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    /// The JSON error message, checking the answer is `{"error": "..."}` with `status`.
    pub fn error(&self, status: StatusCode) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let json = self.json();
        assert_eq!(json.as_object().map(|o| o.len()), Some(1), "{json}");
        json["error"].as_str().expect("error text").to_owned()
    }
}

/// `method uri` with this `Authorization` header value (none when `None`) and JSON body.
pub async fn request(
    app: &Router,
    method: &str,
    uri: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let request = builder
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// `GET uri` with the right token.
pub async fn get(app: &Router, uri: &str) -> Answer {
    request(app, "GET", uri, Some(&format!("Bearer {TOKEN}")), None).await
}

/// `POST uri` with the right token and this JSON body.
pub async fn post(app: &Router, uri: &str, body: &str) -> Answer {
    request(
        app,
        "POST",
        uri,
        Some(&format!("Bearer {TOKEN}")),
        Some(body),
    )
    .await
}

/// The ids of a list answer's alerts.
pub fn ids(page: &Value) -> Vec<String> {
    page["alerts"]
        .as_array()
        .expect("alerts array")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}
