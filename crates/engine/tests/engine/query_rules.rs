//! Query rules end to end: the v207 provider bug, case, exceptions, dedupe, max_signals,
//! suppression, and order independence.

use crate::common::*;

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
    assert_eq!(a.events[0].source.path, DOMAINS);
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
fn suppression_folds_repeats_per_group_and_duration() {
    let any_transfer = r#"
[rule]
rule_id = "test-domains-activity"
name = "Domain registration activity"
description = "test"
type = "query"
data = ["cloudtrail"]
severity = "low"
risk_score = 10
author = ["r53guard"]
query = 'event.provider:route53domains.amazonaws.com'
[rule.alert_suppression]
group_by = ["requestParameters.domainName"]
missing_fields_strategy = "suppress"
[rule.alert_suppression.duration]
value = 1
unit = "h"
"#;
    let result = run_files(&rules(&[any_transfer]), &[DOMAINS]);
    // example-corp.com: 10:05 and 10:24 in the 10:00 bucket, 11:10 in the 11:00 bucket;
    // example-shop.net: 11:02.
    let mut got: Vec<(String, u64, u64)> = result
        .alerts
        .iter()
        .map(|a| {
            (
                a.group["requestParameters.domainName"].clone(),
                a.count,
                a.suppressed,
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("example-corp.com".to_owned(), 1, 0),
            ("example-corp.com".to_owned(), 2, 1),
            ("example-shop.net".to_owned(), 1, 0)
        ]
    );
    let two = result.alerts.iter().find(|a| a.count == 2).unwrap();
    assert_eq!(two.events.len(), 2);
    assert_eq!(two.first_seen, "2024-05-01T10:05:12.000Z");
    assert_eq!(two.last_seen, "2024-05-01T10:24:40.000Z");
    assert_eq!(
        two.window.as_ref().unwrap().start,
        "2024-05-01T10:00:00.000Z"
    );
}

#[test]
fn list_conditions_match_domains_on_label_boundaries() {
    let rule = r#"
[rule]
rule_id = "test-paste"
name = "Paste site"
description = "test"
type = "query"
data = ["resolver"]
severity = "medium"
risk_score = 47
author = ["r53guard"]
query = 'rcode:NOERROR'
[[rule.lists]]
field = "dns.question.name"
list = "paste"
match = "domain"
[[rule.lists]]
field = "srcaddr"
list = "scanners"
negate = true
"#;
    let mut set = rules(&[rule]);
    let origin = r53guard_rules::Source::Builtin("lists/paste.txt".into());
    set.add_list(
        r53guard_rules::ValueList::parse("paste", "# test\npastebin.com\n", origin).unwrap(),
    )
    .unwrap();
    let origin = r53guard_rules::Source::Builtin("lists/scanners.txt".into());
    set.add_list(r53guard_rules::ValueList::parse("scanners", "10.0.9.9\n", origin).unwrap())
        .unwrap();
    let line = |name: &str, src: &str| {
        format!(
            r#"{{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2024-05-01T10:00:00Z","query_name":"{name}","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"{src}","srcport":"5353","transport":"UDP","srcids":{{}}}}"#
        )
    };
    let names = [
        ("pastebin.com.", "10.0.0.1", true),
        ("RAW.Pastebin.com.", "10.0.0.1", true),
        ("notpastebin.com.", "10.0.0.1", false),
        ("pastebin.com.example.org.", "10.0.0.1", false),
        ("pastebin.com.", "10.0.9.9", false),
    ];
    let body: String = names.iter().map(|(n, s, _)| line(n, s) + "\n").collect();
    let result = run_inputs(&set, &[("dns.log", body.into_bytes())]);
    let hits: Vec<u64> = result
        .alerts
        .iter()
        .map(|a| a.events[0].source.record)
        .collect();
    let want: Vec<u64> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.2)
        .map(|(i, _)| i as u64)
        .collect();
    assert_eq!(hits, want);
}
