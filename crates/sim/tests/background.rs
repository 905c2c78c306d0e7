//! The benign background must not trigger any detection.

mod common;

use std::collections::{HashMap, HashSet};

use common::{host_key, last_two_labels, normalised, read_records, run};
use r53guard_sim::{Layout, parse_rfc3339};
use serde_json::Value;

const ABUSED_TLDS: [&str; 22] = [
    "cc", "sx", "lc", "ac", "tv", "my", "cm", "st", "ws", "gd", "top", "icu", "live", "sbs",
    "click", "site", "cloud", "lat", "pro", "zip", "mov", "xyz",
];
const BAD_SUFFIXES: [&str; 12] = [
    "duckdns.org",
    "ddns.net",
    "no-ip.org",
    "no-ip.com",
    "hopto.org",
    "zapto.org",
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "supportxmr.com",
    "2miners.com",
    "nanopool.org",
];
const INTERNAL: [&str; 6] = [
    "ec2.internal",
    "compute.internal",
    "cluster.local",
    "in-addr.arpa",
    "invalid",
    "amazonaws.com",
];

fn minute(r: &Value) -> i64 {
    parse_rfc3339(r["query_timestamp"].as_str().unwrap()).unwrap() / 60
}

fn under(name: &str, suffix: &str) -> bool {
    name == suffix || name.ends_with(&format!(".{suffix}"))
}

