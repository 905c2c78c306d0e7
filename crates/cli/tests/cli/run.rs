//! `r53guard run` end to end: a directory source fed simulated logs minute by minute (lines cut
//! across writes), the service killed with SIGKILL mid-stream and restarted, then stopped with
//! SIGTERM. The store must end with exactly the alerts `r53guard hunt` finds in the same files,
//! the JSONL receiver must have every one of them, and the positions must reach the files' ends.

use crate::service::{
    Service, by_minute, closing_line, free_port, hunt_ids, simulate, stored_ids, stored_ids_offline,
};
use crate::{r53guard, tempdir};
use r53guard_store::Store;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn receiver_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Appends `bytes` to `path` in two writes, the cut inside a line.
fn append(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let cut = bytes.len() / 2;
    f.write_all(&bytes[..cut]).unwrap();
    f.flush().unwrap();
    std::thread::sleep(Duration::from_millis(15));
    f.write_all(&bytes[cut..]).unwrap();
}

#[test]
fn run_survives_sigkill_and_matches_hunt() {
    let dir = tempdir("run");
    let root: &std::path::Path = &dir;
    let sim = root.join("sim");
    let logs = root.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    simulate(&sim, 2);
    let port = free_port();
    let data = root.join("data");
    let alerts_file = root.join("alerts.jsonl");
    let config = root.join("r53guard.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "{data}"
[[source]]
type = "directory"
name = "logs"
path = "{logs}"
poll_interval = "100ms"
allowed_lateness = "5m"
[api]
listen = "127.0.0.1:{port}"
[[receiver]]
type = "jsonl"
name = "file"
path = "{alerts}"
"#,
            data = data.display(),
            logs = logs.display(),
            alerts = alerts_file.display()
        ),
    )
    .unwrap();

    let slots = by_minute(&sim);
    let (first, rest) = slots.split_at(slots.len() / 2);
    let log = root.join("run1.log");
    let mut service = Service::start(&config, &log, &[]);
    service.wait_ready(port, &log);
    let token = std::fs::read_to_string(data.join("api-token")).unwrap();
    let token = token.trim();
    for slot in first {
        append(&logs.join(&slot.file), &slot.bytes);
    }
    // Let some alerts reach the store, then kill without warning, mid-stream.
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored_ids(port, token).is_empty() {
        assert!(Instant::now() < deadline, "no alert stored before the kill");
        std::thread::sleep(Duration::from_millis(50));
    }
    append(&logs.join(&rest[0].file), &rest[0].bytes);
    service.signal(libc::SIGKILL);
    let _ = service.child.wait();

    let log = root.join("run2.log");
    let mut service = Service::start(&config, &log, &[]);
    service.wait_ready(port, &log);
    for slot in &rest[1..] {
        append(&logs.join(&slot.file), &slot.bytes);
    }
    append(&logs.join("tail.ndjson"), &closing_line(&sim));

    let expected = hunt_ids(&[logs.to_str().unwrap()]);
    assert!(expected.len() >= 10, "hunt found {} alerts", expected.len());

    // Generous for a loaded machine; about 10 s in all when idle.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let stored: BTreeSet<String> = stored_ids(port, token).into_iter().collect();
        let received: BTreeSet<String> = receiver_ids(&alerts_file).into_iter().collect();
        if stored == expected && received == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "store {} / receiver {} / hunt {} alerts\nmissing from store: {:?}\nextra in store: {:?}\nservice log:\n{}",
            stored.len(),
            received.len(),
            expected.len(),
            expected.difference(&stored).collect::<Vec<_>>(),
            stored.difference(&expected).collect::<Vec<_>>(),
            std::fs::read_to_string(root.join("run2.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    service.signal(libc::SIGTERM);
    let status = service.child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exit status {status}");

    // The store holds each id once (its unique key) and exactly hunt's set.
    let stored = stored_ids_offline(&data);
    assert_eq!(stored.len(), expected.len());
    assert_eq!(stored.into_iter().collect::<BTreeSet<_>>(), expected);
    // A SIGKILL between the file write and the sent-ledger entry repeats that one alert: at
    // most one repeat per kill.
    let received = receiver_ids(&alerts_file);
    assert!(
        received.len() <= expected.len() + 1,
        "{} lines for {} alerts",
        received.len(),
        expected.len()
    );
    // Every file was read to its end.
    let store = Store::open(&data).unwrap();
    let positions = store.positions("logs").unwrap();
    let sizes: BTreeSet<u64> = ["cloudtrail.ndjson", "resolver.ndjson", "tail.ndjson"]
        .iter()
        .map(|f| std::fs::metadata(logs.join(f)).unwrap().len())
        .collect();
    let offsets: BTreeSet<u64> = positions.iter().map(|p| p.offset).collect();
    assert_eq!(offsets, sizes, "positions {positions:?}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn config_check_accepts_the_example_and_the_default() {
    let example = format!(
        "{}/../../examples/r53guard.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = r53guard(&["config", "check", &example], None);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert!(crate::stdout(&o).contains("receiver pagerduty: pagerduty"));
    let o = r53guard(&["config", "check"], None);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert!(crate::stdout(&o).contains("source logs: directory ./logs"));
}

#[test]
fn config_check_reports_errors_with_exit_status_2() {
    let dir = tempdir("config-check");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[source]]\ntype = \"directory\"\nname = \"l\"\npath = \"l\"\n\
         [[receiver]]\ntype = \"stdout\"\nname = \"o\"\n[api]\nlisten = \"0.0.0.0:8053\"\n",
    )
    .unwrap();
    let o = r53guard(&["config", "check", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::stderr(&o).contains("api.token: required"),
        "{}",
        crate::stderr(&o)
    );
    std::fs::write(&bad, "listen_on = 1\n").unwrap();
    let o = r53guard(&["config", "check", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::stderr(&o).contains("unknown field `listen_on`"),
        "{}",
        crate::stderr(&o)
    );
    let o = r53guard(&["run", "--config", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
