//! Sigma rules and correlations on the engine: attribution carried into alerts, and each
//! correlation type on the threshold and sequence machinery, at its boundaries.

use crate::common::{at, feed_inputs, ms, repo, resolver, run_sigma};
use r53guard_alert::Severity;

fn txt_query(src: &str, t: i64, name: &str) -> String {
    resolver("111122223333", "vpc-0a1b2c3d", src, t, name, "NOERROR")
        .replace(r#""query_type":"A""#, r#""query_type":"TXT""#)
}

fn trail_event(id: &str, t: i64, name: &str, user: &str) -> String {
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{user}"),
                         "accountId": "111122223333", "userName": user},
        "eventTime": at(t),
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "requestParameters": {"name": "org-trail"},
        "eventID": id,
        "recipientAccountId": "111122223333"
    })
    .to_string()
}

fn dns_rate_rules() -> String {
    std::fs::read_to_string(repo(
        "crates/sigma/tests/fixtures/correlations/dns_rate_rules.yml",
    ))
    .unwrap()
}

const TRAIL_RULES: &str = "
title: Trail stopped
name: trail_stopped
author: Jane Analyst
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
    condition: selection
---
title: Trail deleted
name: trail_deleted
author: Jane Analyst
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventSource: cloudtrail.amazonaws.com, eventName: DeleteTrail}
    condition: selection
";

fn trail_correlation(kind: &str, extra: &str) -> String {
    format!(
        "{TRAIL_RULES}---
title: Trail stopped and deleted
id: 5f0c1c39-0d0e-4d44-9f55-3e1f2a3b4c5d
author: Jane Analyst
correlation:
    type: {kind}
    rules: [trail_stopped, trail_deleted]
    group-by: [userIdentity.arn]
    timespan: 10m
{extra}level: high
"
    )
}

#[test]
fn sigma_alerts_carry_level_mitre_and_attribution() {
    let yaml = "# source: rules/cloud/aws/cloudtrail/trail_stopped.yml
title: Trail stopped
id: 0b6f3e6a-9d7c-4a53-8a5e-1c2d3e4f5a6b
author: Jane Analyst, Acme
references: [https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html]
tags: [attack.defense-evasion, attack.t1562.008]
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventSource: cloudtrail.amazonaws.com, eventName: stoplogging}
    condition: selection
level: informational
---
title: Trail deleted
author: Joe
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: DeleteTrail}
    condition: selection
";
    let lines = [
        trail_event("e1", 0, "StopLogging", "mallory"),
        trail_event("e2", 1000, "DeleteTrail", "mallory"),
        trail_event("e3", 2000, "StartLogging", "mallory"),
    ];
    let (result, skipped) = run_sigma(yaml, &lines);
    assert!(skipped.is_empty());
    assert_eq!(result.alerts.len(), 2);
    let stop = &result.alerts[0];
    assert_eq!(stop.rule.id, "0b6f3e6a-9d7c-4a53-8a5e-1c2d3e4f5a6b");
    assert_eq!(stop.rule.name, "Trail stopped");
    assert_eq!(stop.rule.rule_type, "query");
    assert_eq!(stop.rule.severity, Severity::Low, "informational is low");
    assert_eq!(stop.rule.risk_score, 21);
    assert_eq!(stop.rule.author, ["Jane Analyst, Acme"]);
    assert_eq!(stop.rule.license.as_deref(), Some("DRL-1.1"));
    assert_eq!(
        stop.rule.source_url.as_deref(),
        Some(
            "https://github.com/SigmaHQ/sigma/blob/master/rules/cloud/aws/cloudtrail/trail_stopped.yml"
        )
    );
    assert_eq!(stop.rule.threat[0].tactic.id, "TA0005");
    assert_eq!(
        stop.rule.threat[0].technique[0].subtechnique[0].id,
        "T1562.008"
    );
    assert_eq!(
        stop.entity.principal_arn.as_deref(),
        Some("arn:aws:iam::111122223333:user/mallory")
    );
    // No id: the title names the rule; no level: medium; no `# source:`: the file.
    let delete = &result.alerts[1];
    assert_eq!(delete.rule.id, "Trail deleted");
    assert_eq!(delete.rule.severity, Severity::Medium);
    assert_eq!(delete.rule.source_url.as_deref(), Some("sigma.yml"));
}

