//! Threshold rules: boundaries of the sliding window, bursts, cardinality, grouping keys,
//! suppression, missing keys, eviction and flushing.

use crate::common::*;
use r53guard_engine::{Engine, EngineOptions, Limits};

/// At least 5 NXDOMAIN per (account, VPC, source) in 10 minutes.
const NXDOMAIN: &str = r#"
[rule]
rule_id = "test-nxdomain"
name = "Many NXDOMAIN responses"
description = "test"
type = "threshold"
data = ["resolver"]
severity = "medium"
risk_score = 47
author = ["r53guard"]
window = "10m"
summary = "{srcaddr} in {vpc_id}: NXDOMAIN for {query_name}"
query = 'rcode:NXDOMAIN'
[rule.threshold]
field = ["account_id", "vpc_id", "srcaddr"]
value = 5
"#;

fn nx(vpc: &str, src: &str, t: i64, name: &str) -> String {
    resolver("111122223333", vpc, src, t, name, "NXDOMAIN")
}

/// `n` NXDOMAIN lines from 10.0.0.5 in vpc-a, at `t`, one second apart.
fn burst(t: i64, n: i64) -> Vec<String> {
    (0..n)
        .map(|i| {
            nx(
                "vpc-a",
                "10.0.0.5",
                t + i * 1000,
                &format!("n{t}-{i}.example"),
            )
        })
        .collect()
}

#[test]
fn exactly_the_threshold_fires_with_the_window_at_the_crossing() {
    let result = run_lines(&rules(&[NXDOMAIN]), &burst(ms(3, 10), 5));
    assert_eq!(result.alerts.len(), 1);
    let a = &result.alerts[0];
    assert_eq!(a.count, 5);
    assert_eq!(a.events_total, 5);
    assert_eq!(a.distinct_count, None);
    assert_eq!(a.detected_at, at(ms(4, 0)), "end of the crossing minute");
    let w = a.window.as_ref().unwrap();
    assert_eq!(
        (w.start.as_str(), w.end.as_str()),
        (&*at(ms(-6, 0)), &*at(ms(4, 0)))
    );
    assert_eq!(a.first_seen, at(ms(3, 10)));
    assert_eq!(a.last_seen, at(ms(3, 14)));
    assert_eq!(a.events.len(), 5);
    assert_eq!(a.group["account_id"], "111122223333");
    assert_eq!(a.group["vpc_id"], "vpc-a");
    assert_eq!(a.group["srcaddr"], "10.0.0.5");
    assert_eq!(a.entity.source_ip.as_deref(), Some("10.0.0.5"));
    assert_eq!(
        a.summary,
        "10.0.0.5 in vpc-a: NXDOMAIN for n190000-0.example"
    );
    assert_eq!(a.rule.rule_type, "threshold");
    assert_eq!(result.rules[0].matched, 5);
}

#[test]
fn one_below_the_threshold_does_not_fire() {
    let result = run_lines(&rules(&[NXDOMAIN]), &burst(0, 4));
    assert!(result.alerts.is_empty());
    // Non-matching records are not counted either.
    let mut lines = burst(0, 4);
    lines.push(resolver(
        "111122223333",
        "vpc-a",
        "10.0.0.5",
        ms(0, 30),
        "ok.example",
        "NOERROR",
    ));
    assert!(run_lines(&rules(&[NXDOMAIN]), &lines).alerts.is_empty());
}

#[test]
fn one_event_outside_the_window_does_not_fire() {
    // Minute 0, then four in minute 10: the window ending with minute 10 covers minutes 1–10.
    let mut lines = vec![nx("vpc-a", "10.0.0.5", ms(0, 59), "early.example")];
    lines.extend(burst(ms(10, 0), 4));
    assert!(run_lines(&rules(&[NXDOMAIN]), &lines).alerts.is_empty());
    // Minute 1 is inside it.
    let mut lines = vec![nx("vpc-a", "10.0.0.5", ms(1, 0), "early.example")];
    lines.extend(burst(ms(10, 0), 4));
    let result = run_lines(&rules(&[NXDOMAIN]), &lines);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.alerts[0].first_seen, at(ms(1, 0)));
}

