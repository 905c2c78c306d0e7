//! A complete alert for tests of the crates that store, serve or send alerts (feature
//! `test-util`).

use crate::{Alert, AlertRule, Entity, EvidenceEvent, Severity, SourceRef};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// A query alert of `rule` with this id, severity and `detected_at` (RFC 3339), account
/// `123456789012`, carrying `record` (JSON text) as its one triggering event.
///
/// # Panics
///
/// When `record` is not JSON.
pub fn sample_alert(
    id: &str,
    rule: &str,
    severity: Severity,
    detected_at: &str,
    record: String,
) -> Alert {
    Alert {
        id: id.to_owned(),
        rule: AlertRule {
            id: rule.to_owned(),
            name: format!("Rule {rule}"),
            version: 1,
            rule_type: "query".to_owned(),
            severity,
            risk_score: 73,
            tags: vec!["route53".to_owned()],
            threat: Vec::new(),
            author: Vec::new(),
            references: Vec::new(),
            license: None,
            source_url: None,
        },
        detected_at: detected_at.to_owned(),
        first_seen: detected_at.to_owned(),
        last_seen: detected_at.to_owned(),
        summary: format!("{rule} fired"),
        entity: Entity {
            account_id: Some("123456789012".to_owned()),
            ..Entity::default()
        },
        group: BTreeMap::new(),
        count: 1,
        distinct_count: None,
        window: None,
        suppressed: 0,
        events_total: 1,
        events: vec![EvidenceEvent {
            source: SourceRef {
                path: "logs/ct.json".to_owned(),
                line: 3,
                record: 2,
                part: None,
            },
            kind: "cloudtrail".to_owned(),
            event: RawValue::from_string(record).expect("sample record is JSON"),
        }],
    }
}
