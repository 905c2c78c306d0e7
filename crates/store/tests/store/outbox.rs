//! The outbox: due jobs, retries and deferrals, the sent-ledger, dead letters, counts.

use crate::fixture::{alert, alerts_batch, routed, store};
use r53guard_alert::Severity;
use r53guard_store::{DeadLetter, OutboxCounts};

const T: &str = "2024-05-01T12:00:00.000Z";

#[test]
fn a_job_goes_from_the_outbox_to_the_ledger_or_the_dead_letters() {
    let (_dir, mut store) = store();
    let a = alert("a1", "rule-x", Severity::High, T);
    store
        .commit(&alerts_batch(
            1_000,
            vec![routed(a.clone(), &["slack", "pagerduty"])],
        ))
        .unwrap();
    assert!(store.due(999, 10).unwrap().is_empty());
    assert_eq!(store.next_due_ms().unwrap(), Some(1_000));
    assert_eq!(store.due(1_000, 10).unwrap().len(), 2);

    // Slack: delivered on the first attempt.
    assert!(store.mark_delivered("a1", "slack", 1_100).unwrap());
    assert!(!store.mark_delivered("a1", "slack", 1_200).unwrap());
    assert!(store.was_sent("a1", "slack").unwrap());
    assert!(!store.was_sent("a1", "pagerduty").unwrap());

    // PagerDuty: a 503, retried later; then deferred by a rate limit (same attempt, no new
    // error); then refused for good.
    assert!(
        store
            .reschedule("a1", "pagerduty", 2, 5_000, Some("HTTP 503"))
            .unwrap()
    );
    assert!(store.due(4_999, 10).unwrap().is_empty());
    assert_eq!(store.next_due_ms().unwrap(), Some(5_000));
    let job = store.due(5_000, 10).unwrap().remove(0);
    assert_eq!(
        (job.alert, job.receiver.as_str(), job.attempt, job.next_ms),
        (a, "pagerduty", 2, 5_000)
    );
    assert_eq!(job.last_error.as_deref(), Some("HTTP 503"));
    assert!(store.reschedule("a1", "pagerduty", 2, 6_000, None).unwrap());
    let job = store.due(6_000, 10).unwrap().remove(0);
    assert_eq!(
        (job.attempt, job.last_error.as_deref()),
        (2, Some("HTTP 503"))
    );
    assert!(
        store
            .mark_dead("a1", "pagerduty", 2, "HTTP 400: invalid routing key", 6_100)
            .unwrap()
    );

    assert!(store.due(i64::MAX, 10).unwrap().is_empty());
    assert_eq!(store.next_due_ms().unwrap(), None);
    assert!(!store.was_sent("a1", "pagerduty").unwrap());
    assert_eq!(
        store.dead_letters(10).unwrap(),
        [DeadLetter {
            alert_id: "a1".to_owned(),
            receiver: "pagerduty".to_owned(),
            attempts: 2,
            error: "HTTP 400: invalid routing key".to_owned(),
            dead_ms: 6_100,
        }]
    );
    assert_eq!(
        store.outbox_counts().unwrap(),
        OutboxCounts {
            pending: 0,
            sent: 1,
            dead: 1
        }
    );
    // A finished job cannot be moved again.
    assert!(!store.reschedule("a1", "pagerduty", 3, 7_000, None).unwrap());
    assert!(!store.mark_delivered("a1", "pagerduty", 7_000).unwrap());
    assert!(!store.mark_dead("a1", "slack", 1, "x", 7_000).unwrap());
    assert_eq!(store.outbox_counts().unwrap().dead, 1);
}

#[test]
fn due_jobs_come_longest_waiting_first_up_to_the_limit() {
    let (_dir, mut store) = store();
    for (now_ms, id) in [(1_000, "a1"), (2_000, "a2"), (3_000, "a3")] {
        store
            .commit(&alerts_batch(
                now_ms,
                vec![routed(alert(id, "rule-x", Severity::Medium, T), &["hook"])],
            ))
            .unwrap();
    }
    // a1 is put off past the others.
    store
        .reschedule("a1", "hook", 2, 3_500, Some("timed out"))
        .unwrap();
    let order = |limit| -> Vec<String> {
        store
            .due(10_000, limit)
            .unwrap()
            .into_iter()
            .map(|j| j.alert.id)
            .collect()
    };
    assert_eq!(order(10), ["a2", "a3", "a1"]);
    assert_eq!(order(2), ["a2", "a3"]);
    assert_eq!(store.due(2_500, 10).unwrap().len(), 1);
    assert_eq!(store.outbox_counts().unwrap().pending, 3);
}

#[test]
fn dead_letters_list_newest_first() {
    let (_dir, mut store) = store();
    store
        .commit(&alerts_batch(
            1_000,
            vec![routed(
                alert("a1", "rule-x", Severity::Critical, T),
                &["r1", "r2", "r3"],
            )],
        ))
        .unwrap();
    for (i, receiver) in ["r1", "r2", "r3"].into_iter().enumerate() {
        store
            .mark_dead("a1", receiver, 5, "HTTP 500", 2_000 + i as i64)
            .unwrap();
    }
    let receivers: Vec<_> = store
        .dead_letters(2)
        .unwrap()
        .into_iter()
        .map(|d| d.receiver)
        .collect();
    assert_eq!(receivers, ["r3", "r2"]);
    assert_eq!(store.outbox_counts().unwrap().dead, 3);
}
