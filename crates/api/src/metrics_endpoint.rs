//! `GET /metrics`: the service's metrics and the store's counts, in the Prometheus text
//! format.

use crate::error::ApiError;
use crate::exposition::{CONTENT_TYPE, Exposition, Value};
use crate::metrics::{ALERTS_STORED, DEAD_LETTERS, NOTIFICATIONS_SENT, OUTBOX_DEPTH};
use crate::state::ApiState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// `GET /metrics`: the built-in families, then the store's (read now), then the caller's.
pub(crate) async fn metrics(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let (by_rule, outbox) = state
        .with_store(|store| Ok((store.alert_counts_by_rule()?, store.outbox_counts()?)))
        .await?;
    let metrics = &state.metrics;
    let mut page = Exposition::default();
    page.counters(metrics.records_in());
    page.counters(metrics.bad_records());
    page.gauges(metrics.source_lag());
    page.counters(metrics.alerts_held_back());
    page.counters(metrics.late_records());
    page.counters(metrics.source_late_records());
    page.counters(metrics.source_gaps());
    page.family(ALERTS_STORED, "Alerts in the store, by rule.", "gauge");
    for (rule, count) in &by_rule {
        page.sample(ALERTS_STORED, &[("rule", rule)], Value::Int(*count));
    }
    let store_gauges = [
        (
            OUTBOX_DEPTH,
            "Notification jobs waiting in the outbox.",
            outbox.pending,
        ),
        (
            NOTIFICATIONS_SENT,
            "Notification jobs delivered (the sent-ledger).",
            outbox.sent,
        ),
        (
            DEAD_LETTERS,
            "Notification jobs given up on (dead letters).",
            outbox.dead,
        ),
    ];
    for (name, help, value) in store_gauges {
        page.family(name, help, "gauge");
        page.sample(name, &[], Value::Int(value));
    }
    for family in metrics.registered() {
        page.registered(&family);
    }
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], page.finish()))
}
