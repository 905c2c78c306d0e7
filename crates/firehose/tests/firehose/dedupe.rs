//! Request-id dedupe: a retry of a handled request is acknowledged without processing it
//! again; concurrent deliveries of one id are processed once; a failed handling is retried.

use crate::client::post;
use crate::recorder::Recorder;
use crate::server::{config, serve};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_retry_is_acknowledged_and_handled_once() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    for _ in 0..3 {
        let answer = post("req-retried", &[b"line\n"]).gzip().send(&server).await;
        assert_eq!(answer.status, 200);
        answer.assert_contract("req-retried");
    }
    assert_eq!(recorder.calls(), 1);
    // Another id is another batch.
    let answer = post("req-next", &[b"line\n"]).send(&server).await;
    assert_eq!(answer.status, 200);
    assert_eq!(recorder.calls(), 2);
}

#[tokio::test]
async fn concurrent_duplicates_are_handled_once() {
    let recorder = Arc::new(Recorder::slow(Duration::from_millis(300)));
    let server = serve(config(), Arc::clone(&recorder)).await;
    let (a, b, c) = tokio::join!(
        post("req-concurrent", &[b"x"]).send(&server),
        post("req-concurrent", &[b"x"]).send(&server),
        post("req-concurrent", &[b"x"]).gzip().send(&server),
    );
    for answer in [&a, &b, &c] {
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.assert_contract("req-concurrent");
    }
    assert_eq!(recorder.calls(), 1);
    assert_eq!(recorder.handled().len(), 1);
}

#[tokio::test]
async fn a_handler_failure_is_500_and_the_retry_succeeds() {
    let recorder = Arc::new(Recorder::failing(1));
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-fails-once", &[b"x"]).send(&server).await;
    assert_eq!(answer.status, 500);
    answer.assert_contract("req-fails-once");
    assert!(
        answer.error_message().contains("the disk is full"),
        "{}",
        answer.error_message()
    );
    assert!(recorder.handled().is_empty());

    let answer = post("req-fails-once", &[b"x"]).send(&server).await;
    assert_eq!(answer.status, 200);
    answer.assert_contract("req-fails-once");
    assert_eq!(recorder.calls(), 2);
    assert_eq!(recorder.handled().len(), 1);
}
