//! The alert model's JSON: round trips, field order, omitted fields, ordering, severity.

use crate::common::{FULL_ID, evidence, full_alert, minimal_alert, numbered_alert};
use r53guard_alert::{Alert, Severity, SourceRef};
use serde_json::Value;
use std::sync::Arc;

/// The fully populated alert, serialized. Its second evidence record is reproduced verbatim,
/// line breaks, spacing and `1.50` included.
const GOLDEN_FULL: &str = concat!(
    r#"{"id":"13eefa864f88dc3ac16702198146212e","#,
    r#""rule":{"id":"r53-0001","name":"DNS tunneling: long subdomains","version":3,"type":"threshold","severity":"high","risk_score":73,"#,
    r#""tags":["dns","exfiltration"],"#,
    r#""threat":[{"framework":"MITRE ATT&CK","tactic":{"id":"TA0011","name":"Command and Control","reference":"https://attack.mitre.org/tactics/TA0011/"},"#,
    r#""technique":[{"id":"T1071","name":"Application Layer Protocol","reference":"https://attack.mitre.org/techniques/T1071/","#,
    r#""subtechnique":[{"id":"T1071.004","name":"DNS","reference":"https://attack.mitre.org/techniques/T1071/004/"}]}]}],"#,
    r#""author":["r53guard"],"references":["https://example.org/dns-tunneling"],"license":"DRL-1.1","#,
    r#""source_url":"https://example.org/rules/r53-0001.yml"},"#,
    r#""detected_at":"2024-05-01T12:05:00.000Z","first_seen":"2024-05-01T12:00:00.000Z","last_seen":"2024-05-01T12:04:59.999Z","#,
    r#""summary":"42 long queries under example.net from 10.0.1.25","#,
    r#""entity":{"account_id":"123456789012","region":"eu-west-1","principal_arn":"arn:aws:iam::123456789012:role/app","#,
    r#""source_ip":"10.0.1.25","user_agent":"aws-cli/2.15.0","vpc_id":"vpc-0abc","instance_id":"i-0123","#,
    r#""resolver_endpoint":"rslvr-out-1","domain":"example.net","target_account_id":"210987654321"},"#,
    r#""group":{"query_parent":"example.net","srcaddr":"10.0.1.25"},"#,
    r#""count":42,"distinct_count":40,"window":{"start":"2024-05-01T12:00:00.000Z","end":"2024-05-01T12:05:00.000Z"},"#,
    r#""suppressed":3,"events_total":42,"#,
    r#""events":[{"source":{"path":"logs/resolver.json.gz","line":1,"record":0,"part":0},"kind":"resolver","#,
    r#""event":{"query_name":"a1.example.net.","srcaddr":"10.0.1.25"}},"#,
    r#"{"source":{"path":"logs/resolver.json","line":7,"record":2},"kind":"resolver","event":{"#,
    "\n  \"query_name\": \"a 2.example.net.\",\n  \"n\": 1.50\n",
    r#"}}]}"#,
);

/// The minimal alert, serialized: nothing optional, `entity` and `events` still present.
const GOLDEN_MINIMAL: &str = concat!(
    r#"{"id":"90b8ec8c9c37cfdf0a64d0aabee9cb97","#,
    r#""rule":{"id":"r53-0002","name":"Hosted zone deleted","version":1,"type":"query","severity":"medium","risk_score":47},"#,
    r#""detected_at":"2024-05-01T09:00:00.000Z","first_seen":"2024-05-01T09:00:00.000Z","last_seen":"2024-05-01T09:00:00.000Z","#,
    r#""summary":"Hosted zone deleted","entity":{},"count":1,"events_total":1,"events":[]}"#,
);

#[test]
fn full_alert_serializes_to_the_golden_string() {
    assert_eq!(full_alert().id, FULL_ID);
    assert_eq!(serde_json::to_string(&full_alert()).unwrap(), GOLDEN_FULL);
}

#[test]
fn minimal_alert_serializes_to_the_golden_string() {
    assert_eq!(
        serde_json::to_string(&minimal_alert()).unwrap(),
        GOLDEN_MINIMAL
    );
}

