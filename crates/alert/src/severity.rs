//! Alert severity: four ordered levels, their names, and the mapping from Sigma levels.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad an alert is. Ordered `Low < Medium < High < Critical`; lower-case in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; includes Sigma's `informational`.
    Low,
    /// Suspicious.
    Medium,
    /// Likely malicious.
    High,
    /// Malicious and urgent.
    Critical,
}

/// A severity or Sigma level name that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {input:?}: expected one of {expected}")]
pub struct UnknownSeverity {
    what: &'static str,
    input: String,
    expected: &'static str,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name used in JSON, CSV and tables: `low`, `medium`, `high`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity of a Sigma rule's `level` (`informational`, `low`, `medium`, `high`,
    /// `critical`, in any ASCII case). `informational` becomes [`Severity::Low`]: an alert is
    /// never below low.
    pub fn from_sigma_level(level: &str) -> Result<Severity, UnknownSeverity> {
        if level.eq_ignore_ascii_case("informational") {
            return Ok(Severity::Low);
        }
        Self::by_name(level).ok_or_else(|| UnknownSeverity {
            what: "Sigma level",
            input: level.to_owned(),
            expected: "informational, low, medium, high, critical",
        })
    }

    fn by_name(name: &str) -> Option<Severity> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }
}

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Parses `low`, `medium`, `high` or `critical`, in any ASCII case.
    fn from_str(s: &str) -> Result<Severity, UnknownSeverity> {
        Self::by_name(s).ok_or_else(|| UnknownSeverity {
            what: "severity",
            input: s.to_owned(),
            expected: "low, medium, high, critical",
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
