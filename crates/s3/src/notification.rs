//! SQS message bodies into the S3 objects they announce.
//!
//! Accepted bodies:
//! - an S3 event notification, `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:…",
//!   "s3":{"bucket":{"name"},"object":{"key","size","eTag","sequencer"}}}]}` (event version 2.x),
//!   keys form-decoded (`+` is a space, then `%XX`); records of other events (`ObjectRemoved:…`,
//!   …) are counted and passed over;
//! - the `s3:TestEvent` S3 sends when a notification is configured: recognised, nothing to read;
//! - either of these wrapped by SNS (`{"Type":"Notification","Message":"<JSON text>"}`);
//! - CloudTrail's per-file SNS notice `{"s3Bucket":"…","s3ObjectKey":["…"]}` (keys not encoded).
//!
//! Anything else is a [`BodyError`]: the caller reports it and leaves the message to the
//! queue's redrive policy.

use crate::urldecode::form_decode;
use serde_json::Value;

/// One object a message announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// The bucket.
    pub bucket: String,
    /// The key, decoded.
    pub key: String,
    /// The size, when given.
    pub size: Option<u64>,
    /// The entity tag, when given.
    pub etag: Option<String>,
    /// S3's sequencer for this key, when given.
    pub sequencer: Option<String>,
}

impl ObjectRef {
    /// What identifies this version of the object: its URL, and its ETag (or else its
    /// sequencer) when the message gives one.
    pub fn identity(&self) -> String {
        let url = crate::S3Url::object(&self.bucket, &self.key);
        match (&self.etag, &self.sequencer) {
            (Some(etag), _) => format!("{url} etag={}", etag.trim_matches('"')),
            (None, Some(seq)) => format!("{url} sequencer={seq}"),
            (None, None) => url,
        }
    }
}

/// What a body holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notification {
    /// The objects created.
    pub objects: Vec<ObjectRef>,
    /// Records of other events (not `ObjectCreated:…`), passed over.
    pub other_events: usize,
    /// The body is S3's `s3:TestEvent`.
    pub test_event: bool,
}

/// A body that is not a notification r53guard understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BodyError(String);

impl BodyError {
    fn new(msg: impl Into<String>) -> BodyError {
        BodyError(msg.into())
    }
}

/// Parses an SQS message body.
pub fn parse_body(body: &str) -> Result<Notification, BodyError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|e| BodyError::new(format!("the body is not JSON: {e}")))?;
    match value.get("Type").and_then(Value::as_str) {
        Some("Notification") => {
            let inner = value
                .get("Message")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    BodyError::new("an SNS notification without a string \"Message\"")
                })?;
            let inner: Value = serde_json::from_str(inner)
                .map_err(|e| BodyError::new(format!("the SNS \"Message\" is not JSON: {e}")))?;
            parse_value(&inner).map_err(|e| BodyError::new(format!("in the SNS \"Message\": {e}")))
        }
        Some(other) => Err(BodyError::new(format!(
            "an SNS message of type {other:?}, not \"Notification\""
        ))),
        None => parse_value(&value),
    }
}

fn parse_value(value: &Value) -> Result<Notification, BodyError> {
    let Some(object) = value.as_object() else {
        return Err(BodyError::new("the body is not a JSON object"));
    };
    if object.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Ok(Notification {
            test_event: true,
            ..Notification::default()
        });
    }
    if let Some(records) = object.get("Records") {
        let records = records
            .as_array()
            .ok_or_else(|| BodyError::new("\"Records\" is not an array"))?;
        let mut out = Notification::default();
        for (i, record) in records.iter().enumerate() {
            match s3_record(record) {
                Ok(Some(o)) => out.objects.push(o),
                Ok(None) => out.other_events += 1,
                Err(e) => return Err(BodyError::new(format!("Records[{i}]: {e}"))),
            }
        }
        return Ok(out);
    }
    if let Some(bucket) = object.get("s3Bucket") {
        return cloudtrail_notice(bucket, object.get("s3ObjectKey"));
    }
    Err(BodyError::new(
        "neither an S3 event notification (\"Records\"), an s3:TestEvent, nor a CloudTrail \
         notice (\"s3Bucket\")",
    ))
}

