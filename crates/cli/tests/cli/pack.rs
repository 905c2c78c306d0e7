//! The built-in pack end to end: every rule's embedded tests pass, every planted scenario of
//! `simulate` is detected with the right entity, and the benign background raises nothing.

use crate::*;

fn hunt_dir(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let out = r53guard(&["hunt", "--format", "jsonl", dir.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_embedded_test_of_the_pack_passes() {
    let out = r53guard(&["rules", "test"], None);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    assert!(!text.contains("rules without embedded tests"), "{text}");
    let list = stdout(&r53guard(&["rules", "list", "--format", "csv"], None));
    assert_eq!(list.lines().count(), 20, "19 rules and a header: {list}");
}

#[test]
fn every_planted_scenario_is_detected_and_nothing_else() {
    let dir = tempdir("pack-attacks");
    let out = r53guard(
        &[
            "simulate",
            "--out",
            dir.to_str().unwrap(),
            "--hours",
            "2",
            "--scale",
            "1",
            "--seed",
            "5",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let scenarios = manifest["scenarios"].as_array().unwrap().clone();
    let alerts = hunt_dir(&dir);
    let same = |alert: &serde_json::Value, s: &serde_json::Value, key: &str, entity: &str| {
        s.get(key)
            .is_none_or(|v| v.is_null() || alert["entity"][entity] == *v)
    };
    let belongs = |alert: &serde_json::Value, s: &serde_json::Value| {
        alert["entity"]["account_id"] == s["account_id"]
            && if s["kind"] == "resolver" {
                same(alert, s, "srcaddr", "source_ip") && same(alert, s, "vpc_id", "vpc_id")
            } else {
                same(alert, s, "principal_arn", "principal_arn")
            }
    };
    for s in &scenarios {
        let rule = s["detection"].as_str().unwrap();
        assert!(
            alerts
                .iter()
                .any(|a| a["rule"]["id"] == rule && belongs(a, s)),
            "planted {rule} ({s}) was not detected"
        );
    }
    for a in &alerts {
        assert!(
            scenarios.iter().any(|s| belongs(a, s)),
            "alert not explained by any planted scenario: {} {}",
            a["rule"]["id"],
            a["entity"]
        );
    }
    let quiet = tempdir("pack-benign");
    let out = r53guard(
        &[
            "simulate",
            "--out",
            quiet.to_str().unwrap(),
            "--hours",
            "2",
            "--scale",
            "1",
            "--seed",
            "6",
            "--attacks",
            "none",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let noise = hunt_dir(&quiet);
    assert!(
        noise.is_empty(),
        "alerts on the benign background: {noise:?}"
    );
}
