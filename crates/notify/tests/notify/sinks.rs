//! The local sinks through the notifier: a rotated JSON-lines file, and standard output.

use crate::setup::{alert, builder, clock};
use r53guard_alert::Alert;
use r53guard_notify::{JsonlConfig, Outcome, Receiver, ReceiverConfig};

#[tokio::test]
async fn alerts_go_to_a_rotated_jsonl_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.jsonl");
    let clock = clock();
    let notifier = builder(&clock)
        .receiver(ReceiverConfig::new(
            "file",
            Receiver::Jsonl(JsonlConfig {
                path: path.clone(),
                max_bytes: 2000,
                keep: 1,
            }),
        ))
        .build()
        .unwrap();
    let mut a = alert();
    for n in 0..3 {
        a.id = format!("{n:032x}");
        assert_eq!(notifier.deliver(&a, "file", 1).await, Outcome::Delivered);
    }
    let lines = |p: &std::path::Path| -> Vec<Alert> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // A line is about 1.3 KB, so each takes a file; one rotated file is kept.
    let ids = |p: &std::path::Path| lines(p).into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(&path), [format!("{:032x}", 2)]);
    assert_eq!(
        ids(&dir.path().join("alerts.jsonl.1")),
        [format!("{:032x}", 1)]
    );
    assert!(!dir.path().join("alerts.jsonl.2").exists());
}

#[tokio::test]
async fn an_unwritable_file_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let notifier = builder(&clock)
        .receiver(ReceiverConfig::new(
            "file",
            Receiver::Jsonl(JsonlConfig::new(dir.path().join("missing/alerts.jsonl"))),
        ))
        .build()
        .unwrap();
    let Outcome::Retry { failure, .. } = notifier.deliver(&alert(), "file", 1).await else {
        panic!("I/O errors are retried")
    };
    assert_eq!(failure.kind, r53guard_notify::FailureKind::Io);
}

#[tokio::test]
async fn stdout_takes_every_alert() {
    let clock = clock();
    let notifier = builder(&clock)
        .receiver(ReceiverConfig::new("out", Receiver::Stdout))
        .build()
        .unwrap();
    assert_eq!(
        notifier.deliver(&alert(), "out", 1).await,
        Outcome::Delivered
    );
}
