//! Time per call of the DNS field transforms: `registrable_domain`, `DomainSet::contains` (a list
//! of 400 domains), `base64_label`, `dga_score`, `tunnel_label`. Each iteration runs over the
//! same small mix of names (plain, deep, internal, base64-bearing, DGA-like), so the reported
//! time divided by the mix size is the time per call.
//!
//! `cargo bench -p r53guard-dns --bench dns`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use r53guard_dns::{DomainSet, base64_label, dga_score, registrable_domain, tunnel_label};
use std::hint::black_box;

const NAMES: &[&str] = &[
    "www.example.co.uk",
    "api.github.com",
    "ip-10-0-0-5.ec2.internal",
    "a.b.duckdns.org",
    "d1a2b3c4d5e6f7.cloudfront.net",
    "mybucket.s3.us-west-2.amazonaws.com",
    "xkqzvbnwpq7rtz.biz",
    "dGhpcyBpcyBhIHNlY3JldCBtZXNzYWdl.t.exfil.example.com",
    "I2ofZHFQEqs9bRI2q03IH+XGJ/C3pKldJEDiI.x.example.org",
    "pool.supportxmr.com",
    "login.microsoftonline.com",
    "_3b6c9e1f0c1d4a5b8e7f6a5b4c3d2e1f.example.com",
];

fn list_of_400() -> DomainSet {
    (0..400)
        .map(|i| format!("pool{i}.miner{}.example{}.com", i % 37, i % 11))
        .chain(["supportxmr.com".to_owned()])
        .collect()
}

fn bench(c: &mut Criterion) {
    let set = list_of_400();
    // Load the lazily parsed data before timing.
    black_box(registrable_domain("example.com"));
    black_box(dga_score("example.com"));

    let mut group = c.benchmark_group("dns");
    group.throughput(Throughput::Elements(NAMES.len() as u64));
    group.bench_function("registrable_domain", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(registrable_domain(black_box(name)));
            }
        })
    });
    group.bench_function("domain_set_contains_400", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(set.contains(black_box(name)));
            }
        })
    });
    group.bench_function("base64_label", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(base64_label(black_box(name)));
            }
        })
    });
    group.bench_function("dga_score", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(dga_score(black_box(name)));
            }
        })
    });
    group.bench_function("tunnel_label", |b| {
        b.iter(|| {
            for name in NAMES {
                black_box(tunnel_label(black_box(name)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
