//! `GET /metrics`: every line well-formed in the text format 0.0.4, and the values right.

use crate::fixture::{BASE, api, get};
use axum::http::StatusCode;
use std::collections::{BTreeMap, HashMap};

/// A parsed sample: metric name and labels (unescaped).
type Key = (String, BTreeMap<String, String>);

/// Parses a text-format page strictly: each family has exactly one `# HELP` then one
/// `# TYPE` before its samples, samples are grouped under their family, names and label
/// names are valid, label values are properly escaped, values are numbers. Returns the
/// families' types and the samples.
fn parse(text: &str) -> (HashMap<String, String>, HashMap<Key, f64>) {
    assert!(text.ends_with('\n'), "the page ends with a newline");
    let mut types = HashMap::new();
    let mut samples = HashMap::new();
    let mut current: Option<String> = None;
    let mut helped: Option<String> = None;
    let name_ok = |n: &str, colons: bool| {
        let mut chars = n.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':'))
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colons && c == ':'))
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP name text");
            assert!(name_ok(name, true), "{line}");
            assert!(!types.contains_key(name), "family {name} given twice");
            let mut escape = false;
            for c in help.chars() {
                if escape {
                    assert!(matches!(c, '\\' | 'n'), "bad escape in {line}");
                    escape = false;
                } else {
                    escape = c == '\\';
                }
            }
            assert!(!escape, "{line}");
            helped = Some(name.to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert_eq!(
                helped.as_deref(),
                Some(name),
                "TYPE right after HELP: {line}"
            );
            assert!(matches!(kind, "counter" | "gauge"), "{line}");
            types.insert(name.to_owned(), kind.to_owned());
            current = Some(name.to_owned());
            helped = None;
        } else {
            assert!(
                !line.starts_with('#') && !line.is_empty(),
                "stray line {line:?}"
            );
            let (name, labels, value) = sample(line);
            assert!(name_ok(&name, true), "{line}");
            assert_eq!(
                current.as_deref(),
                Some(name.as_str()),
                "sample under its family"
            );
            let value = match value {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
            };
            assert!(
                samples.insert((name, labels), value).is_none(),
                "duplicate sample {line}"
            );
        }
    }
    (types, samples)
}

/// `name{l="v",...} value`, with label values unescaped.
fn sample(line: &str) -> (String, BTreeMap<String, String>, &str) {
    let name_end = line.find(['{', ' ']).expect("name");
    let name = line[..name_end].to_owned();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(mut inner) = rest.strip_prefix('{') {
        loop {
            let (label, after) = inner.split_once("=\"").expect("label=\"");
            assert!(
                label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{line}"
            );
            let mut value = String::new();
            let mut chars = after.char_indices();
            let close = loop {
                match chars.next().expect("closing quote") {
                    (_, '\\') => match chars.next().expect("escaped char").1 {
                        '\\' => value.push('\\'),
                        '"' => value.push('"'),
                        'n' => value.push('\n'),
                        c => panic!("bad escape \\{c} in {line}"),
                    },
                    (i, '"') => break i,
                    (_, '\n') => panic!("raw newline in {line}"),
                    (_, c) => value.push(c),
                }
            };
            assert!(labels.insert(label.to_owned(), value).is_none(), "{line}");
            inner = &after[close + 1..];
            if let Some(more) = inner.strip_prefix(',') {
                inner = more;
            } else {
                rest = inner.strip_prefix('}').expect("closing brace");
                break;
            }
        }
    }
    let value = rest.strip_prefix(' ').expect("space before value");
    assert!(!value.contains(' '), "no timestamp expected: {line}");
    (name, labels, value)
}

