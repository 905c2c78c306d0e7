//! `r53guard simulate` feeding `r53guard events`: what was written is exactly what is read.

use crate::*;
use std::collections::BTreeMap;

fn manifest(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every record's chosen fields, sorted (file order differs between layouts).
fn rows(path: &str, fields: &str) -> Vec<String> {
    let out = r53guard(&["events", "--fields", fields, path], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut rows: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    rows.sort();
    rows
}

#[test]
fn s3_and_ndjson_layouts_round_trip_exactly() {
    let s3 = tempdir("sim-s3");
    let nd = tempdir("sim-nd");
    for (dir, layout) in [(&s3, "s3"), (&nd, "ndjson")] {
        let out = r53guard(
            &[
                "simulate",
                "--out",
                dir.to_str().unwrap(),
                "--hours",
                "1",
                "--seed",
                "3",
                "--layout",
                layout,
            ],
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let counts = &manifest(&s3)["counts"];
    let fields =
        "@kind,eventID,eventName,query_name,srcaddr,answers.Rdata,query_timestamp,eventTime";
    let a = rows(s3.to_str().unwrap(), fields);
    let b = rows(nd.to_str().unwrap(), fields);
    assert_eq!(a, b);
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    for row in &a {
        let v: serde_json::Value = serde_json::from_str(row).unwrap();
        *by_kind
            .entry(v["@kind"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(
        by_kind["cloudtrail"],
        counts["cloudtrail_records"].as_u64().unwrap()
    );
    assert_eq!(
        by_kind["resolver"],
        counts["resolver_records"].as_u64().unwrap()
    );
    // Digest files are skipped and counted, the manifest is not read as a log.
    let out = r53guard(&["events", "--stats", s3.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cloudtrail_digest"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn planted_domain_transfer_is_readable() {
    let dir = tempdir("sim-attacks");
    let out = r53guard(
        &[
            "simulate",
            "--out",
            dir.to_str().unwrap(),
            "--attacks",
            "route53-domain-transferred-to-another-account",
            "--scale",
            "0",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = rows(
        dir.to_str().unwrap(),
        "event.provider,eventName,requestParameters.accountId,event.outcome",
    );
    let transfers: Vec<&String> = rows
        .iter()
        .filter(|r| {
            r.to_lowercase()
                .contains("transferdomaintoanotherawsaccount")
        })
        .collect();
    assert!(!transfers.is_empty());
    assert!(
        transfers
            .iter()
            .all(|r| r.contains("route53domains.amazonaws.com"))
    );
    assert!(transfers.iter().any(|r| r.contains("\"success\"")));
    let m = manifest(&dir);
    assert_eq!(m["scenarios"].as_array().unwrap().len(), 1);
}

#[test]
fn unknown_attack_ids_are_usage_errors() {
    let dir = tempdir("sim-bad");
    let out = r53guard(
        &[
            "simulate",
            "--out",
            dir.to_str().unwrap(),
            "--attacks",
            "dns-nope",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("dns-nope"), "{}", stderr(&out));
}

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_bundled_sample_is_what_simulate_writes() {
    let dir = tempdir("sim-sample");
    let out = r53guard(
        &[
            "simulate",
            "--out",
            dir.to_str().unwrap(),
            "--hours",
            "1",
            "--scale",
            "1",
            "--seed",
            "1",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sample = std::path::PathBuf::from(format!(
        "{}/../../examples/sample",
        env!("CARGO_MANIFEST_DIR")
    ));
    let (want, got) = (tree(&sample), tree(&dir));
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "regenerate examples/sample with: r53guard simulate --out examples/sample --hours 1 --scale 1 --seed 1"
    );
    for (k, v) in &want {
        assert!(got[k] == *v, "{k} differs: regenerate examples/sample");
    }
}
