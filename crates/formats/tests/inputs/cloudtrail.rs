//! CloudTrail in every delivery form AWS uses, on real records.

use crate::common::*;

const INVICTUS: &str =
    "cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1220Z_r7NFD65BgeDMqD23.json";
const STRATUS_DNS: &str = "cloudtrail/stratus-red-team/aws.defense-evasion.dns-delete-logs.json";

/// The event ids in a file, read independently with serde_json.
fn expected_ids(bytes: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let records = v.get("Records").unwrap_or(&v).as_array().unwrap().clone();
    records
        .iter()
        .map(|r| r["eventID"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(c: &Collect) -> Vec<String> {
    c.seen.iter().map(|s| s.fields[0][0].clone()).collect()
}

#[test]
fn s3_records_object_plain_and_gzip_round_trip() {
    let bytes = fixture(INVICTUS);
    let want = expected_ids(&bytes);
    assert_eq!(want.len(), 71);
    for input in [bytes.clone(), gzip(&bytes)] {
        let (c, stats) = read(&input, &["eventID"]);
        assert!(c.bad.is_empty(), "{:?}", c.bad);
        assert_eq!(ids(&c), want);
        assert_eq!(stats.records, [71, 0]);
        assert!(c.seen.iter().enumerate().all(|(i, s)| s.record == i as u64));
    }
}

#[test]
fn records_are_verbatim_json() {
    let bytes = fixture(INVICTUS);
    let (c, _) = read(&bytes, &[]);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    for (seen, want) in c.seen.iter().zip(v["Records"].as_array().unwrap()) {
        let got: serde_json::Value = serde_json::from_str(&seen.raw).unwrap();
        assert_eq!(&got, want);
    }
}

#[test]
fn json_array_of_pretty_records() {
    let bytes = fixture(STRATUS_DNS);
    let (c, _) = read(
        &bytes,
        &[
            "eventID",
            "event.provider",
            "event.action",
            "event.outcome",
            "requestParameters.resolverQueryLogConfigId",
            "responseElements.resolverQueryLogConfig.status",
            "source.ip",
            "source.address",
        ],
    );
    assert!(c.bad.is_empty(), "{:?}", c.bad);
    assert_eq!(ids(&c), expected_ids(&bytes));
    let del = c
        .seen
        .iter()
        .find(|s| s.fields[2] == ["DeleteResolverQueryLogConfig"])
        .expect("the real deletion event");
    assert_eq!(del.fields[1], ["route53resolver.amazonaws.com"]);
    assert_eq!(del.fields[3], ["success"]);
    assert_eq!(del.fields[4], ["rqlc-4473f20ca554c07"]);
    assert_eq!(del.fields[5], ["DELETING"]);
    // Stratus anonymises IPs with leading-zero octets: not an IP, so no source.ip.
    assert!(del.fields[6].is_empty());
    assert_eq!(del.fields[7], ["251.234.045.249"]);
    assert_eq!(del.line, 2, "pretty-printed records keep their line");
}

#[test]
fn ndjson_and_ecs_aliases() {
    let bytes = fixture(INVICTUS);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut nd = String::new();
    for r in v["Records"].as_array().unwrap() {
        nd.push_str(&r.to_string());
        nd.push('\n');
    }
    let fields = [
        "eventID",
        "event.dataset",
        "data_stream.dataset",
        "cloud.account.id",
        "cloud.region",
        "user.name",
        "userIdentity.sessionContext.sessionIssuer.arn",
        "event.outcome",
        "errorCode",
        "@timestamp",
    ];
    let (c, _) = read(nd.as_bytes(), &fields);
    assert_eq!(ids(&c), expected_ids(&bytes));
    for (i, (seen, rec)) in c
        .seen
        .iter()
        .zip(v["Records"].as_array().unwrap())
        .enumerate()
    {
        assert_eq!(seen.line, i as u64 + 1);
        assert_eq!(seen.fields[1], ["aws.cloudtrail"]);
        assert_eq!(seen.fields[2], ["aws.cloudtrail"]);
        assert_eq!(
            seen.fields[3],
            [rec["recipientAccountId"].as_str().unwrap()]
        );
        assert_eq!(seen.fields[4], ["us-east-1"]);
        let issuer = rec["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"].as_str();
        assert_eq!(seen.fields[6], issuer.into_iter().collect::<Vec<_>>());
        let failed = rec.get("errorCode").is_some_and(|e| !e.is_null());
        assert_eq!(seen.fields[7], [if failed { "failure" } else { "success" }]);
        assert_eq!(seen.fields[9], [rec["eventTime"].as_str().unwrap()]);
        let user = rec["userIdentity"]["userName"]
            .as_str()
            .or(rec["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"].as_str());
        assert_eq!(seen.fields[5], user.into_iter().collect::<Vec<_>>());
    }
    assert!(c.seen.iter().any(|s| s.fields[7] == ["failure"]));
}

#[test]
fn console_login_outcome_comes_from_the_response() {
    let bytes =
        fixture("cloudtrail/stratus-red-team/aws.initial-access.console-login-without-mfa.json");
    let (c, _) = read(&bytes, &["event.outcome", "additionalEventData.MFAUsed"]);
    assert_eq!(c.seen[0].fields, vec![vec!["success"], vec!["No"]]);
    let failed = br#"{"eventVersion":"1.08","eventTime":"2024-08-02T08:53:24Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"errorMessage":"Failed authentication"}"#;
    let (c, _) = read(failed, &["event.outcome"]);
    assert_eq!(c.seen[0].fields, vec![vec!["failure"]]);
}

#[test]
fn eventbridge_envelope() {
    let event = r#"{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "AWS API Call via CloudTrail",
  "source": "aws.route53domains",
  "account": "111122223333",
  "time": "2024-05-01T10:20:00Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {"eventVersion":"1.09","eventTime":"2024-05-01T10:20:00Z","eventSource":"route53domains.amazonaws.com","eventName":"transferDomainToAnotherAwsAccount","awsRegion":"us-east-1","requestParameters":{"domainName":"example-corp.com","accountId":"444455556666"},"eventID":"e1","recipientAccountId":"111122223333"}
}
"#;
    let twice = format!("{event}{event}");
    let (c, stats) = read(
        twice.as_bytes(),
        &["event.action", "requestParameters.accountId"],
    );
    assert!(c.bad.is_empty(), "{:?}", c.bad);
    assert_eq!(c.seen.len(), 2);
    assert_eq!(c.seen[0].fields[0], ["transferDomainToAnotherAwsAccount"]);
    assert_eq!(c.seen[0].fields[1], ["444455556666"]);
    assert!(c.seen[0].raw.starts_with(r#"{"eventVersion""#));
    assert_eq!(c.seen[1].line, 12);
    assert_eq!(stats.envelopes, 2);
}

#[test]
fn cloudwatch_logs_subscription_payloads() {
    let msg = |id: &str| {
        serde_json::json!({"eventVersion":"1.08","eventTime":"2024-05-01T10:20:00Z","eventSource":"route53.amazonaws.com","eventName":"AssociateVPCWithHostedZone","eventID":id}).to_string()
    };
    let data = serde_json::json!({
        "messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "CloudTrail/logs",
        "logStream": "111122223333_CloudTrail_us-east-1", "subscriptionFilters": ["Destination"],
        "logEvents": [
            {"id": "1", "timestamp": 1714558800000u64, "message": msg("a")},
            {"id": "2", "timestamp": 1714558800000u64, "message": msg("b")}
        ]
    });
    let control = serde_json::json!({"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]});
    // Firehose writes gzip members back to back, with no separator between the JSON documents.
    let mut bytes = gzip(control.to_string().as_bytes());
    bytes.extend(gzip(data.to_string().as_bytes()));
    let (c, stats) = read(&bytes, &["eventID"]);
    assert!(c.bad.is_empty(), "{:?}", c.bad);
    assert_eq!(ids(&c), ["a", "b"]);
    assert_eq!(c.seen[1].part, Some(1));
    assert_eq!(
        stats.skipped.get(&r53guard_formats::SkipClass::Control),
        Some(&1)
    );
}

#[test]
fn digest_documents_are_skipped() {
    let digest = br#"{"awsAccountId":"111122223333","digestStartTime":"2024-05-01T10:00:00Z","digestEndTime":"2024-05-01T11:00:00Z","digestS3Bucket":"b","logFiles":[]}"#;
    let (c, stats) = read(digest, &[]);
    assert!(c.seen.is_empty() && c.bad.is_empty());
    assert_eq!(
        stats.skipped.get(&r53guard_formats::SkipClass::Digest),
        Some(&1)
    );
}
