//! An alert's triage status and its history.

use std::fmt;
use std::str::FromStr;

/// Where an alert is in triage. Every alert starts `Open`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Not looked at yet.
    Open,
    /// Someone is on it.
    Acknowledged,
    /// Done with.
    Closed,
}

impl Status {
    /// `open`, `acknowledged` or `closed`: the stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Acknowledged => "acknowledged",
            Status::Closed => "closed",
        }
    }
}

/// A status name that is not `open`, `acknowledged` or `closed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown alert status {0:?}: expected open, acknowledged or closed")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Status, UnknownStatus> {
        [Status::Open, Status::Acknowledged, Status::Closed]
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One status change of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status set.
    pub status: Status,
    /// Why, as the person who set it wrote.
    pub note: Option<String>,
    /// When, Unix milliseconds.
    pub at_ms: i64,
}
