//! The answer Firehose expects: a status, and `{"requestId", "timestamp", "errorMessage"?}` as
//! `application/json`, uncompressed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};

/// The longest `errorMessage` Firehose accepts, in characters.
const MAX_ERROR_CHARS: usize = 8192;

/// A request the endpoint did not acknowledge: the status to answer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    request_id: &'a str,
    timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
}

/// The response to a request with this id: 200 for `Ok`, the refusal's status and message
/// otherwise.
pub(crate) fn reply(request_id: &str, outcome: Result<(), Refusal>) -> Response {
    let (status, message) = match &outcome {
        Ok(()) => (StatusCode::OK, None),
        Err(refusal) => (refusal.status, Some(truncate(&refusal.message))),
    };
    let body = Body {
        request_id,
        timestamp: now_ms(),
        error_message: message,
    };
    let json = serde_json::to_vec(&body).expect("a response body serializes");
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response()
}

fn truncate(message: &str) -> &str {
    match message.char_indices().nth(MAX_ERROR_CHARS) {
        Some((end, _)) => &message[..end],
        None => message,
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_ERROR_CHARS + 10);
        assert_eq!(truncate(&long).chars().count(), MAX_ERROR_CHARS);
        assert_eq!(truncate("short"), "short");
    }
}
