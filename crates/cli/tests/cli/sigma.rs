//! `r53guard hunt --sigma`: SigmaHQ's CloudTrail rules on the engine, beside the built-in pack.

use crate::*;
use std::collections::BTreeMap;

fn repo(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

const SIGMAHQ: &str = "crates/sigma/tests/fixtures/sigmahq/aws_cloudtrail";

fn alerts(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The per-rule counts are the sums of the expectations checked event by event in
/// `crates/sigma/tests/sigma/cloudtrail_data.rs` (the same files, through the engine: alerts
/// deduplicated, capped, attributed).
#[test]
fn the_sigmahq_cloudtrail_rules_raise_the_verified_alerts() {
    let out = r53guard(
        &[
            "hunt",
            "--no-builtin",
            "--sigma",
            &repo(SIGMAHQ),
            "--format",
            "jsonl",
            &repo("crates/sigma/tests/fixtures/cloudtrail"),
            &repo("tests/fixtures/cloudtrail"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let alerts = alerts(&out);
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for a in &alerts {
        *by_rule
            .entry(a["rule"]["name"].as_str().unwrap().to_owned())
            .or_default() += 1;
        // DRL 1.1: every alert keeps the rule's author and a link to the rule.
        assert!(!a["rule"]["author"][0].as_str().unwrap().is_empty());
        assert!(a["rule"]["source_url"].as_str().unwrap().ends_with(".yml"));
        assert_eq!(a["rule"]["license"], "DRL-1.1");
    }
    let want: BTreeMap<String, usize> = [
        ("AWS CloudTrail Important Change", 3),
        ("AWS IAM Backdoor Users Keys", 4),
        ("AWS New Lambda Layer Attached", 1),
        ("AWS STS AssumeRole Misuse", 9),
        ("AWS Snapshot Backup Exfiltration", 1),
        ("AWS Successful Console Login Without MFA", 2),
        ("AWS User Login Profile Was Modified", 1),
        ("AWS VPC Flow Logs Deleted", 2),
        ("Ingress/Egress Security Group Modification", 1),
        ("Potential Bucket Enumeration on AWS", 1),
        ("Potential Malicious Usage of CloudTrail System Manager", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(by_rule, want);
    let err = stderr(&out);
    assert!(
        err.contains(
            "sigma: 57 rules and 0 correlations loaded, 0 not run, 0 documents not loaded"
        ),
        "{err}"
    );
}

/// SigmaHQ's two Route 53 domain rules say `route53.amazonaws.com`; AWS logs the calls under
/// `route53domains.amazonaws.com`. On the same events the built-in pack fires and they do not.
#[test]
fn the_sigmahq_route53_rules_miss_what_the_pack_catches() {
    let out = r53guard(
        &[
            "hunt",
            "--sigma",
            &repo(&format!(
                "{SIGMAHQ}/aws_route_53_domain_transferred_lock_disabled.yml"
            )),
            "--sigma",
            &repo(&format!(
                "{SIGMAHQ}/aws_route_53_domain_transferred_to_another_account.yml"
            )),
            "--format",
            "jsonl",
            &fixture("cloudtrail/synthetic/route53domains.json"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<String> = alerts(&out)
        .iter()
        .map(|a| a["rule"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.iter()
            .any(|i| i == "route53-domain-transfer-lock-disabled"),
        "{ids:?}"
    );
    assert!(
        ids.iter()
            .any(|i| i == "route53-domain-transferred-to-another-account"),
        "{ids:?}"
    );
    for sigmahq in [
        "3940b5f1-3f46-44aa-b746-ebe615b879e0",
        "b056de1a-6e6e-4e40-a67e-97c9808cf41b",
    ] {
        assert!(
            !ids.iter().any(|i| i == sigmahq),
            "{sigmahq} fired: {ids:?}"
        );
    }
    assert!(stderr(&out).contains("sigma: 2 rules and 0 correlations loaded, 0 not run"));
}

#[test]
fn sigma_rules_that_cannot_run_are_named_with_the_reason() {
    let dir = tempdir("sigma-unsupported");
    std::fs::write(
        dir.join("rules.yml"),
        "title: Trail deleted
name: trail_deleted
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: DeleteTrail}
    condition: selection
---
title: Deleted but not twice
correlation:
    type: event_count
    rules: [trail_deleted]
    timespan: 5m
    condition: {neq: 2}
---
title: Windows shell
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\cmd.exe'}
    condition: selection
---
title: Broken
logsource: {product: aws, service: cloudtrail}
detection:
    condition: nothing
",
    )
    .unwrap();
    let out = r53guard(
        &[
            "hunt",
            "--no-builtin",
            "--sigma",
            dir.to_str().unwrap(),
            &fixture("cloudtrail/stratus-red-team"),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("not run: Windows shell"), "{err}");
    assert!(err.contains("not applicable"), "{err}");
    assert!(err.contains("not run: Deleted but not twice"), "{err}");
    assert!(err.contains("neq"), "{err}");
    assert!(err.contains("rules.yml: document 4"), "{err}");
    assert!(
        err.contains("sigma: 2 rules and 1 correlations loaded, 2 not run, 1 documents not loaded"),
        "{err}"
    );
}
