//! The rule an alert came from, as carried in the alert: identity, severity, ATT&CK mapping and
//! attribution.

use crate::severity::Severity;
use serde::{Deserialize, Serialize};

/// The rule that raised an alert. A copy travels with every alert so that an alert is
/// self-contained (and so that alerts from Sigma rules carry the author and link that the
/// Detection Rule License 1.1 requires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    /// The rule's stable id (a Sigma rule's UUID, or an r53guard rule id).
    pub id: String,
    /// Human-readable rule name.
    pub name: String,
    /// The rule's revision; bumped when its logic changes.
    pub version: u32,
    /// How the rule matches: `query`, `threshold`, `sequence`, … (JSON `type`).
    #[serde(rename = "type")]
    pub rule_type: String,
    /// Severity of the alerts this rule raises.
    pub severity: Severity,
    /// Risk score, 0 to 100.
    pub risk_score: u8,
    /// Free-form tags (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// ATT&CK mapping (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threat: Vec<Threat>,
    /// The rule's authors (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<String>,
    /// Reference URLs (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The rule's licence, e.g. `DRL-1.1` (omitted when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Where the rule comes from, e.g. the upstream Sigma rule's URL (omitted when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

/// One tactic of a threat framework and the techniques of it that the rule detects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threat {
    /// The framework, e.g. `MITRE ATT&CK`.
    pub framework: String,
    /// The tactic.
    pub tactic: MitreRef,
    /// Techniques under the tactic (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technique: Vec<Technique>,
}

/// A tactic or sub-technique: id, name and reference URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MitreRef {
    /// e.g. `TA0011` or `T1071.004`.
    pub id: String,
    /// e.g. `Command and Control` or `DNS`.
    pub name: String,
    /// e.g. `https://attack.mitre.org/tactics/TA0011/`.
    pub reference: String,
}

/// A technique and the sub-techniques of it that the rule detects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Technique {
    /// e.g. `T1071`.
    pub id: String,
    /// e.g. `Application Layer Protocol`.
    pub name: String,
    /// e.g. `https://attack.mitre.org/techniques/T1071/`.
    pub reference: String,
    /// Sub-techniques (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtechnique: Vec<MitreRef>,
}
