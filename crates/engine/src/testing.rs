//! Running a rule's embedded tests: its events go through the same projection, matching,
//! exceptions and alert logic as real input, and the outcome is compared with what the test
//! expects (`match`: every event alerts; `no_match`: none does; `alerts = N`: exactly N alerts).

use crate::{Engine, EngineError, EngineOptions, Origin};
use r53guard_event::{Classified, Projector};
use r53guard_rules::{Expectation, RuleSet};

/// The outcome of one embedded test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The rule id.
    pub rule_id: String,
    /// The test's name.
    pub test: String,
    /// Whether it passed.
    pub passed: bool,
    /// What happened, for a human.
    pub detail: String,
}

/// Runs every embedded test of every rule in `set` (each rule alone, with the set's shared
/// exceptions and lists).
pub fn run_tests(set: &RuleSet, opts: EngineOptions) -> Result<Vec<TestOutcome>, EngineError> {
    let mut out = Vec::new();
    for rule in &set.rules {
        let mut alone = RuleSet {
            rules: vec![rule.clone()],
            ..RuleSet::new()
        };
        alone.exceptions = set.exceptions.clone();
        alone.lists = set.lists.clone();
        for test in &rule.tests {
            let mut engine = Engine::new(&alone, opts)?;
            let mut unreadable = Vec::new();
            let schema = engine.schema();
            let mut projector = Projector::new(&schema);
            for (i, event) in test.events.iter().enumerate() {
                match projector.project(event) {
                    Ok(Classified::Event(ev)) => engine.process(
                        &ev,
                        &Origin {
                            path: &test.name,
                            line: 1,
                            record: i as u64,
                            part: None,
                        },
                    ),
                    Ok(_) => {
                        unreadable.push(format!("event {i} is not a CloudTrail or Resolver record"))
                    }
                    Err(e) => unreadable.push(format!("event {i}: {e}")),
                }
            }
            let result = engine.finish();
            let report = &result.rules[0];
            let alerting = report.matched - report.excepted;
            let n = test.events.len() as u64;
            let (passed, detail) = match test.expect {
                Expectation::Match => (
                    alerting == n,
                    format!("{alerting} of {n} events matched (all must)"),
                ),
                Expectation::NoMatch => (
                    alerting == 0,
                    format!("{alerting} of {n} events matched (none may)"),
                ),
                Expectation::Alerts(want) => (
                    result.alerts.len() as u64 == u64::from(want),
                    format!("{} alerts (want {want})", result.alerts.len()),
                ),
            };
            let passed = passed && unreadable.is_empty();
            let detail = if unreadable.is_empty() {
                detail
            } else {
                format!("{detail}; {}", unreadable.join("; "))
            };
            out.push(TestOutcome {
                rule_id: rule.rule_id.clone(),
                test: test.name.clone(),
                passed,
                detail,
            });
        }
    }
    Ok(out)
}
