//! A complete alert for tests of the crates that store, serve or send alerts (feature
//! `test-util`).

use crate::{Alert, AlertRule, Entity, EvidenceEvent, Severity, SourceRef};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::Arc;

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
        rule: Arc::new(AlertRule {
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
        }),
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
                path: "logs/ct.json".into(),
                line: 3,
                record: 2,
                part: None,
            },
            kind: "cloudtrail".to_owned(),
            event: RawValue::from_string(record).expect("sample record is JSON"),
        }],
    }
}

/// Fourteen alerts for query and paging tests: `a00` … `a11`, one a minute (`detected_at` of
/// minute `i` from `at(i)`), rule-a on even minutes and rule-b on odd ones, severities low,
/// medium, high, critical in turn; then `t2` and `t1` (rule-c, low), which share minute 5 with
/// `a05`. `record(id)` is each alert's triggering event (JSON text).
pub fn sample_alert_set(at: impl Fn(i64) -> String, record: impl Fn(&str) -> String) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = (0..12)
        .map(|i| {
            let id = format!("a{i:02}");
            let rule = if i % 2 == 0 { "rule-a" } else { "rule-b" };
            let severity = Severity::ALL[i as usize % 4];
            sample_alert(&id, rule, severity, &at(i), record(&id))
        })
        .collect();
    for id in ["t2", "t1"] {
        alerts.push(sample_alert(
            id,
            "rule-c",
            Severity::Low,
            &at(5),
            record(id),
        ));
    }
    alerts
}
