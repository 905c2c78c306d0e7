//! Conformance: each value modifier of Sigma v2.1.0, on CloudTrail-shaped records, checked by
//! both the compiled matcher and the reference evaluator; and pySigma's modifier errors.

use crate::common::{
    compile_error, ct_record, ct_rule, load_error, mapping, matches, matches_rule, rule,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use r53guard_sigma::Unsupported;
use serde_json::json;

fn on(detection: &str, fields: serde_json::Value) -> bool {
    matches(&ct_rule(detection), &ct_record(fields))
}

#[test]
fn contains_startswith_endswith() {
    let d = "    sel:\n        userAgent|contains: 'Boto3'\n    condition: sel";
    assert!(on(d, json!({"userAgent": "aws-cli boto3/1.2"})));
    assert!(!on(d, json!({"userAgent": "aws-cli"})));
    let d = "    sel:\n        eventName|startswith: 'Delete'\n    condition: sel";
    assert!(on(d, json!({"eventName": "DeleteTrail"})));
    assert!(!on(d, json!({"eventName": "UndeleteTrail"})));
    let d = "    sel:\n        eventSource|endswith: '.amazonaws.com'\n    condition: sel";
    assert!(on(d, json!({"eventSource": "iam.AMAZONAWS.com"})));
    assert!(!on(d, json!({"eventSource": "iam.amazonaws.com.evil"})));
    // A wildcard already there is not doubled, and wildcards inside still work.
    let d = "    sel:\n        userAgent|contains: 'a*c'\n    condition: sel";
    assert!(on(d, json!({"userAgent": "xxabbbcxx"})));
    let d = "    sel:\n        userAgent|startswith: 'a?c'\n    condition: sel";
    assert!(on(d, json!({"userAgent": "abcdef"})));
    assert!(!on(d, json!({"userAgent": "acdef"})));
}

#[test]
fn all_ands_the_values() {
    let d = "    sel:\n        requestParameters|contains|all:\n            - 's3:GetObject'\n            - 'Allow'\n    condition: sel";
    assert!(on(
        d,
        json!({"requestParameters": {"policy": "Allow s3:GetObject"}})
    ));
    assert!(!on(
        d,
        json!({"requestParameters": {"policy": "Allow s3:PutObject"}})
    ));
    // Without `all` a list is an OR.
    let d = "    sel:\n        eventName:\n            - A\n            - B\n    condition: sel";
    assert!(on(d, json!({"eventName": "b"})));
}

#[test]
fn re_and_its_flags() {
    let d = "    sel:\n        userIdentity.arn|re: '.+:assumed-role/aws:.+'\n    condition: sel";
    assert!(on(
        d,
        json!({"userIdentity": {"arn": "arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}})
    ));
    // Case-sensitive by default; `i` makes it insensitive.
    assert!(!on(
        d,
        json!({"userIdentity": {"arn": "arn:aws:sts::1:ASSUMED-ROLE/aws:x"}})
    ));
    let d = "    sel:\n        userIdentity.arn|re|i: ':ASSUMED-role/'\n    condition: sel";
    assert!(on(
        d,
        json!({"userIdentity": {"arn": "arn:aws:sts::1:assumed-role/x"}})
    ));
    // A regex searches: it need not match the whole value.
    let d = "    sel:\n        userAgent|re: 'cli/2\\.'\n    condition: sel";
    assert!(on(d, json!({"userAgent": "aws-cli/2.15 Python"})));
    // `m`: ^ and $ at line breaks; `s`: . matches a line break.
    let d = "    sel:\n        errorMessage|re|m: '^denied$'\n    condition: sel";
    assert!(on(d, json!({"errorMessage": "first\ndenied\nlast"})));
    let d = "    sel:\n        errorMessage|re: '^denied$'\n    condition: sel";
    assert!(!on(d, json!({"errorMessage": "first\ndenied\nlast"})));
    let d = "    sel:\n        errorMessage|re|s: 'first.denied'\n    condition: sel";
    assert!(on(d, json!({"errorMessage": "first\ndenied"})));
    let d = "    sel:\n        errorMessage|re: 'first.denied'\n    condition: sel";
    assert!(!on(d, json!({"errorMessage": "first\ndenied"})));
    // The regex is taken as written: Sigma escapes are not applied to it.
    let d = "    sel:\n        userAgent|re: '^a\\*b$'\n    condition: sel";
    assert!(on(d, json!({"userAgent": "a*b"})));
    // Features outside the regex crate's syntax are refused, not silently mismatched.
    let e = compile_error(&ct_rule(
        "    sel:\n        userAgent|re: '(?<=a)b'\n    condition: sel",
    ));
    assert!(matches!(e, Unsupported::Feature(m) if m.contains("look-around")));
}

#[test]
fn base64_and_base64offset() {
    let b64 = |s: &str| STANDARD.encode(s);
    let d =
        "    sel:\n        requestParameters.userData|base64: '#!/bin/bash'\n    condition: sel";
    assert!(on(
        d,
        json!({"requestParameters": {"userData": b64("#!/bin/bash")}})
    ));
    assert!(!on(
        d,
        json!({"requestParameters": {"userData": b64("x#!/bin/bash")}})
    ));
    let d = "    sel:\n        requestParameters.userData|base64offset|contains: 'curl '\n    condition: sel";
    for prefix in ["", "a", "ab", "abc", "#!/bin/sh\n"] {
        let payload = format!("{prefix}curl http://x | sh");
        assert!(
            on(d, json!({"requestParameters": {"userData": b64(&payload)}})),
            "{prefix:?}"
        );
    }
    assert!(!on(
        d,
        json!({"requestParameters": {"userData": b64("wget http://x")}})
    ));
}

#[test]
fn utf16_encodings() {
    let utf16le = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let utf16be = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_be_bytes).collect() };
    let d = "    sel:\n        cmd|wide|base64offset|contains: 'ping'\n    condition: sel";
    for prefix in ["", "x", "xy"] {
        let enc = STANDARD.encode(utf16le(&format!("{prefix}ping 127.0.0.1")));
        assert!(on(d, json!({"cmd": enc})), "{prefix:?}");
    }
    let d = "    sel:\n        cmd|utf16le|base64: 'ab'\n    condition: sel";
    assert!(on(d, json!({"cmd": STANDARD.encode(utf16le("ab"))})));
    let d = "    sel:\n        cmd|utf16be|base64: 'ab'\n    condition: sel";
    assert!(on(d, json!({"cmd": STANDARD.encode(utf16be("ab"))})));
    let d = "    sel:\n        cmd|utf16|base64: 'ab'\n    condition: sel";
    let mut bom = vec![0xFF, 0xFE];
    bom.extend(utf16le("ab"));
    assert!(on(d, json!({"cmd": STANDARD.encode(bom)})));
    // Alone, a UTF-16 modifier has nothing to match in text records.
    let e = load_error(&ct_rule(
        "    sel:\n        cmd|wide: 'ab'\n    condition: sel",
    ));
    assert!(e.contains("base64"), "{e}");
}

#[test]
fn windash_variants() {
    let d = "    sel:\n        cmd|windash|contains: ' -enc '\n    condition: sel";
    for dash in ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"] {
        assert!(
            on(d, json!({"cmd": format!("powershell {dash}enc AAA")})),
            "{dash}"
        );
    }
    assert!(!on(d, json!({"cmd": "powershell +enc AAA"})));
    // A dash inside a word is not a flag and is not expanded.
    let d = "    sel:\n        cmd|windash: 'a-b'\n    condition: sel";
    assert!(!on(d, json!({"cmd": "a/b"})));
}

#[test]
fn cidr_v4_and_v6() {
    let d = "    sel:\n        sourceIPAddress|cidr:\n            - '10.0.0.0/8'\n            - '2001:db8::/32'\n    condition: sel";
    assert!(on(d, json!({"sourceIPAddress": "10.20.30.40"})));
    assert!(on(d, json!({"sourceIPAddress": "2001:db8:1::7"})));
    assert!(!on(d, json!({"sourceIPAddress": "11.0.0.1"})));
    assert!(!on(d, json!({"sourceIPAddress": "AWS Internal"})));
    assert!(!on(d, json!({})));
}

#[test]
fn exists() {
    let yes = "    sel:\n        errorCode|exists: true\n    condition: sel";
    let no = "    sel:\n        errorCode|exists: false\n    condition: sel";
    assert!(on(yes, json!({"errorCode": "AccessDenied"})));
    assert!(on(yes, json!({"errorCode": ""})));
    assert!(!on(yes, json!({})));
    assert!(!on(yes, json!({"errorCode": null})));
    assert!(on(no, json!({})));
    assert!(on(no, json!({"errorCode": null})));
    assert!(!on(no, json!({"errorCode": "x"})));
    let e = load_error(&ct_rule(
        "    sel:\n        errorCode|exists: 'yes'\n    condition: sel",
    ));
    assert!(e.contains("true"), "{e}");
}

#[test]
fn numeric_comparisons() {
    let d =
        "    sel:\n        additionalEventData.bytesTransferredOut|gt: 1000\n    condition: sel";
    assert!(on(
        d,
        json!({"additionalEventData": {"bytesTransferredOut": 1001}})
    ));
    assert!(on(
        d,
        json!({"additionalEventData": {"bytesTransferredOut": 1000.5}})
    ));
    assert!(on(
        d,
        json!({"additionalEventData": {"bytesTransferredOut": "2000"}})
    ));
    assert!(!on(
        d,
        json!({"additionalEventData": {"bytesTransferredOut": 1000}})
    ));
    assert!(!on(
        d,
        json!({"additionalEventData": {"bytesTransferredOut": 999}})
    ));
    assert!(!on(d, json!({})));
    let d = "    sel:\n        n|gte: 5\n    condition: sel";
    assert!(on(d, json!({"n": 5})));
    let d = "    sel:\n        n|lt: 5\n    condition: sel";
    assert!(on(d, json!({"n": -3})));
    assert!(!on(d, json!({"n": 5})));
    let d = "    sel:\n        n|lte: 5\n    condition: sel";
    assert!(on(d, json!({"n": 5})));
    // Numbers compare numerically (10 > 9), not as text ("10" < "9").
    let d = "    sel:\n        n|gt: 9\n    condition: sel";
    assert!(on(d, json!({"n": "10"})));
    // Non-numeric values compare as case-folded strings (an r53guard extension).
    let d = "    sel:\n        eventTime|gte: '2024-05-01T09:00:00Z'\n    condition: sel";
    assert!(on(d, json!({})));
    let d = "    sel:\n        eventTime|lt: '2024-05-01T09:00:00Z'\n    condition: sel";
    assert!(!on(d, json!({})));
}

#[test]
fn time_parts() {
    // eventTime of ct_record: 2024-05-01T10:00:00Z (a Wednesday in ISO week 18).
    for (m, v, want) in [
        ("hour", 10, true),
        ("hour", 11, false),
        ("minute", 0, true),
        ("day", 1, true),
        ("week", 18, true),
        ("month", 5, true),
        ("year", 2024, true),
        ("year", 2023, false),
    ] {
        let d = format!("    sel:\n        eventTime|{m}: {v}\n    condition: sel");
        assert_eq!(on(&d, json!({})), want, "{m} {v}");
    }
    let d = "    sel:\n        userAgent|hour: 10\n    condition: sel";
    assert!(!on(d, json!({"userAgent": "not a date"})));
}

#[test]
fn fieldref_and_its_combinations() {
    let eq = "    sel:\n        userIdentity.userName|fieldref: requestParameters.userName\n    condition: sel";
    let same =
        json!({"userIdentity": {"userName": "Bob"}, "requestParameters": {"userName": "bob"}});
    let other =
        json!({"userIdentity": {"userName": "bob"}, "requestParameters": {"userName": "eve"}});
    assert!(on(eq, same.clone()));
    assert!(!on(eq, other.clone()));
    assert!(!on(eq, json!({"userIdentity": {"userName": "bob"}})));
    let neq = "    sel:\n        userIdentity.userName|fieldref|neq: requestParameters.userName\n    condition: sel";
    assert!(!on(neq, same));
    assert!(on(neq, other));
    let ends = "    sel:\n        userIdentity.arn|fieldref|endswith: requestParameters.userName\n    condition: sel";
    let arn = json!({"userIdentity": {"arn": "arn:aws:iam::1:user/bob"}, "requestParameters": {"userName": "bob"}});
    assert!(on(ends, arn.clone()));
    let starts = "    sel:\n        userIdentity.arn|fieldref|startswith: requestParameters.userName\n    condition: sel";
    assert!(!on(starts, arn.clone()));
    let contains = "    sel:\n        userIdentity.arn|fieldref|contains: requestParameters.userName\n    condition: sel";
    assert!(on(contains, arn));
    let e = load_error(&ct_rule(
        "    sel:\n        a|fieldref: 'b*'\n    condition: sel",
    ));
    assert!(e.contains("wildcards"), "{e}");
}

#[test]
fn cased() {
    let d = "    sel:\n        eventName|cased: 'ConsoleLogin'\n    condition: sel";
    assert!(on(d, json!({"eventName": "ConsoleLogin"})));
    assert!(!on(d, json!({"eventName": "consolelogin"})));
    let d = "    sel:\n        eventName|contains|cased: 'Login'\n    condition: sel";
    assert!(on(d, json!({"eventName": "ConsoleLogin"})));
    assert!(!on(d, json!({"eventName": "CONSOLELOGIN"})));
}

#[test]
fn neq_negates_the_item() {
    let d = "    sel:\n        eventSource: iam.amazonaws.com\n        eventName|neq: CreateUser\n    condition: sel";
    assert!(on(
        d,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "DeleteUser"})
    ));
    assert!(!on(
        d,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "createuser"})
    ));
    // A negated item over a missing field holds (like `not`).
    assert!(on(d, json!({"eventSource": "iam.amazonaws.com"})));
}

