//! Many requests at once, on a multi-threaded runtime: every one answered right, and every
//! status change recorded once.

use crate::fixture::{api, get, post};
use axum::http::StatusCode;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_and_writes_all_succeed() {
    let api = api();
    let mut tasks = JoinSet::new();
    for i in 0..60 {
        let app = api.app.clone();
        let metrics = api.state.metrics().clone();
        tasks.spawn(async move {
            metrics.records_in().with(&["resolver"]).inc();
            match i % 4 {
                0 => {
                    let page = get(&app, "/api/alerts?limit=5&severity=medium").await;
                    assert_eq!(page.status, StatusCode::OK);
                    assert_eq!(crate::fixture::ids(&page.json()).len(), 5);
                }
                1 => {
                    let id = format!("a{:02}", i % 12);
                    let status = if i % 8 == 1 { "acknowledged" } else { "closed" };
                    let answer = post(
                        &app,
                        &format!("/api/alerts/{id}/status"),
                        &format!(r#"{{"status": "{status}", "note": "task {i}"}}"#),
                    )
                    .await;
                    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
                }
                2 => {
                    let answer = get(&app, "/metrics").await;
                    assert_eq!(answer.status, StatusCode::OK);
                }
                _ => {
                    let answer = get(&app, &format!("/api/alerts/a{:02}", i % 12)).await;
                    assert_eq!(answer.status, StatusCode::OK);
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    assert_eq!(
        api.state.metrics().records_in().with(&["resolver"]).get(),
        60
    );
    let store = api.store();
    let changes: usize = (0..12)
        .map(|i| store.status_history(&format!("a{i:02}")).unwrap().len())
        .sum();
    assert_eq!(changes, 15, "one history row per POST");
    for i in 0..12 {
        let id = format!("a{i:02}");
        let history = store.status_history(&id).unwrap();
        let notes: Vec<_> = history.iter().map(|c| c.note.clone().unwrap()).collect();
        assert!(
            notes.iter().all(|n| n.starts_with("task ")),
            "{id}: {notes:?}"
        );
    }
}
