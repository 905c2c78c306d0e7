//! Generic JSON webhooks: the alert as the body, signed; and what counts as delivered.

use crate::outcome::{Verdict, classify_failure_status};
use crate::secret::Secret;
use crate::signature::{ALERT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use r53guard_alert::Alert;
use std::time::Duration;

/// A JSON webhook signed with HMAC-SHA256.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Where to POST (it may carry a token, so it is a secret).
    pub url: Secret,
    /// The HMAC key, used as its UTF-8 bytes.
    pub signing_key: Secret,
    /// Evidence records are left out, last first, while the body is larger than this
    /// (`events_total` still counts them all).
    pub max_body_bytes: usize,
}

impl WebhookConfig {
    /// Bodies are kept under about 20 KB, as Standard Webhooks suggests.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 20 * 1024;

    /// A webhook with the default body limit.
    pub fn new(url: Secret, signing_key: Secret) -> WebhookConfig {
        WebhookConfig {
            url,
            signing_key,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// The body: the alert as compact JSON (the `docs/alert-schema.md` shape), with evidence records
/// dropped from the end while it is over `max_bytes`.
pub(crate) fn body(alert: &Alert, max_bytes: usize) -> Vec<u8> {
    let body = serde_json::to_vec(alert).expect("alerts serialize");
    if body.len() <= max_bytes || alert.events.is_empty() {
        return body;
    }
    let mut trimmed = alert.clone();
    loop {
        trimmed.events.pop();
        let body = serde_json::to_vec(&trimmed).expect("alerts serialize");
        if body.len() <= max_bytes || trimmed.events.is_empty() {
            return body;
        }
    }
}

/// The headers that identify and sign one attempt sent at `timestamp` (Unix seconds).
pub(crate) fn headers(
    alert: &Alert,
    key: &Secret,
    timestamp: u64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    vec![
        (ALERT_ID_HEADER, alert.id.clone()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (
            SIGNATURE_HEADER,
            sign(key.expose().as_bytes(), timestamp, body),
        ),
    ]
}

/// The receiver's answer: any 2xx is delivered.
pub(crate) fn verdict(status: u16, retry_after: Option<Duration>, body: &str) -> Verdict {
    if (200..300).contains(&status) {
        Verdict::Delivered
    } else {
        classify_failure_status(status, retry_after, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::verify;
    use crate::test_alert::alert;
    use r53guard_alert::EvidenceEvent;
    use std::time::UNIX_EPOCH;

    #[test]
    fn the_body_is_the_alert_json() {
        let a = alert();
        let b = body(&a, usize::MAX);
        assert_eq!(b, serde_json::to_vec(&a).unwrap());
        let back: Alert = serde_json::from_slice(&b).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn large_bodies_lose_evidence_from_the_end() {
        let mut a = alert();
        let first = a.events[0].clone();
        for n in 0..50 {
            let mut e: EvidenceEvent = first.clone();
            e.source.record = n;
            e.event = serde_json::value::RawValue::from_string(format!(
                "{{\"pad\":\"{}\"}}",
                "x".repeat(1000)
            ))
            .unwrap();
            a.events.push(e);
        }
        let b = body(&a, 10 * 1024);
        assert!(b.len() <= 10 * 1024);
        let back: Alert = serde_json::from_slice(&b).unwrap();
        assert!(!back.events.is_empty() && back.events.len() < a.events.len());
        assert_eq!(back.events[0], a.events[0]);
        assert_eq!(back.events_total, a.events_total);
        // Without evidence to drop, the body goes as it is.
        a.events.clear();
        a.summary = "s".repeat(30 * 1024);
        assert!(body(&a, 10 * 1024).len() > 10 * 1024);
    }

    #[test]
    fn headers_carry_the_id_time_and_a_verifiable_signature() {
        let a = alert();
        let b = body(&a, usize::MAX);
        let h = headers(&a, &Secret::new("whsec"), 1_700_000_000, &b);
        assert_eq!(h[0], (ALERT_ID_HEADER, a.id.clone()));
        assert_eq!(h[1], (TIMESTAMP_HEADER, "1700000000".to_owned()));
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_010);
        let tol = Duration::from_secs(300);
        assert_eq!(verify(b"whsec", &h[1].1, &h[2].1, &b, now, tol), Ok(()));
    }
}
