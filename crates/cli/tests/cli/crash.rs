//! The crash test of `r53guard run` (issue #8): a generator keeps writing simulated CloudTrail
//! and Resolver logs into the watched directory (lines cut across writes, new files, rotation
//! by renaming) while the service is killed with SIGKILL at random moments, at least 20 times,
//! and restarted each time; local receivers stand in for Slack, PagerDuty and a signed webhook,
//! and sometimes answer 500 or 429. Then the generator stops, the last run drains the outbox
//! and is stopped with SIGTERM, and:
//!
//! - the store holds exactly the alert ids `r53guard hunt` finds in the final files, each once;
//! - every alert reached every receiver (the sent-ledger and the receivers agree), PagerDuty
//!   with `dedup_key` = the alert id on every attempt, the webhook with a valid signature and
//!   a fresh timestamp on every attempt;
//! - an alert accepted twice by a receiver is a crash between the send and its ledger entry:
//!   at most one per kill;
//! - every file was read to its end.
//!
//! `R53GUARD_CRASH_SEED` (default 8) seeds the kill times, the generator and the receivers'
//! refusals; `R53GUARD_CRASH_KILLS` (default 24, at least 20) sets the number of kills.

use crate::receivers::{Kind, Receiver, Request};
use crate::service::{Service, Slot, by_minute, closing_line, free_port, hunt_ids, simulate};
use crate::tempdir;
use hmac::{Hmac, Mac};
use r53guard_store::Store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OpenFlags};
use sha2::Sha256;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

const SLACK_PATH: &str = "/services/T0CRASH/B0CRASH/crash-test-webhook";
const PAGERDUTY_PATH: &str = "/v2/enqueue";
const WEBHOOK_PATH: &str = "/hooks/r53guard";
const ROUTING_KEY: &str = "0123456789abcdef0123456789abcdef";
const SIGNING_KEY: &str = "crash-test-signing-key";

/// How long the generator takes to write the hour of logs, unhurried.
const FEED: Duration = Duration::from_secs(40);
/// One kill in this many lands while the run starts (loads rules, restores its state), at a
/// random time up to `STARTING_MS` after the start.
const KILLS_WHILE_STARTING: u32 = 6;
const STARTING_MS: u64 = 600;
/// The other runs live this long once ready (a random time in the range), and die while they
/// read, commit or send.
const LIFE_MS: std::ops::RangeInclusive<u64> = 100..=2200;

/// A rule that fires on every Route 53 read call (about two a minute in the simulated logs),
/// so that notifications are in flight through the whole test.
const BUSY_RULE: &str = r#"[rule]
rule_id = "crash-test-route53-reads"
name = "Route 53 read calls (crash test)"
description = "Every Route 53 read call, so that the crash test always has alerts to send."
author = ["r53guard tests"]
license = "Apache-2.0"
version = 1
type = "query"
language = "kuery"
data = ["cloudtrail"]
severity = "low"
risk_score = 21
query = "event.action:(ListHostedZones or ListResourceRecordSets or GetChange)"
summary = "{userIdentity.arn} called {eventName}"
"#;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

