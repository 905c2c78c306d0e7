//! Conformance: missing fields, `null` and `''`, case, escaping, numbers, arrays and objects,
//! and keyword searches over the raw record.

use crate::common::{ct_record, ct_rule, matches};
use serde_json::json;

fn on(detection: &str, fields: serde_json::Value) -> bool {
    matches(&ct_rule(detection), &ct_record(fields))
}

/// A condition on a missing field is false, so `not selection` over it is true. This is where
/// Chainsaw (SQL-NULL-like) and DuckDB (`NOT x ILIKE …` drops NULL rows) lose alerts: the
/// SigmaHQ "AWS IAM Backdoor Users Keys" rule must fire on a CreateAccessKey whose
/// userIdentity has no `arn`.
#[test]
fn not_over_a_missing_field_is_true() {
    let backdoor = "    selection_source:\n        eventSource: iam.amazonaws.com\n        eventName: CreateAccessKey\n    filter:\n        userIdentity.arn|contains: responseElements.accessKey.userName\n    condition: selection_source and not filter";
    let base = json!({"eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey"});
    assert!(on(backdoor, base.clone()));
    let mut no_arn = base.clone();
    no_arn["userIdentity"] = json!({"type": "IAMUser", "userName": "x"});
    assert!(on(backdoor, no_arn));
    let mut null_arn = base;
    null_arn["userIdentity"] = json!({"arn": null});
    assert!(on(backdoor, null_arn));
    // And the positive item itself is false on a missing field.
    assert!(!on(
        "    sel:\n        userIdentity.arn|contains: x\n    condition: sel",
        json!({})
    ));
    // Root usage: `selection_usertype and not selection_eventtype` with eventType absent.
    let root = "    selection_usertype:\n        userIdentity.type: Root\n    selection_eventtype:\n        eventType: AwsServiceEvent\n    condition: selection_usertype and not selection_eventtype";
    assert!(on(root, json!({"userIdentity": {"type": "Root"}})));
    assert!(!on(
        root,
        json!({"userIdentity": {"type": "Root"}, "eventType": "AwsServiceEvent"})
    ));
}

#[test]
fn null_means_absent_or_null() {
    let d = "    sel:\n        errorCode: null\n    condition: sel";
    assert!(on(d, json!({})));
    assert!(on(d, json!({"errorCode": null})));
    assert!(!on(d, json!({"errorCode": "AccessDenied"})));
    assert!(!on(d, json!({"errorCode": ""})));
    // The SigmaHQ pattern: success, or no error code at all.
    let d = "    sel_event:\n        eventName: DeleteBucket\n    selection_status_success:\n        errorCode: Success\n    selection_status_null:\n        errorCode: null\n    condition: sel_event and 1 of selection_status_*";
    assert!(on(d, json!({"eventName": "DeleteBucket"})));
    assert!(on(
        d,
        json!({"eventName": "DeleteBucket", "errorCode": "success"})
    ));
    assert!(!on(
        d,
        json!({"eventName": "DeleteBucket", "errorCode": "NoSuchBucket"})
    ));
}

#[test]
fn empty_string_matches_only_empty_values() {
    let d = "    sel:\n        requestParameters.policyStatus: ''\n    condition: sel";
    assert!(on(d, json!({"requestParameters": {"policyStatus": ""}})));
    assert!(!on(d, json!({"requestParameters": {}})));
    assert!(!on(d, json!({"requestParameters": {"policyStatus": null}})));
    assert!(!on(d, json!({"requestParameters": {"policyStatus": "x"}})));
}

#[test]
fn case_insensitive_unless_cased() {
    let d = "    sel:\n        additionalEventData.MFAUsed: 'NO'\n    condition: sel";
    assert!(on(d, json!({"additionalEventData": {"MFAUsed": "No"}})));
    let d = "    sel:\n        userAgent|contains: 'ÜBER'\n    condition: sel";
    assert!(on(d, json!({"userAgent": "client-über-1"})));
}

#[test]
fn wildcards_and_escapes() {
    let d = "    sel:\n        f: 'a*b?c'\n    condition: sel";
    assert!(on(d, json!({"f": "aXXbYc"})));
    assert!(on(d, json!({"f": "abyc"})));
    assert!(!on(d, json!({"f": "abc"})));
    // `\*` and `\?` are literal.
    let d = "    sel:\n        f: 'a\\*b\\?'\n    condition: sel";
    assert!(on(d, json!({"f": "a*b?"})));
    assert!(!on(d, json!({"f": "aXb?"})));
    // `\\` is one backslash; a lone backslash is literal.
    let d = "    sel:\n        f: 'C:\\\\Windows\\System32'\n    condition: sel";
    assert!(on(d, json!({"f": "C:\\Windows\\System32"})));
    // `\\\*`: a backslash then a literal star; `\\*`: a backslash then a wildcard.
    let d = "    sel:\n        f: 'x\\\\\\*'\n    condition: sel";
    assert!(on(d, json!({"f": "x\\*"})));
    assert!(!on(d, json!({"f": "x\\yy"})));
    let d = "    sel:\n        f: 'x\\\\*'\n    condition: sel";
    assert!(on(d, json!({"f": "x\\yy"})));
}

