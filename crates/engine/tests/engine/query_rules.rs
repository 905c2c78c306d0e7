//! Query rules end to end: the v207 provider bug, case, exceptions, dedupe, max_signals,
//! suppression, and order independence.

use crate::common::*;
use r53guard_engine::{Engine, EngineOptions, HeldBackInterval};
use r53guard_event::time::parse_rfc3339;

const DOMAINS: &str = "tests/fixtures/cloudtrail/synthetic/route53domains.json";

/// Our corrected rule: the real provider, event names compared ignoring case.
const TRANSFER: &str = r#"
[rule]
rule_id = "test-transfer"
name = "Domain transferred"
description = "test"
type = "query"
language = "kuery"
data = ["cloudtrail"]
severity = "high"
risk_score = 73
author = ["r53guard"]
case_insensitive_fields = ["event.action"]
summary = "{user.name} moved {requestParameters.domainName} to {requestParameters.accountId}"
query = 'event.provider:route53domains.amazonaws.com and event.action:TransferDomainToAnotherAwsAccount and event.outcome:success'
"#;

#[test]
fn the_v207_query_never_matches_real_domain_events() {
    let v207 =
        rule_files(&["crates/rules/tests/fixtures/elastic/route53_domain_transferred_v207.toml"]);
    let result = run_files(&v207, &[DOMAINS]);
    assert!(
        result.alerts.is_empty(),
        "v207 looks for route53.amazonaws.com"
    );
    assert_eq!(result.rules[0].matched, 0);

    let fixed =
        rule_files(&["crates/rules/tests/fixtures/elastic/route53_domain_transferred_fixed.toml"]);
    let result = run_files(&fixed, &[DOMAINS]);
    // Exact KQL matching: only the capitalised, successful event.
    assert_eq!(result.alerts.len(), 1);
    assert!(
        result.alerts[0].events[0]
            .event
            .get()
            .contains("\"eventID\":\"1b2c3d4e-0000-4000-8000-000000000002\"")
    );

    let ours = rules(&[TRANSFER]);
    let result = run_files(&ours, &[DOMAINS]);
    let targets: Vec<_> = result
        .alerts
        .iter()
        .map(|a| a.entity.target_account_id.clone().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["444455556666", "777788889999"],
        "both casings, not the failed call"
    );
    let a = &result.alerts[0];
    assert_eq!(
        a.summary,
        "DomainAdmin moved example-corp.com to 444455556666"
    );
    assert_eq!(a.entity.domain.as_deref(), Some("example-corp.com"));
    assert_eq!(
        a.entity.principal_arn.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/DomainAdmin/mallory")
    );
    assert_eq!(a.entity.account_id.as_deref(), Some("111122223333"));
    assert_eq!(a.detected_at, "2024-05-01T10:24:40.000Z");
    assert_eq!(&*a.events[0].source.path, DOMAINS);
    assert_eq!(a.events[0].source.record, 1);
}

#[test]
fn exceptions_drop_matching_events() {
    let with_exception = format!(
        "{TRANSFER}\n[[rule.exceptions]]\ndescription = \"our other account\"\n[[rule.exceptions.entries]]\nfield = \"requestParameters.accountId\"\noperator = \"is\"\nvalue = \"777788889999\"\n"
    );
    let result = run_files(&rules(&[&with_exception]), &[DOMAINS]);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.rules[0].excepted, 1);
}

#[test]
fn the_same_event_read_twice_alerts_once_and_order_does_not_matter() {
    let set = rules(&[TRANSFER]);
    let bytes = std::fs::read(repo(DOMAINS)).unwrap();
    let once = run_inputs(&set, &[("a.json", bytes.clone())]);
    let twice = run_inputs(
        &set,
        &[("a.json", bytes.clone()), ("b.json", bytes.clone())],
    );
    let ids =
        |r: &r53guard_engine::RunResult| r.alerts.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&once), ids(&twice));
    // Reversed record order: same alerts.
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut records = doc["Records"].as_array().unwrap().clone();
    records.reverse();
    let reversed = serde_json::json!({ "Records": records })
        .to_string()
        .into_bytes();
    assert_eq!(ids(&run_inputs(&set, &[("r.json", reversed)])), ids(&once));
}

#[test]
fn max_signals_keeps_the_earliest_per_interval() {
    let capped = TRANSFER.replace(
        "risk_score = 73",
        "risk_score = 73\nmax_signals = 1\ninterval = \"1h\"",
    );
    let result = run_files(&rules(&[&capped]), &[DOMAINS]);
    // 10:24 and 11:02 fall in different hours: both kept.
    assert_eq!(result.alerts.len(), 2);
    let daily = TRANSFER.replace(
        "risk_score = 73",
        "risk_score = 73\nmax_signals = 1\ninterval = \"1d\"",
    );
    let result = run_files(&rules(&[&daily]), &[DOMAINS]);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.alerts[0].detected_at, "2024-05-01T10:24:40.000Z");
    assert_eq!(result.rules[0].held_back, 1);
}

#[test]
fn held_back_intervals_are_reported_once_when_emitted() {
    let daily = TRANSFER.replace(
        "risk_score = 73",
        "risk_score = 73\nmax_signals = 1\ninterval = \"1d\"",
    );
    let set = rules(&[&daily]);
    let mut engine = Engine::new(&set, EngineOptions::default()).unwrap();
    feed_inputs(
        &mut engine,
        &[(DOMAINS, std::fs::read(repo(DOMAINS)).unwrap())],
    );
    // The day is still open: nothing emitted, nothing reported.
    assert!(
        engine
            .flush(parse_rfc3339("2024-05-01T12:00:00Z").unwrap())
            .is_empty()
    );
    assert!(engine.take_held_back().is_empty());
    let alerts = engine.flush(parse_rfc3339("2024-05-02T00:00:00Z").unwrap());
    assert_eq!(alerts.len(), 1);
    let held = engine.take_held_back();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].rule_id, engine.reports()[0].rule_id);
    assert_eq!(
        held[0].interval,
        HeldBackInterval {
            start_ms: parse_rfc3339("2024-05-01T00:00:00Z").unwrap(),
            end_ms: parse_rfc3339("2024-05-02T00:00:00Z").unwrap(),
            held_back: 1,
        }
    );
    assert!(engine.take_held_back().is_empty(), "reported once");
    assert_eq!(engine.reports()[0].held_back, 1);
}
