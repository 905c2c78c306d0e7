//! `GET /api/alerts` (filters, pages, bad parameters) and `GET /api/alerts/{id}`.

use crate::fixture::{alerts, api, get, ids};
use axum::http::StatusCode;
use serde_json::Value;

/// Every id a filtered listing returns, following `next` to the end with pages of `limit`;
/// also checks that every page but the last is full.
async fn walk(app: &axum::Router, query: &str, limit: usize) -> (Vec<String>, usize) {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut uri = format!("/api/alerts?limit={limit}");
        if !query.is_empty() {
            uri.push('&');
            uri.push_str(query);
        }
        if let Some(c) = &cursor {
            uri.push_str(&format!("&cursor={c}"));
        }
        let answer = get(app, &uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let page = answer.json();
        let page_ids = ids(&page);
        pages += 1;
        all.extend(page_ids.iter().cloned());
        match &page["next"] {
            Value::Null => return (all, pages),
            Value::String(next) => {
                assert_eq!(page_ids.len(), limit, "a page before the last is full");
                cursor = Some(next.clone());
            }
            other => panic!("bad next: {other}"),
        }
        assert!(pages < 100, "paging does not end");
    }
}

#[tokio::test]
async fn lists_every_alert_newest_first_with_its_status() {
    let api = api();
    let answer = get(&api.app, "/api/alerts").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers["content-type"], "application/json",
        "JSON answer"
    );
    let page = answer.json();
    assert_eq!(page["next"], Value::Null);
    let listed = ids(&page);
    assert_eq!(listed.len(), 14);
    assert_eq!(&listed[..3], ["a11", "a10", "a09"]);
    assert_eq!(&listed[6..9], ["t2", "t1", "a05"]);

    // Each entry is the stored alert JSON plus the status fields.
    let first = &page["alerts"][0];
    let mut expected = serde_json::to_value(&alerts()[11]).unwrap();
    let object = expected.as_object_mut().unwrap();
    object.insert("status".into(), "open".into());
    object.insert("status_at".into(), Value::Null);
    object.insert("stored_at".into(), "2024-05-01T13:00:00.000Z".into());
    assert_eq!(first, &expected);
    assert_eq!(first["events"][0]["event"]["id"], "a11");
}

#[tokio::test]
async fn filters_by_rule_severity_time_and_status() {
    let api = api();
    let list = |query: &'static str| {
        let app = api.app.clone();
        async move {
            let answer = get(&app, &format!("/api/alerts?{query}")).await;
            assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.text());
            ids(&answer.json())
        }
    };
    assert_eq!(
        list("rule=rule-b").await,
        ["a11", "a09", "a07", "a05", "a03", "a01"]
    );
    assert_eq!(
        list("severity=high").await,
        ["a11", "a10", "a07", "a06", "a03", "a02"]
    );
    assert_eq!(list("severity=CRITICAL").await, ["a11", "a07", "a03"]);
    assert_eq!(
        list("since=2024-05-01T12:04:00Z&until=2024-05-01T12:06:00Z").await,
        ["t2", "t1", "a05", "a04"]
    );
    // Offsets are honoured: 14:10+02:00 is 12:10Z.
    assert_eq!(
        list("since=2024-05-01T14:10:00%2B02:00").await,
        ["a11", "a10"]
    );
    assert_eq!(list("until=2024-05-01T12:01:00.000Z").await, ["a00"]);
    assert_eq!(
        list("rule=rule-b&severity=critical&since=2024-05-01T12:05:00Z").await,
        ["a11", "a07"]
    );
    assert!(list("rule=no-such-rule").await.is_empty());

    assert!(list("status=acknowledged").await.is_empty());
    let mut store = api.store();
    store
        .set_status("a03", r53guard_store::Status::Acknowledged, None, 5)
        .unwrap();
    store
        .set_status("a08", r53guard_store::Status::Closed, None, 6)
        .unwrap();
    assert_eq!(list("status=acknowledged").await, ["a03"]);
    assert_eq!(list("status=closed").await, ["a08"]);
    assert_eq!(list("status=open").await.len(), 12);
    assert_eq!(
        list("status=open&rule=rule-a&severity=high").await,
        ["a10", "a06", "a02"]
    );
}

