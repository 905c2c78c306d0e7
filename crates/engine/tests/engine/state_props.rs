//! Properties of stateful evaluation: shuffling the input, splitting it into partitions and
//! merging the engines, snapshotting and restoring mid-way, or flushing at watermarks along
//! the way all give the alerts (ids and contents) and reports of a single ordered run.

use crate::common::*;
use proptest::prelude::*;
use r53guard_engine::{Engine, EngineOptions, RunResult};
use r53guard_rules::RuleSet;

const RULES: &[&str] = &[
    r#"
[rule]
rule_id = "p-threshold"
name = "NXDOMAIN burst"
description = "p"
type = "threshold"
data = ["resolver"]
severity = "low"
risk_score = 10
author = ["p"]
window = "5m"
max_signals = 3
query = 'rcode:NXDOMAIN'
[rule.threshold]
field = ["account_id", "vpc_id", "srcaddr"]
value = 4
"#,
    r#"
[rule]
rule_id = "p-cardinality"
name = "Distinct NXDOMAIN names"
description = "p"
type = "threshold"
data = ["resolver"]
severity = "low"
risk_score = 10
author = ["p"]
window = "10m"
query = 'rcode:NXDOMAIN'
[rule.threshold]
field = ["vpc_id", "srcaddr"]
value = 3
[[rule.threshold.cardinality]]
field = "query_name"
value = 3
"#,
    r#"
[rule]
rule_id = "p-suppressed-threshold"
name = "Any burst, suppressed"
description = "p"
type = "threshold"
data = ["resolver"]
severity = "low"
risk_score = 10
author = ["p"]
window = "2m"
query = '*'
[rule.threshold]
field = ["account_id", "vpc_id", "srcaddr"]
value = 3
[rule.alert_suppression.duration]
value = 15
unit = "m"
"#,
    r#"
[rule]
rule_id = "p-sequence"
name = "Unlock then transfer"
description = "p"
type = "sequence"
data = ["cloudtrail"]
severity = "high"
risk_score = 60
author = ["p"]
[rule.sequence]
query = """
sequence by requestParameters.domainName, recipientAccountId with maxspan=20m
  [eventName:DisableDomainTransferLock]
  [eventName:TransferDomainToAnotherAwsAccount]
until [eventName:EnableDomainTransferLock]
"""
"#,
    r#"
[rule]
rule_id = "p-three-steps"
name = "Unlock, look, transfer"
description = "p"
type = "sequence"
data = ["cloudtrail"]
severity = "high"
risk_score = 60
author = ["p"]
[rule.sequence]
query = """
sequence by requestParameters.domainName
  [eventName:DisableDomainTransferLock]
  [eventName:GetDomainDetail]
  [eventName:TransferDomainToAnotherAwsAccount]
"""
"#,
    r#"
[rule]
rule_id = "p-new-terms"
name = "First call"
description = "p"
type = "new_terms"
data = ["cloudtrail"]
severity = "low"
risk_score = 10
author = ["p"]
query = 'eventSource:route53domains.amazonaws.com'
[rule.new_terms]
field = "new_terms_fields"
value = ["userIdentity.arn", "eventName"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-30m"
"#,
    QUERY,
    SUPPRESSED_QUERY,
];

const QUERY: &str = r#"
[rule]
rule_id = "p-query"
name = "Transfers"
description = "p"
type = "query"
data = ["cloudtrail"]
severity = "low"
risk_score = 10
author = ["p"]
max_signals = 2
interval = "10m"
query = 'eventName:TransferDomainToAnotherAwsAccount or eventName:EnableDomainTransferLock'
"#;

const SUPPRESSED_QUERY: &str = r#"
[rule]
rule_id = "p-suppressed-query"
name = "REFUSED, suppressed"
description = "p"
type = "query"
data = ["resolver"]
severity = "low"
risk_score = 10
author = ["p"]
query = 'not rcode:NXDOMAIN'
[rule.alert_suppression]
group_by = ["srcaddr"]
[rule.alert_suppression.duration]
value = 10
unit = "m"
"#;

/// A generated record: its index (its origin), text, event time and partition key.
#[derive(Debug, Clone)]
struct Rec {
    index: u64,
    raw: String,
    time: i64,
    key: u64,
}

const KEYS: [(&str, &str); 3] = [
    ("vpc-a", "10.0.0.1"),
    ("vpc-b", "10.0.0.1"),
    ("vpc-a", "10.0.0.2"),
];
const ACTIONS: [&str; 4] = [
    "DisableDomainTransferLock",
    "TransferDomainToAnotherAwsAccount",
    "EnableDomainTransferLock",
    "GetDomainDetail",
];

/// Resolver-like records with random keys and times within 30 minutes, and CloudTrail-like
/// ones within 2 hours.
fn records() -> impl Strategy<Value = Vec<Rec>> {
    let dns = (0..3usize, 0..1800i64, 0..6usize, 0..4usize).prop_map(|(k, s, name, rc)| {
        let (vpc, src) = KEYS[k];
        let rcode = ["NXDOMAIN", "NXDOMAIN", "NXDOMAIN", "REFUSED"][rc];
        let raw = resolver(
            "111122223333",
            vpc,
            src,
            s * 1000,
            &format!("n{name}.example"),
            rcode,
        );
        (raw, s * 1000, k as u64)
    });
    let trail = (0..3usize, 0..7200i64, 0..4usize, 0..2usize).prop_map(|(d, s, a, salt)| {
        let domain = format!("d{d}.example");
        let principal = format!("arn:aws:iam::111122223333:user/u{d}");
        // eventID varies with the salt so that equal times and actions differ in content.
        let id = format!("{d}-{s}-{a}-{salt}");
        let raw = domains_event(&id, s * 1000, ACTIONS[a], &domain, &principal);
        (raw, s * 1000, 10 + d as u64)
    });
    proptest::collection::vec(prop_oneof![dns, trail], 0..60).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (raw, time, key))| Rec {
                index: i as u64,
                raw,
                time,
                key,
            })
            .collect()
    })
}

