//! Malformed requests: 400 with an errorMessage that names the fault (415 for an unknown
//! content encoding); nothing is handed over.

use crate::client::post;
use crate::recorder::Recorder;
use crate::server::{config, serve};
use std::sync::Arc;

#[tokio::test]
async fn malformed_bodies_are_400_with_a_reason() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let cases: [(&str, &[u8], &str); 6] = [
        ("req-json", b"{\"requestId\":\"req-json\",\"records\":[", "EOF"),
        ("req-not-object", b"[1,2,3]", "not a Firehose request"),
        ("req-no-records", br#"{"requestId":"req-no-records"}"#, "records"),
        (
            "req-base64",
            br#"{"requestId":"req-base64","timestamp":1,"records":[{"data":"aGk="},{"data":"not base64!"}]}"#,
            "records[1].data is not valid base64",
        ),
        (
            "req-data-type",
            br#"{"requestId":"req-data-type","records":[{"data":42}]}"#,
            "invalid type",
        ),
        ("req-empty", b"", "EOF"),
    ];
    for (id, body, reason) in cases {
        let answer = post(id, &[]).body(body.to_vec()).send(&server).await;
        assert_eq!(answer.status, 400, "{id}: {:?}", answer.body);
        answer.assert_contract(id);
        assert!(
            answer.error_message().contains(reason),
            "{id}: {:?}",
            answer.error_message()
        );
    }
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn a_body_that_is_not_gzip_is_400() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-fake-gzip", &[b"x"])
        .header("Content-Encoding", "gzip")
        .send(&server)
        .await;
    assert_eq!(answer.status, 400);
    answer.assert_contract("req-fake-gzip");
    assert!(answer.error_message().contains("gzip"));
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn an_unknown_content_encoding_is_415() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-br", &[b"x"])
        .header("Content-Encoding", "br")
        .send(&server)
        .await;
    assert_eq!(answer.status, 415);
    answer.assert_contract("req-br");
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn bad_common_attributes_are_400() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-attrs", &[b"x"])
        .header("X-Amz-Firehose-Common-Attributes", r#"{"env":"prod"}"#)
        .send(&server)
        .await;
    assert_eq!(answer.status, 400);
    answer.assert_contract("req-attrs");
    assert!(answer.error_message().contains("commonAttributes"));
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn a_request_id_that_differs_from_the_header_is_400() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-in-body", &[b"x"])
        .header_request_id(Some("req-in-header"))
        .send(&server)
        .await;
    assert_eq!(answer.status, 400);
    // The answer carries the request's id, the header's.
    answer.assert_contract("req-in-header");
    assert!(answer.error_message().contains("differs"));

    let answer = post("", &[b"x"]).send(&server).await;
    assert_eq!(answer.status, 400);
    answer.assert_contract("");
    assert!(answer.error_message().contains("empty"));
    assert_eq!(recorder.calls(), 0);
}
