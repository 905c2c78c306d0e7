//! The SigmaHQ rules shipped as fixtures (DRL 1.1, see `tests/fixtures/sigmahq/README.md`):
//! every CloudTrail rule loads and compiles; the DNS rules' status is pinned down; the field
//! report points at the fields the mapping does not know.

use crate::common::{here, mapping, matches_rule, with_event};
use r53guard_alert::Severity;
use r53guard_event::{Kind, Schema};
use r53guard_sigma::item::{Leaf, Lowered};
use r53guard_sigma::{CompiledSigma, SigmaSet, Unsupported, field_report};
use serde_json::json;

fn load(dir: &str) -> SigmaSet {
    SigmaSet::load_dir(&here(&format!("tests/fixtures/sigmahq/{dir}"))).expect("fixture dir")
}

#[test]
fn all_57_cloudtrail_rules_load_and_compile() {
    let set = load("aws_cloudtrail");
    assert!(set.diagnostics.is_empty(), "{:#?}", set.diagnostics);
    assert_eq!(set.rules.len(), 57);
    let m = mapping();
    let mut schema = Schema::new();
    for r in &set.rules {
        let c = CompiledSigma::compile(r, &m, &mut schema)
            .unwrap_or_else(|e| panic!("{} does not compile: {e}", r.title));
        assert_eq!(c.kinds(), [Kind::CloudTrail]);
        // DRL 1.1: every rule keeps an author, and alerts carry it.
        assert!(
            r.author.as_deref().is_some_and(|a| !a.is_empty()),
            "{}",
            r.title
        );
        assert!(r.level.is_some(), "{}", r.title);
    }
    // The one rule using `fieldref` compiles too (Chainsaw rejects it).
    let fieldref: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| {
            r.detection.items().any(|(_, i)| {
                matches!(&i.lowered, Lowered::Values { values, .. }
                    if values.iter().flatten().any(|l| matches!(l, Leaf::FieldRef { .. })))
            })
        })
        .map(|r| r.title.as_str())
        .collect();
    assert_eq!(fieldref, ["AWS User Login Profile Was Modified"]);
}

#[test]
fn attribution_and_severity_are_kept() {
    let set = load("aws_cloudtrail");
    let r = set
        .rule("0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2")
        .expect("backdoor users keys");
    assert_eq!(r.title, "AWS IAM Backdoor Users Keys");
    assert_eq!(r.author.as_deref(), Some("faloker"));
    assert_eq!(r.references.len(), 1);
    assert_eq!(r.severity(), Severity::Medium);
    assert!(r.tags.contains(&"attack.t1098".to_owned()));
    // The fixtures are byte-identical copies without a `# source:` hint: no link is invented.
    assert_eq!(r.source_url(), None);
    // With a hint the link points into SigmaHQ's tree.
    let hinted = crate::common::rule(
        "# source: rules/cloud/aws/cloudtrail/aws_root_account_usage.yml\n\
         title: t\nauthor: vitaliy0x1\nlevel: informational\n\
         logsource: {product: aws, service: cloudtrail}\n\
         detection: {sel: {eventName: x}, condition: sel}\n",
    );
    assert_eq!(
        hinted.source_url().as_deref(),
        Some(
            "https://github.com/SigmaHQ/sigma/blob/master/rules/cloud/aws/cloudtrail/aws_root_account_usage.yml"
        )
    );
    assert_eq!(hinted.severity(), Severity::Low);
}

#[test]
fn field_report_flags_fields_cloudtrail_never_has() {
    let set = load("aws_cloudtrail");
    let m = mapping();
    let mut unknown = Vec::new();
    for r in &set.rules {
        let report = field_report(r, &m);
        assert_eq!(
            report.source.as_deref(),
            Some("aws_cloudtrail"),
            "{}",
            r.title
        );
        for f in report.fields.iter().filter(|f| !f.known) {
            unknown.push((r.title.clone(), f.sigma.clone()));
        }
    }
    // `status` is not a CloudTrail field: "AWS SAML Provider Deletion Activity" can never match.
    assert_eq!(
        unknown,
        [(
            "AWS SAML Provider Deletion Activity".to_owned(),
            "status".to_owned()
        )]
    );
}

#[test]
fn dns_rules_load_and_those_for_dns_logs_compile() {
    let set = load("dns");
    assert!(set.diagnostics.is_empty(), "{:#?}", set.diagnostics);
    assert_eq!(set.rules.len(), 9);
    let m = mapping();
    let mut compiled = Vec::new();
    let mut not_applicable = Vec::new();
    for r in &set.rules {
        match CompiledSigma::compile(r, &m, &mut Schema::new()) {
            Ok(c) => {
                assert_eq!(c.kinds(), [Kind::Resolver]);
                compiled.push(r.title.as_str());
            }
            Err(Unsupported::NotApplicable(ls)) => not_applicable.push((r.title.as_str(), ls)),
            Err(e) => panic!("{}: {e}", r.title),
        }
    }
    compiled.sort_unstable();
    assert_eq!(
        compiled,
        [
            "DNS Events Related To Mining Pools",
            "DNS Query To Common Malware Hosting and Shortener Services",
            "DNS Query to External Service Interaction Domains",
            "Monero Crypto Coin Mining Pool Lookup",
            "Suspicious DNS Query with B64 Encoded String",
        ]
    );
    // Host and proxy telemetry: no r53guard record carries it.
    not_applicable.sort_unstable();
    assert_eq!(
        not_applicable,
        [
            (
                "Linux Crypto Mining Pool Connections",
                "{category: network_connection, product: linux}".to_owned()
            ),
            (
                "Network Communication With Crypto Mining Pool",
                "{category: network_connection, product: windows}".to_owned()
            ),
            (
                "New Connection Initiated To Potential Dead Drop Resolver Domain",
                "{category: network_connection, product: windows}".to_owned()
            ),
            ("Raw Paste Service Access", "{category: proxy}".to_owned()),
        ]
    );
    // The Zeek rule reads `rejected`, which Resolver logs do not have.
    let zeek = set
        .rule("bf74135c-18e8-4a72-a926-0e4f47888c19")
        .expect("zeek rule");
    let report = field_report(zeek, &m);
    let unknown: Vec<&str> = report
        .fields
        .iter()
        .filter(|f| !f.known)
        .map(|f| f.sigma.as_str())
        .collect();
    assert_eq!(unknown, ["rejected"]);
}

