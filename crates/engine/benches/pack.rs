//! The built-in pack on Resolver records through the whole engine (projection, the rules'
//! verdicts, lists, exceptions and threshold state), with query names repeating as they do in
//! real logs and with every name distinct: the difference is what the verdict tables and the
//! name cache save.
//!
//! `CARGO_TARGET_DIR=/tmp/target-engine cargo bench -p r53guard-engine --bench pack`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use r53guard_engine::{Engine, EngineOptions, Origin};
use r53guard_event::{Classified, Projector};

const RECORDS: usize = 20_000;
const T0: i64 = 1_714_557_600_000;

/// Record `i`: one of 40 sources in one VPC, a name taking `distinct` values, a few query
/// types and response codes.
fn line(i: usize, distinct: usize) -> String {
    let (qtype, rcode) = [
        ("A", "NOERROR"),
        ("AAAA", "NOERROR"),
        ("A", "NXDOMAIN"),
        ("TXT", "NOERROR"),
    ][i % 4];
    format!(
        r#"{{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"{}","query_name":"svc{}.internal.example.com.","query_type":"{qtype}","query_class":"IN","rcode":"{rcode}","answers":[{{"Rdata":"10.1.2.3","Type":"A","Class":"IN"}}],"srcaddr":"10.0.0.{}","srcport":"53000","transport":"UDP","srcids":{{"instance":"i-0123456789abcdef0"}}}}"#,
        r53guard_event::time::format_rfc3339(T0 + i as i64 * 50),
        i % distinct,
        i % 40,
    )
}

fn pack(c: &mut Criterion) {
    let set = r53guard_rules::builtin().expect("the built-in pack loads");
    let mut group = c.benchmark_group("builtin-pack/resolver");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(20);
    for (label, distinct) in [("500 names", 500), ("distinct names", RECORDS)] {
        let lines: Vec<String> = (0..RECORDS).map(|i| line(i, distinct)).collect();
        let mut engine = Engine::new(&set, EngineOptions::default()).expect("compiles");
        let schema = engine.schema();
        let mut projector = Projector::new(&schema);
        group.bench_function(label, |b| {
            b.iter(|| {
                for (i, raw) in lines.iter().enumerate() {
                    if let Ok(Classified::Event(ev)) = projector.project(raw) {
                        let origin = Origin {
                            path: "bench",
                            line: i as u64 + 1,
                            record: i as u64,
                            part: None,
                        };
                        engine.process(&ev, &origin);
                    }
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, pack);
criterion_main!(benches);
