//! The durable dedupe path end to end: request ids committed to the store survive a restart,
//! and a second process on the same store cannot commit a request twice.

use crate::client::post;
use crate::server::{config, serve};
use crate::store_backed::StoreBacked;
use std::sync::Arc;
use tokio::sync::Barrier;

#[tokio::test]
async fn a_retry_after_a_restart_is_acknowledged_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let first = Arc::new(StoreBacked::open(dir.path()));
    let server = serve(config(), Arc::clone(&first)).await;
    let answer = post("req-durable", &[b"{}\n"]).send(&server).await;
    assert_eq!(answer.status, 200);
    answer.assert_contract("req-durable");
    assert!(first.seen("req-durable"));

    // A new process: a new connection to the store, a new endpoint.
    let restarted = Arc::new(StoreBacked::open(dir.path()));
    let server = serve(config(), Arc::clone(&restarted)).await;
    let answer = post("req-durable", &[b"{}\n"]).send(&server).await;
    assert_eq!(answer.status, 200);
    answer.assert_contract("req-durable");
    assert_eq!(restarted.calls(), 0, "the retry was processed again");
}

#[tokio::test]
async fn two_processes_on_one_store_commit_a_request_once() {
    let dir = tempfile::tempdir().unwrap();
    // Both processes pass their `seen_request` check before either commits.
    let barrier = Arc::new(Barrier::new(2));
    let a = Arc::new(StoreBacked::open(dir.path()).with_barrier(Arc::clone(&barrier)));
    let b = Arc::new(StoreBacked::open(dir.path()).with_barrier(barrier));
    let server_a = serve(config(), Arc::clone(&a)).await;
    let server_b = serve(config(), Arc::clone(&b)).await;
    // Both process; the store takes the first commit and refuses the second
    // (`DuplicateRequest`), which the service acknowledges: the request is durable, once.
    let (answer_a, answer_b) = tokio::join!(
        post("req-shared", &[b"x"]).send(&server_a),
        post("req-shared", &[b"x"]).send(&server_b),
    );
    assert_eq!((answer_a.status, answer_b.status), (200, 200));
    assert!(a.seen("req-shared"));
    assert_eq!(a.calls() + b.calls(), 2);
    assert_eq!(a.duplicates() + b.duplicates(), 1);
    // A further retry is not processed at all.
    let answer = post("req-shared", &[b"x"]).send(&server_a).await;
    assert_eq!(answer.status, 200);
    assert_eq!(a.calls() + b.calls(), 2);
}
