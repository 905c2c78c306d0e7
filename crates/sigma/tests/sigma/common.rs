//! Shared helpers: load rules from YAML text, evaluate them on records with both the compiled
//! matcher and the reference evaluator (asserting they agree), and read fixture files through
//! r53guard-formats like the product does.

use r53guard_event::{Classified, Event, Projector, Schema};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, Stats, read_input};
use r53guard_sigma::{CompiledSigma, Mapping, SigmaRule, SigmaSet, Unsupported, reference};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// A path under this crate.
pub fn here(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The default mapping.
pub fn mapping() -> Mapping {
    Mapping::builtin().expect("the default mapping loads")
}

/// Loads one YAML text as a set, asserting it loads without any diagnostic.
pub fn set(yaml: &str) -> SigmaSet {
    let set = SigmaSet::load([("test.yml", yaml)]);
    assert!(
        set.diagnostics.is_empty(),
        "unexpected diagnostics: {:#?}",
        set.diagnostics
    );
    set
}

/// The only rule of a YAML text.
pub fn rule(yaml: &str) -> SigmaRule {
    let mut s = set(yaml);
    assert_eq!(s.rules.len(), 1, "expected one rule");
    s.rules.remove(0)
}

/// The load error of a YAML text (its single diagnostic's message).
pub fn load_error(yaml: &str) -> String {
    let s = SigmaSet::load([("bad.yml", yaml)]);
    assert_eq!(
        s.diagnostics.len(),
        1,
        "expected exactly one diagnostic, got {:#?}",
        s.diagnostics
    );
    s.diagnostics[0].message.clone()
}

/// A CloudTrail rule whose detection is `detection` (YAML, indented by four spaces).
pub fn ct_rule(detection: &str) -> String {
    format!(
        "title: test\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n{detection}\n"
    )
}

/// A CloudTrail record: the given fields plus the ones that make it a CloudTrail event.
pub fn ct_record(fields: serde_json::Value) -> serde_json::Value {
    let mut rec = serde_json::json!({
        "eventVersion": "1.08",
        "eventTime": "2024-05-01T10:00:00Z",
    });
    if let (Some(out), Some(add)) = (rec.as_object_mut(), fields.as_object()) {
        for (k, v) in add {
            out.insert(k.clone(), v.clone());
        }
    }
    rec
}

/// Projects a record and runs `f` on the event.
pub fn with_event<T>(schema: &Schema, raw: &str, f: impl FnOnce(&Event<'_>) -> T) -> T {
    let mut projector = Projector::new(schema);
    match projector.project(raw) {
        Ok(Classified::Event(ev)) => f(&ev),
        other => panic!("not an event: {other:?}"),
    }
}

/// Whether `rule` matches `record`, by both the compiled matcher and the reference evaluator
/// (which must agree).
pub fn matches_rule(rule: &SigmaRule, mapping: &Mapping, record: &serde_json::Value) -> bool {
    let mut schema = Schema::new();
    let compiled = CompiledSigma::compile(rule, mapping, &mut schema)
        .unwrap_or_else(|e| panic!("{}: does not compile: {e}", rule.title));
    let raw = record.to_string();
    let fast = with_event(&schema, &raw, |ev| compiled.matches(ev));
    let oracle = reference::evaluate(rule, mapping, record).expect("reference evaluates");
    assert_eq!(fast, oracle, "compiled and reference disagree on {raw}");
    fast
}

/// Whether the rule in `yaml` matches `record` (see [`matches_rule`]).
pub fn matches(yaml: &str, record: &serde_json::Value) -> bool {
    matches_rule(&rule(yaml), &mapping(), record)
}

/// Why the rule in `yaml` does not compile.
pub fn compile_error(yaml: &str) -> Unsupported {
    let r = rule(yaml);
    match CompiledSigma::compile(&r, &mapping(), &mut Schema::new()) {
        Ok(_) => panic!("{} compiled", r.title),
        Err(e) => e,
    }
}

struct Counter<'a> {
    rules: &'a [CompiledSigma],
    hits: Vec<usize>,
    events: usize,
}

impl Sink for Counter<'_> {
    fn event(&mut self, ev: &Event<'_>, _: &Location<'_>) -> ControlFlow<()> {
        self.events += 1;
        for (i, r) in self.rules.iter().enumerate() {
            if r.matches(ev) {
                self.hits[i] += 1;
            }
        }
        ControlFlow::Continue(())
    }

    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        panic!("bad record in a fixture: {bad}")
    }
}

/// Reads a fixture file with r53guard-formats and counts, per rule, the events it matches.
/// Returns (events read, hits per rule).
pub fn count_hits(path: &Path, rules: &[CompiledSigma], schema: &Schema) -> (usize, Vec<usize>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut counter = Counter {
        rules,
        hits: vec![0; rules.len()],
        events: 0,
    };
    let mut projector = Projector::new(schema);
    let _ = read_input(
        &path.display().to_string(),
        Box::new(std::io::Cursor::new(bytes)),
        &mut projector,
        &ReadOptions::default(),
        &mut Stats::default(),
        &mut counter,
    );
    (counter.events, counter.hits)
}
