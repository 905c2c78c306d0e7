//! Decode + projection throughput: the input layer end to end (gunzip, split, UTF-8 check,
//! projection of a rule-sized field set, classification) over real CloudTrail records and
//! Resolver query-log lines, plain and gzip, reported per byte and per record.
//!
//! `cargo bench -p r53guard-formats --bench decode`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use r53guard_event::{Event, Projector, Schema};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, Stats, read_input};
use std::hint::black_box;
use std::io::Write;
use std::ops::ControlFlow;

const TARGET_BYTES: usize = 32 << 20;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../tests/fixtures/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// NDJSON of real CloudTrail records (the Invictus file, one record per line), repeated.
fn cloudtrail_ndjson() -> (Vec<u8>, u64) {
    let doc: serde_json::Value = serde_json::from_slice(&fixture(
        "cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1220Z_r7NFD65BgeDMqD23.json",
    ))
    .unwrap();
    let lines: Vec<String> = doc["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    repeat(&lines)
}

/// Resolver query-log lines (the quirks fixture), repeated with varied names.
fn resolver_ndjson() -> (Vec<u8>, u64) {
    let text = String::from_utf8(fixture("resolver/query-log-quirks.log")).unwrap();
    let lines: Vec<String> = (0..64)
        .flat_map(|i| {
            text.lines()
                .map(move |l| l.replace("example.com.", &format!("host{i}.example.com.")))
        })
        .collect();
    repeat(&lines)
}

fn repeat(lines: &[String]) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(TARGET_BYTES + 4096);
    let mut n = 0;
    while out.len() < TARGET_BYTES {
        for l in lines {
            out.extend_from_slice(l.as_bytes());
            out.push(b'\n');
            n += 1;
        }
    }
    (out, n)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A reader over shared bytes, so an iteration does not copy its input first.
struct Shared {
    data: std::sync::Arc<Vec<u8>>,
    at: usize,
}

impl std::io::Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.data[self.at..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

struct Count(u64);

impl Sink for Count {
    fn event(&mut self, ev: &Event<'_>, _: &Location<'_>) -> ControlFlow<()> {
        self.0 += 1;
        black_box(ev.time_ms);
        ControlFlow::Continue(())
    }
    fn bad(&mut self, _: &Bad<'_>) -> ControlFlow<()> {
        panic!("bad record in benchmark data")
    }
}

fn bench(c: &mut Criterion) {
    let cloudtrail_fields = [
        "eventSource",
        "eventName",
        "sourceIPAddress",
        "userIdentity.arn",
        "errorCode",
    ];
    let resolver_fields = [
        "query_name",
        "rcode",
        "srcaddr",
        "vpc_id",
        "account_id",
        "query_type",
        "answers.Rdata",
    ];
    for (name, (data, records), fields) in [
        ("cloudtrail", cloudtrail_ndjson(), &cloudtrail_fields[..]),
        ("resolver", resolver_ndjson(), &resolver_fields[..]),
    ] {
        let mut schema = Schema::new();
        for f in fields {
            schema.add(f);
        }
        let gz = std::sync::Arc::new(gzip(&data));
        let data = std::sync::Arc::new(data);
        for (unit, throughput) in [
            ("bytes", Throughput::Bytes(data.len() as u64)),
            ("records", Throughput::Elements(records)),
        ] {
            let mut group = c.benchmark_group(format!("decode/{name}/{unit}"));
            group.sample_size(10);
            group.throughput(throughput);
            for (form, input) in [("plain", &data), ("gzip", &gz)] {
                group.bench_function(form, |b| {
                    b.iter(|| {
                        let mut projector = Projector::new(&schema);
                        let mut sink = Count(0);
                        let mut stats = Stats::default();
                        let _ = read_input(
                            name,
                            Box::new(Shared {
                                data: input.clone(),
                                at: 0,
                            }),
                            &mut projector,
                            &ReadOptions::default(),
                            &mut stats,
                            &mut sink,
                        );
                        assert_eq!(sink.0, records);
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
