//! New-terms rules: learning period, first occurrences, arrays.

use crate::common::*;

/// A principal calling a Route 53 Domains action for the first time in an hour of history.
const FIRST_CALL: &str = r#"
[rule]
rule_id = "test-first-call"
name = "First Route 53 Domains call by a principal"
description = "test"
type = "new_terms"
data = ["cloudtrail"]
severity = "medium"
risk_score = 47
author = ["r53guard"]
query = 'eventSource:route53domains.amazonaws.com'
[rule.new_terms]
field = "new_terms_fields"
value = ["userIdentity.arn", "eventName"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-1h"
"#;

fn call(id: &str, t: i64, principal: &str) -> String {
    domains_event(id, t, "GetDomainDetail", "example.com", principal)
}

#[test]
fn terms_first_seen_after_the_learning_period_alert_once() {
    let lines = [
        call("e1", 0, "alice"),          // run start: learning until 01:00
        call("e2", ms(30, 0), "bob"),    // learned
        call("e3", ms(60, 0), "carol"),  // exactly at the end of learning: new
        call("e4", ms(90, 0), "dave"),   // new
        call("e5", ms(95, 0), "dave"),   // seen
        call("e6", ms(120, 0), "alice"), // known
        call("e7", ms(150, 0), "bob"),   // known
    ];
    let result = run_lines(&rules(&[FIRST_CALL]), &lines);
    let got: Vec<(String, String)> = result
        .alerts
        .iter()
        .map(|a| (a.group["userIdentity.arn"].clone(), a.detected_at.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("carol".to_owned(), at(ms(60, 0))),
            ("dave".to_owned(), at(ms(90, 0)))
        ]
    );
    let dave = &result.alerts[1];
    assert_eq!(dave.group["eventName"], "GetDomainDetail");
    assert_eq!(dave.count, 1);
    assert!(dave.events[0].event.get().contains("\"eventID\":\"e4\""));
    let w = dave.window.as_ref().unwrap();
    assert_eq!(
        (w.start.as_str(), w.end.as_str()),
        (&*at(ms(30, 0)), &*at(ms(90, 0)))
    );
}

#[test]
fn the_run_starts_at_the_earliest_event_of_the_rules_kinds() {
    // A non-matching event at 00:00 starts the run, so a call at 01:10 is new.
    let mut other: serde_json::Value = serde_json::from_str(&call("e0", 0, "x")).unwrap();
    other["eventSource"] = "s3.amazonaws.com".into();
    let lines = [call("e1", ms(70, 0), "erin"), other.to_string()];
    let result = run_lines(&rules(&[FIRST_CALL]), &lines);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.rules[0].matched, 1);
    // Alone, the same call is the run's start and is learned.
    assert!(
        run_lines(&rules(&[FIRST_CALL]), &lines[..1])
            .alerts
            .is_empty()
    );
}

#[test]
fn non_matching_events_start_the_run_when_their_verdict_is_remembered() {
    // The second S3 event has the key of the first, so its verdict (no match) is remembered;
    // it is still the earliest event and starts the run: learning ends at 01:00, so a call at
    // 01:05 is new (from 00:10 it would be learned).
    let other = |id: &str, t: i64| {
        let mut e: serde_json::Value = serde_json::from_str(&call(id, t, "x")).unwrap();
        e["eventSource"] = "s3.amazonaws.com".into();
        e.to_string()
    };
    let lines = [
        call("e1", ms(65, 0), "erin"),
        other("e2", ms(10, 0)),
        other("e3", 0),
    ];
    let result = run_lines(&rules(&[FIRST_CALL]), &lines);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.rules[0].matched, 1);
}

#[test]
fn arrays_yield_one_term_per_value() {
    let by_resource = FIRST_CALL.replace(
        r#"value = ["userIdentity.arn", "eventName"]"#,
        r#"value = ["resources.ARN"]"#,
    );
    let mut e: serde_json::Value = serde_json::from_str(&call("e2", ms(70, 0), "x")).unwrap();
    e["resources"] = serde_json::json!([{"ARN": "arn:a"}, {"ARN": "arn:b"}, {"ARN": "arn:a"}]);
    let lines = [call("e1", 0, "x"), e.to_string()];
    let result = run_lines(&rules(&[&by_resource]), &lines);
    let terms: Vec<&str> = result
        .alerts
        .iter()
        .map(|a| a.group["resources.ARN"].as_str())
        .collect();
    assert_eq!(terms.len(), 2);
    assert!(terms.contains(&"arn:a") && terms.contains(&"arn:b"));
    assert_eq!(
        result.rules[0].unkeyed, 1,
        "the first call has no resources"
    );
}
