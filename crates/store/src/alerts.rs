//! The alert store's queries: list with filters and paging, get, triage status, counts.

use crate::batch::severity_rank;
use crate::cursor::Cursor;
use crate::error::StoreError;
use crate::status::{Status, StatusChange};
use crate::store::Store;
use r53guard_alert::{Alert, Severity};
use rusqlite::types::{Type, Value};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params, params_from_iter};

/// The most alerts one [`Store::list`] page holds.
pub const MAX_PAGE: usize = 1000;

/// A stored alert and its triage state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    /// The alert as the engine raised it.
    pub alert: Alert,
    /// Its `detected_at`, Unix milliseconds.
    pub detected_ms: i64,
    /// Its triage status.
    pub status: Status,
    /// When the status was last set, Unix milliseconds (`None`: never, it is still open).
    pub status_ms: Option<i64>,
    /// When the alert was stored, Unix milliseconds.
    pub stored_ms: i64,
}

/// Which alerts [`Store::list`] returns. The default is every alert, the first page.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only this rule's alerts.
    pub rule_id: Option<String>,
    /// Only alerts at least this severe.
    pub min_severity: Option<Severity>,
    /// Only alerts detected at or after this time, Unix milliseconds.
    pub since_ms: Option<i64>,
    /// Only alerts detected before this time, Unix milliseconds.
    pub until_ms: Option<i64>,
    /// Only alerts with this status.
    pub status: Option<Status>,
    /// The page after this cursor (from the previous page's [`Page::next`]).
    pub after: Option<Cursor>,
    /// At most this many alerts (1 to [`MAX_PAGE`]; 0 means [`MAX_PAGE`]).
    pub limit: usize,
}

/// One page of alerts, newest first (by `detected_at`, then id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The alerts.
    pub alerts: Vec<StoredAlert>,
    /// The cursor of the next page, when there are more alerts.
    pub next: Option<Cursor>,
}

const COLUMNS: &str = "body, detected_ms, status, status_ms, stored_ms";

impl Store {
    /// One page of the alerts that pass `filter`, newest first.
    pub fn list(&self, filter: &AlertFilter) -> Result<Page, StoreError> {
        let limit = match filter.limit {
            0 => MAX_PAGE,
            n => n.min(MAX_PAGE),
        };
        let mut sql = format!("SELECT {COLUMNS} FROM alerts WHERE 1 = 1");
        let mut args = Vec::new();
        if let Some(rule) = &filter.rule_id {
            sql.push_str(" AND rule_id = ?");
            args.push(Value::Text(rule.clone()));
        }
        if let Some(severity) = filter.min_severity {
            sql.push_str(" AND severity >= ?");
            args.push(Value::Integer(severity_rank(severity)));
        }
        if let Some(since) = filter.since_ms {
            sql.push_str(" AND detected_ms >= ?");
            args.push(Value::Integer(since));
        }
        if let Some(until) = filter.until_ms {
            sql.push_str(" AND detected_ms < ?");
            args.push(Value::Integer(until));
        }
        if let Some(status) = filter.status {
            sql.push_str(" AND status = ?");
            args.push(Value::Text(status.as_str().to_owned()));
        }
        if let Some(cursor) = &filter.after {
            sql.push_str(" AND (detected_ms, id) < (?, ?)");
            args.push(Value::Integer(cursor.detected_ms));
            args.push(Value::Text(cursor.id.clone()));
        }
        sql.push_str(" ORDER BY detected_ms DESC, id DESC LIMIT ?");
        args.push(Value::Integer(limit as i64 + 1));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut alerts = stmt
            .query_map(params_from_iter(args), stored_alert)?
            .collect::<Result<Vec<_>, _>>()?;
        let next = if alerts.len() > limit {
            alerts.truncate(limit);
            alerts.last().map(|last| Cursor {
                detected_ms: last.detected_ms,
                id: last.alert.id.clone(),
            })
        } else {
            None
        };
        Ok(Page { alerts, next })
    }

    /// The alert with this id.
    pub fn get(&self, id: &str) -> Result<Option<StoredAlert>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM alerts WHERE id = ?1"),
                [id],
                stored_alert,
            )
            .optional()?)
    }

    /// Sets an alert's status, with an optional note, and records the change in its history.
    /// Returns false when no alert has this id.
    pub fn set_status(
        &mut self,
        id: &str,
        status: Status,
        note: Option<&str>,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let updated = tx.execute(
            "UPDATE alerts SET status = ?2, status_ms = ?3 WHERE id = ?1",
            params![id, status.as_str(), at_ms],
        )?;
        if updated == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO alert_status_history (alert_id, status, note, at_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, status.as_str(), note, at_ms],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// An alert's status changes, oldest first (empty for an alert never triaged).
    pub fn status_history(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, note, at_ms FROM alert_status_history
             WHERE alert_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id], |row| {
            Ok(StatusChange {
                status: status(row, 0)?,
                note: row.get(1)?,
                at_ms: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many alerts each rule has raised, by rule id (for metrics).
    pub fn alert_counts_by_rule(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rule_id, count(*) FROM alerts GROUP BY rule_id ORDER BY rule_id",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Reads the alert JSON at column `index`.
pub(crate) fn alert_json(row: &Row<'_>, index: usize) -> rusqlite::Result<Alert> {
    let body: String = row.get(index)?;
    serde_json::from_str(&body)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(e)))
}

fn status(row: &Row<'_>, index: usize) -> rusqlite::Result<Status> {
    let name: String = row.get(index)?;
    name.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(e)))
}

fn stored_alert(row: &Row<'_>) -> rusqlite::Result<StoredAlert> {
    Ok(StoredAlert {
        alert: alert_json(row, 0)?,
        detected_ms: row.get(1)?,
        status: status(row, 2)?,
        status_ms: row.get(3)?,
        stored_ms: row.get(4)?,
    })
}
