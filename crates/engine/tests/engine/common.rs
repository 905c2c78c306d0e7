//! Helpers: load rules from TOML text or fixture files, run the engine over fixture inputs.

use r53guard_engine::{Engine, EngineOptions, Origin, RunResult};
use r53guard_event::{Event, Projector};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, Stats, read_input};
use r53guard_rules::{RuleSet, Source, load_file, load_str};
use std::ops::ControlFlow;
use std::path::PathBuf;

pub fn repo(rel: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR")))
}

/// A rule set from TOML texts.
pub fn rules(texts: &[&str]) -> RuleSet {
    let mut set = RuleSet::new();
    for (i, t) in texts.iter().enumerate() {
        let loaded = load_str(t, Source::Path(format!("inline-{i}.toml").into()))
            .unwrap_or_else(|d| panic!("{d}"));
        set.add_rule(loaded).unwrap();
    }
    set
}

/// A rule set from fixture files (paths relative to the repo root).
pub fn rule_files(paths: &[&str]) -> RuleSet {
    let mut set = RuleSet::new();
    for p in paths {
        let loaded = load_file(&repo(p)).unwrap_or_else(|d| panic!("{d}"));
        set.add_rule(loaded).unwrap();
    }
    set
}

struct Feed<'e> {
    engine: &'e mut Engine,
}

impl Sink for Feed<'_> {
    fn event(&mut self, ev: &Event<'_>, loc: &Location<'_>) -> ControlFlow<()> {
        self.engine.process(
            ev,
            &Origin {
                path: loc.source,
                line: loc.line,
                record: loc.record,
                part: loc.part,
            },
        );
        ControlFlow::Continue(())
    }
    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        panic!("bad input in a test fixture: {bad}")
    }
}

/// Runs `set` over the named inputs: (display name, bytes) pairs, in order.
pub fn run_inputs(set: &RuleSet, inputs: &[(&str, Vec<u8>)]) -> RunResult {
    run_engine(Engine::new(set, EngineOptions::default()).unwrap(), inputs)
}

/// Feeds the named inputs to `engine`, in order, and finishes the run.
fn run_engine(mut engine: Engine, inputs: &[(&str, Vec<u8>)]) -> RunResult {
    feed_inputs(&mut engine, inputs);
    engine.finish()
}

/// Feeds the named inputs to `engine`, in order.
pub fn feed_inputs(engine: &mut Engine, inputs: &[(&str, Vec<u8>)]) {
    let schema = engine.schema();
    let mut projector = Projector::new(&schema);
    let mut stats = Stats::default();
    for (name, bytes) in inputs {
        let _ = read_input(
            name,
            Box::new(std::io::Cursor::new(bytes.clone())),
            &mut projector,
            &ReadOptions::default(),
            &mut stats,
            &mut Feed { engine },
        );
    }
}

/// Runs `set` over fixture files (paths relative to the repo root).
pub fn run_files(set: &RuleSet, paths: &[&str]) -> RunResult {
    let inputs: Vec<(&str, Vec<u8>)> = paths
        .iter()
        .map(|p| (*p, std::fs::read(repo(p)).unwrap()))
        .collect();
    run_inputs(set, &inputs)
}

/// 2024-05-01T10:00:00Z in epoch ms: the base time of generated events.
pub const T0: i64 = 1_714_557_600_000;

/// An RFC 3339 time `ms` after [`T0`].
pub fn at(ms: i64) -> String {
    r53guard_event::time::format_rfc3339(T0 + ms)
}

/// Minutes and seconds as ms.
pub fn ms(minutes: i64, seconds: i64) -> i64 {
    (minutes * 60 + seconds) * 1000
}

/// A Resolver query-log line.
pub fn resolver(account: &str, vpc: &str, src: &str, t: i64, name: &str, rcode: &str) -> String {
    serde_json::json!({
        "version": "1.100000",
        "account_id": account,
        "region": "us-east-1",
        "vpc_id": vpc,
        "query_timestamp": at(t),
        "query_name": name,
        "query_type": "A",
        "query_class": "IN",
        "rcode": rcode,
        "answers": [],
        "srcaddr": src,
        "srcport": "53000",
        "transport": "UDP",
        "srcids": {"instance": "i-0123456789abcdef0"}
    })
    .to_string()
}

/// A Route 53 Domains CloudTrail event.
pub fn domains_event(id: &str, t: i64, action: &str, domain: &str, principal: &str) -> String {
    serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "arn": principal, "accountId": "111122223333"},
        "eventTime": at(t),
        "eventSource": "route53domains.amazonaws.com",
        "eventName": action,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "requestParameters": {"domainName": domain, "accountId": "444455556666"},
        "eventID": id,
        "recipientAccountId": "111122223333"
    })
    .to_string()
}

/// Runs `set` over records given as lines (NDJSON), in order.
pub fn run_lines(set: &RuleSet, lines: &[String]) -> RunResult {
    run_inputs(set, &[("input.jsonl", lines.join("\n").into_bytes())])
}

/// Feeds records straight to an engine; record `i` of `records` is `(index, text)`, and its
/// origin is line `index + 1` of `gen`, so a record keeps its origin whatever order it comes in.
pub fn feed(engine: &mut Engine, records: &[(u64, String)]) {
    let schema = engine.schema();
    let mut projector = Projector::new(&schema);
    for (index, raw) in records {
        match projector.project(raw) {
            Ok(r53guard_event::Classified::Event(ev)) => engine.process(
                &ev,
                &Origin {
                    path: "gen",
                    line: index + 1,
                    record: *index,
                    part: None,
                },
            ),
            other => panic!("not an event: {raw}: {other:?}"),
        }
    }
}

/// Runs Sigma documents (YAML text, beside no r53guard rules) over NDJSON lines.
pub fn run_sigma(yaml: &str, lines: &[String]) -> (RunResult, Vec<r53guard_engine::SigmaSkipped>) {
    let set = r53guard_sigma::SigmaSet::load([("sigma.yml", yaml)]);
    assert!(
        set.problems(r53guard_sigma::DiagnosticLevel::Unsupported)
            .next()
            .is_none(),
        "{:?}",
        set.diagnostics
    );
    let mapping = r53guard_sigma::Mapping::builtin().unwrap();
    let engine = Engine::with_sigma(
        &RuleSet::new(),
        r53guard_engine::SigmaRules {
            set: &set,
            mapping: &mapping,
        },
        EngineOptions::default(),
        r53guard_engine::Limits::default(),
    )
    .unwrap();
    let skipped = engine.sigma_skipped().to_vec();
    let input = lines.join("\n").into_bytes();
    (run_engine(engine, &[("input.jsonl", input)]), skipped)
}