#[tokio::test]
async fn pages_to_the_end() {
    let api = api();
    let everything = ids(&get(&api.app, "/api/alerts").await.json());
    for limit in [1, 2, 3, 5, 13, 14, 1000] {
        let (walked, pages) = walk(&api.app, "", limit).await;
        assert_eq!(walked, everything, "limit {limit}");
        assert_eq!(pages, 14usize.div_ceil(limit), "limit {limit}");
    }
    // Pages with a filter, and across alerts sharing a detection time.
    let (walked, _) = walk(&api.app, "rule=rule-c", 1).await;
    assert_eq!(walked, ["t2", "t1"]);
    let (walked, pages) = walk(
        &api.app,
        "since=2024-05-01T12:05:00Z&until=2024-05-01T12:06:00Z",
        2,
    )
    .await;
    assert_eq!(walked, ["t2", "t1", "a05"]);
    assert_eq!(pages, 2);
}

#[tokio::test]
async fn the_default_page_is_100_alerts() {
    let api = api();
    let mut store = api.store();
    let extra: Vec<_> = (0..150)
        .map(|i| r53guard_store::RoutedAlert {
            alert: crate::fixture::alert(
                &format!("x{i:03}"),
                "rule-x",
                r53guard_alert::Severity::Medium,
                "2024-04-01T00:00:00Z",
            ),
            receivers: Vec::new(),
        })
        .collect();
    store
        .commit(&r53guard_store::Batch {
            now_ms: 1,
            alerts: extra,
            ..Default::default()
        })
        .unwrap();
    let page = get(&api.app, "/api/alerts").await.json();
    assert_eq!(ids(&page).len(), 100);
    assert!(page["next"].is_string());
    let (walked, pages) = walk(&api.app, "rule=rule-x", 1000).await;
    assert_eq!((walked.len(), pages), (150, 1));
}

#[tokio::test]
async fn refuses_bad_parameters_with_400() {
    let api = api();
    let cases = [
        ("severity=extreme", "severity"),
        ("severity=", "severity"),
        ("since=yesterday", "since"),
        ("until=2024-13-01T00:00:00Z", "until"),
        (
            "since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z",
            "since is after until",
        ),
        ("status=done", "status"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("limit=-1", "limit"),
        ("cursor=nonsense", "cursor"),
        ("cursor=12_", "cursor"),
        ("severity_min=high", "severity_min"),
        ("rule=a&rule=b", "rule"),
    ];
    for (query, mentions) in cases {
        let answer = get(&api.app, &format!("/api/alerts?{query}")).await;
        let message = answer.error(StatusCode::BAD_REQUEST);
        assert!(message.contains(mentions), "{query}: {message}");
    }
}

#[tokio::test]
async fn gets_one_alert_with_its_history() {
    let api = api();
    let answer = get(&api.app, "/api/alerts/a05").await;
    assert_eq!(answer.status, StatusCode::OK);
    let alert = answer.json();
    assert_eq!(alert["id"], "a05");
    assert_eq!(alert["rule"]["id"], "rule-b");
    assert_eq!(alert["rule"]["severity"], "medium");
    assert_eq!(alert["detected_at"], "2024-05-01T12:05:00.000Z");
    assert_eq!(alert["status"], "open");
    assert_eq!(alert["status_at"], Value::Null);
    assert_eq!(alert["history"], serde_json::json!([]));

    let missing = get(&api.app, "/api/alerts/nope").await;
    assert_eq!(
        missing.error(StatusCode::NOT_FOUND),
        r#"no alert with id "nope""#
    );
}
