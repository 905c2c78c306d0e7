//! `r53guard run` with an `s3` source (a listed bucket prefix) and an `sqs` source (S3 event
//! notifications, raw and through SNS, a test event, a malformed body, redeliveries) against a
//! moto server on 127.0.0.1: killed with SIGKILL mid-stream and restarted, the store must end
//! with exactly the alerts `hunt` finds in the same files, every object read once, and every
//! message but the malformed one deleted.

use crate::alert_ids;
use crate::s3::{simulate, upload};
use crate::service::{Service, free_port, get, stored_ids_offline};
use crate::{r53guard, tempdir};
use r53guard_s3::testing::Moto;
use r53guard_s3::{Aws, form_decode};
use r53guard_store::Store;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// Form-encodes a key as S3 does in notifications.
fn encode(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// An `ObjectCreated:Put` notification for `bucket`/`key`, raw or wrapped by SNS.
fn notification(bucket: &str, key: &str, etag: &str, sns: bool) -> String {
    let raw = serde_json::json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": format!("arn:aws:s3:::{bucket}")},
               "object": {"key": encode(key), "size": 1, "eTag": etag, "sequencer": "0055AED6DCD90281E5"}}
    }]})
    .to_string();
    assert_eq!(form_decode(&encode(key)).unwrap(), key);
    if sns {
        serde_json::json!({"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:123456789012:logs", "Message": raw}).to_string()
    } else {
        raw
    }
}

/// Starts the service with moto's AWS settings.
fn start(moto: &Moto, config: &Path, log: &Path) -> Service {
    let env = moto.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Service::start(config, log, &env)
}

/// Positions committed for `source`.
fn positions(data: &Path, source: &str) -> usize {
    Store::open(data).unwrap().positions(source).unwrap().len()
}

