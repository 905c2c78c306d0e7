//! `kill -9` while committing: a child process (this test executable, re-run with
//! [`DIR_VAR`] set) commits numbered steps and drains the outbox, and is killed with SIGKILL
//! at random moments; after each kill the store must hold exactly the steps committed, whole.

use crate::fixture::{alert, position, routed};
use r53guard_alert::{Severity, alert_id};
use r53guard_event::time::format_rfc3339;
use r53guard_store::{Batch, DB_FILE, Store};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Set to the data directory, it makes [`child_writer`] write.
const DIR_VAR: &str = "R53GUARD_STORE_CRASH_DIR";
const SOURCE: &str = "generator";
const ALERTS_PER_STEP: u64 = 3;
const ROUNDS: usize = 20;
const BASE: i64 = 1_714_564_800_000;

fn id(step: u64, i: u64) -> String {
    alert_id(&[b"crash", &step.to_le_bytes(), &i.to_le_bytes()])
}

fn receivers(i: u64) -> &'static [&'static str] {
    if i == 0 {
        &["slack", "pagerduty", "webhook"]
    } else {
        &["slack", "pagerduty"]
    }
}

fn step_alert(step: u64, i: u64) -> r53guard_alert::Alert {
    let at = format_rfc3339(BASE + step as i64 * 1_000);
    alert(&id(step, i), &format!("rule-{i}"), Severity::High, &at)
}

/// Step `step`: its position, engine state, three alerts, and (as a replayed record would)
/// the previous step's last alert again, routed elsewhere.
fn step(step: u64) -> Batch {
    let mut alerts: Vec<_> = (0..ALERTS_PER_STEP)
        .map(|i| routed(step_alert(step, i), receivers(i)))
        .collect();
    if step > 1 {
        alerts.push(routed(
            step_alert(step - 1, ALERTS_PER_STEP - 1),
            &["other"],
        ));
    }
    Batch {
        now_ms: step as i64 * 1_000,
        positions: vec![position(SOURCE, "dev:ino", step * 100, step)],
        engine_state: Some(format!("state-{step}").into_bytes()),
        alerts,
        requests: vec![format!("req-{step}")],
    }
}

/// The writer; a no-op unless [`DIR_VAR`] is set.
#[test]
fn child_writer() {
    let Some(dir) = std::env::var_os(DIR_VAR) else {
        return;
    };
    let mut store = Store::open(dir).unwrap();
    let done = store
        .positions(SOURCE)
        .unwrap()
        .first()
        .map_or(0, |p| p.record);
    if done > 0 {
        // A restarted service reads the last step's records again (its request id is known,
        // so it is not recorded twice): nothing is new.
        let mut replay = step(done);
        replay.requests.clear();
        assert!(store.commit(&replay).unwrap().is_empty());
    }
    let started = Instant::now();
    for k in done + 1.. {
        if started.elapsed() > Duration::from_secs(30) {
            break;
        }
        store.commit(&step(k)).unwrap();
        let now_ms = k as i64 * 1_000;
        for job in store.due(now_ms, 4).unwrap() {
            let (id, receiver) = (job.alert.id.as_str(), job.receiver.as_str());
            match (receiver, job.attempt) {
                ("pagerduty", 1) => {
                    store
                        .reschedule(id, receiver, 2, now_ms + 1_500, Some("HTTP 503"))
                        .unwrap();
                }
                ("webhook", _) => {
                    store
                        .mark_dead(id, receiver, job.attempt, "HTTP 400", now_ms)
                        .unwrap();
                }
                _ => {
                    store.mark_delivered(id, receiver, now_ms).unwrap();
                }
            }
        }
    }
}

/// Checks the invariants of the store in `dir` and returns the number of steps committed.
fn check(dir: &Path) -> u64 {
    let store = Store::open(dir).unwrap();
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    let done = store
        .positions(SOURCE)
        .unwrap()
        .first()
        .map_or(0, |p| p.record);
    assert_eq!(
        store.engine_state().unwrap(),
        (done > 0).then(|| format!("state-{done}").into_bytes()),
        "the engine state is the one committed with the position"
    );

    let mut expected_alerts = Vec::new();
    let mut expected_jobs = Vec::new();
    for k in 1..=done {
        for i in 0..ALERTS_PER_STEP {
            expected_alerts.push(id(k, i));
            for r in receivers(i) {
                expected_jobs.push((id(k, i), (*r).to_owned()));
            }
        }
    }
    expected_alerts.sort();
    expected_jobs.sort();
    let strings = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        strings("SELECT id FROM alerts ORDER BY id"),
        expected_alerts,
        "exactly the alerts of the committed steps"
    );
    // Every job is in exactly one of the outbox, the sent-ledger and the dead letters.
    let mut stmt = conn
        .prepare(
            "SELECT alert_id, receiver FROM outbox UNION ALL
             SELECT alert_id, receiver FROM sent UNION ALL
             SELECT alert_id, receiver FROM dead_letters
             ORDER BY 1, 2",
        )
        .unwrap();
    let jobs: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(jobs, expected_jobs, "each job once, in one place");

    assert_eq!(
        strings("SELECT request_id FROM firehose_requests").len() as u64,
        done
    );
    if done > 0 {
        assert!(store.seen_request(&format!("req-{done}")).unwrap());
    }
    assert!(!store.seen_request(&format!("req-{}", done + 1)).unwrap());
    done
}

/// A small xorshift generator: the kill times need no more.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn sigkill_while_committing_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill schedule seed {rng}");
    let mut committed = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::child_writer", "--test-threads=1"])
            .env(DIR_VAR, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 + next(&mut rng) % 160));
        let early = child.try_wait().unwrap();
        assert!(
            early.is_none(),
            "round {round}: the writer exited: {early:?}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        let now = check(dir.path());
        assert!(
            now >= committed,
            "round {round}: steps {committed} became {now}"
        );
        committed = now;
    }
    assert!(
        committed >= ROUNDS as u64,
        "the writer barely ran: {committed} steps"
    );
    eprintln!("{committed} steps committed across {ROUNDS} kills");
}
