//! `r53guard events`: formats, fields, summaries, exit statuses.

use crate::*;

const STRATUS: &str = "cloudtrail/stratus-red-team/aws.defense-evasion.dns-delete-logs.json";

#[test]
fn prints_records_as_compact_json_lines() {
    let out = r53guard(&["events", &fixture(STRATUS)], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(STRATUS)).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), want.as_array().unwrap().len());
    for (line, rec) in lines.iter().zip(want.as_array().unwrap()) {
        assert_eq!(
            &serde_json::from_str::<serde_json::Value>(line).unwrap(),
            rec
        );
    }
}

#[test]
fn fields_in_every_format() {
    let path = fixture("resolver/query-log-quirks.log");
    let args = |f: &'static str| {
        vec![
            "events",
            "--fields",
            "@kind,dns.question.name,srcport,answers.Rdata,@line",
            "--format",
            f,
        ]
    };
    let mut a = args("jsonl");
    a.push(&path);
    let out = r53guard(&a, None);
    assert!(out.status.success());
    let first: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().nth(1).unwrap()).unwrap();
    assert_eq!(
        first,
        serde_json::json!({"@kind":"resolver","dns.question.name":"www.example.com","srcport":"52785","answers.Rdata":["edge.example.net.","192.0.2.10"],"@line":2})
    );
    let mut a = args("csv");
    a.push(&path);
    let csv = stdout(&r53guard(&a, None));
    assert_eq!(
        csv.lines().next(),
        Some("@kind,dns.question.name,srcport,answers.Rdata,@line")
    );
    assert_eq!(
        csv.lines().nth(2),
        Some("resolver,www.example.com,52785,\"edge.example.net., 192.0.2.10\",2")
    );
    let mut a = args("table");
    a.push(&path);
    let table = stdout(&r53guard(&a, None));
    assert!(
        table
            .lines()
            .next()
            .unwrap()
            .starts_with("@kind     dns.question.name")
    );
    assert_eq!(table.lines().count(), 6);
}

#[test]
fn stdin_and_stats() {
    let body = std::fs::read(fixture("resolver/query-log-quirks.log")).unwrap();
    let out = r53guard(&["events", "--stats", "-"], Some(&body));
    assert!(out.status.success());
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(err.contains("4 records (cloudtrail 0, resolver 4"), "{err}");
    assert!(err.contains("records/s"), "{err}");
}

#[test]
fn bad_input_is_reported_counted_and_exits_1() {
    let dir = tempdir("bad");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\"eventSource\":\"s3.amazonaws.com\",\"eventTime\":\"2024-01-01T00:00:00Z\"}\n{oops\n",
    )
    .unwrap();
    std::fs::write(dir.join("README.md"), "not a log").unwrap();
    let out = r53guard(&["events", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "the good record still prints"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:2 (record 1): malformed JSON", bad.display())),
        "{err}"
    );
    assert!(err.contains("bad input: 1 (json 1)"), "{err}");
    assert!(err.contains("not_a_log_file 1"), "{err}");
    assert!(err.contains("README.md (not a log file)"), "{err}");
}

#[test]
fn strict_stops_at_the_first_bad_record() {
    let body =
        b"nope\n{\"eventSource\":\"s3.amazonaws.com\",\"eventTime\":\"2024-01-01T00:00:00Z\"}\n";
    let out = r53guard(&["events", "--strict", "-"], Some(body));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
}

#[test]
fn missing_files_and_usage_errors() {
    let out = r53guard(&["events", "/nonexistent/r53guard"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/r53guard: cannot read"));
    let out = r53guard(&["events", "--format", "xml", "-"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = r53guard(&["events"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn field_listing() {
    let out = r53guard(&["fields", "--format", "csv"], None);
    assert!(out.status.success());
    assert!(stdout(&out).contains("resolver,dns.question.name,query_name,strip one trailing dot"));
    let out = r53guard(&["fields", "--ocsf", "--format", "jsonl"], None);
    assert!(stdout(&out).contains("\"query.hostname\""));
}
