//! CloudTrail event records: the borrowed [`Event`] view and its writer.
//!
//! Keys are written in the order CloudTrail uses (log-formats.md §1):
//! `eventVersion, userIdentity, eventTime, eventSource, eventName, awsRegion,
//! sourceIPAddress, userAgent, [errorCode, errorMessage], requestParameters,
//! responseElements, [additionalEventData], [requestID], eventID, readOnly,
//! [resources], eventType, [apiVersion], managementEvent, recipientAccountId,
//! [sharedEventID], [vpcEndpointId], eventCategory, [tlsDetails],
//! [sessionCredentialFromConsole]`. Nested objects (`userIdentity`,
//! `requestParameters`, …) arrive pre-serialised so callers can build them
//! with [`crate::json::Obj`] into reused buffers.

use crate::json::Obj;

/// `tlsDetails`.
pub struct Tls<'a> {
    pub version: &'a str,
    pub cipher: &'a str,
    pub host: &'a str,
}

/// One CloudTrail event, borrowing its parts.
pub struct Event<'a> {
    pub version: &'a str,
    /// Serialised `userIdentity` object.
    pub identity: &'a [u8],
    pub time: i64,
    pub source: &'a str,
    pub name: &'a str,
    pub region: &'a str,
    pub source_ip: &'a str,
    pub user_agent: &'a str,
    /// `errorCode` and, usually, `errorMessage`.
    pub error: Option<(&'a str, Option<&'a str>)>,
    /// Serialised `requestParameters`; `None` writes `null`.
    pub request: Option<&'a [u8]>,
    /// Serialised `responseElements`; `None` writes `null`.
    pub response: Option<&'a [u8]>,
    /// Serialised `additionalEventData` (an object or a string).
    pub additional: Option<&'a [u8]>,
    pub request_id: Option<&'a str>,
    pub event_id: &'a str,
    pub read_only: bool,
    /// Serialised `resources` array.
    pub resources: Option<&'a [u8]>,
    pub event_type: &'a str,
    pub api_version: Option<&'a str>,
    pub management: bool,
    pub recipient: &'a str,
    pub shared_event_id: Option<&'a str>,
    pub vpc_endpoint: Option<&'a str>,
    pub category: &'a str,
    pub tls: Option<Tls<'a>>,
    pub console_session: bool,
}

/// Appends the event as one JSON object (no separator) to `out`.
pub fn write(out: &mut Vec<u8>, e: &Event<'_>) {
    let mut o = Obj::new(out);
    o.str("eventVersion", e.version)
        .raw("userIdentity", e.identity)
        .time("eventTime", e.time)
        .str("eventSource", e.source)
        .str("eventName", e.name)
        .str("awsRegion", e.region)
        .str("sourceIPAddress", e.source_ip)
        .str("userAgent", e.user_agent);
    if let Some((code, message)) = e.error {
        o.str("errorCode", code);
        if let Some(m) = message {
            o.str("errorMessage", m);
        }
    }
    o.raw("requestParameters", e.request.unwrap_or(b"null"))
        .raw("responseElements", e.response.unwrap_or(b"null"));
    if let Some(extra) = e.additional {
        o.raw("additionalEventData", extra);
    }
    if let Some(id) = e.request_id {
        o.str("requestID", id);
    }
    o.str("eventID", e.event_id).bool("readOnly", e.read_only);
    if let Some(res) = e.resources {
        o.raw("resources", res);
    }
    o.str("eventType", e.event_type);
    if let Some(v) = e.api_version {
        o.str("apiVersion", v);
    }
    o.bool("managementEvent", e.management)
        .str("recipientAccountId", e.recipient);
    if let Some(id) = e.shared_event_id {
        o.str("sharedEventID", id);
    }
    if let Some(vpce) = e.vpc_endpoint {
        o.str("vpcEndpointId", vpce);
    }
    o.str("eventCategory", e.category);
    if let Some(tls) = &e.tls {
        o.obj("tlsDetails")
            .str("tlsVersion", tls.version)
            .str("cipherSuite", tls.cipher)
            .str("clientProvidedHostHeader", tls.host);
    }
    if e.console_session {
        o.str("sessionCredentialFromConsole", "true");
    }
}

/// A TLS version and cipher suite pair clients negotiate with AWS endpoints.
pub const TLS_SUITES: [(&str, &str); 3] = [
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
    ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
    ("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nulls_and_optional_fields() {
        let e = Event {
            version: "1.09",
            identity: br#"{"type":"Root"}"#,
            time: crate::clock::DEFAULT_START,
            source: "route53.amazonaws.com",
            name: "ListHostedZones",
            region: "us-east-1",
            source_ip: "198.51.100.7",
            user_agent: "aws-cli/2",
            error: Some(("AccessDenied", None)),
            request: None,
            response: None,
            additional: Some(br#""a string""#),
            request_id: None,
            event_id: "e",
            read_only: true,
            resources: None,
            event_type: "AwsApiCall",
            api_version: Some("2013-04-01"),
            management: true,
            recipient: "123456789012",
            shared_event_id: None,
            vpc_endpoint: None,
            category: "Management",
            tls: Some(Tls {
                version: "TLSv1.3",
                cipher: "TLS_AES_128_GCM_SHA256",
                host: "route53.amazonaws.com",
            }),
            console_session: true,
        };
        let mut out = Vec::new();
        write(&mut out, &e);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(v["requestParameters"].is_null());
        assert!(v.get("errorMessage").is_none());
        assert!(v.get("requestID").is_none());
        assert_eq!(v["additionalEventData"], "a string");
        assert_eq!(v["eventTime"], "2026-11-01T00:00:00Z");
        assert_eq!(
            v["tlsDetails"]["clientProvidedHostHeader"],
            "route53.amazonaws.com"
        );
        assert_eq!(v["sessionCredentialFromConsole"], "true");
    }
}
