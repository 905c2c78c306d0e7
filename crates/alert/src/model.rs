//! The alert: what fired, when (in event time), about whom, how often, and the evidence.

use crate::evidence::EvidenceEvent;
use crate::rule::AlertRule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One alert. Fields serialize in declaration order; optional and empty fields noted below
/// are omitted. Times are RFC 3339 UTC with milliseconds (`2024-05-01T12:00:00.000Z`), all of
/// them event times, so that re-running the same input gives the same alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// 32 lowercase hex characters from [`crate::alert_id`].
    pub id: String,
    /// The rule that fired (shared by the alerts of one rule).
    pub rule: Arc<AlertRule>,
    /// The event time at which the rule's condition became true.
    pub detected_at: String,
    /// The earliest event time among the alert's events.
    pub first_seen: String,
    /// The latest event time among the alert's events.
    pub last_seen: String,
    /// The rule's summary template, filled in.
    pub summary: String,
    /// Who or what the alert is about.
    pub entity: Entity,
    /// Group-by key values of threshold, sequence and suppressed alerts (omitted when empty,
    /// as for single-event alerts).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group: BTreeMap<String, String>,
    /// How many events triggered (within the window, for thresholds).
    pub count: u64,
    /// The threshold's distinct-value count (omitted when the rule has no cardinality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct_count: Option<u64>,
    /// The window of a windowed rule (omitted otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Repeats folded into this alert by suppression (omitted when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub suppressed: u64,
    /// Total triggering events; `events.len() <= events_total`.
    pub events_total: u64,
    /// A capped sample of the triggering records, in event-time order.
    pub events: Vec<EvidenceEvent>,
}

/// Who or what an alert is about. Every field is optional and omitted when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The AWS account the events happened in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The AWS region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The acting IAM principal's ARN (CloudTrail `userIdentity.arn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
    /// The source IP address (CloudTrail `sourceIPAddress`, Resolver `srcaddr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The caller's user agent (CloudTrail `userAgent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The VPC the DNS query came from (Resolver `vpc_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The EC2 instance the DNS query came from (Resolver `srcids.instance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// The Resolver endpoint the query went through (Resolver `srcids.resolver_endpoint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolver_endpoint: Option<String>,
    /// The domain involved: the queried name, or the hosted zone or record name acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Another account the activity reached into (cross-account access, resource sharing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_account_id: Option<String>,
}

/// The time window of a windowed rule, RFC 3339 UTC with milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Start of the window.
    pub start: String,
    /// End of the window.
    pub end: String,
}

impl Alert {
    /// The key of the order in which alerts are written: `(detected_at, rule.id, id)`.
    ///
    /// With times in the canonical form (RFC 3339 UTC, milliseconds, `Z`), comparing the
    /// strings compares the instants. Ids are distinct for distinct alerts, so this is a total
    /// order: sort with `alerts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()))`.
    pub fn sort_key(&self) -> (&str, &str, &str) {
        (&self.detected_at, &self.rule.id, &self.id)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
