//! `GET /api/alerts`: the query parameters, checked, and one page of alerts.

use super::view::AlertView;
use crate::error::ApiError;
use crate::limit::parse_limit;
use crate::state::ApiState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use r53guard_alert::Severity;
use r53guard_event::time::parse_rfc3339;
use r53guard_store::{AlertFilter, Status};
use serde::{Deserialize, Serialize};

/// The query parameters, as text; unknown ones are refused so that a misspelt filter is not
/// silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    rule: Option<String>,
    severity: Option<String>,
    since: Option<String>,
    until: Option<String>,
    status: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// One page: the alerts, newest first, and the cursor of the next page (`null` on the last).
#[derive(Debug, Serialize)]
struct PageView {
    alerts: Vec<AlertView>,
    next: Option<String>,
}

impl ListParams {
    /// The store filter these parameters ask for, or a 400 naming the bad parameter.
    fn filter(self) -> Result<AlertFilter, ApiError> {
        let time = |name: &str, value: Option<String>| {
            value
                .map(|v| {
                    parse_rfc3339(&v).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "{name}: {v:?} is not an RFC 3339 time (e.g. 2024-05-01T12:00:00Z)"
                        ))
                    })
                })
                .transpose()
        };
        let since_ms = time("since", self.since)?;
        let until_ms = time("until", self.until)?;
        if let (Some(since), Some(until)) = (since_ms, until_ms)
            && since > until
        {
            return Err(ApiError::bad_request("since is after until"));
        }
        Ok(AlertFilter {
            rule_id: self.rule,
            min_severity: self
                .severity
                .map(|v| v.parse::<Severity>())
                .transpose()
                .map_err(|e| ApiError::bad_request(format!("severity: {e}")))?,
            since_ms,
            until_ms,
            status: self
                .status
                .map(|v| v.parse::<Status>())
                .transpose()
                .map_err(|e| ApiError::bad_request(format!("status: {e}")))?,
            after: self
                .cursor
                .map(|v| v.parse())
                .transpose()
                .map_err(|_| ApiError::bad_request("cursor: not a cursor this API gave"))?,
            limit: parse_limit(self.limit)?,
        })
    }
}

/// `GET /api/alerts?rule=&severity=&since=&until=&status=&limit=&cursor=`.
pub(crate) async fn list(
    State(state): State<ApiState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<impl Serialize>, ApiError> {
    let filter = params?.0.filter()?;
    let page = state
        .with_store(move |store| Ok(store.list(&filter)?))
        .await?;
    Ok(Json(PageView {
        alerts: page.alerts.into_iter().map(AlertView::from).collect(),
        next: page.next.map(|c| c.to_string()),
    }))
}