#[test]
fn event_count_fires_above_its_bound_within_the_timespan() {
    let rules = dns_rate_rules();
    // 51 TXT queries (`gt: 50`) from one host inside one minute.
    let burst: Vec<String> = (0..51)
        .map(|i| txt_query("10.0.0.9", ms(0, i), &format!("t{i}.example.com.")))
        .collect();
    let (result, _) = run_sigma(&rules, &burst);
    assert_eq!(result.alerts.len(), 1, "{:?}", result.alerts);
    let a = &result.alerts[0];
    assert_eq!(a.rule.name, "High TXT Records Requests Rate");
    assert_eq!(a.rule.rule_type, "threshold");
    assert_eq!(a.rule.author, ["Daniil Yugoslavskiy, oscd.community"]);
    assert_eq!(a.count, 51);
    assert_eq!(a.group.get("src_ip").map(String::as_str), Some("10.0.0.9"));
    // 50 is not above 50; nor are 51 from two hosts; the base rules never alert alone.
    let (result, _) = run_sigma(&rules, &burst[..50]);
    assert!(result.alerts.is_empty(), "{:?}", result.alerts);
    let split: Vec<String> = (0..51)
        .map(|i| {
            let src = if i % 2 == 0 { "10.0.0.9" } else { "10.0.0.10" };
            txt_query(src, ms(0, i), &format!("t{i}.example.com."))
        })
        .collect();
    assert!(run_sigma(&rules, &split).0.alerts.is_empty());
    // 51 spread over two minutes: no one-minute window holds them.
    let spread: Vec<String> = (0..51)
        .map(|i| txt_query("10.0.0.9", ms(0, i * 2), &format!("t{i}.example.com.")))
        .collect();
    assert!(run_sigma(&rules, &spread).0.alerts.is_empty());
}

#[test]
fn value_count_counts_distinct_values() {
    let rules = dns_rate_rules();
    let names = |n: usize, repeat: usize| -> Vec<String> {
        (0..n * repeat)
            .map(|i| {
                resolver(
                    "111122223333",
                    "vpc-0a1b2c3d",
                    "10.0.0.9",
                    ms((i / 60) as i64 % 10, (i % 60) as i64),
                    &format!("c{}.exfil.example.net.", i % n),
                    "NOERROR",
                )
            })
            .collect()
    };
    // 201 distinct names under one registered domain in 15 minutes (`gt: 200`).
    let (result, _) = run_sigma(&rules, &names(201, 1));
    let hits: Vec<_> = result
        .alerts
        .iter()
        .filter(|a| a.rule.name == "Many Distinct Names Under One Registered Domain")
        .collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].distinct_count, Some(201));
    assert_eq!(
        hits[0]
            .group
            .get("dns.question.registered_domain")
            .map(String::as_str),
        Some("example.net")
    );
    // 200 distinct names, each queried three times: 600 events, 200 values.
    let (result, _) = run_sigma(&rules, &names(200, 3));
    assert!(
        result
            .alerts
            .iter()
            .all(|a| a.rule.name != "Many Distinct Names Under One Registered Domain")
    );
}

#[test]
fn temporal_needs_every_rule_in_any_order_within_the_timespan() {
    let yaml = trail_correlation("temporal", "");
    let run = |lines: &[String]| run_sigma(&yaml, lines).0.alerts;
    // Deleted, then stopped, 3 minutes apart: any order counts.
    let alerts = run(&[
        trail_event("e1", ms(0, 0), "DeleteTrail", "mallory"),
        trail_event("e2", ms(3, 0), "StopLogging", "mallory"),
    ]);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].rule.rule_type, "threshold");
    assert_eq!(alerts[0].distinct_count, Some(2));
    assert_eq!(alerts[0].events.len(), 2);
    // One rule only, two users, or too far apart: nothing.
    assert!(
        run(&[
            trail_event("e1", 0, "StopLogging", "mallory"),
            trail_event("e2", 1000, "StopLogging", "mallory"),
        ])
        .is_empty()
    );
    assert!(
        run(&[
            trail_event("e1", 0, "StopLogging", "mallory"),
            trail_event("e2", 1000, "DeleteTrail", "alice"),
        ])
        .is_empty()
    );
    assert!(
        run(&[
            trail_event("e1", 0, "StopLogging", "mallory"),
            trail_event("e2", ms(20, 0), "DeleteTrail", "mallory"),
        ])
        .is_empty()
    );
}

