//! Field projection in memory: `Projector::project` (walk + classification) over real
//! CloudTrail records and Resolver query-log lines, with a schema of the size a rule pack
//! asks for, and the same followed by reading every field's values (what rules do). Then the
//! derived DNS fields (registrable domain, DGA score, base64 and tunnel labels) read from
//! 20,000 Resolver lines whose names repeat (500 distinct) or never do: the cost of the
//! analytics with and without the name cache's help.
//!
//! `cargo bench -p r53guard-event --bench projection`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use r53guard_event::{Classified, FieldId, Projector, Schema};
use std::hint::black_box;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../tests/fixtures/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn cloudtrail() -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(&fixture(
        "cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1220Z_r7NFD65BgeDMqD23.json",
    ))
    .unwrap();
    doc["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect()
}

fn resolver() -> Vec<String> {
    String::from_utf8(fixture("resolver/query-log-quirks.log"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Raw paths and ECS aliases of the kind the built-in pack and the SigmaHQ AWS rules read.
const CLOUDTRAIL_FIELDS: &[&str] = &[
    "eventSource",
    "eventName",
    "eventType",
    "sourceIPAddress",
    "userAgent",
    "awsRegion",
    "recipientAccountId",
    "errorCode",
    "errorMessage",
    "readOnly",
    "userIdentity.type",
    "userIdentity.arn",
    "userIdentity.accountId",
    "userIdentity.sessionContext.sessionIssuer.arn",
    "userIdentity.sessionContext.sessionIssuer.type",
    "requestParameters.domainName",
    "requestParameters.hostedZoneId",
    "requestParameters.userName",
    "requestParameters.roleArn",
    "responseElements.ConsoleLogin",
    "additionalEventData.MFAUsed",
    "event.provider",
    "event.action",
    "event.outcome",
    "source.ip",
    "cloud.account.id",
    "user.name",
];

const RESOLVER_FIELDS: &[&str] = &[
    "query_name",
    "query_type",
    "query_class",
    "rcode",
    "srcaddr",
    "srcport",
    "transport",
    "vpc_id",
    "account_id",
    "region",
    "answers.Rdata",
    "answers.Type",
    "srcids.instance",
    "firewall_rule_action",
    "firewall_domain_list_id",
    "dns.question.name",
    "dns.question.type",
    "dns.response_code",
    "source.ip",
];

fn bench(c: &mut Criterion) {
    for (name, records, fields) in [
        ("cloudtrail", cloudtrail(), CLOUDTRAIL_FIELDS),
        ("resolver", resolver(), RESOLVER_FIELDS),
    ] {
        let mut schema = Schema::new();
        let ids: Vec<FieldId> = fields.iter().map(|f| schema.add(f)).collect();
        let bytes: usize = records.iter().map(String::len).sum();
        let mut group = c.benchmark_group(format!("project/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("walk", |b| {
            let mut projector = Projector::new(&schema);
            b.iter(|| {
                for r in &records {
                    match projector.project(black_box(r)) {
                        Ok(Classified::Event(ev)) => {
                            black_box(ev.time_ms);
                        }
                        other => panic!("not an event: {other:?}"),
                    }
                }
            })
        });
        group.bench_function("walk+read", |b| {
            let mut projector = Projector::new(&schema);
            b.iter(|| project_and_read(&mut projector, &records, &ids))
        });
        group.finish();
        eprintln!(
            "project/{name}: {} records, {bytes} bytes, {} fields per record",
            records.len(),
            ids.len()
        );
    }
}

/// Projects each record and reads every value of `ids` (what rules do).
fn project_and_read(projector: &mut Projector<'_>, records: &[String], ids: &[FieldId]) {
    for r in records {
        if let Ok(Classified::Event(ev)) = projector.project(black_box(r)) {
            for &id in ids {
                for v in ev.values(id) {
                    black_box(&v);
                }
            }
        }
    }
}

/// The derived DNS fields the built-in pack reads.
const DNS_FIELDS: &[&str] = &[
    "dns.question.registered_domain",
    "r53guard.dns.dga_score",
    "r53guard.dns.base64_label",
    "r53guard.dns.tunnel_label",
];

/// 20,000 Resolver lines, the fixture's names behind a label that takes `distinct` values.
fn named_lines(distinct: usize) -> Vec<String> {
    let base = resolver();
    (0..20_000)
        .map(|i| {
            base[i % base.len()].replacen(
                "\"query_name\":\"",
                &format!("\"query_name\":\"u{}x.", i % distinct),
                1,
            )
        })
        .collect()
}

fn dns_fields(c: &mut Criterion) {
    let mut schema = Schema::new();
    let ids: Vec<FieldId> = DNS_FIELDS.iter().map(|f| schema.add(f)).collect();
    let mut group = c.benchmark_group("dns-fields/resolver");
    group.throughput(Throughput::Elements(20_000));
    for (label, distinct) in [("500 names", 500), ("distinct names", 20_000)] {
        let records = named_lines(distinct);
        group.bench_function(label, |b| {
            let mut projector = Projector::new(&schema);
            b.iter(|| project_and_read(&mut projector, &records, &ids))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, dns_fields);
criterion_main!(benches);
