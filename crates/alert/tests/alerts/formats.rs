//! Every renderer: shape, parse-back, quoting, colour, empty output, large output, flushing.

use crate::common::{ALL_FORMATS, full_alert, minimal_alert, numbered_alert, render};
use r53guard_alert::{Alert, AlertFormat, AlertWriter, Severity};
use serde_json::{Value, json};
use std::io::{self, Write};
use std::sync::Arc;

fn sample() -> Vec<Alert> {
    vec![full_alert(), minimal_alert(), numbered_alert(3)]
}

#[test]
fn jsonl_is_one_parsable_alert_per_line() {
    let alerts = sample();
    let out = render(AlertFormat::Jsonl, &alerts, false);
    assert!(out.ends_with('\n'));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), alerts.len());
    for (line, alert) in lines.iter().zip(&alerts) {
        let back: Alert = serde_json::from_str(line).unwrap();
        assert_eq!(back.id, alert.id);
        assert_eq!(
            serde_json::from_str::<Value>(line).unwrap(),
            serde_json::to_value(alert).unwrap()
        );
    }
}

#[test]
fn jsonl_puts_a_multi_line_record_on_one_line() {
    let out = render(AlertFormat::Jsonl, &[full_alert()], false);
    assert_eq!(out.matches('\n').count(), 1);
    assert!(out.contains(r#""event":{"query_name":"a 2.example.net.","n":1.50}"#));
}

#[test]
fn json_is_one_pretty_array() {
    let alerts = sample();
    let out = render(AlertFormat::Json, &alerts, false);
    assert!(out.starts_with("[\n  {\n    \"id\": "));
    assert!(out.ends_with("\n]\n"));
    let back: Vec<Alert> = serde_json::from_str(&out).unwrap();
    assert_eq!(back, alerts);
    assert_eq!(out, serde_json::to_string_pretty(&alerts).unwrap() + "\n");
    // The multi-line evidence record is kept verbatim, not re-indented.
    assert!(
        out.contains("\"event\": {\n  \"query_name\": \"a 2.example.net.\",\n  \"n\": 1.50\n}")
    );
}

#[test]
fn empty_output_per_format() {
    assert_eq!(render(AlertFormat::Json, &[], false), "[]\n");
    assert_eq!(render(AlertFormat::Jsonl, &[], false), "");
    assert_eq!(render(AlertFormat::Ocsf, &[], false), "");
    let csv = render(AlertFormat::Csv, &[], false);
    assert!(csv.starts_with("id,detected_at,severity,") && csv.ends_with("summary\n"));
    let table = render(AlertFormat::Table, &[], false);
    assert!(table.starts_with("DETECTED_AT") && table.ends_with("SUMMARY\n"));
    assert_eq!(table.lines().count(), 1);
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ALL_FORMATS {
        for color in [false, true] {
            assert_eq!(
                render(format, &sample(), color),
                render(format, &sample(), color),
                "{format:?}"
            );
        }
    }
}

#[test]
fn ocsf_maps_the_full_alert() {
    let out = render(AlertFormat::Ocsf, &[full_alert()], false);
    assert_eq!(out.matches('\n').count(), 1);
    let finding: Value = serde_json::from_str(&out).unwrap();
    let expected = json!({
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": 1,
        "activity_name": "Create",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "time": 1_714_565_100_000_i64,
        "severity_id": 4,
        "severity": "High",
        "status_id": 1,
        "status": "New",
        "message": "42 long queries under example.net from 10.0.1.25",
        "count": 42,
        "risk_score": 73,
        "finding_info": {
            "uid": "13eefa864f88dc3ac16702198146212e",
            "title": "DNS tunneling: long subdomains",
            "desc": "42 long queries under example.net from 10.0.1.25",
            "types": ["threshold"],
            "first_seen_time": 1_714_564_800_000_i64,
            "last_seen_time": 1_714_565_099_999_i64,
            "analytic": {
                "uid": "r53-0001",
                "name": "DNS tunneling: long subdomains",
                "type": "Rule",
                "type_id": 1,
                "version": "3"
            },
            "attacks": [{
                "tactic": {
                    "uid": "TA0011",
                    "name": "Command and Control",
                    "src_url": "https://attack.mitre.org/tactics/TA0011/"
                },
                "technique": {
                    "uid": "T1071",
                    "name": "Application Layer Protocol",
                    "src_url": "https://attack.mitre.org/techniques/T1071/"
                },
                "sub_technique": {
                    "uid": "T1071.004",
                    "name": "DNS",
                    "src_url": "https://attack.mitre.org/techniques/T1071/004/"
                }
            }]
        },
        "evidences": [{
            "actor": {"user": {"uid": "arn:aws:iam::123456789012:role/app"}},
            "src_endpoint": {"ip": "10.0.1.25", "vpc_uid": "vpc-0abc", "instance_uid": "i-0123"},
            "dst_endpoint": {"uid": "rslvr-out-1"},
            "query": {"hostname": "example.net"},
            "data": {
                "user_agent": "aws-cli/2.15.0",
                "target_account_id": "210987654321",
                "group": {"query_parent": "example.net", "srcaddr": "10.0.1.25"}
            }
        }],
        "cloud": {"provider": "AWS", "account": {"uid": "123456789012"}, "region": "eu-west-1"},
        "metadata": {
            "version": "1.1.0",
            "product": {
                "name": "r53guard",
                "vendor_name": "r53guard",
                "version": env!("CARGO_PKG_VERSION")
            },
            "profiles": ["cloud"]
        },
        "unmapped": {
            "rule": {
                "tags": ["dns", "exfiltration"],
                "author": ["r53guard"],
                "references": ["https://example.org/dns-tunneling"],
                "license": "DRL-1.1",
                "source_url": "https://example.org/rules/r53-0001.yml"
            },
            "distinct_count": 40,
            "window": {"start": "2024-05-01T12:00:00.000Z", "end": "2024-05-01T12:05:00.000Z"},
            "suppressed": 3,
            "events_total": 42
        }
    });
    assert_eq!(finding, expected);
    assert!(!out.contains("raw_data") && !out.contains("a1.example.net"));
}

#[test]
fn ocsf_minimal_alert_has_no_evidence_or_attacks() {
    let out = render(AlertFormat::Ocsf, &[minimal_alert()], false);
    let finding: Value = serde_json::from_str(&out).unwrap();
    assert!(finding.get("evidences").is_none());
    assert!(finding["finding_info"].get("attacks").is_none());
    assert_eq!(finding["cloud"], json!({"provider": "AWS"}));
    assert_eq!(finding["unmapped"], json!({"events_total": 1}));
    assert_eq!(finding["severity_id"], 3);
}

#[test]
fn ocsf_severity_ids_and_attack_expansion() {
    let expected = [(2, "Low"), (3, "Medium"), (4, "High"), (5, "Critical")];
    for (severity, (id, name)) in Severity::ALL.into_iter().zip(expected) {
        let mut alert = minimal_alert();
        Arc::make_mut(&mut alert.rule).severity = severity;
        let finding: Value =
            serde_json::from_str(&render(AlertFormat::Ocsf, &[alert], false)).unwrap();
        assert_eq!(
            (
                finding["severity_id"].as_u64(),
                finding["severity"].as_str()
            ),
            (Some(id), Some(name))
        );
    }

    // Tactic only; tactic × technique; tactic × technique × each sub-technique.
    let mut alert = full_alert();
    let mut tactic_only = alert.rule.threat[0].clone();
    tactic_only.technique.clear();
    let mut two_subs = alert.rule.threat[0].clone();
    let mut sub = two_subs.technique[0].subtechnique[0].clone();
    sub.id = "T1071.001".into();
    two_subs.technique[0].subtechnique.push(sub);
    let mut no_subs = alert.rule.threat[0].clone();
    no_subs.technique[0].subtechnique.clear();
    Arc::make_mut(&mut alert.rule).threat = vec![tactic_only, two_subs, no_subs];
    let finding: Value = serde_json::from_str(&render(AlertFormat::Ocsf, &[alert], false)).unwrap();
    let shapes: Vec<(bool, bool)> = finding["finding_info"]["attacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a.get("technique").is_some(),
                a.get("sub_technique").is_some(),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [(false, false), (true, true), (true, true), (true, false)]
    );
}

#[test]
fn ocsf_rejects_a_time_that_is_not_rfc3339() {
    let mut alert = minimal_alert();
    alert.last_seen = "yesterday".into();
    let mut writer = AlertWriter::new(Vec::new(), AlertFormat::Ocsf, false);
    let err = writer.write(&alert).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("last_seen \"yesterday\""), "{err}");
    assert_eq!(writer.finish().unwrap(), b"");
}

#[test]
fn csv_has_the_documented_columns() {
    let out = render(AlertFormat::Csv, &[full_alert(), minimal_alert()], false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,detected_at,severity,risk_score,rule_id,rule_name,account_id,region,principal_arn,\
         source_ip,vpc_id,instance_id,domain,count,first_seen,last_seen,summary"
    );
    assert_eq!(
        lines[1],
        "13eefa864f88dc3ac16702198146212e,2024-05-01T12:05:00.000Z,high,73,r53-0001,\
         DNS tunneling: long subdomains,123456789012,eu-west-1,arn:aws:iam::123456789012:role/app,\
         10.0.1.25,vpc-0abc,i-0123,example.net,42,2024-05-01T12:00:00.000Z,\
         2024-05-01T12:04:59.999Z,42 long queries under example.net from 10.0.1.25"
    );
    assert_eq!(
        lines[2],
        "90b8ec8c9c37cfdf0a64d0aabee9cb97,2024-05-01T09:00:00.000Z,medium,47,r53-0002,\
         Hosted zone deleted,,,,,,,,1,2024-05-01T09:00:00.000Z,2024-05-01T09:00:00.000Z,\
         Hosted zone deleted"
    );
}

#[test]
fn csv_quotes_commas_quotes_and_line_breaks() {
    let mut alert = minimal_alert();
    alert.summary = "a, \"b\"\nc\r\nd".into();
    Arc::make_mut(&mut alert.rule).name = "plain".into();
    alert.entity.domain = Some("\"".into());
    let out = render(AlertFormat::Csv, &[alert.clone()], false);
    assert!(out.ends_with(",\"a, \"\"b\"\"\nc\r\nd\"\n"), "{out:?}");
    assert!(out.contains(",\"\"\"\",1,"), "{out:?}");

    let mut reader = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].len(), 17);
    assert_eq!(&records[0][16], alert.summary);
    assert_eq!(&records[0][12], "\"");
    assert_eq!(&records[0][5], "plain");
}

