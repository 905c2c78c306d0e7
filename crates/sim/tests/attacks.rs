//! Attack selection and the ground truth of the planted scenarios: with
//! `scale 0` only scenario records are written, so each manifest entry can be
//! checked against exactly the records it describes.

mod common;

use std::collections::{HashMap, HashSet};

use common::{Scratch, host_key, last_two_labels, manifest, normalised, read_records, run};
use r53guard_sim::{Attack, AttackSet, Layout, SimOptions, parse_rfc3339, simulate};
use serde_json::Value;

fn planted_only(seed: u64) -> (Scratch, Value, common::Records) {
    let dir = Scratch::new("planted");
    let mut opts = SimOptions::new(&dir.0);
    opts.seed = seed;
    opts.scale = 0;
    opts.layout = Layout::Ndjson;
    simulate(&opts).expect("simulate");
    let m = manifest(&dir.0);
    let records = read_records(&dir.0, Layout::Ndjson);
    (dir, m, records)
}

fn ts(value: &Value) -> i64 {
    parse_rfc3339(value.as_str().expect("timestamp")).expect("RFC 3339")
}

fn scenario<'a>(m: &'a Value, id: &str) -> &'a Value {
    m["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["detection"] == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// Resolver records of the scenario's host.
fn dns_of<'a>(records: &'a common::Records, s: &Value) -> Vec<&'a Value> {
    let key = (
        s["account_id"].as_str().unwrap().to_string(),
        s["vpc_id"].as_str().unwrap().to_string(),
        s["srcaddr"].as_str().unwrap().to_string(),
    );
    records
        .resolver
        .iter()
        .filter(|r| host_key(r) == key)
        .collect()
}

#[test]
fn none_plants_nothing_and_lists_plant_what_they_name() {
    let (dir, summary) = run("none", 1, "none", Layout::Ndjson);
    assert!(summary.scenarios.is_empty());
    assert_eq!(manifest(&dir.0)["scenarios"], Value::Array(Vec::new()));
    assert_eq!(
        manifest(&dir.0)["options"]["attacks"],
        Value::Array(Vec::new())
    );

    let (dir, summary) = run(
        "list",
        1,
        "dns-over-tcp,route53-domain-transfer-lock-disabled",
        Layout::Ndjson,
    );
    let ids: Vec<&str> = summary
        .scenarios
        .iter()
        .map(|s| s.detection.as_str())
        .collect();
    assert_eq!(
        ids,
        ["route53-domain-transfer-lock-disabled", "dns-over-tcp"]
    );
    let records = read_records(&dir.0, Layout::Ndjson);
    let tcp = records
        .resolver
        .iter()
        .filter(|r| r["transport"] == "TCP")
        .count();
    assert_eq!(tcp as u64, summary.scenarios[1].records);
}

#[test]
fn unknown_ids_are_rejected_by_name() {
    let err = "dns-over-tcp,dns-over-carrier-pigeon"
        .parse::<AttackSet>()
        .unwrap_err();
    assert!(err.to_string().contains("dns-over-carrier-pigeon"), "{err}");
    assert!(" all ".parse::<AttackSet>().is_ok());
    assert!("".parse::<AttackSet>().is_err());
}

