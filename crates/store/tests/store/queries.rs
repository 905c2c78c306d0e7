//! Alert queries for the HTTP API: filters, paging, get, status changes, counts.

use crate::fixture::{alert, alerts_batch, record, routed, store};
use r53guard_alert::Severity;
use r53guard_alert::testing::sample_alert_set;
use r53guard_event::time::format_rfc3339;
use r53guard_store::{AlertFilter, Cursor, Status, StatusChange, Store};
use tempfile::TempDir;

/// 2024-05-01T12:00:00Z.
const BASE: i64 = 1_714_564_800_000;
const MINUTE: i64 = 60_000;

/// A store holding [`sample_alert_set`] from BASE.
fn populated() -> (TempDir, Store) {
    let (dir, mut store) = store();
    let alerts = sample_alert_set(|minute| format_rfc3339(BASE + minute * MINUTE), record);
    let batch = alerts_batch(1_000, alerts.into_iter().map(|a| routed(a, &[])).collect());
    store.commit(&batch).unwrap();
    (dir, store)
}

fn ids(store: &Store, filter: &AlertFilter) -> Vec<String> {
    let page = store.list(filter).unwrap();
    assert!(page.next.is_none(), "one page expected");
    page.alerts.into_iter().map(|a| a.alert.id).collect()
}

#[test]
fn filters_by_rule_severity_time_and_status() {
    let (_dir, mut store) = populated();
    let all = ids(&store, &AlertFilter::default());
    assert_eq!(all.len(), 14);
    // Newest first; at the same time, higher ids first.
    assert_eq!(&all[..3], ["a11", "a10", "a09"]);
    assert_eq!(&all[6..9], ["t2", "t1", "a05"]);

    let rule_b = AlertFilter {
        rule_id: Some("rule-b".to_owned()),
        ..AlertFilter::default()
    };
    assert_eq!(
        ids(&store, &rule_b),
        ["a11", "a09", "a07", "a05", "a03", "a01"]
    );

    let high = AlertFilter {
        min_severity: Some(Severity::High),
        ..AlertFilter::default()
    };
    assert_eq!(
        ids(&store, &high),
        ["a11", "a10", "a07", "a06", "a03", "a02"]
    );

    let window = AlertFilter {
        since_ms: Some(BASE + 4 * MINUTE),
        until_ms: Some(BASE + 6 * MINUTE),
        ..AlertFilter::default()
    };
    assert_eq!(ids(&store, &window), ["t2", "t1", "a05", "a04"]);

    let combined = AlertFilter {
        rule_id: Some("rule-b".to_owned()),
        min_severity: Some(Severity::Critical),
        since_ms: Some(BASE + 5 * MINUTE),
        ..AlertFilter::default()
    };
    assert_eq!(ids(&store, &combined), ["a11", "a07"]);

    store
        .set_status("a07", Status::Closed, None, 2_000)
        .unwrap();
    store
        .set_status("a03", Status::Acknowledged, None, 2_000)
        .unwrap();
    let closed = AlertFilter {
        status: Some(Status::Closed),
        ..AlertFilter::default()
    };
    assert_eq!(ids(&store, &closed), ["a07"]);
    let open_critical = AlertFilter {
        status: Some(Status::Open),
        min_severity: Some(Severity::Critical),
        ..AlertFilter::default()
    };
    assert_eq!(ids(&store, &open_critical), ["a11"]);
}

#[test]
fn pages_follow_the_cursor_to_the_end() {
    let (_dir, store) = populated();
    let all = ids(&store, &AlertFilter::default());
    let mut seen = Vec::new();
    let mut filter = AlertFilter {
        limit: 3,
        ..AlertFilter::default()
    };
    loop {
        let page = store.list(&filter).unwrap();
        assert!(page.alerts.len() <= 3);
        seen.extend(page.alerts.into_iter().map(|a| a.alert.id));
        let Some(next) = page.next else { break };
        // The cursor survives a trip through a URL.
        filter.after = Some(next.to_string().parse().unwrap());
    }
    assert_eq!(seen, all);

    // A page that ends exactly at the last alert says there is no next page.
    let exact = AlertFilter {
        rule_id: Some("rule-c".to_owned()),
        limit: 2,
        ..AlertFilter::default()
    };
    assert_eq!(ids(&store, &exact), ["t2", "t1"]);

    // Paging works together with filters: the cursor sits between t2 and t1.
    let after_t2 = AlertFilter {
        after: Some(Cursor {
            detected_ms: BASE + 5 * MINUTE,
            id: "t2".to_owned(),
        }),
        since_ms: Some(BASE + 4 * MINUTE),
        ..AlertFilter::default()
    };
    assert_eq!(ids(&store, &after_t2), ["t1", "a05", "a04"]);
}

#[test]
fn bad_cursors_are_refused() {
    for bad in ["", "12", "x_a1", "12_", "_a1"] {
        assert!(bad.parse::<Cursor>().is_err(), "{bad:?}");
    }
}

#[test]
fn get_returns_the_alert_as_stored() {
    let (_dir, store) = populated();
    let stored = store.get("a05").unwrap().unwrap();
    let expected = alert(
        "a05",
        "rule-b",
        Severity::Medium,
        &format_rfc3339(BASE + 5 * MINUTE),
    );
    assert_eq!(stored.alert, expected);
    assert_eq!(
        stored.alert.events[0].event.get(),
        expected.events[0].event.get()
    );
    assert_eq!(
        (stored.status, stored.status_ms, stored.detected_ms),
        (Status::Open, None, BASE + 5 * MINUTE)
    );
    assert!(store.get("nope").unwrap().is_none());
}

#[test]
fn status_changes_are_kept_with_their_notes() {
    let (_dir, mut store) = populated();
    assert!(
        store
            .set_status("a01", Status::Acknowledged, Some("looking at it"), 2_000)
            .unwrap()
    );
    assert!(
        store
            .set_status(
                "a01",
                Status::Closed,
                Some("expected: domain move ticket 42"),
                3_000
            )
            .unwrap()
    );
    assert!(
        !store
            .set_status("nope", Status::Closed, None, 3_000)
            .unwrap()
    );

    let stored = store.get("a01").unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.status_ms),
        (Status::Closed, Some(3_000))
    );
    assert_eq!(
        store.status_history("a01").unwrap(),
        [
            StatusChange {
                status: Status::Acknowledged,
                note: Some("looking at it".to_owned()),
                at_ms: 2_000,
            },
            StatusChange {
                status: Status::Closed,
                note: Some("expected: domain move ticket 42".to_owned()),
                at_ms: 3_000,
            },
        ]
    );
    assert!(store.status_history("a02").unwrap().is_empty());
    assert!(store.status_history("nope").unwrap().is_empty());
    assert_eq!(
        "acknowledged".parse::<Status>().unwrap(),
        Status::Acknowledged
    );
    assert!("done".parse::<Status>().is_err());
}

#[test]
fn counts_alerts_by_rule() {
    let (_dir, store) = populated();
    assert_eq!(
        store.alert_counts_by_rule().unwrap(),
        [
            ("rule-a".to_owned(), 6),
            ("rule-b".to_owned(), 6),
            ("rule-c".to_owned(), 2)
        ]
    );
}
