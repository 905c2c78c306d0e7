//! Matcher evaluations per second: a simple rule (two terms) and a large one (an `or` of 500
//! values on one field plus wildcard patterns), on a Resolver record that matches and on one
//! that does not (every branch is tried).
//!
//! `CARGO_TARGET_DIR=/tmp/target-engine cargo bench -p r53guard-engine --bench matcher`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use r53guard_engine::matcher::{CompileOptions, Matcher};
use r53guard_event::{Classified, Projector, Schema};
use std::collections::BTreeSet;
use std::hint::black_box;

const HIT: &str = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"2024-05-01T10:15:02Z","query_name":"name250.example.com","query_type":"A","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.0.1.5","srcport":"48701","transport":"UDP","srcids":{}}"#;

const MISS: &str = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"2024-05-01T10:15:02Z","query_name":"www.amazon.com","query_type":"AAAA","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.1.5","srcport":"48701","transport":"UDP","srcids":{}}"#;

fn large_query() -> String {
    let values: Vec<String> = (0..500).map(|i| format!("name{i}.example.com")).collect();
    format!(
        "dns.question.name:({}) or dns.question.name:*.duckdns.org or dns.question.name:*pastebin* or dns.question.name:xmr*.pool.* or dns.question.name:*.onion",
        values.join(" or ")
    )
}

fn bench_matchers(c: &mut Criterion) {
    let ci = BTreeSet::new();
    let opts = CompileOptions {
        case_insensitive: &ci,
        now_ms: 0,
    };
    let mut schema = Schema::new();
    let simple = r53guard_kql::parse("rcode:NXDOMAIN and query_type:A").expect("parses");
    let large = r53guard_kql::parse(&large_query()).expect("parses");
    let simple = Matcher::compile(&simple, &mut schema, &opts);
    let large = Matcher::compile(&large, &mut schema, &opts);
    let mut group = c.benchmark_group("matcher");
    group.throughput(Throughput::Elements(1));
    group.sample_size(30);
    group.measurement_time(std::time::Duration::from_secs(3));
    for (record, raw) in [("hit", HIT), ("miss", MISS)] {
        let mut projector = Projector::new(&schema);
        let Ok(Classified::Event(ev)) = projector.project(raw) else {
            panic!("bench record is not an event");
        };
        for (rule, m) in [
            ("simple_2_terms", &simple),
            ("or_500_plus_wildcards", &large),
        ] {
            group.bench_function(format!("{rule}/{record}"), |b| {
                b.iter(|| black_box(m.matches(black_box(&ev), None)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_matchers);
criterion_main!(benches);
