//! Alerts, batches and stores for the tests.

use r53guard_alert::testing::sample_alert;
use r53guard_alert::{Alert, Severity};
use r53guard_store::{AlertFilter, Batch, Position, RoutedAlert, Store};
use tempfile::TempDir;

/// A fresh store in a temporary directory (kept alive by the returned guard).
pub fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    (dir, store)
}

/// An alert of `rule` with this id, severity and `detected_at`, carrying one record.
pub fn alert(id: &str, rule: &str, severity: Severity, detected_at: &str) -> Alert {
    sample_alert(id, rule, severity, detected_at, record(id))
}

/// The triggering record of the test alert `id`.
pub fn record(id: &str) -> String {
    format!(
        r#"{{"eventName":"DisableDomainTransferLock","n":{}}}"#,
        id.len()
    )
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