/// A Resolver query-log record.
fn query(name: &str, qtype: &str, answers: &[&str]) -> serde_json::Value {
    json!({
        "version": "1.100000",
        "account_id": "111122223333",
        "region": "us-east-1",
        "vpc_id": "vpc-0abc",
        "query_timestamp": "2024-05-01T10:00:00Z",
        "query_name": name,
        "query_type": qtype,
        "query_class": "IN",
        "rcode": "NOERROR",
        "answers": answers.iter().map(|a| json!({"Rdata": a, "Type": "A", "Class": "IN"})).collect::<Vec<_>>(),
        "srcaddr": "10.0.0.5",
        "srcport": "53211",
        "transport": "UDP",
        "srcids": {"instance": "i-0123456789abcdef0"}
    })
}

#[test]
fn dns_rules_match_resolver_records_despite_the_trailing_dot() {
    let set = load("dns");
    let m = mapping();
    let by_id = |id: &str| set.rule(id).expect("rule");
    // zeek_dns_mining_pools: `query|endswith: 'minexmr.com'`; Resolver writes `pool.minexmr.com.`.
    let zeek = by_id("bf74135c-18e8-4a72-a926-0e4f47888c19");
    assert!(matches_rule(
        zeek,
        &m,
        &query("pool.minexmr.com.", "A", &["1.2.3.4"])
    ));
    assert!(matches_rule(
        zeek,
        &m,
        &query("POOL.MineXMR.com.", "A", &[])
    ));
    // ... unless an answer is a sinkhole address (`not 1 of exclude_*`).
    assert!(!matches_rule(
        zeek,
        &m,
        &query("pool.minexmr.com.", "A", &["0.0.0.0"])
    ));
    assert!(!matches_rule(zeek, &m, &query("example.com.", "A", &[])));
    // net_dns_pua_cryptocoin_mining_xmr: `query|contains` over a long list (Aho-Corasick).
    let xmr = by_id("b593fd50-7335-4682-a36c-4edcb68e4641");
    assert!(matches_rule(
        xmr,
        &m,
        &query("xmr-eu1.nanopool.org.", "A", &[])
    ));
    assert!(!matches_rule(xmr, &m, &query("nanopool.org.", "A", &[])));
    // net_dns_susp_b64_queries: `query|contains: '==.'`.
    let b64 = by_id("4153a907-2451-4e4f-a578-c52bb6881432");
    assert!(matches_rule(
        b64,
        &m,
        &query("aGVsbG8gd29ybGQ==.exfil.example.", "TXT", &[])
    ));
    assert!(!matches_rule(
        b64,
        &m,
        &query("aGVsbG8.exfil.example.", "TXT", &[])
    ));
    // net_dns_external_service_interaction_domains: endswith list, minus a polling filter.
    let oast = by_id("aff715fa-4dd5-497a-8db3-910bea555566");
    assert!(matches_rule(
        oast,
        &m,
        &query("x1y2z3.oastify.com.", "A", &[])
    ));
    assert!(!matches_rule(
        oast,
        &m,
        &query("polling.oastify.com.", "A", &[])
    ));
    // dns_query_win_common_malware_hosting_services: `QueryName|contains` (Sysmon naming).
    let hosting = by_id("f8c1e80b-c73a-476a-ae24-6c72528b1521");
    assert!(matches_rule(
        hosting,
        &m,
        &query("abc.trycloudflare.com.", "A", &[])
    ));
    // Keyword searches work on Resolver records too (over the record's JSON text).
    let keywords = crate::common::rule(
        "title: k\nlogsource: {category: dns}\ndetection:\n    keywords:\n        - 'minexmr.com'\n    condition: keywords\n",
    );
    assert!(matches_rule(
        &keywords,
        &m,
        &query("pool.MINEXMR.com.", "A", &[])
    ));
    assert!(!matches_rule(
        &keywords,
        &m,
        &query("example.com.", "A", &[])
    ));
    // None of them runs on CloudTrail records.
    let mut schema = Schema::new();
    let c = CompiledSigma::compile(zeek, &m, &mut schema).expect("compiles");
    let ct = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"x","query":"pool.minexmr.com"}"#;
    assert!(!with_event(&schema, ct, |ev| c.matches(ev)));
}
