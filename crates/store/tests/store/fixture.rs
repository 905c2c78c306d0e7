//! Alerts, batches and stores for the tests.

use r53guard_alert::{Alert, AlertRule, Entity, EvidenceEvent, Severity, SourceRef};
use r53guard_store::{AlertFilter, Batch, Position, RoutedAlert, Store};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use tempfile::TempDir;

/// A fresh store in a temporary directory (kept alive by the returned guard).
pub fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    (dir, store)
}

/// An alert of `rule` with this id, severity and `detected_at`, carrying one record.
pub fn alert(id: &str, rule: &str, severity: Severity, detected_at: &str) -> Alert {
    let record = format!(
        r#"{{"eventName":"DisableDomainTransferLock","n":{}}}"#,
        id.len()
    );
    Alert {
        id: id.to_owned(),
        rule: AlertRule {
            id: rule.to_owned(),
            name: format!("Rule {rule}"),
            version: 1,
            rule_type: "query".to_owned(),
            severity,
            risk_score: 73,
            tags: vec!["route53".to_owned()],
            threat: Vec::new(),
            author: Vec::new(),
            references: Vec::new(),
            license: None,
            source_url: None,
        },
        detected_at: detected_at.to_owned(),
        first_seen: detected_at.to_owned(),
        last_seen: detected_at.to_owned(),
        summary: format!("{rule} fired"),
        entity: Entity {
            account_id: Some("123456789012".to_owned()),
            ..Entity::default()
        },
        group: BTreeMap::new(),
        count: 1,
        distinct_count: None,
        window: None,
        suppressed: 0,
        events_total: 1,
        events: vec![EvidenceEvent {
            source: SourceRef {
                path: "logs/ct.json".to_owned(),
                line: 3,
                record: 2,
                part: None,
            },
            kind: "cloudtrail".to_owned(),
            event: RawValue::from_string(record).expect("raw JSON"),
        }],
    }
}

/// `alert` routed to `receivers`.
pub fn routed(alert: Alert, receivers: &[&str]) -> RoutedAlert {
    RoutedAlert {
        alert,
        receivers: receivers.iter().map(|r| (*r).to_owned()).collect(),
    }
}

/// A position of `source` in `file`.
pub fn position(source: &str, file: &str, offset: u64, record: u64) -> Position {
    Position {
        source: source.to_owned(),
        file: file.to_owned(),
        offset,
        record,
    }
}

/// A batch at `now_ms` with these alerts and nothing else.
pub fn alerts_batch(now_ms: i64, alerts: Vec<RoutedAlert>) -> Batch {
    Batch {
        now_ms,
        alerts,
        ..Batch::default()
    }
}

/// Everything the API shows of a store's state, to compare before and after.
pub fn dump(store: &Store, sources: &[&str]) -> String {
    let positions: Vec<_> = sources
        .iter()
        .map(|s| store.positions(s).expect("positions"))
        .collect();
    format!(
        "{positions:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.engine_state().expect("engine state"),
        store.list(&AlertFilter::default()).expect("list"),
        store.due(i64::MAX, 1000).expect("due"),
        store.outbox_counts().expect("counts"),
        store.alert_counts_by_rule().expect("counts by rule"),
    )
}
