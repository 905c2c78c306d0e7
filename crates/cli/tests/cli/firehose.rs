//! `r53guard run` with a Firehose source, end to end through the real binary on 127.0.0.1:
//! simulated logs posted as Firehose deliveries (plain, gzip, CloudWatch Logs payloads), each
//! acknowledged only once its request id is in the store; retries acknowledged without being
//! read again; wrong keys 401; bodies over the limit 413; and a SIGKILL while a delivery is
//! being processed, after which Firehose's retry is processed exactly once. The stored alerts
//! must be exactly `r53guard hunt`'s on the same records.

use crate::service::{Service, free_port, get, stored_ids, stored_ids_offline};
use crate::{Scratch, r53guard, tempdir};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::GzEncoder;
use r53guard_store::Store;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const KEY: &str = "test-access-key-0123";
/// The endpoint's body limit in these tests.
const MAX_BODY: usize = 32 << 20;

/// A service with a Firehose source, over simulated logs.
struct Setup {
    root: Scratch,
    data: PathBuf,
    config: PathBuf,
    api: u16,
    firehose: u16,
    /// Every simulated log line, CloudTrail and Resolver.
    lines: Vec<String>,
    /// The alert ids `r53guard hunt` finds in them.
    expected: BTreeSet<String>,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let root = tempdir(name);
        let sim = root.join("sim");
        let o = r53guard(
            &[
                "simulate",
                "--out",
                sim.to_str().unwrap(),
                "--layout",
                "ndjson",
                "--hours",
                "1",
            ],
            None,
        );
        assert!(o.status.success());
        let mut lines = Vec::new();
        for file in ["cloudtrail.ndjson", "resolver.ndjson"] {
            let text = std::fs::read_to_string(sim.join(file)).unwrap();
            lines.extend(text.lines().map(str::to_owned));
        }
        let o = r53guard(&["hunt", sim.to_str().unwrap(), "--format", "jsonl"], None);
        let expected = crate::alert_ids(&o);
        assert!(expected.len() >= 5, "hunt found {} alerts", expected.len());
        let key_file = root.join("firehose-key");
        std::fs::write(&key_file, KEY).unwrap();
        let (api, firehose) = (free_port(), free_port());
        let data = root.join("data");
        let config = root.join("r53guard.toml");
        std::fs::write(
            &config,
            format!(
                r#"data_dir = "{data}"
[[source]]
type = "firehose"
name = "fh"
listen = "127.0.0.1:{firehose}"
access_keys = ["file:{key}"]
max_body_bytes = {MAX_BODY}
allowed_lateness = "2h"
[api]
listen = "127.0.0.1:{api}"
[[receiver]]
type = "jsonl"
name = "file"
path = "{alerts}"
"#,
                data = data.display(),
                key = key_file.display(),
                alerts = root.join("alerts.jsonl").display()
            ),
        )
        .unwrap();
        Setup {
            root,
            data,
            config,
            api,
            firehose,
            lines,
            expected,
        }
    }

    fn start(&self, log: &str) -> Service {
        let log = self.root.join(log);
        let mut service = Service::start(&self.config, &log, &[]);
        service.wait_ready(self.api, &log);
        service
    }

    fn token(&self) -> String {
        std::fs::read_to_string(self.data.join("api-token"))
            .unwrap()
            .trim()
            .to_owned()
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join(name)).unwrap_or_default()
    }

    /// A record two days after the simulated hour: its delivery moves the watermark past
    /// every window, as time passing would.
    fn tail(&self) -> Vec<u8> {
        let first = self
            .lines
            .iter()
            .find(|l| l.contains("query_timestamp"))
            .unwrap();
        let mut late: serde_json::Value = serde_json::from_str(first).unwrap();
        late["query_timestamp"] = "2026-11-03T00:00:00Z".into();
        format!("{late}\n").into_bytes()
    }

    /// Waits until the store holds exactly the expected alerts.
    fn wait_for_alerts(&self, log: &str) {
        let deadline = Instant::now() + Duration::from_secs(180);
        let token = self.token();
        loop {
            let stored: BTreeSet<String> = stored_ids(self.api, &token).into_iter().collect();
            if stored == self.expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "store {} / hunt {} alerts\nmissing: {:?}\nextra: {:?}\nservice log:\n{}",
                stored.len(),
                self.expected.len(),
                self.expected.difference(&stored).collect::<Vec<_>>(),
                stored.difference(&self.expected).collect::<Vec<_>>(),
                self.log(log)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The sum of a counter's samples on `GET /metrics`.
pub(crate) fn metric_sum(port: u16, token: &str, name: &str) -> f64 {
    let (status, body) = get(port, "/metrics", token).expect("metrics");
    assert_eq!(status, 200);
    body.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

/// A Firehose request body with these records.
pub(crate) fn body(request_id: &str, records: &[Vec<u8>]) -> Vec<u8> {
    let records: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::json!({ "data": STANDARD.encode(r) }))
        .collect();
    serde_json::json!({
        "requestId": request_id,
        "timestamp": 1_700_000_000_000_i64,
        "records": records,
    })
    .to_string()
    .into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A CloudWatch Logs subscription payload carrying `lines`, gzipped, as Firehose forwards it.
fn cloudwatch_record(lines: &[String]) -> Vec<u8> {
    let events: Vec<serde_json::Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| serde_json::json!({"id": i.to_string(), "timestamp": 0, "message": l}))
        .collect();
    let payload = serde_json::json!({
        "messageType": "DATA_MESSAGE",
        "owner": "111122223333",
        "logGroup": "/aws/route53/resolver",
        "logStream": "vpc-0a1b2c3d",
        "subscriptionFilters": ["to-firehose"],
        "logEvents": events,
    });
    gzip(payload.to_string().as_bytes())
}

/// Sends a delivery; with `answer`, reads the status and body of the answer.
fn send(
    port: u16,
    request_id: &str,
    key: Option<&str>,
    gzipped: bool,
    payload: &[u8],
    answer: bool,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut head = format!(
        "POST /firehose HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         X-Amz-Firehose-Protocol-Version: 1.0\r\nX-Amz-Firehose-Request-Id: {request_id}\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        payload.len()
    );
    if let Some(key) = key {
        head.push_str(&format!("X-Amz-Firehose-Access-Key: {key}\r\n"));
    }
    if gzipped {
        head.push_str("Content-Encoding: gzip\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // A refused request may be answered before the whole body is sent.
    let _ = s.write_all(payload);
    if !answer {
        return None;
    }
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.get(9..12)?.parse().ok()?;
    let (_, body) = text.split_once("\r\n\r\n")?;
    Some((status, body.to_owned()))
}

/// Sends a delivery and returns the answer's status, checking the body's `requestId`.
pub(crate) fn deliver(
    port: u16,
    request_id: &str,
    key: Option<&str>,
    gzipped: bool,
    payload: &[u8],
) -> u16 {
    let (status, body) = send(port, request_id, key, gzipped, payload, true).expect("an answer");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["requestId"], request_id, "{body}");
    assert!(v["timestamp"].is_i64(), "{body}");
    status
}

fn seen(data: &Path, request_id: &str) -> bool {
    Store::open(data).unwrap().seen_request(request_id).unwrap()
}

#[test]
fn firehose_acks_after_commit_dedupes_retries_and_refuses() {
    let setup = Setup::new("firehose");
    let mut service = setup.start("run.log");
    let token = setup.token();
    let port = setup.firehose;

    // Refused: no key, a wrong key, a body over the limit. None is recorded.
    let one = body("refused", &[setup.lines[0].clone().into_bytes()]);
    assert_eq!(deliver(port, "refused", None, false, &one), 401);
    assert_eq!(deliver(port, "refused", Some("wrong"), false, &one), 401);
    let big = vec![b' '; MAX_BODY + 1];
    assert_eq!(deliver(port, "refused", Some(KEY), false, &big), 413);
    assert!(!seen(&setup.data, "refused"));

    // Every line delivered, 400 records a request: one record per line, every third request
    // gzipped, every fourth as one CloudWatch Logs payload.
    let mut sent = 0;
    for (i, chunk) in setup.lines.chunks(400).enumerate() {
        let id = format!("req-{i}");
        let records: Vec<Vec<u8>> = if i % 4 == 3 {
            vec![cloudwatch_record(chunk)]
        } else {
            chunk
                .iter()
                .map(|l| format!("{l}\n").into_bytes())
                .collect()
        };
        let payload = body(&id, &records);
        let status = if i % 3 == 2 {
            deliver(port, &id, Some(KEY), true, &gzip(&payload))
        } else {
            deliver(port, &id, Some(KEY), false, &payload)
        };
        assert_eq!(status, 200, "{}", setup.log("run.log"));
        // The answer came after the commit that holds the request id.
        assert!(
            seen(&setup.data, &id),
            "{id} answered 200 before its commit"
        );
        sent += chunk.len();
    }
    assert_eq!(sent, setup.lines.len());
    let records = metric_sum(setup.api, &token, "r53guard_records_in_total");
    assert_eq!(records, sent as f64);

    // A retry of a committed request is acknowledged without being read again.
    let retry = body(
        "req-0",
        &setup.lines[..400]
            .iter()
            .map(|l| format!("{l}\n").into_bytes())
            .collect::<Vec<_>>(),
    );
    assert_eq!(deliver(port, "req-0", Some(KEY), false, &retry), 200);
    assert_eq!(
        metric_sum(setup.api, &token, "r53guard_records_in_total"),
        records
    );

    assert_eq!(
        deliver(
            port,
            "tail",
            Some(KEY),
            false,
            &body("tail", &[setup.tail()])
        ),
        200
    );
    setup.wait_for_alerts("run.log");
    let (status, rules) = get(setup.api, "/api/rules", &token).unwrap();
    assert_eq!(status, 200);
    assert!(rules.contains("\"held_back\":"), "{rules}");

    service.signal(libc::SIGTERM);
    let status = service.child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exit status {status}");
    let stored: BTreeSet<String> = stored_ids_offline(&setup.data).into_iter().collect();
    assert_eq!(stored, setup.expected);
    let _ = std::fs::remove_dir_all(&setup.root);
}

#[test]
fn firehose_sigkill_before_the_answer_then_the_retry_counts_once() {
    let setup = Setup::new("firehose-kill");
    let mut service = setup.start("run1.log");
    let records: Vec<Vec<u8>> = setup
        .lines
        .iter()
        .map(|l| format!("{l}\n").into_bytes())
        .collect();
    let payload = body("big", &records);
    // The whole delivery is sent; the service is killed before it answers.
    send(setup.firehose, "big", Some(KEY), false, &payload, false);
    std::thread::sleep(Duration::from_millis(20));
    service.signal(libc::SIGKILL);
    let _ = service.child.wait();
    let committed = seen(&setup.data, "big");
    eprintln!(
        "killed {} the delivery's commit",
        if committed { "after" } else { "before" }
    );

    let mut service = setup.start("run2.log");
    let token = setup.token();
    // Firehose retries: acknowledged once durable, whichever side of the commit the kill was.
    assert_eq!(
        deliver(setup.firehose, "big", Some(KEY), false, &payload),
        200,
        "{}",
        setup.log("run2.log")
    );
    assert!(seen(&setup.data, "big"));
    // Read in this run exactly when the first run did not commit it.
    let read = metric_sum(setup.api, &token, "r53guard_records_in_total");
    let expected_read = if committed { 0 } else { records.len() };
    assert_eq!(read, expected_read as f64);
    assert_eq!(
        deliver(
            setup.firehose,
            "tail",
            Some(KEY),
            false,
            &body("tail", &[setup.tail()])
        ),
        200
    );
    setup.wait_for_alerts("run2.log");
    service.signal(libc::SIGTERM);
    assert!(service.child.wait().unwrap().success());
    let stored = stored_ids_offline(&setup.data);
    assert_eq!(stored.len(), setup.expected.len(), "each alert stored once");
    let _ = std::fs::remove_dir_all(&setup.root);
}
