//! The notification outbox: jobs (one alert to one receiver) queued with their alert, drained
//! by the notifier loop into the sent-ledger or the dead letters.

use crate::alerts::alert_json;
use crate::error::StoreError;
use crate::store::Store;
use r53guard_alert::Alert;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// A queued delivery: attempt `attempt` of `alert` to `receiver`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The alert to deliver.
    pub alert: Alert,
    /// The receiver's name.
    pub receiver: String,
    /// The attempt to make (1 for the first).
    pub attempt: u32,
    /// When it is due, Unix milliseconds.
    pub next_ms: i64,
    /// What went wrong on the previous attempt.
    pub last_error: Option<String>,
}

/// A job given up on: the last allowed attempt failed, or retrying could not help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The alert's id.
    pub alert_id: String,
    /// The receiver's name.
    pub receiver: String,
    /// Attempts made.
    pub attempts: u32,
    /// What went wrong on the last one.
    pub error: String,
    /// When it was given up on, Unix milliseconds.
    pub dead_ms: i64,
}

/// Sizes of the outbox's tables, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    /// Jobs waiting (due or not): the outbox depth.
    pub pending: u64,
    /// Jobs delivered (the sent-ledger).
    pub sent: u64,
    /// Dead letters.
    pub dead: u64,
}

impl Store {
    /// Up to `limit` jobs due at `now_ms`, the longest-waiting first (by due time, then by
    /// when they were queued).
    pub fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Job>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.body, o.receiver, o.attempt, o.next_ms, o.last_error
             FROM outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE o.next_ms <= ?1 ORDER BY o.next_ms, o.seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![now_ms, limit], |row| {
            Ok(Job {
                alert: alert_json(row, 0)?,
                receiver: row.get(1)?,
                attempt: row.get(2)?,
                next_ms: row.get(3)?,
                last_error: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the next job falls due, Unix milliseconds (`None`: the outbox is empty): how long
    /// the notifier loop may sleep.
    pub fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT min(next_ms) FROM outbox", [], |row| row.get(0))?)
    }

    /// Records a delivery: the job leaves the outbox for the sent-ledger, in one transaction.
    /// Returns false when there was no such job (already marked, or never queued).
    pub fn mark_delivered(
        &mut self,
        alert_id: &str,
        receiver: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(attempts) = take_job(&tx, alert_id, receiver)? else {
            return Ok(false);
        };
        tx.execute(
            "INSERT INTO sent (alert_id, receiver, attempts, sent_ms) VALUES (?1, ?2, ?3, ?4)",
            params![alert_id, receiver, attempts, at_ms],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Whether the sent-ledger holds a delivery of this alert to this receiver.
    pub fn was_sent(&self, alert_id: &str, receiver: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM sent WHERE alert_id = ?1 AND receiver = ?2",
                [alert_id, receiver],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Puts a job off until `next_ms`, as attempt `attempt` (the same number after a deferral,
    /// the next after a failure), noting the error. Returns false when there is no such job.
    pub fn reschedule(
        &mut self,
        alert_id: &str,
        receiver: &str,
        attempt: u32,
        next_ms: i64,
        last_error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let updated = self.conn.execute(
            "UPDATE outbox SET attempt = ?3, next_ms = ?4, last_error = coalesce(?5, last_error)
             WHERE alert_id = ?1 AND receiver = ?2",
            params![alert_id, receiver, attempt, next_ms, last_error],
        )?;
        Ok(updated == 1)
    }

    /// Gives a job up: it leaves the outbox for the dead letters, in one transaction. Returns
    /// false when there was no such job.
    pub fn mark_dead(
        &mut self,
        alert_id: &str,
        receiver: &str,
        attempts: u32,
        error: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if take_job(&tx, alert_id, receiver)?.is_none() {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO dead_letters (alert_id, receiver, attempts, error, dead_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![alert_id, receiver, attempts, error, at_ms],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Up to `limit` dead letters, the most recent first.
    pub fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT alert_id, receiver, attempts, error, dead_ms FROM dead_letters
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |row| {
            Ok(DeadLetter {
                alert_id: row.get(0)?,
                receiver: row.get(1)?,
                attempts: row.get(2)?,
                error: row.get(3)?,
                dead_ms: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The outbox depth, the sent-ledger's size and the dead letters, for metrics.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM sent),
                    (SELECT count(*) FROM dead_letters)",
            [],
            |row| {
                Ok(OutboxCounts {
                    pending: row.get(0)?,
                    sent: row.get(1)?,
                    dead: row.get(2)?,
                })
            },
        )?)
    }
}

/// Deletes a job from the outbox and returns its attempt number (`None`: no such job).
fn take_job(
    tx: &rusqlite::Transaction<'_>,
    alert_id: &str,
    receiver: &str,
) -> Result<Option<u32>, StoreError> {
    Ok(tx
        .query_row(
            "DELETE FROM outbox WHERE alert_id = ?1 AND receiver = ?2 RETURNING attempt",
            [alert_id, receiver],
            |row| row.get(0),
        )
        .optional()?)
}