/// One record of an S3 event notification: the object if it was created, `None` for other
/// events.
fn s3_record(record: &Value) -> Result<Option<ObjectRef>, String> {
    let text = |v: &Value, path: &str| -> Result<String, String> {
        v.pointer(path)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("no string at {path}"))
    };
    let source = text(record, "/eventSource")?;
    if source != "aws:s3" {
        return Err(format!("eventSource is {source:?}, not \"aws:s3\""));
    }
    if let Some(version) = record.get("eventVersion").and_then(Value::as_str)
        && version.split('.').next() != Some("2")
    {
        return Err(format!("eventVersion {version:?} is not 2.x"));
    }
    let name = text(record, "/eventName")?;
    let name = name.strip_prefix("s3:").unwrap_or(&name);
    if !name.starts_with("ObjectCreated:") {
        return Ok(None);
    }
    let bucket = text(record, "/s3/bucket/name")?;
    let encoded = text(record, "/s3/object/key")?;
    let key = form_decode(&encoded).map_err(|e| format!("s3.object.key {encoded:?}: {e}"))?;
    let object = record.pointer("/s3/object");
    let field = |name: &str| {
        object
            .and_then(|o| o.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(Some(ObjectRef {
        bucket,
        key,
        size: object.and_then(|o| o.get("size")).and_then(Value::as_u64),
        etag: field("eTag"),
        sequencer: field("sequencer"),
    }))
}

/// CloudTrail's notice of delivered files: a bucket and a list of keys, not encoded.
fn cloudtrail_notice(bucket: &Value, keys: Option<&Value>) -> Result<Notification, BodyError> {
    let bucket = bucket
        .as_str()
        .ok_or_else(|| BodyError::new("\"s3Bucket\" is not a string"))?;
    let keys = keys
        .and_then(Value::as_array)
        .ok_or_else(|| BodyError::new("\"s3ObjectKey\" is not an array"))?;
    let objects = keys
        .iter()
        .map(|k| {
            k.as_str()
                .map(|key| ObjectRef {
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                    size: None,
                    etag: None,
                    sequencer: None,
                })
                .ok_or_else(|| BodyError::new("an \"s3ObjectKey\" entry is not a string"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Notification {
        objects,
        ..Notification::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(event: &str, key: &str) -> String {
        format!(
            r#"{{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
            "eventTime":"2026-01-01T00:00:00.000Z","eventName":"{event}",
            "s3":{{"s3SchemaVersion":"1.0","bucket":{{"name":"logs","arn":"arn:aws:s3:::logs"}},
            "object":{{"key":"{key}","size":1024,"eTag":"0123abcd","sequencer":"0055AED6DCD90281E5"}}}}}}"#
        )
    }

    fn sns(inner: &str) -> String {
        serde_json::json!({"Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": inner}).to_string()
    }

    #[test]
    fn raw_notification_with_an_encoded_key() {
        let body = format!(
            r#"{{"Records":[{}]}}"#,
            record("ObjectCreated:Put", "AWSLogs/1/my+file%2B1%C3%A9.json.gz")
        );
        let n = parse_body(&body).unwrap();
        assert!(!n.test_event);
        assert_eq!(n.other_events, 0);
        assert_eq!(
            n.objects,
            vec![ObjectRef {
                bucket: "logs".into(),
                key: "AWSLogs/1/my file+1é.json.gz".into(),
                size: Some(1024),
                etag: Some("0123abcd".into()),
                sequencer: Some("0055AED6DCD90281E5".into()),
            }]
        );
        assert_eq!(
            n.objects[0].identity(),
            "s3://logs/AWSLogs/1/my file+1é.json.gz etag=0123abcd"
        );
    }

    #[test]
    fn sns_wrapped_is_the_same() {
        let raw = format!(
            r#"{{"Records":[{},{}]}}"#,
            record("ObjectCreated:CompleteMultipartUpload", "a/b.log.gz"),
            record("ObjectRemoved:Delete", "a/c.log.gz")
        );
        let direct = parse_body(&raw).unwrap();
        assert_eq!(direct.objects.len(), 1);
        assert_eq!(direct.other_events, 1);
        assert_eq!(parse_body(&sns(&raw)).unwrap(), direct);
    }

    #[test]
    fn test_event_raw_and_wrapped() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-01-01T00:00:00.000Z","Bucket":"logs","RequestId":"r","HostId":"h"}"#;
        for body in [test.to_owned(), sns(test)] {
            let n = parse_body(&body).unwrap();
            assert!(n.test_event);
            assert!(n.objects.is_empty());
        }
    }

    #[test]
    fn cloudtrail_notice() {
        let inner = r#"{"s3Bucket":"trail","s3ObjectKey":["AWSLogs/1/CloudTrail/us-east-1/x+y.json.gz","b.json.gz"]}"#;
        let n = parse_body(&sns(inner)).unwrap();
        let keys: Vec<_> = n.objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            ["AWSLogs/1/CloudTrail/us-east-1/x+y.json.gz", "b.json.gz"]
        );
        assert_eq!(n.objects[1].identity(), "s3://trail/b.json.gz");
    }

    #[test]
    fn identity_falls_back_to_the_sequencer() {
        let o = ObjectRef {
            bucket: "b".into(),
            key: "k".into(),
            size: None,
            etag: None,
            sequencer: Some("00AB".into()),
        };
        assert_eq!(o.identity(), "s3://b/k sequencer=00AB");
    }

    #[test]
    fn malformed_bodies_say_why() {
        let cases = [
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
            ("{}", "neither"),
            (r#"{"Records":{}}"#, "not an array"),
            (
                r#"{"Records":[{"eventSource":"aws:sqs"}]}"#,
                "Records[0]: eventSource",
            ),
            (
                r#"{"Records":[{"eventSource":"aws:s3","eventVersion":"3.0","eventName":"ObjectCreated:Put"}]}"#,
                "not 2.x",
            ),
            (
                r#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}"#,
                "/s3/object/key",
            ),
            (
                r#"{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%zz"}}}]}"#,
                "bad %-escape",
            ),
            (r#"{"Type":"Notification"}"#, "without a string"),
            (
                r#"{"Type":"Notification","Message":"{"}"#,
                "SNS \"Message\" is not JSON",
            ),
            (
                r#"{"Type":"SubscriptionConfirmation"}"#,
                "SubscriptionConfirmation",
            ),
            (r#"{"s3Bucket":"b","s3ObjectKey":[1]}"#, "not a string"),
        ];
        for (body, want) in cases {
            let e = parse_body(body).unwrap_err().to_string();
            assert!(e.contains(want), "{body}: {e}");
        }
        let wrapped = parse_body(&sns("{}")).unwrap_err().to_string();
        assert!(
            wrapped.starts_with("in the SNS \"Message\": neither"),
            "{wrapped}"
        );
    }

    proptest! {
        #[test]
        fn never_panics(body in "\\PC{0,200}") {
            let _ = parse_body(&body);
        }

        #[test]
        fn any_key_survives_encoding_and_sns(key in "[a-zA-Z0-9 /+é€_.-]{1,40}") {
            let encoded: String = key.bytes().map(|b| match b {
                b' ' => "+".to_owned(),
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            }).collect();
            let raw = format!(r#"{{"Records":[{}]}}"#, record("ObjectCreated:Put", &encoded));
            let n = parse_body(&sns(&raw)).unwrap();
            prop_assert_eq!(&n.objects[0].key, &key);
        }
    }
}
