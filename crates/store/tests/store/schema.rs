//! Opening: the schema version, the journal mode, reopening, and a newer schema refused.

use crate::fixture::{alert, alerts_batch, routed};
use r53guard_alert::Severity;
use r53guard_store::{DB_FILE, SCHEMA_VERSION, Store, StoreError};

#[test]
fn a_new_store_has_the_current_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/r53guard-data");
    let store = Store::open(&data).unwrap();
    assert_eq!(store.path(), data.join(DB_FILE));
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let conn = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn what_was_committed_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        let a = alert("a1", "rule-x", Severity::High, "2024-05-01T12:00:00.000Z");
        store
            .commit(&alerts_batch(1_000, vec![routed(a, &["slack"])]))
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.get("a1").unwrap().is_some());
    assert_eq!(store.due(i64::MAX, 10).unwrap().len(), 1);
}

#[test]
fn two_stores_on_one_directory_see_each_others_commits() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Store::open(dir.path()).unwrap();
    let reader = Store::open(dir.path()).unwrap();
    let a = alert("a1", "rule-x", Severity::High, "2024-05-01T12:00:00.000Z");
    writer
        .commit(&alerts_batch(1_000, vec![routed(a, &["slack"])]))
        .unwrap();
    assert!(reader.get("a1").unwrap().is_some());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Store::open(dir.path())
        .err()
        .expect("a newer schema opened");
    assert!(
        matches!(err, StoreError::UnknownSchemaVersion { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
}
