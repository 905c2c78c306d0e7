//! `r53guard run` end to end: a directory source fed simulated logs minute by minute (lines cut
//! across writes), the service killed with SIGKILL mid-stream and restarted, then stopped with
//! SIGTERM. The store must end with exactly the alerts `r53guard hunt` finds in the same files,
//! the JSONL receiver must have every one of them, and the positions must reach the files' ends.

use crate::{r53guard, tempdir};
use r53guard_store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Service {
    pub child: Child,
}

impl Service {
    fn start(config: &Path, log: &Path) -> Service {
        let err = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_r53guard"))
            .args(["run", "--config", config.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("spawn r53guard run");
        Service { child }
    }

    pub fn signal(&mut self, signal: i32) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 GET to 127.0.0.1; returns the status and the body.
pub fn get(port: u16, path: &str, token: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.get(9..12)?.parse().ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Some((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

pub fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if get(port, "/readyz", "").is_some_and(|(s, _)| s == 200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the service did not become ready");
}

fn stored_ids(port: u16, token: &str) -> Vec<String> {
    let Some((200, body)) = get(port, "/api/alerts?limit=1000", token) else {
        return Vec::new();
    };
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

fn receiver_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The simulated files' lines grouped by event-time minute (`YYYY-MM-DDTHH:MM`), per file.
fn by_minute(sim: &Path) -> Vec<(String, String, Vec<u8>)> {
    let mut slots: BTreeMap<(String, String), Vec<u8>> = BTreeMap::new();
    for (file, key) in [
        ("cloudtrail.ndjson", "eventTime"),
        ("resolver.ndjson", "query_timestamp"),
    ] {
        for line in std::fs::read_to_string(sim.join(file)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let minute = v[key].as_str().unwrap()[..16].to_owned();
            let slot = slots.entry((minute, file.to_owned())).or_default();
            slot.extend_from_slice(line.as_bytes());
            slot.push(b'\n');
        }
    }
    slots.into_iter().map(|((m, f), b)| (m, f, b)).collect()
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
    let root = dir.as_path();
    let sim = root.join("sim");
    let logs = root.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let o = r53guard(
        &[
            "simulate",
            "--out",
            sim.to_str().unwrap(),
            "--layout",
            "ndjson",
            "--hours",
            "2",
        ],
        None,
    );
    assert!(o.status.success());
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
    let mut service = Service::start(&config, &root.join("run1.log"));
    wait_ready(port);
    let token = std::fs::read_to_string(data.join("api-token")).unwrap();
    let token = token.trim();
    for (_, file, bytes) in first {
        append(&logs.join(file), bytes);
    }
    // Let some alerts reach the store, then kill without warning, mid-stream.
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored_ids(port, token).is_empty() {
        assert!(Instant::now() < deadline, "no alert stored before the kill");
        std::thread::sleep(Duration::from_millis(50));
    }
    append(&logs.join(&rest[0].1), &rest[0].2);
    service.signal(libc::SIGKILL);
    let _ = service.child.wait();

    let mut service = Service::start(&config, &root.join("run2.log"));
    wait_ready(port);
    for (_, file, bytes) in &rest[1..] {
        append(&logs.join(file), bytes);
    }
    // A record two days later moves the watermark past every window, as time passing would.
    let first_line = std::fs::read_to_string(sim.join("resolver.ndjson"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let mut late: serde_json::Value = serde_json::from_str(&first_line).unwrap();
    late["query_timestamp"] = "2026-11-03T00:00:00Z".into();
    append(&logs.join("tail.ndjson"), format!("{late}\n").as_bytes());

    let o = r53guard(&["hunt", logs.to_str().unwrap(), "--format", "jsonl"], None);
    let expected: BTreeSet<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
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

pub fn stored_ids_offline(data: &Path) -> Vec<String> {
    let store = Store::open(data).unwrap();
    let page = store
        .list(&r53guard_store::AlertFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    page.alerts.into_iter().map(|a| a.alert.id).collect()
}