#[test]
fn numbers_booleans_objects_and_arrays() {
    // A plain number equals a JSON number numerically; text otherwise.
    let d = "    sel:\n        n: 70\n    condition: sel";
    assert!(on(d, json!({"n": 70})));
    assert!(on(d, json!({"n": 70.0})));
    assert!(on(d, json!({"n": "70"})));
    assert!(!on(d, json!({"n": "070"})));
    let d = "    sel:\n        n: '7*'\n    condition: sel";
    assert!(on(d, json!({"n": 70})));
    // Booleans compare as text (the SigmaHQ rules write 'true'/'false' quoted).
    let d = "    sel:\n        responseElements.publiclyAccessible: 'true'\n    condition: sel";
    assert!(on(
        d,
        json!({"responseElements": {"publiclyAccessible": true}})
    ));
    assert!(!on(
        d,
        json!({"responseElements": {"publiclyAccessible": false}})
    ));
    // An object compares as its JSON text.
    let d = "    sel:\n        requestParameters|contains: 'Suspended'\n    condition: sel";
    assert!(on(
        d,
        json!({"requestParameters": {"VersioningConfiguration": {"Status": "Suspended"}}})
    ));
    // Any element of an array (at any depth) may match.
    let d = "    sel:\n        requestParameters.containerDefinitions.command|contains: '$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'\n    condition: sel";
    assert!(on(
        d,
        json!({"requestParameters": {"containerDefinitions": [
            {"command": ["sh", "-c"]},
            {"command": ["curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]}
        ]}})
    ));
    // `contains: '*'` holds on any non-null value, and not on a missing one.
    let d = "    sel:\n        errorMessage|contains: '*'\n    condition: sel";
    assert!(on(d, json!({"errorMessage": ""})));
    assert!(!on(d, json!({})));
    assert!(!on(d, json!({"errorMessage": null})));
}

#[test]
fn a_map_is_an_and_a_list_of_maps_an_or() {
    let d = "    sel:\n        - eventSource: ssm.amazonaws.com\n        - eventName: RegisterManagedInstance\n    condition: not sel";
    assert!(!on(d, json!({"eventSource": "ssm.amazonaws.com"})));
    assert!(!on(d, json!({"eventName": "RegisterManagedInstance"})));
    assert!(on(
        d,
        json!({"eventSource": "ec2.amazonaws.com", "eventName": "X"})
    ));
    let d = "    sel:\n        eventSource: ssm.amazonaws.com\n        eventName: SendCommand\n    condition: sel";
    assert!(!on(d, json!({"eventSource": "ssm.amazonaws.com"})));
}

/// Keywords search the record's raw JSON text, case-insensitively, anywhere in it.
#[test]
fn keyword_searches() {
    let d =
        "    keywords:\n        - 'TruffleHog'\n        - 'S3 Browser'\n    condition: keywords";
    assert!(on(d, json!({"userAgent": "trufflehog v3"})));
    assert!(on(
        d,
        json!({"requestParameters": {"note": "made with s3 browser"}})
    ));
    assert!(!on(d, json!({"userAgent": "aws-cli"})));
    // `|all` makes the list an AND.
    let d = "    keywords:\n        '|all':\n            - 'CreateAccessKey'\n            - 'bert-jan'\n    condition: keywords";
    assert!(on(
        d,
        json!({"eventName": "CreateAccessKey", "userIdentity": {"userName": "bert-jan"}})
    ));
    assert!(!on(d, json!({"eventName": "CreateAccessKey"})));
    // Backslashes and quotes are written as JSON writes them, so they still match.
    let d = "    keywords:\n        - 'C:\\Windows\\Temp'\n        - 'say \"hi\"'\n    condition: keywords";
    assert!(on(d, json!({"cmd": "copy C:\\Windows\\Temp\\x"})));
    assert!(on(d, json!({"cmd": "say \"hi\" now"})));
    // Wildcards work inside keywords; `not keywords` holds when nothing matches.
    let d = "    keywords:\n        - 'stratus-red-team_*-4432'\n    condition: not keywords";
    assert!(!on(
        d,
        json!({"userAgent": "stratus-red-team_e27c7b82-502b-4432-a99a"})
    ));
    assert!(on(d, json!({"userAgent": "aws-cli"})));
    // A single keyword, and a regex keyword.
    let d = "    keywords: 'honeytoken'\n    condition: keywords";
    assert!(on(d, json!({"requestParameters": {"x": "HoneyToken-7"}})));
    let d = "    keywords:\n        '|re': 'AKIA[0-9A-Z]{16}'\n    condition: keywords";
    assert!(on(
        d,
        json!({"userIdentity": {"accessKeyId": "AKIAEXAMPLE000000001"}})
    ));
    assert!(!on(
        d,
        json!({"userIdentity": {"accessKeyId": "akiaexample000000001"}})
    ));
}