#[test]
fn all_plants_one_entry_per_detection_inside_the_run() {
    let (_dir, m, records) = planted_only(17);
    let scenarios = m["scenarios"].as_array().unwrap();
    let ids: Vec<&str> = scenarios
        .iter()
        .map(|s| s["detection"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = Attack::ALL.iter().map(Attack::id).collect();
    assert_eq!(ids, expected);
    let (start, end) = (ts(&m["options"]["start"]), ts(&m["options"]["end"]));
    let (mut ct, mut dns) = (0, 0);
    for s in scenarios {
        let (first, last) = (ts(&s["first"]), ts(&s["last"]));
        assert!(start <= first && first <= last && last < end, "{s}");
        match s["kind"].as_str().unwrap() {
            "cloudtrail" => {
                ct += s["records"].as_u64().unwrap();
                assert!(s["principal_arn"].is_string(), "{s}");
            }
            "resolver" => {
                dns += s["records"].as_u64().unwrap();
                assert!(s["vpc_id"].is_string() && s["srcaddr"].is_string(), "{s}");
                assert_eq!(dns_of(&records, s).len() as u64, s["records"], "{s}");
            }
            other => panic!("kind {other}"),
        }
    }
    assert_eq!(records.cloudtrail.len() as u64, ct);
    assert_eq!(records.resolver.len() as u64, dns);
    let hosts: HashSet<_> = scenarios
        .iter()
        .filter(|s| s["kind"] == "resolver")
        .map(|s| (s["vpc_id"].to_string(), s["srcaddr"].to_string()))
        .collect();
    assert_eq!(hosts.len(), 13, "each DNS scenario has its own host");
}

#[test]
fn audit_scenarios_have_the_expected_events() {
    let (_dir, m, records) = planted_only(23);
    let by_name = |name: &str| -> Vec<&Value> {
        records
            .cloudtrail
            .iter()
            .filter(|r| r["eventName"].as_str().unwrap().eq_ignore_ascii_case(name))
            .collect()
    };

    let transferred = scenario(&m, "route53-domain-transferred-to-another-account");
    let domain = transferred["domain"].as_str().unwrap();
    let transfers: Vec<&Value> = by_name("TransferDomainToAnotherAwsAccount")
        .into_iter()
        .filter(|r| r["requestParameters"]["domainName"] == domain)
        .collect();
    assert_eq!(transfers.len(), 2);
    let ok: Vec<_> = transfers
        .iter()
        .filter(|r| r.get("errorCode").is_none())
        .collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["eventName"], "transferDomainToAnotherAwsAccount");
    assert_eq!(ok[0]["eventSource"], "route53domains.amazonaws.com");
    assert_eq!(ok[0]["awsRegion"], "us-east-1");
    assert_eq!(ok[0]["userIdentity"]["arn"], transferred["principal_arn"]);
    assert_eq!(
        ok[0]["requestParameters"]["accountId"],
        transferred["target"]
    );
    assert!(ok[0]["responseElements"]["operationId"].is_string());
    assert_eq!(transferred["failed_records"], 1);
    let failed: Vec<_> = transfers
        .iter()
        .filter(|r| r["errorCode"] == "AccessDenied")
        .collect();
    assert_eq!(failed.len(), 1);

    let hijack = scenario(&m, "route53-domain-hijack-sequence");
    let domain = hijack["domain"].as_str().unwrap();
    let unlock = by_name("DisableDomainTransferLock")
        .into_iter()
        .find(|r| r["requestParameters"]["domainName"] == domain)
        .expect("lock removal");
    let transfer = by_name("TransferDomainToAnotherAwsAccount")
        .into_iter()
        .find(|r| r["requestParameters"]["domainName"] == domain)
        .expect("transfer");
    assert_eq!(
        unlock["userIdentity"]["arn"],
        transfer["userIdentity"]["arn"]
    );
    let gap = ts(&transfer["eventTime"]) - ts(&unlock["eventTime"]);
    assert!((15 * 60..=25 * 60).contains(&gap), "gap {gap}s");

    let lock = scenario(&m, "route53-domain-transfer-lock-disabled");
    assert_eq!(lock["records"], 1);
    assert_eq!(by_name("DisableDomainTransferLock").len(), 2);

    let zone = scenario(&m, "route53-private-hosted-zone-associated-with-vpc");
    let assoc = by_name("AssociateVPCWithHostedZone");
    assert_eq!(assoc.len(), 1);
    assert_eq!(assoc[0]["eventSource"], "route53.amazonaws.com");
    assert_eq!(
        assoc[0]["requestParameters"]["vPC"]["vPCId"],
        zone["vpc_id"]
    );
    assert_eq!(
        assoc[0]["requestParameters"]["hostedZoneId"],
        zone["target"]
    );
    assert_eq!(assoc[0]["recipientAccountId"], zone["account_id"]);
    assert!(assoc[0]["responseElements"]["changeInfo"]["id"].is_string());

    let logging = scenario(&m, "route53-resolver-query-logging-disabled");
    let delete = by_name("DeleteResolverQueryLogConfig");
    let disassociate = by_name("DisassociateResolverQueryLogConfig");
    assert_eq!((delete.len(), disassociate.len()), (1, 1));
    assert_eq!(delete[0]["awsRegion"], logging["region"]);
    assert_ne!(delete[0]["awsRegion"], "us-east-1");
    assert_eq!(delete[0]["requestParameters"]["originSequenceNumber"], 0);
    assert_eq!(
        delete[0]["requestParameters"]["resolverQueryLogConfigId"],
        logging["target"]
    );
    assert_eq!(
        delete[0]["responseElements"]["resolverQueryLogConfig"]["status"],
        "DELETING"
    );
    assert_eq!(
        disassociate[0]["requestParameters"]["resourceId"],
        logging["vpc_id"]
    );

    let contact = scenario(&m, "route53-domain-contact-or-nameservers-changed");
    let ns = by_name("updateDomainNameservers");
    let who = by_name("updateDomainContact");
    assert_eq!((ns.len(), who.len()), (1, 1));
    assert_eq!(ns[0]["eventName"], "updateDomainNameservers");
    assert_eq!(ns[0]["requestParameters"]["domainName"], contact["domain"]);
    assert_eq!(
        who[0]["requestParameters"]["domainName"]["name"],
        contact["domain"]
    );
    assert!(who[0]["additionalEventData"].is_string());
}

#[test]
fn dns_scenarios_cross_their_thresholds() {
    let (_dir, m, records) = planted_only(29);
    let of = |id: &str| dns_of(&records, scenario(&m, id));
    let span = |rs: &[&Value]| {
        let times: Vec<i64> = rs.iter().map(|r| ts(&r["query_timestamp"])).collect();
        times.iter().max().unwrap() - times.iter().min().unwrap()
    };

    let nx = of("dns-high-nxdomain-rate");
    assert!(nx.iter().all(|r| r["rcode"] == "NXDOMAIN"));
    let domains: HashSet<String> = nx.iter().map(|r| last_two_labels(&normalised(r))).collect();
    assert!(domains.len() >= 400);
    assert!(span(&nx) < 8 * 60);
    assert_eq!(
        scenario(&m, "dns-high-nxdomain-rate")["srcaddr"],
        "10.0.1.15"
    );

    let dga = of("dns-dga-activity");
    assert!((55..=65).contains(&dga.len()));
    let nxdomain = dga.iter().filter(|r| r["rcode"] == "NXDOMAIN").count();
    assert!(nxdomain > dga.len() / 2 && nxdomain < dga.len());

    let tcp = of("dns-over-tcp");
    assert!(tcp.iter().all(|r| r["transport"] == "TCP"));
    assert!(tcp.iter().any(|r| r["query_type"] == "TXT"));
    let all_tcp = records
        .resolver
        .iter()
        .filter(|r| r["transport"] == "TCP")
        .count();
    assert_eq!(all_tcp, tcp.len());

    let refused = of("dns-excessive-refused");
    assert!(refused.len() >= 80 && refused.iter().all(|r| r["rcode"] == "REFUSED"));
    assert!(span(&refused) < 4 * 60);

    let meta = of("dns-aws-metadata-answer");
    let answers: Vec<&str> = meta
        .iter()
        .flat_map(|r| r["answers"].as_array().unwrap())
        .map(|a| a["Rdata"].as_str().unwrap())
        .collect();
    assert!(answers.contains(&"169.254.169.254") && answers.contains(&"fd00:ec2::254"));
    assert!(meta.iter().any(|r| r["answers"][0]["Type"] == "CNAME"));

    let txt = of("dns-uncommon-record-types");
    let n_txt = txt.iter().filter(|r| r["query_type"] == "TXT").count();
    assert!(n_txt >= 70 && span(&txt) < 60);
    assert!(txt.iter().any(|r| r["query_type"] == "NULL"));

    let tld = of("dns-suspicious-tld");
    let tlds: HashSet<String> = tld
        .iter()
        .map(|r| normalised(r).rsplit('.').next().unwrap().to_string())
        .collect();
    assert_eq!(tlds, HashSet::from(["sx".to_string(), "cm".to_string()]));

    let paste: HashSet<String> = of("dns-paste-site-query")
        .iter()
        .map(|r| normalised(r))
        .collect();
    assert!(paste.contains("pastebin.com") && paste.contains("raw.pastebin.com"));

    let pools: HashSet<String> = of("dns-monero-mining-pool")
        .iter()
        .map(|r| normalised(r))
        .collect();
    assert!(pools.contains("pool.supportxmr.com") && pools.contains("xmr.2miners.com"));

    for r in of("dns-base64-encoded-label") {
        let label = r["query_name"].as_str().unwrap().split('.').next().unwrap();
        assert!((28..=63).contains(&label.len()), "{label}");
        assert!(
            label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(
            label.bytes().any(|b| b.is_ascii_uppercase()),
            "case is preserved"
        );
    }

    let k8s: Vec<String> = of("dns-kubernetes-enumeration")
        .iter()
        .map(|r| normalised(r))
        .collect();
    assert!(k8s.iter().any(|n| n == "any.any.svc.cluster.local"));
    assert!(
        k8s.iter()
            .any(|n| n.starts_with("any.any.svc.cluster.local.") && n.ends_with(".internal"))
    );

    let tunnel = of("dns-tunneling");
    let mut subs: HashMap<String, HashSet<String>> = HashMap::new();
    for r in &tunnel {
        let name = normalised(r);
        let first = name.split('.').next().unwrap().to_string();
        assert!((40..=60).contains(&first.len()));
        subs.entry(last_two_labels(&name))
            .or_default()
            .insert(first);
    }
    assert_eq!(subs.len(), 1);
    assert!(subs.values().next().unwrap().len() >= 300);
    assert!(span(&tunnel) < 10 * 60);

    let fw = of("dns-firewall-match");
    let actions: HashSet<&str> = fw
        .iter()
        .map(|r| r["firewall_rule_action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, HashSet::from(["ALERT", "BLOCK"]));
    assert!(fw.iter().all(|r| {
        r["firewall_rule_group_id"]
            .as_str()
            .unwrap()
            .starts_with("rslvr-frg-")
    }));
    assert!(fw.iter().all(|r| {
        r["firewall_domain_list_id"]
            .as_str()
            .unwrap()
            .starts_with("rslvr-fdl-")
    }));
    assert!(
        fw.iter()
            .any(|r| r["firewall_rule_action"] == "BLOCK" && r["rcode"] == "NXDOMAIN")
    );
    assert!(
        fw.iter()
            .any(|r| normalised(r)
                .starts_with("controldomain1.botnetlist.firewall.route53resolver."))
    );
    let with_fw = records
        .resolver
        .iter()
        .filter(|r| r.get("firewall_rule_action").is_some())
        .count();
    assert_eq!(with_fw, fw.len());
}
