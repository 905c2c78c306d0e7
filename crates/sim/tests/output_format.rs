//! Every output file is valid gzip and JSON, S3 keys follow the AWS patterns,
//! records have the real shapes, and the manifest counts what was written.

mod common;

use std::collections::HashSet;
use std::fs;

use common::{files, gunzip, manifest, read_records, run};
use r53guard_sim::Layout;
use regex::Regex;
use serde_json::Value;
use sha2::{Digest, Sha256};

const CLOUDTRAIL_KEY: &str = r"^AWSLogs/(\d{12})/CloudTrail/([a-z]{2}-[a-z]+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z]{2}-[a-z]+-\d)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$";
const DIGEST_KEY: &str = r"^AWSLogs/(\d{12})/CloudTrail-Digest/([a-z]{2}-[a-z]+-\d)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail-Digest_([a-z]{2}-[a-z]+-\d)_[A-Za-z0-9_.-]+_us-east-1_\d{8}T\d{6}Z\.json\.gz$";
const RESOLVER_KEY: &str = r"^AWSLogs/(\d{12})/vpcdnsquerylogs/(vpc-[0-9a-f]+)/(\d{4})/(\d{2})/(\d{2})/(vpc-[0-9a-f]+)_vpcdnsquerylogs_(\d{12})_(\d{4})(\d{2})(\d{2})T\d{4}Z_[0-9a-f]{8}\.log\.gz$";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn s3_layout_files_keys_and_counts() {
    let (dir, summary) = run("s3-format", 3, "all", Layout::S3);
    let root = &dir.0;
    let ct_re = Regex::new(CLOUDTRAIL_KEY).unwrap();
    let digest_re = Regex::new(DIGEST_KEY).unwrap();
    let dns_re = Regex::new(RESOLVER_KEY).unwrap();
    let all = files(root);
    let mut ct_files = HashSet::new();
    let (mut n_ct, mut n_dns, mut n_digest) = (0u64, 0u64, 0u64);
    let mut digests = Vec::new();
    for rel in &all {
        let path = root.join(rel);
        if rel == "manifest.json" {
            continue;
        } else if let Some(c) = ct_re.captures(rel) {
            assert_eq!(&c[1], &c[6], "{rel}: account twice");
            assert_eq!(&c[2], &c[7], "{rel}: region twice");
            assert_eq!(
                (&c[3], &c[4], &c[5]),
                (&c[8], &c[9], &c[10]),
                "{rel}: date twice"
            );
            let body = gunzip(&path);
            let doc: Value = serde_json::from_slice(&body).expect("CloudTrail JSON");
            for r in doc["Records"].as_array().expect("Records") {
                assert_eq!(r["recipientAccountId"], &c[1], "{rel}");
                assert_eq!(r["awsRegion"], &c[2], "{rel}");
            }
            ct_files.insert((rel.clone(), hex(&Sha256::digest(&body))));
            n_ct += 1;
        } else if let Some(c) = digest_re.captures(rel) {
            assert_eq!(&c[1], &c[3]);
            assert_eq!(&c[2], &c[4]);
            digests.push(serde_json::from_slice::<Value>(&gunzip(&path)).expect("digest JSON"));
            n_digest += 1;
        } else if let Some(c) = dns_re.captures(rel) {
            assert_eq!(&c[1], &c[7], "{rel}: account twice");
            assert_eq!(&c[2], &c[6], "{rel}: vpc twice");
            assert_eq!(
                (&c[3], &c[4], &c[5]),
                (&c[8], &c[9], &c[10]),
                "{rel}: date twice"
            );
            let body = String::from_utf8(gunzip(&path)).expect("utf-8");
            for line in body.lines() {
                let r: Value = serde_json::from_str(line).expect("Resolver JSON line");
                assert_eq!(r["account_id"], &c[1], "{rel}");
                assert_eq!(r["vpc_id"], &c[2], "{rel}");
            }
            n_dns += 1;
        } else {
            panic!("unexpected file {rel}");
        }
    }

    let m = manifest(root);
    let counts = &m["counts"];
    assert_eq!(counts["cloudtrail_files"], n_ct);
    assert_eq!(counts["resolver_files"], n_dns);
    assert_eq!(counts["digest_files"], n_digest);
    assert_eq!(summary.files, n_ct + n_dns + n_digest + 1);
    assert_eq!(summary.files as usize, all.len());
    // 3 accounts x 2 regions, one digest per hour.
    assert_eq!(n_digest, 6);
    // About one CloudTrail file per 5 minutes per account and region.
    assert!((60..=72).contains(&n_ct), "{n_ct} CloudTrail files");
    assert_eq!(n_dns, 4 * 12);

    let records = read_records(root, Layout::S3);
    assert_eq!(
        counts["cloudtrail_records"],
        records.cloudtrail.len() as u64
    );
    assert_eq!(counts["resolver_records"], records.resolver.len() as u64);
    assert!((3_400..=4_600).contains(&records.cloudtrail.len()));
    assert!((18_000..=22_500).contains(&records.resolver.len()));

    for d in &digests {
        for key in [
            "awsAccountId",
            "digestStartTime",
            "digestEndTime",
            "digestS3Bucket",
            "digestS3Object",
            "digestPublicKeyFingerprint",
            "digestSignatureAlgorithm",
            "previousDigestSignature",
            "logFiles",
        ] {
            assert!(d.get(key).is_some(), "digest lacks {key}");
        }
        for f in d["logFiles"].as_array().unwrap() {
            let key = f["s3Object"].as_str().unwrap().to_string();
            let hash = f["hashValue"].as_str().unwrap().to_string();
            assert!(
                ct_files.contains(&(key, hash)),
                "digest lists an unknown or changed file"
            );
        }
    }
    let listed: usize = digests
        .iter()
        .map(|d| d["logFiles"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        listed as u64, n_ct,
        "every log file is in exactly one digest"
    );
}

#[test]
fn records_have_the_real_shapes() {
    let (dir, _) = run("shapes", 5, "all", Layout::Ndjson);
    let records = read_records(&dir.0, Layout::Ndjson);
    let uuid = Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        .unwrap();
    let mut ids = HashSet::new();
    let (mut failures, mut null_params) = (0usize, 0usize);
    let mut identity_types = HashSet::new();
    for r in &records.cloudtrail {
        assert!(matches!(
            r["eventVersion"].as_str(),
            Some("1.08" | "1.09" | "1.10")
        ));
        let id = r["eventID"].as_str().unwrap();
        assert!(uuid.is_match(id), "{id}");
        assert!(ids.insert(id.to_string()), "duplicate eventID");
        for key in [
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "eventType",
            "sourceIPAddress",
            "userAgent",
        ] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
        assert!(r.get("requestParameters").is_some() && r.get("responseElements").is_some());
        null_params += usize::from(r["requestParameters"].is_null());
        if r.get("errorCode").is_some() {
            failures += 1;
            assert!(r["responseElements"].is_null());
        }
        if let Some(mfa) = r.pointer("/userIdentity/sessionContext/attributes/mfaAuthenticated") {
            assert!(mfa == "true" || mfa == "false");
        }
        identity_types.insert(
            r["userIdentity"]["type"]
                .as_str()
                .unwrap_or("<none>")
                .to_string(),
        );
        let source = r["eventSource"].as_str().unwrap();
        if source == "route53.amazonaws.com"
            || source == "route53domains.amazonaws.com"
            || source == "iam.amazonaws.com"
        {
            assert_eq!(r["awsRegion"], "us-east-1", "{r}");
        }
    }
    let n = records.cloudtrail.len();
    assert!(
        failures * 100 > n * 4 && failures * 100 < n * 11,
        "{failures} failures of {n}"
    );
    assert!(
        null_params * 100 > n * 5,
        "{null_params} null requestParameters of {n}"
    );
    for t in [
        "IAMUser",
        "AssumedRole",
        "AWSService",
        "Root",
        "WebIdentityUser",
    ] {
        assert!(
            identity_types.contains(t),
            "no {t} identity in {identity_types:?}"
        );
    }

    let mut srcid_shapes = HashSet::new();
    for r in &records.resolver {
        assert_eq!(r["version"], "1.100000");
        assert_eq!(r["query_class"], "IN");
        let port: u16 = r["srcport"]
            .as_str()
            .expect("string srcport")
            .parse()
            .unwrap();
        assert!(port >= 1024);
        assert!(r["query_name"].as_str().unwrap().ends_with('.'));
        assert!(r["answers"].is_array());
        for a in r["answers"].as_array().unwrap() {
            assert!(a["Rdata"].is_string() && a["Type"].is_string() && a["Class"] == "IN");
        }
        let mut shape: Vec<&str> = r["srcids"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        shape.sort_unstable();
        srcid_shapes.insert(shape.join(","));
    }
    for shape in [
        "",
        "instance",
        "instance,resolver_endpoint",
        "resolver_endpoint,resolver_network_interface",
    ] {
        assert!(
            srcid_shapes.contains(shape),
            "no srcids {{{shape}}} in {srcid_shapes:?}"
        );
    }
    let m = manifest(&dir.0);
    assert_eq!(m["counts"]["cloudtrail_records"], n as u64);
    assert_eq!(
        m["counts"]["resolver_records"],
        records.resolver.len() as u64
    );
    assert_eq!(m["counts"]["cloudtrail_files"], 1);
    let text = fs::read_to_string(dir.0.join("resolver.ndjson")).unwrap();
    assert!(text.ends_with('\n'));
    let reordered = text
        .lines()
        .filter(|l| l.find("\"vpc_id\"") < l.find("\"region\""))
        .count();
    assert!(reordered > 0, "key order never varies");
    assert!(
        reordered * 50 < records.resolver.len(),
        "key order varies too often"
    );
}
