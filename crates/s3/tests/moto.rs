//! The S3 and SQS calls against a moto server on 127.0.0.1 (one per test binary): listing
//! past one page, keys with spaces, `+` and non-ASCII letters, reading objects under a cap,
//! errors naming the object, and receiving and deleting messages.

use r53guard_s3::testing::Moto;
use r53guard_s3::{Error, ReceiveOptions, S3Url, parse_body};

#[test]
fn listing_is_complete_and_in_key_order_across_pages() {
    let aws = Moto::shared().aws();
    aws.create_bucket("list-pages").unwrap();
    let mut keys: Vec<String> = (0..23)
        .map(|i| format!("logs/{:03}.json", (i * 7) % 23))
        .collect();
    keys.push("logs/with space+plus/é€.json".to_owned());
    keys.push("other/x.json".to_owned());
    for k in &keys {
        aws.put_object("list-pages", k, k.as_bytes().to_vec())
            .unwrap();
    }
    let url = S3Url::parse("s3://list-pages/logs/").unwrap();
    let listed = aws.list(&url, Some(5)).unwrap();
    let mut want: Vec<&str> = keys
        .iter()
        .map(String::as_str)
        .filter(|k| k.starts_with("logs/"))
        .collect();
    want.sort();
    let got: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(got, want);
    assert!(listed.iter().all(|o| o.etag.is_some() && o.size > 0));
    // One page of S3's default size gives the same.
    assert_eq!(aws.list(&url, None).unwrap(), listed);
    let whole = aws
        .list(&S3Url::parse("s3://list-pages").unwrap(), None)
        .unwrap();
    assert_eq!(whole.len(), keys.len());
}

#[test]
fn objects_read_whole_under_a_cap() {
    let aws = Moto::shared().aws();
    aws.create_bucket("read-cap").unwrap();
    let key = "a b+c/ünï.log";
    aws.put_object("read-cap", key, b"0123456789".to_vec())
        .unwrap();
    assert_eq!(aws.get("read-cap", key, 10).unwrap(), b"0123456789");
    let e = aws.get("read-cap", key, 9).unwrap_err();
    assert!(
        matches!(
            e,
            Error::TooLarge {
                size: 10,
                max: 9,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .starts_with("s3://read-cap/a b+c/ünï.log: 10 bytes"),
        "{e}"
    );
    let missing = aws.get("read-cap", "nope", 10).unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchKey"), "{missing}");
    assert!(
        missing
            .to_string()
            .starts_with("s3://read-cap/nope: NoSuchKey"),
        "{missing}"
    );
    let no_bucket = aws
        .list(&S3Url::parse("s3://no-such-bucket/x").unwrap(), None)
        .unwrap_err();
    assert_eq!(no_bucket.code(), Some("NoSuchBucket"), "{no_bucket}");
}

#[test]
fn messages_are_received_parsed_and_deleted() {
    let aws = Moto::shared().aws();
    let queue = aws.create_queue("receive-delete").unwrap();
    let body = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"x+y.json","size":3,"eTag":"e1"}}}]}"#;
    for _ in 0..12 {
        aws.send_message(&queue, body).unwrap();
    }
    let options = ReceiveOptions {
        max_messages: 10,
        wait_seconds: 1,
        visibility_timeout_seconds: 30,
    };
    let mut received = Vec::new();
    while received.len() < 12 {
        let got = aws.receive(&queue, options).unwrap();
        assert!(!got.is_empty(), "messages went missing");
        assert!(got.len() <= 10);
        received.extend(got);
    }
    for m in &received {
        let n = parse_body(&m.body).unwrap();
        assert_eq!(n.objects[0].key, "x y.json");
    }
    assert_eq!(aws.queue_depth(&queue).unwrap(), (0, 12));
    let failed = aws.delete(&queue, &received).unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(aws.queue_depth(&queue).unwrap(), (0, 0));
}
