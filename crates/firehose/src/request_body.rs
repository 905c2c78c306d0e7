//! The request body, `{"requestId":…,"timestamp":…,"records":[{"data":"<base64>"},…]}`, parsed
//! and its records base64-decoded (and nothing more: the records are the service's to read).

use crate::body::gunzip;
use crate::headers::Encoding;
use crate::reply::Refusal;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use std::borrow::Cow;

/// A request body, decoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RequestBody {
    pub(crate) request_id: String,
    pub(crate) timestamp_ms: Option<i64>,
    pub(crate) records: Vec<Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    #[serde(borrow)]
    request_id: Cow<'a, str>,
    timestamp: Option<i64>,
    #[serde(borrow)]
    records: Vec<WireRecord<'a>>,
}

#[derive(Deserialize)]
struct WireRecord<'a> {
    #[serde(borrow)]
    data: Cow<'a, str>,
}

/// Decompresses (for gzip, within `limit` bytes), parses and base64-decodes a body; refuses
/// with 400 a body that is not a Firehose request, naming what is wrong.
pub(crate) fn decode(
    body: &[u8],
    encoding: Encoding,
    limit: usize,
) -> Result<RequestBody, Refusal> {
    let inflated;
    let json = match encoding {
        Encoding::Identity => body,
        Encoding::Gzip => {
            inflated = gunzip(body, limit)?;
            &inflated[..]
        }
    };
    let wire: Wire<'_> = serde_json::from_slice(json).map_err(|e| {
        bad_request(format!(
            "the body is not a Firehose request {{\"requestId\":…,\"timestamp\":…,\"records\":[{{\"data\":\"<base64>\"}},…]}}: {e}"
        ))
    })?;
    let records = wire
        .records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            STANDARD
                .decode(record.data.as_bytes())
                .map_err(|e| bad_request(format!("records[{i}].data is not valid base64: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RequestBody {
        request_id: wire.request_id.into_owned(),
        timestamp_ms: wire.timestamp,
        records,
    })
}

fn bad_request(message: String) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_records_and_escaped_slashes() {
        let body = br#"{"requestId":"r-1","timestamp":1578090901599,"records":[{"data":"aGVsbG8="},{"data":""},{"data":"Pz8\/"}]}"#;
        let decoded = decode(body, Encoding::Identity, 1 << 20).unwrap();
        assert_eq!(
            decoded,
            RequestBody {
                request_id: "r-1".to_owned(),
                timestamp_ms: Some(1578090901599),
                records: vec![b"hello".to_vec(), Vec::new(), b"???".to_vec()],
            }
        );
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        let missing = decode(br#"{"records":[]}"#, Encoding::Identity, 100).unwrap_err();
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert!(missing.message.contains("requestId"), "{}", missing.message);
        let bad = decode(
            br#"{"requestId":"r","records":[{"data":"aGVsbG8="},{"data":"!!"}]}"#,
            Encoding::Identity,
            100,
        )
        .unwrap_err();
        assert!(
            bad.message.starts_with("records[1].data"),
            "{}",
            bad.message
        );
    }
}
