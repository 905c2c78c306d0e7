//! The access key: a missing or wrong key is 401 with an errorMessage, before the body is
//! read; rotation accepts either key.

use crate::client::post;
use crate::recorder::Recorder;
use crate::server::{KEY, config, serve};
use r53guard_firehose::AccessKey;
use std::sync::Arc;

#[tokio::test]
async fn a_wrong_key_is_401() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let wrong = format!("{KEY}x");
    for key in [wrong.as_str(), "", &KEY[..KEY.len() - 1]] {
        let answer = post("req-wrong-key", &[b"x"])
            .key(Some(key))
            .send(&server)
            .await;
        assert_eq!(answer.status, 401, "key {key:?}");
        answer.assert_contract("req-wrong-key");
        assert!(answer.error_message().contains("X-Amz-Firehose-Access-Key"));
        assert!(!answer.error_message().contains(KEY));
    }
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn a_missing_key_is_401() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-no-key", &[b"x"]).key(None).send(&server).await;
    assert_eq!(answer.status, 401);
    answer.assert_contract("req-no-key");
    assert!(answer.error_message().contains("missing"));
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn either_key_is_accepted_during_a_rotation() {
    let recorder = Arc::new(Recorder::default());
    let mut config = config();
    config.access_keys.push(AccessKey::new("the-new-key"));
    let server = serve(config, Arc::clone(&recorder)).await;
    let old = post("req-old-key", &[b"x"]).send(&server).await;
    let new = post("req-new-key", &[b"x"])
        .key(Some("the-new-key"))
        .send(&server)
        .await;
    assert_eq!((old.status, new.status), (200, 200));
    assert_eq!(recorder.handled().len(), 2);
}
