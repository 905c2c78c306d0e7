//! Threshold state: updates per second with one million distinct group keys held, and the
//! memory that state takes.
//!
//! First one million Resolver records, each from its own (account, VPC, source) key, go through
//! a threshold rule; the process's resident memory before and after (`VmRSS`) gives the bytes
//! per key, and its peak (`VmHWM`) is printed too. Then criterion measures records through the
//! same engine (projection, matching and the state update; keys cycle over the million held),
//! next to projection alone, so the difference is the engine's share. Last, the time to
//! evaluate every key's bursts at the end of the run is printed.
//!
//! `CARGO_TARGET_DIR=/tmp/target-engine cargo bench -p r53guard-engine --bench state`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use r53guard_engine::{Engine, EngineOptions, Origin};
use r53guard_event::{Classified, Projector};
use r53guard_rules::{RuleSet, Source, load_str};
use std::hint::black_box;
use std::time::Instant;

const KEYS: u64 = 1_000_000;
const T0: i64 = 1_714_557_600_000;

const RULE: &str = r#"
[rule]
rule_id = "bench-nxdomain"
name = "Many NXDOMAIN responses"
description = "bench"
type = "threshold"
data = ["resolver"]
severity = "medium"
risk_score = 47
author = ["bench"]
window = "10m"
query = 'rcode:NXDOMAIN and not firewall_rule_action:*'
[rule.threshold]
field = ["account_id", "vpc_id", "srcaddr"]
value = 300
[[rule.threshold.cardinality]]
field = "query_name"
value = 100
"#;

fn rules() -> RuleSet {
    let mut set = RuleSet::new();
    let loaded = load_str(RULE, Source::Path("bench.toml".into())).expect("bench rule loads");
    set.add_rule(loaded).expect("one rule");
    set
}

/// A Resolver record of key `key` (1,000 accounts × 10 VPCs × 100 sources) at `t`.
fn line(key: u64, t: i64, name: u64) -> String {
    let account = 100_000_000_000 + key % 1000;
    let vpc = (key / 1000) % 10;
    let src = key / 10_000;
    format!(
        r#"{{"version":"1.100000","account_id":"{account}","region":"us-east-1","vpc_id":"vpc-{vpc:08x}","query_timestamp":"{}","query_name":"h{name}.example.com.","query_type":"A","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.{}.{}.{}","srcport":"53000","transport":"UDP","srcids":{{"instance":"i-0123456789abcdef0"}}}}"#,
        r53guard_event::time::format_rfc3339(t),
        src / 65536,
        (src / 256) % 256,
        src % 256
    )
}

/// A `/proc/self/status` value in kB.
fn status_kb(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn feed(engine: &mut Engine, projector: &mut Projector<'_>, raw: &str, record: u64) {
    if let Ok(Classified::Event(ev)) = projector.project(raw) {
        engine.process(
            &ev,
            &Origin {
                path: "bench",
                line: record + 1,
                record,
                part: None,
            },
        );
    }
}

fn threshold_state(c: &mut Criterion) {
    let set = rules();
    let mut engine = Engine::new(&set, EngineOptions::default()).expect("compiles");
    let schema = engine.schema();
    let mut projector = Projector::new(&schema);

    let rss_before = status_kb("VmRSS").unwrap_or(0);
    let started = Instant::now();
    for key in 0..KEYS {
        let raw = line(key, T0 + key as i64, key);
        feed(&mut engine, &mut projector, &raw, key);
    }
    let fill = started.elapsed();
    let rss_after = status_kb("VmRSS").unwrap_or(0);
    let peak = status_kb("VmHWM").unwrap_or(0);
    println!(
        "threshold state: {KEYS} keys in {fill:.2?} ({:.0} keys/s); RSS {} MiB -> {} MiB, \
         ~{} bytes per key; peak RSS (VmHWM) {} MiB",
        KEYS as f64 / fill.as_secs_f64(),
        rss_before / 1024,
        rss_after / 1024,
        (rss_after.saturating_sub(rss_before) * 1024) / KEYS,
        peak / 1024,
    );

    // Updates of keys already held: each record one second after its key's first.
    let ring: Vec<String> = (0..100_000u64)
        .map(|i| {
            let key = (i * 7_919) % KEYS;
            line(key, T0 + key as i64 + 1_000, i)
        })
        .collect();
    let mut group = c.benchmark_group("threshold_1m_keys");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(5));
    let mut i = 0usize;
    group.bench_function("project_match_update", |b| {
        b.iter(|| {
            let raw = &ring[i % ring.len()];
            feed(&mut engine, &mut projector, raw, i as u64);
            i += 1;
        })
    });
    let mut j = 0usize;
    group.bench_function("project_only", |b| {
        b.iter(|| {
            let raw = &ring[j % ring.len()];
            let _ = black_box(projector.project(raw).is_ok());
            j += 1;
        })
    });
    group.finish();

    let started = Instant::now();
    let result = engine.finish();
    println!(
        "threshold finish: {} alerts, {} matched, evaluated in {:.2?}",
        result.alerts.len(),
        result.rules[0].matched,
        started.elapsed()
    );
}

criterion_group!(benches, threshold_state);
criterion_main!(benches);