#[test]
fn a_burst_alerts_once_and_again_after_falling_below() {
    let mut lines = burst(0, 5);
    lines.extend(burst(ms(3, 0), 5)); // still above: no second alert
    lines.extend(burst(ms(8, 0), 3)); // minute 0 leaves at 10, minute 3 at 13: below at 13
    lines.extend(burst(ms(30, 0), 5)); // a second burst
    let result = run_lines(&rules(&[NXDOMAIN]), &lines);
    let got: Vec<(String, u64)> = result
        .alerts
        .iter()
        .map(|a| (a.detected_at.clone(), a.count))
        .collect();
    assert_eq!(got, [(at(ms(1, 0)), 5), (at(ms(31, 0)), 5)]);
    assert_ne!(result.alerts[0].id, result.alerts[1].id);

    // Staying above for an hour is still one burst.
    let steady: Vec<String> = (0..60).flat_map(|m| burst(ms(m, 0), 1)).collect();
    let result = run_lines(&rules(&[NXDOMAIN]), &steady);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.alerts[0].detected_at, at(ms(5, 0)));
}

#[test]
fn the_same_private_ip_in_two_vpcs_is_two_keys() {
    let mut lines: Vec<String> = (0..3)
        .map(|i| nx("vpc-a", "10.0.0.5", ms(0, i), &format!("a{i}.example")))
        .collect();
    lines.extend((0..3).map(|i| nx("vpc-b", "10.0.0.5", ms(0, i), &format!("b{i}.example"))));
    assert!(run_lines(&rules(&[NXDOMAIN]), &lines).alerts.is_empty());
    // Grouped by source alone, the six add up.
    let by_source = NXDOMAIN.replace(
        r#"field = ["account_id", "vpc_id", "srcaddr"]"#,
        r#"field = ["srcaddr"]"#,
    );
    let result = run_lines(&rules(&[&by_source]), &lines);
    assert_eq!(result.alerts.len(), 1);
    // All six fall in one minute: the window's count at the crossing.
    assert_eq!(result.alerts[0].count, 6);
}

#[test]
fn cardinality_needs_distinct_values_in_the_window() {
    let distinct = NXDOMAIN.replace(
        "value = 5\n",
        "value = 5\n[[rule.threshold.cardinality]]\nfield = \"query_name\"\nvalue = 3\n",
    );
    let set = rules(&[&distinct]);
    let two_names: Vec<String> = (0..6)
        .map(|i| {
            nx(
                "vpc-a",
                "10.0.0.5",
                ms(0, i),
                &format!("n{}.example", i % 2),
            )
        })
        .collect();
    assert!(run_lines(&set, &two_names).alerts.is_empty());
    let mut three = two_names.clone();
    three.push(nx("vpc-a", "10.0.0.5", ms(2, 0), "n2.example"));
    let result = run_lines(&set, &three);
    assert_eq!(result.alerts.len(), 1);
    let a = &result.alerts[0];
    assert_eq!((a.count, a.distinct_count), (7, Some(3)));
    assert_eq!(a.detected_at, at(ms(3, 0)));
}

#[test]
fn no_group_by_is_one_group_and_a_missing_field_is_not_counted() {
    let one_group = NXDOMAIN.replace(
        r#"field = ["account_id", "vpc_id", "srcaddr"]"#,
        "field = []",
    );
    let lines: Vec<String> = (0..5)
        .map(|i| {
            nx(
                &format!("vpc-{i}"),
                &format!("10.0.0.{i}"),
                ms(0, i),
                "x.example",
            )
        })
        .collect();
    let result = run_lines(&rules(&[&one_group]), &lines);
    assert_eq!(result.alerts.len(), 1);
    assert!(result.alerts[0].group.is_empty());

    let no_vpc: Vec<String> = (0..5)
        .map(|i| {
            let mut v: serde_json::Value =
                serde_json::from_str(&nx("vpc-a", "10.0.0.5", ms(0, i), "x.example")).unwrap();
            v.as_object_mut().unwrap().remove("vpc_id");
            v.to_string()
        })
        .collect();
    let result = run_lines(&rules(&[NXDOMAIN]), &no_vpc);
    assert!(result.alerts.is_empty());
    assert_eq!(result.rules[0].unkeyed, 5);
}

