//! The schema and its migrations, versioned by `PRAGMA user_version`.

use crate::error::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// The schema version this build writes (`PRAGMA user_version` of an up-to-date database).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `MIGRATIONS[n]` takes a database from version `n` to `n + 1`. Append only: a released
/// migration is never edited.
const MIGRATIONS: [&str; 1] = [V1];

const V1: &str = "
CREATE TABLE positions (
    source_id  TEXT    NOT NULL,
    file_id    TEXT    NOT NULL,
    byte_offset INTEGER NOT NULL CHECK (byte_offset >= 0),
    record     INTEGER NOT NULL CHECK (record >= 0),
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (source_id, file_id)
) WITHOUT ROWID;

CREATE TABLE engine_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    snapshot   BLOB    NOT NULL,
    updated_ms INTEGER NOT NULL
);

CREATE TABLE alerts (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    rule_id     TEXT    NOT NULL,
    severity    INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
    detected_at TEXT    NOT NULL,
    detected_ms INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'acknowledged', 'closed')),
    status_ms   INTEGER,
    stored_ms   INTEGER NOT NULL,
    body        TEXT    NOT NULL
);
CREATE INDEX alerts_by_time ON alerts (detected_ms, id);
CREATE INDEX alerts_by_rule ON alerts (rule_id, detected_ms, id);

CREATE TABLE alert_status_history (
    seq      INTEGER PRIMARY KEY,
    alert_id TEXT    NOT NULL REFERENCES alerts (id),
    status   TEXT    NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
    note     TEXT,
    at_ms    INTEGER NOT NULL
);
CREATE INDEX alert_status_history_by_alert ON alert_status_history (alert_id, seq);

CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY,
    alert_id   TEXT    NOT NULL REFERENCES alerts (id),
    receiver   TEXT    NOT NULL,
    attempt    INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    next_ms    INTEGER NOT NULL,
    last_error TEXT,
    UNIQUE (alert_id, receiver)
);
CREATE INDEX outbox_due ON outbox (next_ms, seq);

CREATE TABLE sent (
    alert_id TEXT    NOT NULL REFERENCES alerts (id),
    receiver TEXT    NOT NULL,
    attempts INTEGER NOT NULL,
    sent_ms  INTEGER NOT NULL,
    PRIMARY KEY (alert_id, receiver)
) WITHOUT ROWID;

CREATE TABLE dead_letters (
    seq      INTEGER PRIMARY KEY,
    alert_id TEXT    NOT NULL REFERENCES alerts (id),
    receiver TEXT    NOT NULL,
    attempts INTEGER NOT NULL,
    error    TEXT    NOT NULL,
    dead_ms  INTEGER NOT NULL,
    UNIQUE (alert_id, receiver)
);

CREATE TABLE firehose_requests (
    request_id  TEXT    PRIMARY KEY,
    received_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX firehose_requests_by_time ON firehose_requests (received_ms);
";

/// Brings the database at `path` up to [`SCHEMA_VERSION`], one migration per transaction.
/// The version is read inside each write transaction, so two processes opening the same new
/// database cannot both run a migration.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if !(0..=SCHEMA_VERSION).contains(&found) {
            return Err(StoreError::UnknownSchemaVersion {
                path: path.to_owned(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(migration) = MIGRATIONS.get(found as usize) else {
            return Ok(());
        };
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