#[test]
fn temporal_ordered_is_a_sequence() {
    let yaml = trail_correlation("temporal_ordered", "");
    let run = |lines: &[String]| run_sigma(&yaml, lines).0.alerts;
    let alerts = run(&[
        trail_event("e1", ms(0, 0), "StopLogging", "mallory"),
        trail_event("e2", ms(9, 0), "DeleteTrail", "mallory"),
    ]);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].rule.rule_type, "sequence");
    assert_eq!(alerts[0].events.len(), 2);
    // The wrong order, or beyond the timespan.
    assert!(
        run(&[
            trail_event("e1", 0, "DeleteTrail", "mallory"),
            trail_event("e2", 1000, "StopLogging", "mallory"),
        ])
        .is_empty()
    );
    assert!(
        run(&[
            trail_event("e1", 0, "StopLogging", "mallory"),
            trail_event("e2", ms(11, 0), "DeleteTrail", "mallory"),
        ])
        .is_empty()
    );
}

#[test]
fn generate_keeps_the_base_rules_alerting() {
    let lines = [
        trail_event("e1", 0, "StopLogging", "mallory"),
        trail_event("e2", 1000, "DeleteTrail", "mallory"),
    ];
    let quiet = run_sigma(&trail_correlation("temporal", ""), &lines).0;
    assert_eq!(quiet.alerts.len(), 1);
    let loud = run_sigma(&trail_correlation("temporal", "generate: true\n"), &lines).0;
    let mut types: Vec<_> = loud
        .alerts
        .iter()
        .map(|a| a.rule.rule_type.as_str())
        .collect();
    types.sort();
    assert_eq!(types, ["query", "query", "threshold"]);
}

#[test]
fn an_upper_bound_fires_on_sparse_activity() {
    // `lt: 3`: one or two deletions by a user in the window, not three.
    let yaml = trail_correlation("event_count", "    condition: {lt: 3}\n").replace(
        "type: event_count\n    rules: [trail_stopped, trail_deleted]",
        "type: event_count\n    rules: [trail_deleted]",
    );
    let lines = |n: i64, user: &str| -> Vec<String> {
        (0..n)
            .map(|i| trail_event(&format!("{user}{i}"), ms(0, i), "DeleteTrail", user))
            .collect()
    };
    let run = |lines: &[String]| run_sigma(&yaml, lines).0.alerts;
    assert_eq!(run(&lines(2, "mallory")).len(), 1);
    assert!(run(&lines(3, "mallory")).is_empty());
}

#[test]
fn what_cannot_run_is_reported_and_the_rest_runs() {
    let yaml = format!(
        "{}---
title: Not equal
correlation:
    type: event_count
    rules: [trail_stopped]
    timespan: 5m
    condition: {{neq: 2}}
---
title: Chained
correlation:
    type: temporal
    rules: [5f0c1c39-0d0e-4d44-9f55-3e1f2a3b4c5d, trail_deleted]
    timespan: 1h
---
title: With aliases
correlation:
    type: temporal
    rules: [trail_stopped, trail_deleted]
    group-by: [user]
    aliases:
        user: {{trail_stopped: userIdentity.arn, trail_deleted: userIdentity.userName}}
    timespan: 1h
---
title: Windows process
logsource: {{product: windows, category: process_creation}}
detection:
    selection: {{Image|endswith: '\\cmd.exe'}}
    condition: selection
",
        trail_correlation("temporal", "")
    );
    let lines = [
        trail_event("e1", 0, "StopLogging", "mallory"),
        trail_event("e2", 1000, "DeleteTrail", "mallory"),
    ];
    let (result, skipped) = run_sigma(&yaml, &lines);
    let reasons: Vec<(&str, &str)> = skipped
        .iter()
        .map(|s| (s.title.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].0 == "Windows process" && reasons[0].1.contains("not applicable"));
    assert!(reasons[1].0 == "Not equal" && reasons[1].1.contains("neq"));
    assert!(reasons[2].0 == "Chained" && reasons[2].1.contains("correlations of correlations"));
    assert!(reasons[3].0 == "With aliases" && reasons[3].1.contains("aliases"));
    assert!(
        skipped
            .iter()
            .all(|s| s.origin.starts_with("sigma.yml: document"))
    );
    // The temporal correlation still runs.
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.alerts[0].rule.name, "Trail stopped and deleted");
}

