//! What `r53guard run` reports beside alerts, end to end through the binary, fed over its
//! Firehose endpoint: Sigma rules run (and those that cannot are logged with their file), a
//! `max_signals` interval that held alerts back is logged and counted, late records and gaps
//! are counted per rule and per source, SIGHUP only warns, and the engine state with the Sigma
//! rules is restored after a SIGKILL.

use crate::firehose::{body, deliver, metric_sum};
use crate::service::{Service, free_port, get};
use crate::tempdir;
use std::time::{Duration, Instant};

const KEY: &str = "reports-test-key";

const EVERY_QUERY: &str = r#"
[rule]
rule_id = "test-every-query"
name = "Every query"
description = "test: one alert per Resolver query, at most one an hour"
type = "query"
language = "kuery"
data = ["resolver"]
severity = "low"
risk_score = 10
author = ["r53guard"]
max_signals = 1
interval = "1h"
query = 'dns.question.name:*'
"#;

const SIGMA: &str = "
title: Trail stopped
id: 0b6f3e6a-9d7c-4a53-8a5e-1c2d3e4f5a6b
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
    condition: selection
level: high
---
title: Windows process
id: 7d1c2b3a-0000-4000-8000-000000000001
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image: 'C:\\evil.exe'}
    condition: selection
";

fn query(minute: i64, name: &str) -> Vec<u8> {
    let t = r53guard_event::time::format_rfc3339(T0 + minute * 60_000);
    format!(
        r#"{{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"{t}","query_name":"{name}.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"53000","transport":"UDP","srcids":{{"instance":"i-0123456789abcdef0"}}}}"#
    )
    .into_bytes()
}

fn stop_logging(minute: i64) -> Vec<u8> {
    let t = r53guard_event::time::format_rfc3339(T0 + minute * 60_000);
    serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory",
                         "accountId": "111122223333", "userName": "mallory"},
        "eventTime": t,
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": "StopLogging",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "requestParameters": {"name": "org-trail"},
        "eventID": "5d6b1f0e-1111-4222-8333-944455556666",
        "recipientAccountId": "111122223333"
    })
    .to_string()
    .into_bytes()
}

/// 2025-11-01T00:00:00Z.
const T0: i64 = 1_761_955_200_000;

#[test]
fn run_reports_sigma_held_back_late_and_gaps_and_shrugs_off_sighup() {
    let dir = tempdir("reports");
    let root: &std::path::Path = &dir;
    std::fs::write(root.join("every.toml"), EVERY_QUERY).unwrap();
    std::fs::create_dir_all(root.join("sigma")).unwrap();
    std::fs::write(root.join("sigma/rules.yml"), SIGMA).unwrap();
    std::fs::write(root.join("key"), KEY).unwrap();
    let (api, fh) = (free_port(), free_port());
    let data = root.join("data");
    let config = root.join("r53guard.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "{data}"
[rules]
builtin = false
paths = ["{root}/every.toml"]
sigma = ["{root}/sigma"]
[pipeline]
gap_threshold = "10m"
[[source]]
type = "firehose"
name = "fh"
listen = "127.0.0.1:{fh}"
access_keys = ["file:{root}/key"]
allowed_lateness = "1m"
[api]
listen = "127.0.0.1:{api}"
[[receiver]]
type = "jsonl"
name = "file"
path = "{root}/alerts.jsonl"
"#,
            data = data.display(),
            root = root.display(),
        ),
    )
    .unwrap();
    let log1 = root.join("run1.log");
    let mut service = Service::start(&config, &log1, &[]);
    service.wait_ready(api, &log1);
    let token = std::fs::read_to_string(data.join("api-token")).unwrap();
    let token = token.trim();

    // Three queries and a StopLogging in the first hour; then one two hours later: a gap, and
    // the watermark passes the first hour, whose interval held two alerts back.
    let first = vec![
        query(0, "a.example.com"),
        query(1, "b.example.com"),
        query(2, "c.example.com"),
        stop_logging(3),
    ];
    assert_eq!(
        deliver(fh, "d1", Some(KEY), false, &body("d1", &first)),
        200
    );
    assert_eq!(
        deliver(
            fh,
            "d2",
            Some(KEY),
            false,
            &body("d2", &[query(120, "d.example.com")])
        ),
        200
    );
    // A query of the first hour now is late, for the rule and for the source.
    assert_eq!(
        deliver(
            fh,
            "d3",
            Some(KEY),
            false,
            &body("d3", &[query(5, "e.example.com")])
        ),
        200
    );
    let metric = |name: &str| metric_sum(api, token, name);
    assert_eq!(metric("r53guard_source_gaps_total{source=\"fh\"}"), 1.0);
    assert_eq!(
        metric("r53guard_source_late_records_total{source=\"fh\"}"),
        1.0
    );
    assert_eq!(
        metric("r53guard_alerts_held_back_total{rule=\"test-every-query\"}"),
        2.0
    );
    assert_eq!(
        metric("r53guard_late_records_total{rule=\"test-every-query\"}"),
        1.0
    );

    let (status, rules) = get(api, "/api/rules", token).unwrap();
    assert_eq!(status, 200);
    let rules: serde_json::Value = serde_json::from_str(&rules).unwrap();
    let rules = rules["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert_eq!(rules[0]["id"], "test-every-query");
    assert_eq!(rules[0]["held_back"], 2);
    assert_eq!(rules[0]["late"], 1);
    assert_eq!(rules[1]["id"], "0b6f3e6a-9d7c-4a53-8a5e-1c2d3e4f5a6b");
    assert_eq!(rules[1]["data"], serde_json::json!(["cloudtrail"]));
    assert!(
        rules[1]["source"].as_str().unwrap().starts_with("sigma: "),
        "{rules:?}"
    );

    // The Sigma rule alerted; the kept alert of the capped rule is stored.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, alerts) = get(api, "/api/alerts?limit=100", token).unwrap();
        let alerts: serde_json::Value = serde_json::from_str(&alerts).unwrap();
        let mut rules: Vec<String> = alerts["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["rule"]["id"].as_str().unwrap().to_owned())
            .collect();
        rules.sort();
        if rules == ["0b6f3e6a-9d7c-4a53-8a5e-1c2d3e4f5a6b", "test-every-query"] {
            break;
        }
        assert!(Instant::now() < deadline, "stored alerts of {rules:?}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // SIGHUP: a warning, and the service goes on.
    service.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log1)
        .unwrap()
        .contains("SIGHUP: the configuration is not reloaded")
    {
        assert!(Instant::now() < deadline, "no SIGHUP warning");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        service.child.try_wait().unwrap().is_none(),
        "SIGHUP ended it"
    );
    assert_eq!(get(api, "/readyz", "").unwrap().0, 200);

    let log = std::fs::read_to_string(&log1).unwrap();
    for want in [
        "sigma rule not run",
        "rules.yml",
        "Windows process",
        "alerts held back by max_signals",
        "interval_start=2025-11-01T00:00:00.000Z",
        "gap in the source's event time",
    ] {
        assert!(log.contains(want), "{want:?} not in the log:\n{log}");
    }

    // The engine state with the Sigma rules is restored after a kill.
    service.signal(libc::SIGKILL);
    let _ = service.child.wait();
    let log2 = root.join("run2.log");
    let mut service = Service::start(&config, &log2, &[]);
    service.wait_ready(api, &log2);
    service.signal(libc::SIGTERM);
    let status = service.child.wait().unwrap();
    assert!(
        status.success(),
        "{}",
        std::fs::read_to_string(root.join("run2.log")).unwrap()
    );
    let _ = std::fs::remove_dir_all(root);
}