#[test]
fn crash_sigkill_loses_and_repeats_nothing() {
    let started = Instant::now();
    let seed = env_number("R53GUARD_CRASH_SEED", 8);
    let kills = env_number("R53GUARD_CRASH_KILLS", 24).max(20);
    let dir = tempdir("crash");
    let root: &std::path::Path = &dir;
    let sim = root.join("sim");
    let logs = root.join("logs");
    let data = root.join("data");
    std::fs::create_dir_all(&logs).unwrap();
    simulate(&sim, 1);
    let rule = root.join("busy-rule.toml");
    std::fs::write(&rule, BUSY_RULE).unwrap();

    let slack = Receiver::start(Kind::Slack, seed ^ 0x51ac);
    let pagerduty = Receiver::start(Kind::PagerDuty, seed ^ 0x9d);
    let webhook = Receiver::start(Kind::Webhook, seed ^ 0x3eb);
    let port = free_port();
    let config = root.join("r53guard.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "{data}"
[rules]
paths = ["{rule}"]
[[source]]
type = "directory"
name = "logs"
path = "{logs}"
poll_interval = "100ms"
allowed_lateness = "5m"
[api]
listen = "127.0.0.1:{port}"
[[receiver]]
type = "slack"
name = "slack"
webhook_url = "env:CRASH_SLACK_URL"
rate_limit = {{ per_second = 200.0, burst = 20 }}
[[receiver]]
type = "pagerduty"
name = "pagerduty"
routing_key = "env:CRASH_ROUTING_KEY"
events_url = "{events_url}"
rate_limit = {{ per_second = 200.0, burst = 20 }}
[[receiver]]
type = "webhook"
name = "webhook"
url = "env:CRASH_WEBHOOK_URL"
signing_key = "env:CRASH_SIGNING_KEY"
[delivery]
max_attempts = 30
base_delay = "50ms"
multiplier = 2.0
max_delay = "1s"
allow_plain_http = true
allow_private_targets = true
"#,
            data = data.display(),
            rule = rule.display(),
            logs = logs.display(),
            events_url = pagerduty.url(PAGERDUTY_PATH),
        ),
    )
    .unwrap();
    let slack_url = slack.url(SLACK_PATH);
    let webhook_url = webhook.url(WEBHOOK_PATH);
    let env = [
        ("CRASH_SLACK_URL", slack_url.as_str()),
        ("CRASH_ROUTING_KEY", ROUTING_KEY),
        ("CRASH_WEBHOOK_URL", webhook_url.as_str()),
        ("CRASH_SIGNING_KEY", SIGNING_KEY),
    ];

    let hurry = Arc::new(AtomicBool::new(false));
    let generator = {
        let generator = Generator::new(by_minute(&sim), logs.clone(), seed);
        let hurry = Arc::clone(&hurry);
        std::thread::spawn(move || generator.run(&hurry))
    };

    let mut rng = StdRng::seed_from_u64(seed);
    let mut mid_send = 0;
    for k in 0..kills {
        let log = root.join(format!("run-{k:02}.log"));
        let mut service = Service::start(&config, &log, &env);
        if rng.random_range(0..KILLS_WHILE_STARTING) == 0 {
            std::thread::sleep(Duration::from_millis(rng.random_range(0..STARTING_MS)));
        } else {
            service.wait_ready(port, &log);
            std::thread::sleep(Duration::from_millis(rng.random_range(LIFE_MS)));
        }
        service.assert_running(&log);
        if [&slack, &pagerduty, &webhook].iter().any(|r| r.answering()) {
            mid_send += 1;
        }
        service.signal(libc::SIGKILL);
        service.child.wait().unwrap();
    }

    // The last run: the generator finishes, a record two days later closes every window, and
    // the run drains the outbox.
    let last_log = root.join("run-last.log");
    let mut service = Service::start(&config, &last_log, &env);
    hurry.store(true, Ordering::Release);
    generator.join().expect("the generator panicked");
    append(&logs.join("tail.ndjson"), &closing_line(&sim));
    let rule_arg = rule.to_str().unwrap();
    let expected = hunt_ids(&[logs.to_str().unwrap(), "--rules", rule_arg]);
    assert!(
        expected.len() >= 100,
        "hunt found {} alerts",
        expected.len()
    );

    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        service.assert_running(&last_log);
        let view = StoreView::read(&data);
        if view.as_ref().is_some_and(|v| v.drained(&expected)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not drained: {} alerts expected, store {}\nservice log:\n{}",
            expected.len(),
            view.map_or("unreadable".to_owned(), |v| v.describe(&expected)),
            std::fs::read_to_string(&last_log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    service.signal(libc::SIGTERM);
    let status = service.child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exit status {status}");
    // No record arrived behind the watermark (the count is kept in the engine's state).
    let last = std::fs::read_to_string(&last_log).unwrap();
    let commit = last
        .lines()
        .rfind(|l| l.contains("batch committed"))
        .expect("the last run committed");
    assert!(commit.contains("late_records_total=0"), "{commit}");

    // The store: hunt's ids, each once; every job in the sent-ledger, once.
    let view = StoreView::read(&data).expect("the store opens read-only");
    assert_eq!(view.alert_ids.len(), expected.len(), "alert rows");
    let stored: BTreeSet<String> = view.alert_ids.iter().cloned().collect();
    assert_eq!(stored.len(), view.alert_ids.len(), "duplicate alert ids");
    assert_eq!(stored, expected);
    assert_eq!((view.pending, view.dead), (0, 0), "outbox and dead letters");
    for name in ["slack", "pagerduty", "webhook"] {
        let sent = view.sent.get(name).cloned().unwrap_or_default();
        assert_eq!(sent.len(), expected.len(), "{name}: sent-ledger rows");
        assert_eq!(
            sent.into_iter().collect::<BTreeSet<_>>(),
            expected,
            "{name}: sent-ledger"
        );
    }
    assert_read_to_the_end(&data, &logs);

    // The receivers: every alert accepted at least once, repeats bounded by the kills.
    let slack_got = slack.requests();
    for r in &slack_got {
        assert_eq!(r.path, SLACK_PATH);
    }
    let pagerduty_got = pagerduty.requests();
    check_pagerduty(&pagerduty_got);
    let webhook_got = webhook.requests();
    check_webhook(&webhook_got);
    let mut summary = Vec::new();
    let mut repeats = 0;
    for (name, got, id_of) in [
        (
            "slack",
            &slack_got,
            slack_alert_id as fn(&Request) -> String,
        ),
        ("pagerduty", &pagerduty_got, pagerduty_alert_id),
        ("webhook", &webhook_got, webhook_alert_id),
    ] {
        let mut accepted: BTreeMap<String, u64> = BTreeMap::new();
        for r in got.iter().filter(|r| r.accepted()) {
            *accepted.entry(id_of(r)).or_default() += 1;
        }
        let ids: BTreeSet<String> = accepted.keys().cloned().collect();
        assert_eq!(ids, expected, "{name}: the alerts accepted");
        let repeated: u64 = accepted.values().map(|n| n - 1).sum();
        assert!(
            repeated <= kills,
            "{name}: {repeated} alerts accepted again after {kills} kills"
        );
        repeats += repeated;
        let refused = got.iter().filter(|r| !r.accepted()).count();
        summary.push(format!(
            "{name} {} requests, {refused} refused, {repeated} repeats",
            got.len()
        ));
    }
    // Jobs are sent one at a time, so a kill interrupts at most one of them in all.
    assert!(
        repeats <= kills,
        "{repeats} alerts accepted again after {kills} kills"
    );
    eprintln!(
        "crash test: seed {seed}, {kills} kills ({mid_send} while a receiver was answering), \
         {} alerts; {}; {:.1} s",
        expected.len(),
        summary.join(", "),
        started.elapsed().as_secs_f64()
    );
    drop((slack, pagerduty, webhook));
    let _ = std::fs::remove_dir_all(root);
}

/// Writes the simulated minutes into the watched directory, in event-time order: each minute
/// in one to three writes cut at random bytes (often inside a line), now and then into a new
/// file of its own, and now and then after rotating the live file (renamed, a new one started
/// under the old name; only between minutes, so that no line is split across files).
struct Generator {
    slots: Vec<Slot>,
    logs: PathBuf,
    rng: StdRng,
    rotations: u32,
    extras: u32,
}

impl Generator {
    fn new(slots: Vec<Slot>, logs: PathBuf, seed: u64) -> Generator {
        Generator {
            slots,
            logs,
            rng: StdRng::seed_from_u64(seed ^ 0x6e4e),
            rotations: 0,
            extras: 0,
        }
    }

    /// Writes every minute, pausing between writes until `hurry` is set.
    fn run(mut self, hurry: &AtomicBool) {
        let pace = FEED / u32::try_from(self.slots.len()).unwrap();
        let slots = std::mem::take(&mut self.slots);
        for slot in &slots {
            let pause = |rng: &mut StdRng, most: Duration| {
                if !hurry.load(Ordering::Acquire) {
                    std::thread::sleep(most.mul_f64(rng.random_range(0.0..1.0)));
                }
            };
            let live = self.logs.join(&slot.file);
            let target = if self.rng.random_range(0..100) < 5 {
                self.extras += 1;
                let stem = slot.file.trim_end_matches(".ndjson");
                self.logs.join(format!(
                    "{stem}-{}-extra{:03}.ndjson",
                    slot.minute.replace(':', ""),
                    self.extras
                ))
            } else {
                if live.exists() && self.rng.random_range(0..100) < 6 {
                    self.rotations += 1;
                    let stem = slot.file.trim_end_matches(".ndjson");
                    let rotated = self
                        .logs
                        .join(format!("{stem}-{:03}.ndjson", self.rotations));
                    std::fs::rename(&live, rotated).unwrap();
                }
                live
            };
            let bytes = &slot.bytes;
            let pieces = self.rng.random_range(1..=3);
            let mut cuts: Vec<usize> = (1..pieces)
                .map(|_| self.rng.random_range(1..bytes.len()))
                .collect();
            cuts.sort_unstable();
            cuts.push(bytes.len());
            let mut from = 0;
            for cut in cuts {
                append(&target, &bytes[from..cut]);
                from = cut;
                pause(&mut self.rng, Duration::from_millis(25));
            }
            pause(&mut self.rng, pace * 2);
        }
    }
}

fn append(path: &Path, bytes: &[u8]) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

/// What the store holds, read through a read-only SQLite connection.
struct StoreView {
    /// Every row of `alerts`.
    alert_ids: Vec<String>,
    /// Jobs in the outbox, and dead letters.
    pending: u64,
    dead: u64,
    /// The sent-ledger's alert ids by receiver, one per row.
    sent: BTreeMap<String, Vec<String>>,
}

impl StoreView {
    /// `None` while the database cannot be read (not created yet, or busy).
    fn read(data: &Path) -> Option<StoreView> {
        let db = data.join(r53guard_store::DB_FILE);
        let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        let strings = |sql: &str| -> Option<Vec<(String, String)>> {
            let mut stmt = conn.prepare(sql).ok()?;
            let rows = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .ok()?;
            rows.collect::<Result<_, _>>().ok()
        };
        let alert_ids = strings("SELECT id, '' FROM alerts")?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (receiver, id) in strings("SELECT receiver, alert_id FROM sent")? {
            sent.entry(receiver).or_default().push(id);
        }
        let (pending, dead) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM dead_letters)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .ok()?;
        Some(StoreView {
            alert_ids,
            pending,
            dead,
            sent,
        })
    }

    /// Every expected alert stored and nothing left to send.
    fn drained(&self, expected: &BTreeSet<String>) -> bool {
        self.pending == 0
            && self.alert_ids.len() == expected.len()
            && self.alert_ids.iter().all(|id| expected.contains(id))
    }

    fn describe(&self, expected: &BTreeSet<String>) -> String {
        let stored: BTreeSet<&String> = self.alert_ids.iter().collect();
        format!(
            "{} alerts, {} jobs pending, {} dead\nmissing: {:?}\nextra: {:?}",
            self.alert_ids.len(),
            self.pending,
            self.dead,
            expected
                .iter()
                .filter(|id| !stored.contains(id))
                .collect::<Vec<_>>(),
            stored
                .iter()
                .filter(|id| !expected.contains(id.as_str()))
                .collect::<Vec<_>>()
        )
    }
}

