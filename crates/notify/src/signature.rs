//! Webhook signatures: HMAC-SHA256 over `"<timestamp>.<body>"`, hex-encoded, and their
//! verification (for receivers written in Rust, and for our tests).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The header with the alert id: the same on every attempt, so a receiver dedupes on it.
pub const ALERT_ID_HEADER: &str = "x-r53guard-alert-id";
/// The header with the attempt's time, in Unix seconds.
pub const TIMESTAMP_HEADER: &str = "x-r53guard-timestamp";
/// The header with the signature: `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"`.
pub const SIGNATURE_HEADER: &str = "x-r53guard-signature";

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The value of [`SIGNATURE_HEADER`] for a body sent at `timestamp` (Unix seconds):
/// `sha256=<hex(HMAC-SHA256(key, "<timestamp>.<body>"))>`.
///
/// ```
/// let sig = r53guard_notify::sign(b"key", 1_700_000_000, b"{}");
/// assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
/// ```
pub fn sign(key: &[u8], timestamp: u64, body: &[u8]) -> String {
    let tag = mac(key, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for byte in tag {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Why a webhook request failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The timestamp header is not a number of seconds.
    #[error("malformed timestamp")]
    MalformedTimestamp,
    /// The timestamp is further from the receiver's clock than the tolerance: a replay, or a
    /// clock that is off.
    #[error("timestamp outside the tolerance")]
    Stale,
    /// The signature header is not `sha256=` and 64 hex digits.
    #[error("malformed signature")]
    MalformedSignature,
    /// The signature does not match the body.
    #[error("signature mismatch")]
    Mismatch,
}

/// Checks a webhook request as a receiver should: the signature over the raw body bytes
/// (compared in constant time), and the timestamp within `tolerance` of `now` (5 minutes is the
/// usual choice).
///
/// ```
/// use r53guard_notify::{sign, verify};
/// use std::time::{Duration, UNIX_EPOCH};
/// let body = br#"{"id":"5d41402abc4b2a76b9719d911017c592"}"#;
/// let sig = sign(b"key", 1_700_000_000, body);
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_042);
/// assert!(verify(b"key", "1700000000", &sig, body, now, Duration::from_secs(300)).is_ok());
/// assert!(verify(b"other", "1700000000", &sig, body, now, Duration::from_secs(300)).is_err());
/// ```
pub fn verify(
    key: &[u8],
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let secs: u64 = timestamp
        .parse()
        .map_err(|_| VerifyError::MalformedTimestamp)?;
    let sent = UNIX_EPOCH + Duration::from_secs(secs);
    let skew = match now.duration_since(sent) {
        Ok(d) => d,
        Err(e) => e.duration(),
    };
    if skew > tolerance {
        return Err(VerifyError::Stale);
    }
    let tag = signature
        .strip_prefix("sha256=")
        .and_then(decode_hex)
        .ok_or(VerifyError::MalformedSignature)?;
    mac(key, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| VerifyError::Mismatch)
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn known_answer() {
        // HMAC-SHA256(key = "key", "1700000000.{}"), computed independently with
        // `printf '1700000000.{}' | openssl dgst -sha256 -hmac key`.
        assert_eq!(
            sign(b"key", NOW, b"{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }

    #[test]
    fn verification_checks_body_key_time_and_format() {
        let body = b"{\"a\":1}";
        let sig = sign(b"k", NOW, body);
        let tol = Duration::from_secs(300);
        assert_eq!(verify(b"k", "1700000000", &sig, body, at(NOW), tol), Ok(()));
        assert_eq!(
            verify(b"k", "1700000000", &sig, body, at(NOW - 299), tol),
            Ok(())
        );
        assert_eq!(
            verify(b"k", "1700000000", &sig, b"{\"a\":2}", at(NOW), tol),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"x", "1700000000", &sig, body, at(NOW), tol),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"k", "1700000001", &sig, body, at(NOW), tol),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"k", "1700000000", &sig, body, at(NOW + 301), tol),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(b"k", "soon", &sig, body, at(NOW), tol),
            Err(VerifyError::MalformedTimestamp)
        );
        assert_eq!(
            verify(b"k", "1700000000", &sig[7..], body, at(NOW), tol),
            Err(VerifyError::MalformedSignature)
        );
        assert_eq!(
            verify(b"k", "1700000000", "sha256=zz", body, at(NOW), tol),
            Err(VerifyError::MalformedSignature)
        );
    }
}
