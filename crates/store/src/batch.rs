//! One processing step, committed in one transaction.

use crate::error::{StoreError, to_sql_int};
use crate::store::Store;
use r53guard_alert::{Alert, Severity};
use r53guard_event::time::parse_rfc3339;
use rusqlite::{TransactionBehavior, params};

/// How far a source has read one of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The source, as named in the configuration.
    pub source: String,
    /// The input's identity within the source, stable across renames and distinct across
    /// rotations: `dev:inode` for a local file, `key#etag` for an S3 object.
    pub file: String,
    /// Bytes of the input consumed (for a compressed input, of the compressed bytes, or 0
    /// when it is read whole).
    pub offset: u64,
    /// Records of the input consumed.
    pub record: u64,
}

/// A new alert and the receivers it must be delivered to (from the route table).
#[derive(Debug, Clone)]
pub struct RoutedAlert {
    /// The alert.
    pub alert: Alert,
    /// Receiver names; one outbox job each (duplicates are ignored).
    pub receivers: Vec<String>,
}

/// Everything one processing step changes, for [`Store::commit`].
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The wall-clock time of the commit, Unix milliseconds: when the alerts were stored, and
    /// when their outbox jobs are first due.
    pub now_ms: i64,
    /// Positions reached; each replaces the stored one for its source and input.
    pub positions: Vec<Position>,
    /// The engine's snapshot after the step (`Engine::snapshot`), replacing the stored one;
    /// `None` keeps it.
    pub engine_state: Option<Vec<u8>>,
    /// The alerts the step raised, with their routes.
    pub alerts: Vec<RoutedAlert>,
    /// Firehose request ids whose records the step processed.
    pub requests: Vec<String>,
}

impl Store {
    /// Commits `batch` in one transaction, and returns the ids of the alerts that were new, in
    /// batch order.
    ///
    /// Positions are upserted; the engine snapshot is replaced; each alert is inserted unless
    /// its id is already stored (an alert raised again, say after a replay, is ignored, and its
    /// receivers get no new jobs); each new alert gets one outbox job per receiver, due at
    /// `now_ms`; the request ids are recorded. Either all of it lands or none of it: on any
    /// error (a `detected_at` that is not a time, a request id committed before, SQLite
    /// failing) the transaction is rolled back.
    pub fn commit(&mut self, batch: &Batch) -> Result<Vec<String>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut new = Vec::new();
        {
            let mut upsert_position = tx.prepare_cached(
                "INSERT INTO positions (source_id, file_id, byte_offset, record, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (source_id, file_id) DO UPDATE SET
                     byte_offset = excluded.byte_offset,
                     record = excluded.record,
                     updated_ms = excluded.updated_ms",
            )?;
            for p in &batch.positions {
                upsert_position.execute(params![
                    p.source,
                    p.file,
                    to_sql_int("offset", p.offset)?,
                    to_sql_int("record index", p.record)?,
                    batch.now_ms
                ])?;
            }
            if let Some(snapshot) = &batch.engine_state {
                tx.execute(
                    "INSERT INTO engine_state (id, snapshot, updated_ms) VALUES (1, ?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET
                         snapshot = excluded.snapshot,
                         updated_ms = excluded.updated_ms",
                    params![snapshot, batch.now_ms],
                )?;
            }
            let mut insert_alert = tx.prepare_cached(
                "INSERT INTO alerts (id, rule_id, severity, detected_at, detected_ms, stored_ms, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO NOTHING",
            )?;
            let mut insert_job = tx.prepare_cached(
                "INSERT INTO outbox (alert_id, receiver, next_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (alert_id, receiver) DO NOTHING",
            )?;
            for RoutedAlert { alert, receivers } in &batch.alerts {
                let detected_ms =
                    parse_rfc3339(&alert.detected_at).ok_or_else(|| StoreError::BadDetectedAt {
                        id: alert.id.clone(),
                        detected_at: alert.detected_at.clone(),
                    })?;
                let inserted = insert_alert.execute(params![
                    alert.id,
                    alert.rule.id,
                    severity_rank(alert.rule.severity),
                    alert.detected_at,
                    detected_ms,
                    batch.now_ms,
                    serde_json::to_string(alert)?
                ])?;
                if inserted == 0 {
                    continue;
                }
                for receiver in receivers {
                    insert_job.execute(params![alert.id, receiver, batch.now_ms])?;
                }
                new.push(alert.id.clone());
            }
            let mut insert_request = tx.prepare_cached(
                "INSERT INTO firehose_requests (request_id, received_ms) VALUES (?1, ?2)
                 ON CONFLICT (request_id) DO NOTHING",
            )?;
            for request in &batch.requests {
                if insert_request.execute(params![request, batch.now_ms])? == 0 {
                    return Err(StoreError::DuplicateRequest(request.clone()));
                }
            }
        }
        tx.commit()?;
        Ok(new)
    }
}

/// The severity column: 0 (low) to 3 (critical), so that "at least high" is `severity >= 2`.
pub(crate) fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
        Severity::Critical => 3,
    }
}