/// Every file in `logs` was read to its end: the positions, by file identity, are the sizes.
fn assert_read_to_the_end(data: &Path, logs: &Path) {
    let positions: BTreeMap<String, u64> = Store::open(data)
        .unwrap()
        .positions("logs")
        .unwrap()
        .into_iter()
        .map(|p| (p.file, p.offset))
        .collect();
    let sizes: BTreeMap<String, u64> = std::fs::read_dir(logs)
        .unwrap()
        .map(|e| {
            let meta = e.unwrap().metadata().unwrap();
            (format!("{}:{}", meta.dev(), meta.ino()), meta.len())
        })
        .collect();
    assert_eq!(positions, sizes, "positions against file sizes");
}

/// The alert id in a Slack message: the context line starts `alert <id> ·`.
fn slack_alert_id(r: &Request) -> String {
    let message = r.json();
    let blocks = message["blocks"].as_array().expect("blocks");
    let context = blocks
        .iter()
        .find(|b| b["type"] == "context")
        .and_then(|b| b["elements"][0]["text"].as_str())
        .expect("a context block");
    let id = context
        .strip_prefix("alert ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no alert id in {context:?}"));
    id.to_owned()
}

fn pagerduty_alert_id(r: &Request) -> String {
    r.json()["dedup_key"].as_str().unwrap().to_owned()
}