fn key(name: &str, labels: &[(&str, &str)]) -> Key {
    (
        name.to_owned(),
        labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

#[tokio::test]
async fn reports_the_service_and_store_metrics() {
    let api = api();
    let metrics = api.state.metrics();
    metrics.records_in().with(&["cloudtrail"]).add(1200);
    metrics.records_in().with(&["resolver"]).add(34);
    metrics.bad_records().with(&["json"]).add(3);
    metrics.bad_records().with(&["too_long"]).inc();
    metrics
        .source_lag()
        .with(&["s3 \"main\"\nbucket\\x"])
        .set(12.5);
    metrics.source_lag().with(&["dir"]).set(0.0);
    metrics.alerts_held_back().with(&["rule-a"]).add(5);
    metrics.late_records().with(&["rule-b"]).add(2);
    metrics.source_late_records().with(&["dir"]).inc();
    metrics.source_gaps().with(&["dir"]).add(3);
    let firehose = metrics
        .counter(
            "r53guard_firehose_requests_total",
            "Firehose requests answered,\nby code \\ status.",
            &["code", "source"],
        )
        .unwrap();
    firehose.with(&["200", "fh"]).add(7);
    firehose.with(&["413", "fh"]).inc();
    metrics
        .gauge("r53guard_build_info", "Build.", &[])
        .unwrap()
        .with(&[])
        .set(1.0);

    // The notifier delivered one job and gave one up.
    let mut store = api.store();
    assert!(store.mark_delivered("a00", "slack", BASE).unwrap());
    assert!(
        store
            .mark_dead("a01", "slack", 3, "HTTP 500", BASE)
            .unwrap()
    );

    let answer = get(&api.app, "/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = answer.text();
    let (types, samples) = parse(&text);

    let expected_types = [
        ("r53guard_records_in_total", "counter"),
        ("r53guard_bad_records_total", "counter"),
        ("r53guard_source_lag_seconds", "gauge"),
        ("r53guard_alerts_held_back_total", "counter"),
        ("r53guard_late_records_total", "counter"),
        ("r53guard_source_late_records_total", "counter"),
        ("r53guard_source_gaps_total", "counter"),
        ("r53guard_alerts_stored", "gauge"),
        ("r53guard_outbox_depth", "gauge"),
        ("r53guard_notifications_sent", "gauge"),
        ("r53guard_dead_letters", "gauge"),
        ("r53guard_firehose_requests_total", "counter"),
        ("r53guard_build_info", "gauge"),
    ];
    assert_eq!(types.len(), expected_types.len(), "{text}");
    for (name, kind) in expected_types {
        assert_eq!(types.get(name).map(String::as_str), Some(kind), "{name}");
    }

    let expected = [
        (
            key("r53guard_records_in_total", &[("kind", "cloudtrail")]),
            1200.0,
        ),
        (
            key("r53guard_records_in_total", &[("kind", "resolver")]),
            34.0,
        ),
        (key("r53guard_bad_records_total", &[("class", "json")]), 3.0),
        (
            key("r53guard_bad_records_total", &[("class", "too_long")]),
            1.0,
        ),
        (
            key(
                "r53guard_source_lag_seconds",
                &[("source", "s3 \"main\"\nbucket\\x")],
            ),
            12.5,
        ),
        (
            key("r53guard_source_lag_seconds", &[("source", "dir")]),
            0.0,
        ),
        (
            key("r53guard_alerts_held_back_total", &[("rule", "rule-a")]),
            5.0,
        ),
        (
            key("r53guard_late_records_total", &[("rule", "rule-b")]),
            2.0,
        ),
        (
            key("r53guard_source_late_records_total", &[("source", "dir")]),
            1.0,
        ),
        (key("r53guard_source_gaps_total", &[("source", "dir")]), 3.0),
        (key("r53guard_alerts_stored", &[("rule", "rule-a")]), 6.0),
        (key("r53guard_alerts_stored", &[("rule", "rule-b")]), 6.0),
        (key("r53guard_alerts_stored", &[("rule", "rule-c")]), 2.0),
        (key("r53guard_outbox_depth", &[]), 12.0),
        (key("r53guard_notifications_sent", &[]), 1.0),
        (key("r53guard_dead_letters", &[]), 1.0),
        (
            key(
                "r53guard_firehose_requests_total",
                &[("code", "200"), ("source", "fh")],
            ),
            7.0,
        ),
        (
            key(
                "r53guard_firehose_requests_total",
                &[("code", "413"), ("source", "fh")],
            ),
            1.0,
        ),
        (key("r53guard_build_info", &[]), 1.0),
    ];
    assert_eq!(samples.len(), expected.len(), "{text}");
    for (key, value) in expected {
        assert_eq!(samples.get(&key), Some(&value), "{key:?} in\n{text}");
    }
    assert!(text.contains(
        "# HELP r53guard_firehose_requests_total Firehose requests answered,\\nby code \\\\ status.\n"
    ));
}

#[tokio::test]
async fn an_empty_service_still_reports_every_family() {
    let api = api();
    let (types, samples) = parse(&get(&api.app, "/metrics").await.text());
    assert_eq!(types.len(), 11);
    assert_eq!(types["r53guard_alerts_held_back_total"], "counter");
    assert_eq!(types["r53guard_source_gaps_total"], "counter");
    assert_eq!(samples[&key("r53guard_outbox_depth", &[])], 14.0);
    assert_eq!(samples[&key("r53guard_dead_letters", &[])], 0.0);
}
