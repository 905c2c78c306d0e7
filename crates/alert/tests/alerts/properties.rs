//! Arbitrary text in the summary, the entity and the rule name survives every format.

use crate::common::{full_alert, render};
use proptest::prelude::*;
use r53guard_alert::{Alert, AlertFormat, alert_id};
use serde_json::Value;
use std::sync::Arc;

/// Reverses the display of what follows it; a table must show it escaped.
const RIGHT_TO_LEFT_OVERRIDE: char = '\u{202e}';

/// Any Unicode, with control characters, quotes, commas and line breaks made likely.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z ,\"\r\n\t\u{1b}\u{202e}\u{2028}é\\\\]{0,40}",
    ]
}

fn alert_with(summary: String, name: String, domain: String, principal: String) -> Alert {
    let mut alert = full_alert();
    alert.summary = summary;
    Arc::make_mut(&mut alert.rule).name = name;
    alert.entity.domain = Some(domain);
    alert.entity.principal_arn = Some(principal);
    alert
}

proptest! {
    #[test]
    fn text_survives_every_format(
        summary in text(),
        name in text(),
        domain in text(),
        principal in text(),
    ) {
        let alert = alert_with(summary.clone(), name.clone(), domain.clone(), principal.clone());
        let alerts = [alert.clone()];

        let jsonl = render(AlertFormat::Jsonl, &alerts, false);
        prop_assert_eq!(jsonl.matches('\n').count(), 1);
        let back: Alert = serde_json::from_str(&jsonl).unwrap();
        prop_assert_eq!(&back.summary, &summary);
        prop_assert_eq!(&back.rule.name, &name);
        prop_assert_eq!(back.entity.domain.as_deref(), Some(domain.as_str()));
        prop_assert_eq!(back.entity.principal_arn.as_deref(), Some(principal.as_str()));

        let json: Vec<Alert> = serde_json::from_str(&render(AlertFormat::Json, &alerts, false)).unwrap();
        prop_assert_eq!(&json[..], &alerts[..]);

        let ocsf = render(AlertFormat::Ocsf, &alerts, false);
        prop_assert_eq!(ocsf.matches('\n').count(), 1);
        let finding: Value = serde_json::from_str(&ocsf).unwrap();
        prop_assert_eq!(finding["message"].as_str(), Some(summary.as_str()));
        prop_assert_eq!(finding["finding_info"]["desc"].as_str(), Some(summary.as_str()));
        prop_assert_eq!(finding["finding_info"]["title"].as_str(), Some(name.as_str()));
        prop_assert_eq!(finding["evidences"][0]["query"]["hostname"].as_str(), Some(domain.as_str()));
        prop_assert_eq!(finding["evidences"][0]["actor"]["user"]["uid"].as_str(), Some(principal.as_str()));

        let csv = render(AlertFormat::Csv, &alerts, false);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        prop_assert_eq!(reader.headers().unwrap().len(), 17);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        prop_assert_eq!(records.len(), 1);
        prop_assert_eq!(records[0].len(), 17);
        prop_assert_eq!(&records[0][5], name.as_str());
        prop_assert_eq!(&records[0][8], principal.as_str());
        prop_assert_eq!(&records[0][12], domain.as_str());
        prop_assert_eq!(&records[0][16], summary.as_str());

        for color in [false, true] {
            let table = render(AlertFormat::Table, &alerts, color);
            prop_assert_eq!(table.lines().count(), 2);
            let escapes = table.matches('\x1b').count();
            prop_assert_eq!(escapes, if color { 2 } else { 0 });
            prop_assert!(table.chars().all(|c| c == '\n' || c == '\x1b' || !c.is_control()));
            prop_assert!(!table.contains(RIGHT_TO_LEFT_OVERRIDE));
        }
    }

    #[test]
    fn moving_a_part_boundary_changes_the_id(
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        i in any::<prop::sample::Index>(),
        j in any::<prop::sample::Index>(),
    ) {
        let (i, j) = (i.index(bytes.len() + 1), j.index(bytes.len() + 1));
        prop_assume!(i != j);
        let split = |at: usize| alert_id(&[&bytes[..at], &bytes[at..]]);
        prop_assert_ne!(split(i), split(j));
        prop_assert_ne!(split(i), alert_id(&[&bytes]));
    }
}
