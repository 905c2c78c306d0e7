//! A valid delivery: 200, the same request id, and the records handed over as sent.

use crate::client::post;
use crate::recorder::Recorder;
use crate::server::{config, serve};
use std::sync::Arc;

const RESOLVER_LINE: &[u8] = br#"{"version":"1.100000","account_id":"123456789012","region":"us-east-1","vpc_id":"vpc-0123456789abcdef0","query_timestamp":"2026-11-23T10:00:00Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"53535","transport":"UDP","srcids":{"instance":"i-0123456789abcdef0"}}
"#;
const CLOUDTRAIL_EVENT: &[u8] = br#"{"eventVersion":"1.09","eventSource":"route53domains.amazonaws.com","eventName":"DisableDomainTransferLock","eventTime":"2026-11-23T10:00:00Z","awsRegion":"us-east-1","eventID":"0b5c7b2e-1111-2222-3333-444455556666"}"#;

#[tokio::test]
async fn a_valid_delivery_is_acknowledged_and_handed_over() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post(
        "ed4f4bd8-3d4a-4b2a-9c1a-9f2b5d1e0001",
        &[RESOLVER_LINE, CLOUDTRAIL_EVENT, b""],
    )
    .header(
        "X-Amz-Firehose-Common-Attributes",
        r#"{"commonAttributes":{"account":"123456789012","env":"prod"}}"#,
    )
    .send(&server)
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.assert_contract("ed4f4bd8-3d4a-4b2a-9c1a-9f2b5d1e0001");

    let handled = recorder.handled();
    assert_eq!(handled.len(), 1);
    let delivery = &handled[0];
    assert_eq!(delivery.request_id, "ed4f4bd8-3d4a-4b2a-9c1a-9f2b5d1e0001");
    assert_eq!(delivery.timestamp_ms, Some(1_578_090_901_599));
    assert_eq!(
        delivery.records,
        vec![
            RESOLVER_LINE.to_vec(),
            CLOUDTRAIL_EVENT.to_vec(),
            Vec::new()
        ]
    );
    assert_eq!(delivery.common_attributes["env"], "prod");
    assert_eq!(delivery.common_attributes["account"], "123456789012");
    assert_eq!(
        delivery.source_arn.as_deref(),
        Some("arn:aws:firehose:us-east-1:123456789012:deliverystream/r53guard")
    );
}

#[tokio::test]
async fn a_gzip_encoded_delivery_is_decoded() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-gzip", &[RESOLVER_LINE, CLOUDTRAIL_EVENT])
        .gzip()
        .send(&server)
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.assert_contract("req-gzip");
    let handled = recorder.handled();
    assert_eq!(
        handled[0].records,
        vec![RESOLVER_LINE.to_vec(), CLOUDTRAIL_EVENT.to_vec()]
    );
    assert!(handled[0].common_attributes.is_empty());
}

#[tokio::test]
async fn without_the_request_id_header_the_body_id_is_used() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-body-only", &[b"x"])
        .header_request_id(None)
        .send(&server)
        .await;
    assert_eq!(answer.status, 200);
    answer.assert_contract("req-body-only");
    assert_eq!(recorder.handled()[0].request_id, "req-body-only");
}