/// Records are dispatched to rules by `eventName`: names compare ignoring case, lists and
/// alternatives are all indexed, and rules that pin no exact name still see every record.
#[test]
fn dispatch_by_event_name_keeps_every_match() {
    let yaml = "title: Listed names
logsource: {product: aws, service: cloudtrail}
detection:
    a: {eventName: [StopLogging, DeleteTrail]}
    b: {eventName: UpdateTrail, eventSource: cloudtrail.amazonaws.com}
    condition: a or b
---
title: Prefix
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName|startswith: Stop}
    condition: selection
---
title: Negated
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: StopLogging}
    condition: not selection
";
    let lines = [
        trail_event("e1", 0, "stoplogging", "mallory"),
        trail_event("e2", 1000, "DeleteTrail", "mallory"),
        trail_event("e3", 2000, "UPDATETRAIL", "mallory"),
        trail_event("e4", 3000, "StartLogging", "mallory"),
    ];
    let (result, _) = run_sigma(yaml, &lines);
    let mut hits: Vec<(String, String)> = result
        .alerts
        .iter()
        .map(|a| {
            let record: serde_json::Value = serde_json::from_str(a.events[0].event.get()).unwrap();
            let id = record["eventID"].as_str().unwrap().to_owned();
            (a.rule.name.clone(), id)
        })
        .collect();
    hits.sort();
    let want: Vec<(String, String)> = [
        ("Listed names", "e1"),
        ("Listed names", "e2"),
        ("Listed names", "e3"),
        ("Negated", "e2"),
        ("Negated", "e3"),
        ("Negated", "e4"),
        ("Prefix", "e1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(hits, want);
}

#[test]
fn a_sigma_engine_restores_from_its_snapshot() {
    let yaml = trail_correlation("temporal", "");
    let set = r53guard_sigma::SigmaSet::load([("sigma.yml", yaml.as_str())]);
    let mapping = r53guard_sigma::Mapping::builtin().unwrap();
    let sigma = r53guard_engine::SigmaRules {
        set: &set,
        mapping: &mapping,
    };
    let rules = r53guard_rules::RuleSet::new();
    let opts = r53guard_engine::EngineOptions::default();
    let limits = r53guard_engine::Limits::default();
    let first = trail_event("e1", 0, "StopLogging", "mallory");
    let second = trail_event("e2", ms(3, 0), "DeleteTrail", "mallory");
    let whole = {
        let mut engine = r53guard_engine::Engine::with_sigma(&rules, sigma, opts, limits).unwrap();
        feed_inputs(
            &mut engine,
            &[("a.jsonl", format!("{first}\n{second}\n").into_bytes())],
        );
        engine.finish()
    };
    assert!(
        whole
            .alerts
            .iter()
            .any(|a| a.rule.id == "5f0c1c39-0d0e-4d44-9f55-3e1f2a3b4c5d"),
        "the correlation fires on the whole input"
    );
    let mut engine = r53guard_engine::Engine::with_sigma(&rules, sigma, opts, limits).unwrap();
    feed_inputs(
        &mut engine,
        &[("a.jsonl", format!("{first}\n").into_bytes())],
    );
    let snapshot = engine.snapshot().unwrap();
    assert!(
        r53guard_engine::Engine::restore(&rules, opts, &snapshot).is_err(),
        "without the Sigma rules the snapshot is of other rules"
    );
    let mut restored =
        r53guard_engine::Engine::restore_with_sigma(&rules, sigma, opts, &snapshot).unwrap();
    feed_inputs(
        &mut restored,
        &[("a.jsonl", format!("{second}\n").into_bytes())],
    );
    let resumed = restored.finish();
    let ids =
        |r: &r53guard_engine::RunResult| r.alerts.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&resumed), ids(&whole));
}
