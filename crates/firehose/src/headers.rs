//! The request headers Firehose sends, read into what the endpoint needs.

use crate::reply::Refusal;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The request id, the same across retries of a batch.
pub(crate) const REQUEST_ID: &str = "x-amz-firehose-request-id";
/// The access key configured on the stream.
pub(crate) const ACCESS_KEY: &str = "x-amz-firehose-access-key";
/// `{"commonAttributes":{…}}`, when the stream has common attributes.
pub(crate) const COMMON_ATTRIBUTES: &str = "x-amz-firehose-common-attributes";
/// The stream's ARN.
pub(crate) const SOURCE_ARN: &str = "x-amz-firehose-source-arn";

/// How the body is encoded: Firehose sends `Content-Encoding: gzip` when GZIP content encoding
/// is enabled on the stream, and no `Content-Encoding` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Identity,
    Gzip,
}

/// The request id header, when present and text.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    text(headers, REQUEST_ID).map(str::to_owned)
}

/// The stream's ARN, when present and text.
pub(crate) fn source_arn(headers: &HeaderMap) -> Option<String> {
    text(headers, SOURCE_ARN).map(str::to_owned)
}

/// The body's encoding; anything but `gzip` (or `identity`) is refused with 415.
pub(crate) fn encoding(headers: &HeaderMap) -> Result<Encoding, Refusal> {
    let Some(value) = headers.get(header::CONTENT_ENCODING) else {
        return Ok(Encoding::Identity);
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value.eq_ignore_ascii_case("gzip") {
        Ok(Encoding::Gzip)
    } else if value.eq_ignore_ascii_case("identity") {
        Ok(Encoding::Identity)
    } else {
        Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Encoding {value:?} is not supported; use gzip or none"),
        ))
    }
}

/// The `Content-Length` header, when present and a number.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    text(headers, header::CONTENT_LENGTH.as_str())?.parse().ok()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommonAttributes {
    common_attributes: BTreeMap<String, String>,
}

/// The stream's common attributes; empty without the header, 400 when it is not
/// `{"commonAttributes":{"name":"value",…}}`.
pub(crate) fn common_attributes(headers: &HeaderMap) -> Result<BTreeMap<String, String>, Refusal> {
    let Some(value) = headers.get(COMMON_ATTRIBUTES) else {
        return Ok(BTreeMap::new());
    };
    serde_json::from_slice::<CommonAttributes>(value.as_bytes())
        .map(|parsed| parsed.common_attributes)
        .map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "X-Amz-Firehose-Common-Attributes is not {{\"commonAttributes\":{{\"name\":\"value\",…}}}}: {e}"
                ),
            )
        })
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &'static str, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn encodings() {
        assert_eq!(encoding(&HeaderMap::new()), Ok(Encoding::Identity));
        assert_eq!(
            encoding(&with("content-encoding", "GZIP")),
            Ok(Encoding::Gzip)
        );
        let refused = encoding(&with("content-encoding", "br")).unwrap_err();
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn common_attributes_parse_or_refuse() {
        assert!(common_attributes(&HeaderMap::new()).unwrap().is_empty());
        let parsed = common_attributes(&with(
            COMMON_ATTRIBUTES,
            r#"{"commonAttributes":{"env":"prod","team":""}}"#,
        ))
        .unwrap();
        assert_eq!(parsed["env"], "prod");
        assert_eq!(parsed["team"], "");
        let refused = common_attributes(&with(COMMON_ATTRIBUTES, r#"{"env":"prod"}"#)).unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    }
}