fn set() -> RuleSet {
    rules(RULES)
}

fn engine(set: &RuleSet) -> Engine {
    Engine::new(set, EngineOptions::default()).unwrap()
}

/// An engine whose samples keep their text in a temporary file.
fn spilling(set: &RuleSet) -> Engine {
    let mut e = engine(set);
    e.spill_records(tempfile::tempfile().unwrap());
    e
}

fn run(set: &RuleSet, recs: &[Rec]) -> RunResult {
    let mut e = engine(set);
    feed(&mut e, &pairs(recs));
    e.finish()
}

fn pairs(recs: &[Rec]) -> Vec<(u64, String)> {
    recs.iter().map(|r| (r.index, r.raw.clone())).collect()
}

fn same(got: &RunResult, want: &RunResult) -> Result<(), TestCaseError> {
    prop_assert_eq!(&got.rules, &want.rules);
    prop_assert_eq!(got.alerts.len(), want.alerts.len());
    for (g, w) in got.alerts.iter().zip(&want.alerts) {
        prop_assert_eq!(g, w);
    }
    Ok(())
}

fn sorted_by_time(recs: &[Rec]) -> Vec<Rec> {
    let mut v = recs.to_vec();
    v.sort_by_key(|r| (r.time, r.index));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shuffled_input_gives_the_same_result(recs in records(), seed in any::<u64>()) {
        let set = set();
        let want = run(&set, &sorted_by_time(&recs));
        let mut shuffled = recs.clone();
        // A seeded Fisher–Yates shuffle (xorshift), so failures replay.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        same(&run(&set, &shuffled), &want)?;
        prop_assert!(want.rules.iter().all(|r| r.evicted == 0 && r.late == 0));
    }

    #[test]
    fn merged_key_partitions_give_the_same_result(recs in records(), n in 1u64..5, salt in 0u64..5) {
        let set = set();
        let want = run(&set, &sorted_by_time(&recs));
        let mut engines: Vec<Engine> = (0..n).map(|_| engine(&set)).collect();
        for r in &recs {
            let part = ((r.key + salt) % n) as usize;
            feed(&mut engines[part], &[(r.index, r.raw.clone())]);
        }
        let mut merged = engines.remove(0);
        for e in engines {
            merged.merge(e).unwrap();
        }
        same(&merged.finish(), &want)?;
    }

    #[test]
    fn samples_kept_in_spill_files_give_the_same_result_and_snapshots(
        recs in records(),
        n in 1u64..4,
        cut in 0usize..60,
    ) {
        let set = set();
        let want = run(&set, &sorted_by_time(&recs));
        let mut engines: Vec<Engine> = (0..n).map(|_| spilling(&set)).collect();
        for r in &recs {
            feed(&mut engines[(r.key % n) as usize], &[(r.index, r.raw.clone())]);
        }
        let mut merged = engines.remove(0);
        for e in engines {
            merged.merge(e).unwrap();
        }
        same(&merged.finish(), &want)?;
        let cut = cut.min(recs.len());
        let (mut in_memory, mut spilled) = (engine(&set), spilling(&set));
        feed(&mut in_memory, &pairs(&recs[..cut]));
        feed(&mut spilled, &pairs(&recs[..cut]));
        prop_assert!(spilled.snapshot().unwrap() == in_memory.snapshot().unwrap());
    }

    #[test]
    fn query_rules_merge_from_arbitrary_partitions(
        recs in records(),
        parts in proptest::collection::vec(0usize..3, 60),
    ) {
        let set = rules(&[QUERY, SUPPRESSED_QUERY]);
        let want = run(&set, &recs);
        let mut engines: Vec<Engine> = (0..3).map(|_| engine(&set)).collect();
        for (r, p) in recs.iter().zip(&parts) {
            feed(&mut engines[*p], &[(r.index, r.raw.clone())]);
        }
        let mut merged = engines.remove(0);
        for e in engines {
            merged.merge(e).unwrap();
        }
        same(&merged.finish(), &want)?;
    }

    #[test]
    fn snapshot_and_restore_mid_way_give_the_same_result(recs in records(), cut in 0usize..60) {
        let set = set();
        let want = run(&set, &recs);
        let cut = cut.min(recs.len());
        let mut first = engine(&set);
        feed(&mut first, &pairs(&recs[..cut]));
        let bytes = first.snapshot().unwrap();
        let mut restored = Engine::restore(&set, EngineOptions::default(), &bytes).unwrap();
        prop_assert!(restored.snapshot().unwrap() == bytes, "a snapshot of the restored engine differs");
        feed(&mut restored, &pairs(&recs[cut..]));
        same(&restored.finish(), &want)?;
    }

    #[test]
    fn flushing_at_watermarks_adds_up_to_the_single_run(
        recs in records(),
        cuts in proptest::collection::btree_set(0usize..60, 0..4),
        checkpoint in any::<bool>(),
    ) {
        let set = set();
        let recs = sorted_by_time(&recs);
        let want = run(&set, &recs);
        let mut e = engine(&set);
        let mut alerts = Vec::new();
        // What each flush says is settled: no later alert is detected before it.
        let mut settled = i64::MIN;
        let after = |settled: i64, emitted: &[r53guard_alert::Alert]| {
            let bound = r53guard_event::time::format_rfc3339(settled);
            for a in emitted {
                prop_assert!(settled == i64::MIN || a.detected_at >= bound, "{} before {bound}", a.detected_at);
            }
            Ok(())
        };
        for (i, r) in recs.iter().enumerate() {
            if cuts.contains(&i) {
                let emitted = e.flush(T0 + r.time);
                after(settled, &emitted)?;
                alerts.extend(emitted);
                settled = e.settled_before();
                if checkpoint {
                    e = Engine::restore(&set, EngineOptions::default(), &e.snapshot().unwrap()).unwrap();
                }
            }
            feed(&mut e, &[(r.index, r.raw.clone())]);
        }
        let mut got = e.finish();
        after(settled, &got.alerts)?;
        alerts.append(&mut got.alerts);
        alerts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        got.alerts = alerts;
        same(&got, &want)?;
    }

    /// The streaming hunt's protocol: workers take segments of the records in time order, each
    /// counting as late what is older than the segment's start, and a central engine absorbs
    /// each segment and flushes no further than the start of the segments still to come.
    #[test]
    fn absorbing_workers_into_a_flushed_engine_adds_up_to_the_single_run(
        recs in records(),
        cuts in proptest::collection::btree_set(1usize..60, 0..6),
        workers in 1usize..3,
    ) {
        let set = set();
        let recs = sorted_by_time(&recs);
        let want = run(&set, &recs);
        let mut central = engine(&set);
        let mut pool: Vec<Engine> = (0..workers).map(|_| spilling(&set)).collect();
        let mut alerts = Vec::new();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied().filter(|&c| c < recs.len()))
            .collect();
        for (k, &from) in starts.iter().enumerate() {
            let to = starts.get(k + 1).copied().unwrap_or(recs.len());
            let Some(first) = recs.get(from) else { break };
            let w = T0 + first.time;
            let worker = &mut pool[k % workers];
            worker.late_before([w; 2]);
            feed(worker, &pairs(&recs[from..to]));
            central.absorb(worker).unwrap();
            alerts.extend(central.flush(w));
        }
        for mut worker in pool {
            central.absorb(&mut worker).unwrap();
        }
        let mut got = central.finish();
        alerts.append(&mut got.alerts);
        alerts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        got.alerts = alerts;
        same(&got, &want)?;
    }
}