#[test]
fn suppression_folds_bursts_of_a_key_within_the_duration() {
    let suppressed =
        format!("{NXDOMAIN}[rule.alert_suppression.duration]\nvalue = 30\nunit = \"m\"\n");
    let mut lines = burst(0, 5); // alert at 00:01, suppression until 00:31
    lines.extend(burst(ms(20, 0), 5)); // a new burst at 00:21: suppressed
    lines.extend(burst(ms(45, 0), 5)); // at 00:46: a new alert
    let result = run_lines(&rules(&[&suppressed]), &lines);
    let got: Vec<(String, u64)> = result
        .alerts
        .iter()
        .map(|a| (a.detected_at.clone(), a.suppressed))
        .collect();
    assert_eq!(got, [(at(ms(1, 0)), 1), (at(ms(46, 0)), 0)]);
    // Without suppression: three alerts.
    assert_eq!(run_lines(&rules(&[NXDOMAIN]), &lines).alerts.len(), 3);
}

#[test]
fn eviction_is_counted_when_keys_exceed_the_cap() {
    let set = rules(&[NXDOMAIN]);
    let limits = Limits {
        max_state_keys: 4,
        ..Limits::default()
    };
    let mut engine = Engine::with_limits(&set, EngineOptions::default(), limits).unwrap();
    let records: Vec<(u64, String)> = (0..10)
        .map(|i| {
            (
                i,
                nx(
                    "vpc-a",
                    &format!("10.0.0.{i}"),
                    ms(i as i64, 0),
                    "x.example",
                ),
            )
        })
        .collect();
    feed(&mut engine, &records);
    let result = engine.finish();
    assert_eq!(result.rules[0].evicted, 6);
    assert_eq!(result.rules[0].matched, 10);
}

#[test]
fn flushing_emits_closed_bursts_and_counts_late_events() {
    let set = rules(&[NXDOMAIN]);
    let mut engine = Engine::new(&set, EngineOptions::default()).unwrap();
    let records: Vec<(u64, String)> = burst(0, 5)
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64, r))
        .collect();
    feed(&mut engine, &records);
    // The crossing minute (00:00–00:01) has not ended at 00:00:30; at 00:01 the burst is
    // known, but the rule's `max_signals` interval (5 minutes) is still open. The rule looks
    // back one minute more than its interval (the default `from = "now-6m"`), so a watermark
    // of 00:05 flushes it to 00:04 only, and 00:06 ends the interval.
    assert!(engine.flush(T0 + ms(0, 30)).is_empty());
    assert!(engine.flush(T0 + ms(1, 0)).is_empty());
    assert!(engine.flush(T0 + ms(5, 0)).is_empty());
    let flushed = engine.flush(T0 + ms(6, 0));
    assert_eq!(flushed.len(), 1);
    assert_eq!(flushed[0].detected_at, at(ms(1, 0)));
    // An event older than the rule's watermark (00:05) is late; one within its look-back
    // still counts.
    feed(
        &mut engine,
        &[
            (99, nx("vpc-a", "10.0.0.5", ms(0, 50), "late.example")),
            (100, nx("vpc-a", "10.0.0.5", ms(5, 30), "in-time.example")),
        ],
    );
    let result = engine.finish();
    assert!(result.alerts.is_empty(), "already emitted");
    assert_eq!(result.rules[0].late, 1);
    assert_eq!(result.rules[0].matched, 7);
    assert_eq!(result.rules[0].alerts, 1);
}