#[test]
fn expand_needs_placeholder_values() {
    let yaml =
        ct_rule("    sel:\n        userIdentity.userName|expand: '%admins%'\n    condition: sel");
    let e = compile_error(&yaml);
    assert!(
        matches!(&e, Unsupported::Feature(m) if m.contains("%admins%")),
        "{e}"
    );
    let m = mapping().with_placeholder("admins", &["root-ops", "adm_*"]);
    let r = rule(&yaml);
    assert!(matches_rule(
        &r,
        &m,
        &ct_record(json!({"userIdentity": {"userName": "adm_carol"}}))
    ));
    assert!(matches_rule(
        &r,
        &m,
        &ct_record(json!({"userIdentity": {"userName": "ROOT-OPS"}}))
    ));
    assert!(!matches_rule(
        &r,
        &m,
        &ct_record(json!({"userIdentity": {"userName": "carol"}}))
    ));
    // Without `expand`, %admins% is literal text.
    let literal =
        ct_rule("    sel:\n        userIdentity.userName: '%admins%'\n    condition: sel");
    assert!(matches(
        &literal,
        &ct_record(json!({"userIdentity": {"userName": "%admins%"}}))
    ));
}

#[test]
fn pysigma_modifier_errors() {
    for (key, value, needle) in [
        ("f|contains|re", "'x'", "first value-changing"),
        ("f|base64|cidr", "'10.0.0.0/8'", "first value-changing"),
        ("f|contains|exists", "true", "first value-changing"),
        ("f|startswith|gt", "3", "first value-changing"),
        ("f|i", "'x'", "sub-modifier"),
        ("f|base64", "'a*'", "wildcards"),
        ("f|base64offset", "'a?'", "wildcards"),
        ("f|fieldref", "'g*'", "wildcards"),
        ("f|cidr", "'10.0.0.0/40'", "network"),
        ("f|hour", "'x'", "integer"),
        ("f|nonsense", "'x'", "unknown modifier"),
        ("f|re|cased", "'x'", "cannot apply"),
    ] {
        let e = load_error(&ct_rule(&format!(
            "    sel:\n        {key}: {value}\n    condition: sel"
        )));
        assert!(e.contains(needle), "{key}: {e}");
    }
}

#[test]
fn fields_read_include_referenced_fields_and_keywords_read_the_record() {
    let m = mapping();
    let mut schema = r53guard_event::Schema::new();
    let compile = |detection: &str, schema: &mut r53guard_event::Schema| {
        r53guard_sigma::CompiledSigma::compile(&rule(&ct_rule(detection)), &m, schema)
            .expect("compiles")
    };
    let eq = "    sel:\n        userIdentity.userName|fieldref: requestParameters.userName\n    condition: sel";
    let c = compile(eq, &mut schema);
    let mut got = c.fields().expect("fields alone");
    got.sort();
    let mut want = vec![
        schema.find("userIdentity.userName").expect("added"),
        schema.find("requestParameters.userName").expect("added"),
    ];
    want.sort();
    assert_eq!(got, want);
    let keywords = "    sel:\n        eventName: ConsoleLogin\n    kw:\n        - evil\n    condition: sel and kw";
    assert_eq!(compile(keywords, &mut schema).fields(), None);
}
