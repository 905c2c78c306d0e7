//! The processing deadline: work still running then is answered 503 (Firehose retries) and
//! goes on; the retry is acknowledged once it is done, without processing the batch again.

use crate::client::post;
use crate::recorder::Recorder;
use crate::server::{config, serve};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_slow_delivery_is_503_and_its_retry_is_deduplicated() {
    let recorder = Arc::new(Recorder::slow(Duration::from_millis(800)));
    let mut config = config();
    config.deadline = Duration::from_millis(200);
    let server = serve(config, Arc::clone(&recorder)).await;

    let answer = post("req-slow", &[b"x"]).send(&server).await;
    assert_eq!(answer.status, 503);
    answer.assert_contract("req-slow");
    assert!(
        answer.error_message().contains("goes on"),
        "{}",
        answer.error_message()
    );

    // A retry while the first handling runs waits for it, and never runs a second one.
    let answer = post("req-slow", &[b"x"]).send(&server).await;
    assert!(
        [200, 503].contains(&answer.status),
        "{}: {:?}",
        answer.status,
        answer.body
    );
    answer.assert_contract("req-slow");

    // The first handling completes after its request was answered, and counts.
    recorder.wait_for(1).await;
    let answer = post("req-slow", &[b"x"]).send(&server).await;
    assert_eq!(answer.status, 200);
    answer.assert_contract("req-slow");
    assert_eq!(recorder.calls(), 1);
}
