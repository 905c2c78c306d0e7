//! Support for the `r53guard run` end-to-end tests: the service as a child process (started,
//! signalled, its API asked over plain HTTP/1.1), simulated logs cut into event-time minutes,
//! the record that closes every window, and `r53guard hunt`'s alert ids to compare with.

use crate::r53guard;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `r53guard run --config FILE`, its stderr in a log file; killed when dropped.
pub struct Service {
    pub child: Child,
}

impl Service {
    /// Starts the service with `env` added to its environment (where the configuration's
    /// `env:` secrets come from).
    pub fn start(config: &Path, log: &Path, env: &[(&str, &str)]) -> Service {
        let err = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_r53guard"))
            .args(["run", "--config", config.to_str().unwrap()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("spawn r53guard run");
        Service { child }
    }

    /// Waits until `/readyz` on `port` answers 200; fails with the log if the service ends
    /// first.
    pub fn wait_ready(&mut self, port: u16, log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            self.assert_running(log);
            if get(port, "/readyz", "").is_some_and(|(s, _)| s == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the service did not become ready");
    }

    /// Fails with the log if the service has ended.
    pub fn assert_running(&mut self, log: &Path) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "the service ended by itself ({status}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
    }

    /// Sends `signal` to the service.
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

/// The ids of the alerts the API lists (none while it does not answer).
pub fn stored_ids(port: u16, token: &str) -> Vec<String> {
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

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `r53guard simulate --layout ndjson --hours HOURS` into `out`.
pub fn simulate(out: &Path, hours: u32) {
    let o = r53guard(
        &[
            "simulate",
            "--out",
            out.to_str().unwrap(),
            "--layout",
            "ndjson",
            "--hours",
            &hours.to_string(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", crate::stderr(&o));
}

/// One event-time minute of one simulated file: the minute (`YYYY-MM-DDTHH:MM`), the file
/// name, and its lines.
pub struct Slot {
    pub minute: String,
    pub file: String,
    pub bytes: Vec<u8>,
}

/// The simulated files' lines grouped by event-time minute, per file, in time order.
pub fn by_minute(sim: &Path) -> Vec<Slot> {
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
    slots
        .into_iter()
        .map(|((minute, file), bytes)| Slot {
            minute,
            file,
            bytes,
        })
        .collect()
}

/// A Resolver line two days after the simulated logs (their first line, moved): it takes the
/// watermark past every window, as time passing would, so the service emits every alert.
pub fn closing_line(sim: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(sim.join("resolver.ndjson")).unwrap();
    let mut late: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    late["query_timestamp"] = "2026-11-03T00:00:00Z".into();
    format!("{late}\n").into_bytes()
}

/// The alert ids `r53guard hunt ARGS --format jsonl` prints.
pub fn hunt_ids(args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["hunt"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "jsonl"]);
    let o = r53guard(&all, None);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    crate::alert_ids(&o)
}

/// The ids of the stored alerts, read from the store itself (the service stopped).
pub fn stored_ids_offline(data: &Path) -> Vec<String> {
    let store = r53guard_store::Store::open(data).unwrap();
    let page = store
        .list(&r53guard_store::AlertFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    page.alerts.into_iter().map(|a| a.alert.id).collect()
}