#[test]
fn table_lines_without_colour() {
    let out = render(AlertFormat::Table, &sample(), false);
    assert!(!out.contains('\x1b'));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        "DETECTED_AT               SEVERITY  RULE                              \
         ENTITY                                              COUNT  SUMMARY"
    );
    assert_eq!(
        lines[1],
        "2024-05-01T12:05:00.000Z  high      DNS tunneling: long subdomains    \
         123456789012 / role/app / example.net                  42  \
         42 long queries under example.net from 10.0.1.25"
    );
    assert_eq!(
        lines[2],
        "2024-05-01T09:00:00.000Z  medium    Hosted zone deleted               \
         -                                                       1  Hosted zone deleted"
    );
    // The summary column starts at the same place on every line.
    let summary_at = lines[0].find("SUMMARY").unwrap();
    for line in &lines[1..] {
        let (before, _) = line.split_at(summary_at);
        assert!(before.ends_with("  "), "{line}");
    }
}

#[test]
fn table_colours_the_severity_only_when_asked() {
    let colours = [
        (Severity::Critical, "\x1b[91mcritical\x1b[0m  "),
        (Severity::High, "\x1b[31mhigh\x1b[0m      "),
        (Severity::Medium, "\x1b[33mmedium\x1b[0m    "),
        (Severity::Low, "\x1b[34mlow\x1b[0m       "),
    ];
    for (severity, cell) in colours {
        let mut alert = minimal_alert();
        Arc::make_mut(&mut alert.rule).severity = severity;
        let coloured = render(AlertFormat::Table, &[alert.clone()], true);
        let line = coloured.lines().nth(1).unwrap();
        assert!(line.contains(cell), "{line:?}");
        assert_eq!(line.matches('\x1b').count(), 2);
        let plain = render(AlertFormat::Table, &[alert], false);
        assert!(!plain.contains('\x1b'));
        assert_eq!(
            plain,
            coloured.replace(cell, &format!("{:<10}", severity.as_str()))
        );
    }
}