fn webhook_alert_id(r: &Request) -> String {
    r.header("x-r53guard-alert-id").unwrap().to_owned()
}

/// Every PagerDuty request: the right path and routing key, a trigger, and the alert id as
/// its `dedup_key` on every attempt (so repeats are deduplicated by PagerDuty).
fn check_pagerduty(got: &[Request]) {
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in got {
        assert_eq!(r.path, PAGERDUTY_PATH);
        let event = r.json();
        assert_eq!(event["routing_key"], ROUTING_KEY);
        assert_eq!(event["event_action"], "trigger");
        let id = event["payload"]["custom_details"]["alert_id"]
            .as_str()
            .expect("custom_details.alert_id")
            .to_owned();
        keys.entry(id)
            .or_default()
            .insert(event["dedup_key"].as_str().expect("dedup_key").to_owned());
    }
    for (id, keys) in keys {
        assert!(
            keys.len() == 1 && keys.contains(&id),
            "the dedup keys of {id}: {keys:?}"
        );
    }
}

/// Every webhook request: the right path, a signature over `<timestamp>.<body>` with the
/// shared key, a timestamp within five minutes of its arrival, and the alert id header equal
/// to the body's id.
fn check_webhook(got: &[Request]) {
    for r in got {
        assert_eq!(r.path, WEBHOOK_PATH);
        let timestamp = r.header("x-r53guard-timestamp").expect("timestamp header");
        let sent: u64 = timestamp.parse().expect("a Unix time");
        let arrived = r.received.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert!(
            sent.abs_diff(arrived) <= 300,
            "timestamp {sent} at {arrived}"
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(SIGNING_KEY.as_bytes()).unwrap();
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(&r.body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            r.header("x-r53guard-signature"),
            Some(format!("sha256={hex}").as_str()),
            "signature"
        );
        assert_eq!(
            Some(r.json()["id"].as_str().unwrap()),
            r.header("x-r53guard-alert-id")
        );
    }
}