#[test]
fn serialization_round_trips() {
    for alert in [full_alert(), minimal_alert(), numbered_alert(7)] {
        let text = serde_json::to_string(&alert).unwrap();
        let back: Alert = serde_json::from_str(&text).unwrap();
        assert_eq!(back, alert);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}

#[test]
fn none_and_empty_fields_are_omitted() {
    let value: Value = serde_json::to_value(minimal_alert()).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for absent in ["group", "distinct_count", "window", "suppressed"] {
        assert!(!keys.contains(&absent), "{absent} should be omitted");
    }
    assert_eq!(value["entity"], serde_json::json!({}));
    let rule = value["rule"].as_object().unwrap();
    for absent in [
        "tags",
        "threat",
        "author",
        "references",
        "license",
        "source_url",
    ] {
        assert!(
            !rule.contains_key(absent),
            "rule.{absent} should be omitted"
        );
    }

    let mut alert = full_alert();
    Arc::make_mut(&mut alert.rule).threat[0].technique[0]
        .subtechnique
        .clear();
    let value = serde_json::to_value(&alert).unwrap();
    let technique = &value["rule"]["threat"][0]["technique"][0];
    assert!(technique.get("subtechnique").is_none());
    assert!(value["events"][1]["source"].get("part").is_none());
    assert_eq!(value["events"][0]["source"]["part"], 0);
}

#[test]
fn omitted_fields_read_back_as_none_and_empty() {
    let alert: Alert = serde_json::from_str(GOLDEN_MINIMAL).unwrap();
    assert_eq!(alert, minimal_alert());
    assert!(alert.group.is_empty() && alert.rule.tags.is_empty());
    assert_eq!((alert.suppressed, alert.distinct_count), (0, None));
}

#[test]
fn unknown_fields_are_ignored_when_reading() {
    let newer = GOLDEN_MINIMAL.replacen('{', r#"{"added_later":{"x":1},"#, 1);
    let alert: Alert = serde_json::from_str(&newer).unwrap();
    assert_eq!(alert, minimal_alert());
}

#[test]
fn evidence_records_compare_by_their_exact_text() {
    let source = || SourceRef {
        path: "a".into(),
        line: 1,
        record: 0,
        part: None,
    };
    let compact = evidence(source(), "cloudtrail", r#"{"a":1}"#);
    let spaced = evidence(source(), "cloudtrail", r#"{ "a": 1 }"#);
    assert_eq!(compact, compact.clone());
    assert_ne!(compact, spaced);
}

#[test]
fn sort_key_orders_by_detection_time_then_rule_then_id() {
    let mut a = minimal_alert();
    a.detected_at = "2024-05-01T10:00:00.000Z".into();
    let mut b = a.clone();
    Arc::make_mut(&mut b.rule).id = "r53-0001".into();
    let mut c = b.clone();
    c.id = "00000000000000000000000000000000".into();
    let mut d = minimal_alert();
    d.detected_at = "2024-05-01T09:59:59.999Z".into();
    Arc::make_mut(&mut d.rule).id = "zzz".into();

    let mut alerts = vec![a.clone(), b.clone(), c.clone(), d.clone()];
    alerts.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    assert_eq!(alerts, vec![d, c, b, a]);
    assert_eq!(
        full_alert().sort_key(),
        ("2024-05-01T12:05:00.000Z", "r53-0001", FULL_ID)
    );
}

#[test]
fn severity_names_order_and_sigma_levels() {
    assert!(Severity::Low < Severity::Medium);
    assert!(Severity::Medium < Severity::High);
    assert!(Severity::High < Severity::Critical);
    for severity in Severity::ALL {
        let name = severity.to_string();
        assert_eq!(name, severity.as_str());
        assert_eq!(name.parse::<Severity>().unwrap(), severity);
        assert_eq!(name.to_uppercase().parse::<Severity>().unwrap(), severity);
        assert_eq!(
            serde_json::to_string(&severity).unwrap(),
            format!("\"{name}\"")
        );
        assert_eq!(Severity::from_sigma_level(&name).unwrap(), severity);
    }
    assert_eq!(
        Severity::from_sigma_level("informational").unwrap(),
        Severity::Low
    );
    assert!("informational".parse::<Severity>().is_err());
    assert_eq!(
        "severe".parse::<Severity>().unwrap_err().to_string(),
        r#"unknown severity "severe": expected one of low, medium, high, critical"#
    );
    assert_eq!(
        Severity::from_sigma_level("urgent")
            .unwrap_err()
            .to_string(),
        r#"unknown Sigma level "urgent": expected one of informational, low, medium, high, critical"#
    );
    assert!(serde_json::from_str::<Severity>("\"High\"").is_err());
}