#[test]
fn table_cuts_long_text_and_escapes_control_characters() {
    let mut alert = full_alert();
    Arc::make_mut(&mut alert.rule).name = "R".repeat(50);
    alert.summary = "line one\nline two \x1b[2J".into();
    alert.entity.principal_arn = None;
    alert.entity.domain = Some("d".repeat(80));
    let out = render(AlertFormat::Table, &[alert], true);
    let line = out.lines().nth(1).unwrap();
    assert_eq!(out.lines().count(), 2);
    assert!(line.contains(&format!("{}…  ", "R".repeat(31))), "{line}");
    assert!(
        line.contains("123456789012 / vpc-0abc 10.0.1.25 / ddd"),
        "{line}"
    );
    assert!(line.contains("d…  "), "{line}");
    assert!(line.ends_with("line one\\nline two \\u{1b}[2J"), "{line}");
    // The only escape sequences are the severity's colour and reset.
    assert_eq!(line.matches('\x1b').count(), 2);
}

#[test]
fn ten_thousand_alerts_all_arrive_in_every_format() {
    let alerts: Vec<Alert> = (0..10_000).map(numbered_alert).collect();
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();

    let jsonl = render(AlertFormat::Jsonl, &alerts, false);
    let back: Vec<Alert> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(back, alerts);

    let json: Vec<Alert> =
        serde_json::from_str(&render(AlertFormat::Json, &alerts, false)).unwrap();
    assert_eq!(json, alerts);

    let ocsf_ids: Vec<String> = render(AlertFormat::Ocsf, &alerts, false)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["finding_info"]["uid"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ocsf_ids, ids);

    let csv = render(AlertFormat::Csv, &alerts, false);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let csv_ids: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(csv_ids, ids);

    let table = render(AlertFormat::Table, &alerts, true);
    assert_eq!(table.lines().count(), alerts.len() + 1);
    assert!(table.ends_with("alert number 9999\n"));
}

/// A writer that, like a pipe behind a buffer, only delivers what it was asked to flush.
#[derive(Default)]
struct Held {
    pending: Vec<u8>,
    delivered: Vec<u8>,
}

impl Write for Held {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.delivered.append(&mut self.pending);
        Ok(())
    }
}

#[test]
fn finish_flushes_everything() {
    for format in ALL_FORMATS {
        let mut writer = AlertWriter::new(Held::default(), format, false);
        for n in 0..1_000 {
            writer.write(&numbered_alert(n)).unwrap();
        }
        let held = writer.finish().unwrap();
        assert!(held.pending.is_empty(), "{format:?}");
        let text = String::from_utf8(held.delivered).unwrap();
        assert!(text.ends_with('\n'), "{format:?}");
        assert!(text.contains("alert number 999"), "{format:?}");
        assert_eq!(
            text,
            render(
                format,
                &(0..1_000).map(numbered_alert).collect::<Vec<_>>(),
                false
            )
        );
    }
}
