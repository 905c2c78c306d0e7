//! What became of one delivery attempt, in the terms an outbox needs.

use std::fmt;
use std::time::Duration;

/// The result of [`crate::Notifier::deliver`]: what the outbox does with the job next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver has the alert. Mark the job sent (this is the sent-ledger entry).
    Delivered,
    /// Nothing was sent: the receiver's rate limit, or a pause it asked for, holds the job.
    /// Try again after `after` with the **same** attempt number.
    Deferred {
        /// How long to wait.
        after: Duration,
    },
    /// The attempt failed in a way that may pass. Try again after `after` with the next attempt
    /// number.
    Retry {
        /// How long to wait (the receiver's `Retry-After`, or a jittered back-off).
        after: Duration,
        /// What went wrong.
        failure: Failure,
    },
    /// The last allowed attempt failed: move the job to the dead letters.
    Dead {
        /// Attempts made.
        attempts: u32,
        /// What went wrong on the last one.
        failure: Failure,
    },
    /// The receiver refused the alert in a way retrying cannot fix (a bad payload, a revoked or
    /// unknown destination, a redirect): stop, and show it to the operator.
    Failed {
        /// What went wrong.
        failure: Failure,
    },
}

/// Why an attempt failed. Never holds a secret: URLs and keys are left out of every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// A short explanation: the receiver's error body, or the transport error.
    pub detail: String,
}

/// The kinds of [`Failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The receiver answered with this HTTP status.
    Status(u16),
    /// The receiver answered with a success status but not the expected answer (Slack's `ok`).
    UnexpectedAnswer(u16),
    /// No answer within the timeout.
    Timeout,
    /// The connection failed (refused, reset, DNS, TLS).
    Connection,
    /// The target resolves to an address that is not allowed (private, loopback, link-local)
    /// or uses a scheme that is not allowed.
    Blocked,
    /// Writing a file or standard output failed.
    Io,
    /// The alert cannot be rendered within the receiver's limits.
    Payload,
    /// No receiver has this name (it was removed from the configuration).
    UnknownReceiver,
}

impl Failure {
    pub(crate) fn new(kind: FailureKind, detail: impl Into<String>) -> Failure {
        Failure {
            kind,
            detail: detail.into(),
        }
    }

    /// Whether the receiver is gone for good and should be disabled (HTTP 410: Slack's
    /// `channel_is_archived`, a webhook endpoint that was removed).
    pub fn disables_receiver(&self) -> bool {
        self.kind == FailureKind::Status(410)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FailureKind::Status(code) => write!(f, "HTTP {code}")?,
            FailureKind::UnexpectedAnswer(code) => write!(f, "unexpected answer to HTTP {code}")?,
            FailureKind::Timeout => f.write_str("timed out")?,
            FailureKind::Connection => f.write_str("connection failed")?,
            FailureKind::Blocked => f.write_str("target not allowed")?,
            FailureKind::Io => f.write_str("write failed")?,
            FailureKind::Payload => f.write_str("payload over the receiver's limits")?,
            FailureKind::UnknownReceiver => f.write_str("unknown receiver")?,
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// One attempt's result before the retry policy is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Delivered,
    /// May pass; `retry_after` is the receiver's own request, when it made one.
    Transient {
        failure: Failure,
        retry_after: Option<Duration>,
    },
    Permanent(Failure),
}

/// The verdict on an HTTP answer that is not the receiver's success answer: 408, 429 and 5xx may
/// pass (and `Retry-After` is honoured on them); any other status, redirects included, will not.
pub(crate) fn classify_failure_status(
    status: u16,
    retry_after: Option<Duration>,
    body: &str,
) -> Verdict {
    let failure = Failure::new(FailureKind::Status(status), body.trim());
    if status == 408 || status == 429 || (500..600).contains(&status) {
        Verdict::Transient {
            failure,
            retry_after,
        }
    } else {
        Verdict::Permanent(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_and_permanent_statuses() {
        let ra = Some(Duration::from_secs(3));
        for status in [408, 429, 500, 502, 503, 504] {
            match classify_failure_status(status, ra, "x") {
                Verdict::Transient { retry_after, .. } => assert_eq!(retry_after, ra),
                other => panic!("{status}: {other:?}"),
            }
        }
        for status in [301, 302, 400, 401, 403, 404, 410, 413, 422] {
            assert!(
                matches!(
                    classify_failure_status(status, ra, "x"),
                    Verdict::Permanent(_)
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn failures_read_well_and_410_disables() {
        let f = Failure::new(FailureKind::Status(400), "invalid_payload");
        assert_eq!(f.to_string(), "HTTP 400: invalid_payload");
        assert!(!f.disables_receiver());
        assert!(Failure::new(FailureKind::Status(410), "channel_is_archived").disables_receiver());
        assert_eq!(
            Failure::new(FailureKind::Timeout, "").to_string(),
            "timed out"
        );
    }
}
