//! How an alert is answered: the stored alert JSON, plus its triage status and, for one
//! alert, its status history.

use r53guard_alert::Alert;
use r53guard_event::time::format_rfc3339;
use r53guard_store::{StatusChange, StoredAlert};
use serde::Serialize;

/// An alert in a list: the alert's own fields, then `status`, `status_at` (when the status
/// was last set, `null` while never triaged) and `stored_at`.
#[derive(Debug, Serialize)]
pub(crate) struct AlertView {
    #[serde(flatten)]
    alert: Alert,
    status: &'static str,
    status_at: Option<String>,
    stored_at: String,
}

impl From<StoredAlert> for AlertView {
    fn from(stored: StoredAlert) -> AlertView {
        AlertView {
            alert: stored.alert,
            status: stored.status.as_str(),
            status_at: stored.status_ms.map(format_rfc3339),
            stored_at: format_rfc3339(stored.stored_ms),
        }
    }
}

/// One alert: [`AlertView`] plus `history`, its status changes oldest first.
#[derive(Debug, Serialize)]
pub(crate) struct AlertDetail {
    #[serde(flatten)]
    view: AlertView,
    history: Vec<HistoryEntry>,
}

impl AlertDetail {
    pub(crate) fn new(stored: StoredAlert, history: Vec<StatusChange>) -> AlertDetail {
        AlertDetail {
            view: stored.into(),
            history: history.into_iter().map(HistoryEntry::from).collect(),
        }
    }
}

/// One status change: `status`, `note` (`null` when none was given) and `at`.
#[derive(Debug, Serialize)]
struct HistoryEntry {
    status: &'static str,
    note: Option<String>,
    at: String,
}

impl From<StatusChange> for HistoryEntry {
    fn from(change: StatusChange) -> HistoryEntry {
        HistoryEntry {
            status: change.status.as_str(),
            note: change.note,
            at: format_rfc3339(change.at_ms),
        }
    }
}