/// Panther-style base64 test of one label: long, not a plain 32-character
/// token, base64 alphabet, and decoding to mostly printable ASCII.
fn looks_base64(label: &str) -> bool {
    if label.len() < 28 || (label.len() == 32 && label.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return false;
    }
    let body = label.trim_end_matches('=');
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => u32::from(b - b'A'),
            b'a'..=b'z' => u32::from(b - b'a') + 26,
            b'0'..=b'9' => u32::from(b - b'0') + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let Some(sextets) = body.bytes().map(value).collect::<Option<Vec<u32>>>() else {
        return false;
    };
    let mut bytes = Vec::new();
    for chunk in sextets.chunks(4) {
        let mut n = 0;
        for (i, v) in chunk.iter().enumerate() {
            n |= v << (18 - 6 * i);
        }
        bytes.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    let printable = bytes.iter().filter(|b| (0x20..0x7f).contains(*b)).count();
    !bytes.is_empty() && printable * 10 >= bytes.len() * 7
}

#[test]
fn background_triggers_no_dns_detection() {
    let (dir, summary) = run("background", 4, "none", Layout::Ndjson);
    assert!(summary.scenarios.is_empty());
    let records = read_records(&dir.0, Layout::Ndjson);
    assert!(records.resolver.len() > 15_000);

    let mut txt_per_minute: HashMap<(String, String, String, i64), u32> = HashMap::new();
    let mut nx_domains: HashMap<(String, String, String), HashSet<String>> = HashMap::new();
    let mut sub_labels: HashMap<(String, String, String, String), HashSet<String>> = HashMap::new();
    let mut registrable = HashSet::new();
    let mut rcodes = HashSet::new();
    for r in &records.resolver {
        let name = normalised(r);
        let key = host_key(r);
        assert_eq!(r["transport"], "UDP", "{r}");
        assert_ne!(r["rcode"], "REFUSED", "{r}");
        assert!(r.get("firewall_rule_action").is_none(), "{r}");
        assert_ne!(r["query_type"], "NULL", "{r}");
        rcodes.insert(r["rcode"].as_str().unwrap().to_string());
        let tld = name.rsplit('.').next().unwrap();
        assert!(!ABUSED_TLDS.contains(&tld), "{name}");
        for bad in BAD_SUFFIXES {
            assert!(!under(&name, bad), "{name}");
        }
        assert!(
            !name.starts_with("any.") && !name.contains(".any."),
            "{name}"
        );
        for a in r["answers"].as_array().unwrap() {
            let rdata = a["Rdata"].as_str().unwrap();
            if rdata == "169.254.169.254" || rdata == "fd00:ec2::254" {
                assert!(
                    name.starts_with("instance-data."),
                    "{name} answered {rdata}"
                );
            }
        }
        if r["query_type"] == "TXT" {
            *txt_per_minute
                .entry((key.0.clone(), key.1.clone(), key.2.clone(), minute(r)))
                .or_default() += 1;
        }
        let internal = INTERNAL.iter().any(|s| under(&name, s));
        let domain = last_two_labels(&name);
        if !internal {
            registrable.insert(domain.clone());
            // Base64 is case-sensitive: test the labels as logged.
            let logged = r["query_name"].as_str().unwrap().trim_end_matches('.');
            for label in logged.split('.') {
                assert!(!looks_base64(label), "{logged}");
            }
            if let Some((sub, _)) = name.rsplit_once(&format!(".{domain}")) {
                sub_labels
                    .entry((key.0.clone(), key.1.clone(), key.2.clone(), domain.clone()))
                    .or_default()
                    .insert(sub.to_string());
            }
        }
        if r["rcode"] == "NXDOMAIN" && !internal {
            nx_domains.entry(key).or_default().insert(domain);
        }
    }
    let max_txt = txt_per_minute.values().max().copied().unwrap_or(0);
    assert!(
        max_txt < 50,
        "{max_txt} TXT queries in one minute from one host"
    );
    let max_nx = nx_domains.values().map(HashSet::len).max().unwrap_or(0);
    assert!(
        max_nx < 10,
        "{max_nx} NXDOMAIN registrable domains from one host"
    );
    let max_subs = sub_labels.values().map(HashSet::len).max().unwrap_or(0);
    assert!(
        max_subs < 100,
        "{max_subs} sub-names of one domain from one host"
    );
    assert!(
        registrable.len() < 80,
        "{} registrable domains",
        registrable.len()
    );
    assert!(rcodes.contains("SERVFAIL") && rcodes.contains("NXDOMAIN"));

    let decoys: HashSet<String> = records.resolver.iter().map(normalised).collect();
    for decoy in [
        "notpastebin.com",
        "pastebin.com.example.org",
        "instance-data.ec2.internal",
    ] {
        assert!(decoys.contains(decoy), "decoy {decoy} missing");
    }
}

#[test]
fn background_has_no_audited_cloudtrail_calls() {
    let (dir, _) = run("background-ct", 6, "none", Layout::Ndjson);
    let records = read_records(&dir.0, Layout::Ndjson);
    assert!(records.cloudtrail.len() > 3_000);
    const AUDITED: [&str; 9] = [
        "transferdomaintoanotherawsaccount",
        "disabledomaintransferlock",
        "associatevpcwithhostedzone",
        "deleteresolverquerylogconfig",
        "disassociateresolverquerylogconfig",
        "updatedomaincontact",
        "updatedomainnameservers",
        "associatedelegationsignertodomain",
        "disassociatedelegationsignerfromdomain",
    ];
    let mut services = HashSet::new();
    for r in &records.cloudtrail {
        let name = r["eventName"].as_str().unwrap().to_ascii_lowercase();
        assert!(!AUDITED.contains(&name.as_str()), "{r}");
        services.insert(r["eventSource"].as_str().unwrap().to_string());
        if r["eventSource"] == "route53domains.amazonaws.com" {
            let first = r["eventName"].as_str().unwrap().chars().next().unwrap();
            assert!(first.is_ascii_lowercase(), "{r}");
        }
    }
    for s in [
        "route53.amazonaws.com",
        "route53domains.amazonaws.com",
        "route53resolver.amazonaws.com",
        "sts.amazonaws.com",
        "s3.amazonaws.com",
        "kms.amazonaws.com",
        "signin.amazonaws.com",
    ] {
        assert!(services.contains(s), "no {s} events");
    }
}
