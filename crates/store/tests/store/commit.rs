//! `Store::commit`: what lands, that it lands whole or not at all, and that alerts and jobs
//! are never duplicated.

use crate::fixture::{alert, alerts_batch, dump, position, routed, store};
use r53guard_alert::Severity;
use r53guard_store::{Batch, StoreError};

const T: &str = "2024-05-01T12:00:00.000Z";

#[test]
fn a_commit_lands_positions_state_alerts_and_jobs() {
    let (_dir, mut store) = store();
    let a = alert("a1", "rule-x", Severity::High, T);
    let new = store
        .commit(&Batch {
            now_ms: 1_000,
            positions: vec![
                position("logs", "2049:17", 4096, 12),
                position("logs", "2049:18", 10, 1),
                position("bucket", "k.json.gz#etag1", 0, 300),
            ],
            engine_state: Some(b"state-1".to_vec()),
            alerts: vec![routed(a.clone(), &["slack", "pagerduty"])],
            requests: vec!["req-1".to_owned()],
        })
        .unwrap();
    assert_eq!(new, ["a1"]);
    assert_eq!(
        store.positions("logs").unwrap(),
        [
            position("logs", "2049:17", 4096, 12),
            position("logs", "2049:18", 10, 1)
        ]
    );
    assert_eq!(
        store.positions("bucket").unwrap(),
        [position("bucket", "k.json.gz#etag1", 0, 300)]
    );
    assert!(store.positions("other").unwrap().is_empty());
    assert_eq!(store.engine_state().unwrap().unwrap(), b"state-1");
    let stored = store.get("a1").unwrap().unwrap();
    assert_eq!(stored.alert, a);
    assert_eq!(stored.stored_ms, 1_000);
    assert_eq!(stored.detected_ms, 1_714_564_800_000);
    let jobs = store.due(1_000, 10).unwrap();
    let receivers: Vec<_> = jobs.iter().map(|j| j.receiver.as_str()).collect();
    assert_eq!(receivers, ["slack", "pagerduty"]);
    assert!(jobs.iter().all(|j| j.alert == a && j.attempt == 1));
    assert!(store.seen_request("req-1").unwrap());

    // The next step moves one position on, keeps the snapshot, and adds nothing else.
    store
        .commit(&Batch {
            now_ms: 2_000,
            positions: vec![position("logs", "2049:17", 8192, 20)],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(
        store.positions("logs").unwrap()[0],
        position("logs", "2049:17", 8192, 20)
    );
    assert_eq!(store.engine_state().unwrap().unwrap(), b"state-1");
}

#[test]
fn duplicate_alert_ids_add_no_rows_and_no_jobs() {
    let (_dir, mut store) = store();
    let a = alert("a1", "rule-x", Severity::High, T);
    let b = alert("b1", "rule-x", Severity::Low, T);
    assert_eq!(
        store
            .commit(&alerts_batch(
                1_000,
                vec![routed(a.clone(), &["slack", "pagerduty"])]
            ))
            .unwrap(),
        ["a1"]
    );
    assert!(store.mark_delivered("a1", "slack", 1_100).unwrap());

    // A replay raises a1 again (with another route, even), twice, beside a new alert whose
    // route names a receiver twice.
    let new = store
        .commit(&alerts_batch(
            2_000,
            vec![
                routed(a.clone(), &["slack", "pagerduty", "webhook"]),
                routed(b, &["stdout", "stdout"]),
                routed(a, &["slack"]),
            ],
        ))
        .unwrap();
    assert_eq!(new, ["b1"]);
    assert_eq!(
        store.alert_counts_by_rule().unwrap(),
        [("rule-x".to_owned(), 2)]
    );
    let jobs: Vec<_> = store
        .due(i64::MAX, 10)
        .unwrap()
        .into_iter()
        .map(|j| (j.alert.id, j.receiver))
        .collect();
    assert_eq!(
        jobs,
        [
            ("a1".to_owned(), "pagerduty".to_owned()),
            ("b1".to_owned(), "stdout".to_owned())
        ]
    );
    assert!(store.was_sent("a1", "slack").unwrap());
    let counts = store.outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.sent, counts.dead), (2, 1, 0));
}

#[test]
fn a_commit_with_a_committed_request_id_changes_nothing() {
    let (_dir, mut store) = store();
    store
        .commit(&Batch {
            now_ms: 1_000,
            positions: vec![position("firehose", "-", 0, 3)],
            engine_state: Some(b"state-1".to_vec()),
            alerts: vec![routed(alert("a1", "rule-x", Severity::High, T), &["slack"])],
            requests: vec!["req-1".to_owned()],
        })
        .unwrap();
    let before = dump(&store, &["firehose", "logs"]);

    // Everything else in the batch comes before the request ids: it is all rolled back.
    let err = store
        .commit(&Batch {
            now_ms: 2_000,
            positions: vec![
                position("firehose", "-", 0, 9),
                position("logs", "2049:17", 100, 1),
            ],
            engine_state: Some(b"state-2".to_vec()),
            alerts: vec![
                routed(alert("a2", "rule-y", Severity::Low, T), &["slack"]),
                routed(alert("a3", "rule-y", Severity::Low, T), &["pagerduty"]),
            ],
            requests: vec!["req-2".to_owned(), "req-1".to_owned()],
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::DuplicateRequest(id) if id == "req-1"),
        "{err}"
    );
    assert_eq!(dump(&store, &["firehose", "logs"]), before);
    assert!(!store.seen_request("req-2").unwrap());
    assert!(store.get("a2").unwrap().is_none());
}

#[test]
fn a_commit_with_a_bad_alert_changes_nothing() {
    let (_dir, mut store) = store();
    let before = dump(&store, &["logs"]);
    let err = store
        .commit(&Batch {
            now_ms: 1_000,
            positions: vec![position("logs", "2049:17", 100, 1)],
            engine_state: Some(b"state-1".to_vec()),
            alerts: vec![
                routed(alert("a1", "rule-x", Severity::High, T), &["slack"]),
                routed(
                    alert("a2", "rule-x", Severity::High, "yesterday"),
                    &["slack"],
                ),
            ],
            requests: vec!["req-1".to_owned()],
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::BadDetectedAt { id, .. } if id == "a2"),
        "{err}"
    );
    assert_eq!(dump(&store, &["logs"]), before);
    assert!(!store.seen_request("req-1").unwrap());

    let err = store
        .commit(&Batch {
            now_ms: 1_000,
            positions: vec![
                position("logs", "2049:17", 100, 1),
                position("logs", "2049:18", u64::MAX, 1),
            ],
            ..Batch::default()
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err}");
    assert_eq!(dump(&store, &["logs"]), before);
}

#[test]
fn request_ids_are_seen_until_pruned() {
    let (_dir, mut store) = store();
    for (now_ms, id) in [(1_000, "req-1"), (5_000, "req-2")] {
        store
            .commit(&Batch {
                now_ms,
                requests: vec![id.to_owned()],
                ..Batch::default()
            })
            .unwrap();
    }
    assert!(store.seen_request("req-1").unwrap());
    assert!(store.seen_request("req-2").unwrap());
    assert!(!store.seen_request("req-3").unwrap());
    assert_eq!(store.prune_requests(5_000).unwrap(), 1);
    assert!(!store.seen_request("req-1").unwrap());
    assert!(store.seen_request("req-2").unwrap());
}
