//! Fixtures shared by the tests: a fully populated alert, a minimal one, many generated ones,
//! and rendering to a string.

use r53guard_alert::{
    Alert, AlertFormat, AlertRule, AlertWriter, Entity, EvidenceEvent, MitreRef, Severity,
    SourceRef, Technique, Threat, Window, alert_id,
};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const FULL_ID: &str = "13eefa864f88dc3ac16702198146212e";

/// An alert with every field set, including a pretty-printed evidence record.
pub fn full_alert() -> Alert {
    Alert {
        id: alert_id(&[b"r53-0001", b"123456789012", b"2024-05-01T12:00:00.000Z"]),
        rule: Arc::new(AlertRule {
            id: "r53-0001".into(),
            name: "DNS tunneling: long subdomains".into(),
            version: 3,
            rule_type: "threshold".into(),
            severity: Severity::High,
            risk_score: 73,
            tags: vec!["dns".into(), "exfiltration".into()],
            threat: vec![Threat {
                framework: "MITRE ATT&CK".into(),
                tactic: MitreRef {
                    id: "TA0011".into(),
                    name: "Command and Control".into(),
                    reference: "https://attack.mitre.org/tactics/TA0011/".into(),
                },
                technique: vec![Technique {
                    id: "T1071".into(),
                    name: "Application Layer Protocol".into(),
                    reference: "https://attack.mitre.org/techniques/T1071/".into(),
                    subtechnique: vec![MitreRef {
                        id: "T1071.004".into(),
                        name: "DNS".into(),
                        reference: "https://attack.mitre.org/techniques/T1071/004/".into(),
                    }],
                }],
            }],
            author: vec!["r53guard".into()],
            references: vec!["https://example.org/dns-tunneling".into()],
            license: Some("DRL-1.1".into()),
            source_url: Some("https://example.org/rules/r53-0001.yml".into()),
        }),
        detected_at: "2024-05-01T12:05:00.000Z".into(),
        first_seen: "2024-05-01T12:00:00.000Z".into(),
        last_seen: "2024-05-01T12:04:59.999Z".into(),
        summary: "42 long queries under example.net from 10.0.1.25".into(),
        entity: Entity {
            account_id: Some("123456789012".into()),
            region: Some("eu-west-1".into()),
            principal_arn: Some("arn:aws:iam::123456789012:role/app".into()),
            source_ip: Some("10.0.1.25".into()),
            user_agent: Some("aws-cli/2.15.0".into()),
            vpc_id: Some("vpc-0abc".into()),
            instance_id: Some("i-0123".into()),
            resolver_endpoint: Some("rslvr-out-1".into()),
            domain: Some("example.net".into()),
            target_account_id: Some("210987654321".into()),
        },
        group: BTreeMap::from([
            ("query_parent".to_owned(), "example.net".to_owned()),
            ("srcaddr".to_owned(), "10.0.1.25".to_owned()),
        ]),
        count: 42,
        distinct_count: Some(40),
        window: Some(Window {
            start: "2024-05-01T12:00:00.000Z".into(),
            end: "2024-05-01T12:05:00.000Z".into(),
        }),
        suppressed: 3,
        events_total: 42,
        events: vec![
            evidence(
                SourceRef {
                    path: "logs/resolver.json.gz".into(),
                    line: 1,
                    record: 0,
                    part: Some(0),
                },
                "resolver",
                r#"{"query_name":"a1.example.net.","srcaddr":"10.0.1.25"}"#,
            ),
            evidence(
                SourceRef {
                    path: "logs/resolver.json".into(),
                    line: 7,
                    record: 2,
                    part: None,
                },
                "resolver",
                "{\n  \"query_name\": \"a 2.example.net.\",\n  \"n\": 1.50\n}",
            ),
        ],
    }
}

/// An alert with only what is always present.
pub fn minimal_alert() -> Alert {
    Alert {
        id: alert_id(&[b"r53-0002"]),
        rule: Arc::new(AlertRule {
            id: "r53-0002".into(),
            name: "Hosted zone deleted".into(),
            version: 1,
            rule_type: "query".into(),
            severity: Severity::Medium,
            risk_score: 47,
            tags: vec![],
            threat: vec![],
            author: vec![],
            references: vec![],
            license: None,
            source_url: None,
        }),
        detected_at: "2024-05-01T09:00:00.000Z".into(),
        first_seen: "2024-05-01T09:00:00.000Z".into(),
        last_seen: "2024-05-01T09:00:00.000Z".into(),
        summary: "Hosted zone deleted".into(),
        entity: Entity::default(),
        group: BTreeMap::new(),
        count: 1,
        distinct_count: None,
        window: None,
        suppressed: 0,
        events_total: 1,
        events: vec![],
    }
}

/// A single-event alert from CloudTrail; `n` varies the id, the time and the severity.
pub fn numbered_alert(n: u32) -> Alert {
    let mut alert = minimal_alert();
    alert.id = alert_id(&[b"numbered", &n.to_le_bytes()]);
    Arc::make_mut(&mut alert.rule).severity = Severity::ALL[n as usize % 4];
    alert.detected_at = format!("2024-05-01T09:{:02}:{:02}.000Z", n / 60 % 60, n % 60);
    alert.summary = format!("alert number {n}");
    alert.entity.account_id = Some("123456789012".into());
    alert.events.push(evidence(
        SourceRef {
            path: "-".into(),
            line: u64::from(n) + 1,
            record: u64::from(n),
            part: None,
        },
        "cloudtrail",
        &format!(r#"{{"eventName":"DeleteHostedZone","n":{n}}}"#),
    ));
    alert
}

pub fn evidence(source: SourceRef, kind: &str, record: &str) -> EvidenceEvent {
    EvidenceEvent {
        source,
        kind: kind.into(),
        event: RawValue::from_string(record.to_owned()).expect("fixture record is JSON"),
    }
}

/// Everything `AlertWriter` writes for `alerts`.
pub fn render(format: AlertFormat, alerts: &[Alert], color: bool) -> String {
    let mut writer = AlertWriter::new(Vec::new(), format, color);
    for alert in alerts {
        writer.write(alert).expect("render");
    }
    String::from_utf8(writer.finish().expect("finish")).expect("UTF-8 output")
}

pub const ALL_FORMATS: [AlertFormat; 5] = [
    AlertFormat::Jsonl,
    AlertFormat::Json,
    AlertFormat::Table,
    AlertFormat::Csv,
    AlertFormat::Ocsf,
];
