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
    let mut engine = Engine::new(set, EngineOptions::default()).unwrap();
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
            &mut Feed {
                engine: &mut engine,
            },
        );
    }
    engine.finish()
}

/// Runs `set` over fixture files (paths relative to the repo root).
pub fn run_files(set: &RuleSet, paths: &[&str]) -> RunResult {
    let inputs: Vec<(&str, Vec<u8>)> = paths
        .iter()
        .map(|p| (*p, std::fs::read(repo(p)).unwrap()))
        .collect();
    run_inputs(set, &inputs)
}