fn wait_for(what: &str, log: &Path, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; service log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The ETag S3 gives an object (the listing's, unquoted).
fn etag(aws: &Aws, bucket: &str, key: &str) -> String {
    let url = r53guard_s3::S3Url {
        bucket: bucket.to_owned(),
        prefix: key.to_owned(),
    };
    let listed = aws.list(&url, None).unwrap();
    listed
        .iter()
        .find(|o| o.key == key)
        .unwrap()
        .etag
        .clone()
        .unwrap()
        .trim_matches('"')
        .to_owned()
}

#[test]
fn run_reads_s3_and_sqs_once_and_matches_hunt() {
    let moto = Moto::shared();
    let aws = moto.aws();
    let root = tempdir("s3-run");
    let (listed_dir, queued_dir) = (root.join("listed"), root.join("queued"));
    let listed_keys = simulate(&listed_dir, "21");
    let queued_keys = simulate(&queued_dir, "22");
    aws.create_bucket("run-listed").unwrap();
    aws.create_bucket("run-queued").unwrap();
    upload(&aws, "run-listed", &listed_dir, &listed_keys);
    upload(&aws, "run-queued", &queued_dir, &queued_keys);
    let queue = aws.create_queue("run-notifications").unwrap();
    aws.send_message(&queue, r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-01T00:00:00.000Z","Bucket":"run-queued","RequestId":"r","HostId":"h"}"#).unwrap();
    aws.send_message(
        &queue,
        r#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put"}]}"#,
    )
    .unwrap();
    for (i, key) in queued_keys.iter().enumerate() {
        let body = notification(
            "run-queued",
            key,
            &etag(&aws, "run-queued", key),
            i % 2 == 1,
        );
        aws.send_message(&queue, &body).unwrap();
    }
    // Log objects (digests are passed over and keep no position).
    let logs = |keys: &[String]| {
        keys.iter()
            .filter(|k| !k.contains("CloudTrail-Digest"))
            .count()
    };
    let (listed_logs, queued_logs) = (logs(&listed_keys), logs(&queued_keys));

    let port = free_port();
    let data = root.join("data");
    let config = root.join("r53guard.toml");
    std::fs::write(
        &config,
        format!(
            r#"data_dir = "{data}"
[[source]]
type = "s3"
name = "listed"
bucket = "run-listed"
prefix = "AWSLogs/"
poll_interval = "200ms"
allowed_lateness = "1d"
region = "us-east-1"
endpoint_url = "{endpoint}"
[[source]]
type = "sqs"
name = "queued"
queue_url = "{queue}"
wait_time = "1s"
max_messages = 4
visibility_timeout = "2s"
allowed_lateness = "1d"
region = "us-east-1"
endpoint_url = "{endpoint}"
[api]
listen = "127.0.0.1:{port}"
[[receiver]]
type = "jsonl"
name = "file"
path = "{alerts}"
"#,
            data = data.display(),
            endpoint = moto.endpoint(),
            alerts = root.join("alerts.jsonl").display(),
        ),
    )
    .unwrap();
    let o = r53guard(&["config", "check", config.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert!(crate::stdout(&o).contains("source queued: sqs http://127.0.0.1:"));

    // Killed without warning once the queue's first objects are committed.
    let log1 = root.join("run1.log");
    let mut service = start(moto, &config, &log1);
    service.wait_ready(port, &log1);
    wait_for("a first commit from the queue", &log1, || {
        positions(&data, "queued") > 0
    });
    service.signal(libc::SIGKILL);
    let _ = service.child.wait();

    let log2 = root.join("run2.log");
    let mut service = start(moto, &config, &log2);
    service.wait_ready(port, &log2);
    wait_for("every object", &log2, || {
        positions(&data, "listed") == listed_logs && positions(&data, "queued") == queued_logs
    });
    // Every message is deleted but the malformed one, which comes back for the redrive policy.
    wait_for("the queue to drain", &log2, || {
        let (visible, hidden) = aws.queue_depth(&queue).unwrap();
        visible + hidden == 1
    });
    // Redeliveries, as after a crash between a commit and the delete: skipped and deleted.
    for key in queued_keys
        .iter()
        .filter(|k| !k.contains("CloudTrail-Digest"))
        .take(3)
    {
        let body = notification("run-queued", key, &etag(&aws, "run-queued", key), false);
        aws.send_message(&queue, &body).unwrap();
    }
    let token = std::fs::read_to_string(data.join("api-token")).unwrap();
    let metric = |outcome: &str| {
        let (_, text) = get(port, "/metrics", token.trim()).unwrap();
        let prefix =
            format!("r53guard_s3_objects_total{{source=\"queued\",outcome=\"{outcome}\"}} ");
        text.lines()
            .find_map(|l| {
                l.strip_prefix(&prefix)
                    .map(|v| v.trim().parse::<f64>().unwrap())
            })
            .unwrap_or(0.0)
    };
    wait_for("the redeliveries to be skipped", &log2, || {
        metric("duplicate") >= 3.0
    });
    wait_for("the redeliveries to be deleted", &log2, || {
        let (visible, hidden) = aws.queue_depth(&queue).unwrap();
        visible + hidden == 1
    });
    assert_eq!(positions(&data, "queued"), queued_logs);
    // The one message left is the malformed one, received again and again.
    let (_, text) = get(port, "/metrics", token.trim()).unwrap();
    assert!(
        text.contains("r53guard_sqs_messages_total{source=\"queued\",outcome=\"malformed\"}"),
        "{text}"
    );

    // A record two days later in each source moves the watermark past every window.
    let tails = root.join("tails");
    std::fs::create_dir_all(&tails).unwrap();
    let late = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0aaa","query_timestamp":"2026-11-03T00:00:00Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.1","srcport":"53000","transport":"UDP","srcids":{"instance":"i-0aaa"}}"#;
    for (bucket, name) in [
        ("run-listed", "AWSLogs/tail-listed.json"),
        ("run-queued", "tail-queued.json"),
    ] {
        let file = tails.join(name.rsplit('/').next().unwrap());
        std::fs::write(&file, format!("{late}\n")).unwrap();
        aws.put_object(bucket, name, std::fs::read(&file).unwrap())
            .unwrap();
    }
    let body = notification(
        "run-queued",
        "tail-queued.json",
        &etag(&aws, "run-queued", "tail-queued.json"),
        true,
    );
    aws.send_message(&queue, &body).unwrap();

    let o = r53guard(
        &[
            "hunt",
            listed_dir.to_str().unwrap(),
            queued_dir.to_str().unwrap(),
            tails.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        None,
    );
    let expected = alert_ids(&o);
    assert!(expected.len() >= 10, "hunt found {} alerts", expected.len());
    wait_for("the alerts hunt finds", &log2, || {
        stored_ids_offline(&data)
            .into_iter()
            .collect::<BTreeSet<_>>()
            == expected
    });
    service.signal(libc::SIGTERM);
    let status = service.child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exit status {status}");
    let stored = stored_ids_offline(&data);
    assert_eq!(stored.len(), expected.len());
    assert_eq!(positions(&data, "listed"), listed_logs + 1);
    assert_eq!(positions(&data, "queued"), queued_logs + 1);
    let _ = std::fs::remove_dir_all(&root);
}
