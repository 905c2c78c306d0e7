//! `docs/alert.schema.json` accepts what the jsonl renderer writes and rejects broken alerts.

use crate::common::{full_alert, minimal_alert, numbered_alert, render};
use r53guard_alert::AlertFormat;
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/alert.schema.json");
    let text = std::fs::read_to_string(path).expect("docs/alert.schema.json");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is valid draft 2020-12")
}

fn errors(validator: &jsonschema::Validator, alert: &Value) -> Vec<String> {
    validator
        .iter_errors(alert)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn rendered_alerts_validate() {
    let validator = validator();
    let mut alerts = vec![full_alert(), minimal_alert()];
    alerts.extend((0..100).map(numbered_alert));
    let out = render(AlertFormat::Jsonl, &alerts, false);
    for line in out.lines() {
        let alert: Value = serde_json::from_str(line).unwrap();
        assert_eq!(errors(&validator, &alert), Vec::<String>::new(), "{line}");
    }
    // The elements of the json format are the same objects.
    let array: Vec<Value> =
        serde_json::from_str(&render(AlertFormat::Json, &alerts, false)).unwrap();
    assert!(array.iter().all(|alert| validator.is_valid(alert)));
}

#[test]
fn broken_alerts_fail_validation() {
    let validator = validator();
    let good = serde_json::to_value(full_alert()).unwrap();
    assert!(validator.is_valid(&good));

    // (what, JSON pointer, new value or None to remove it)
    let breakages = [
        (
            "id in upper case",
            "/id",
            Some(json!("13EEFA864F88DC3AC16702198146212E")),
        ),
        ("id too short", "/id", Some(json!("13eefa86"))),
        ("rule missing", "/rule", None),
        ("rule id missing", "/rule/id", None),
        ("unknown severity", "/rule/severity", Some(json!("severe"))),
        (
            "severity capitalised",
            "/rule/severity",
            Some(json!("High")),
        ),
        ("risk score over 100", "/rule/risk_score", Some(json!(101))),
        (
            "time without milliseconds",
            "/detected_at",
            Some(json!("2024-05-01T12:05:00Z")),
        ),
        (
            "time with an offset",
            "/first_seen",
            Some(json!("2024-05-01T14:00:00.000+02:00")),
        ),
        (
            "month 13",
            "/last_seen",
            Some(json!("2024-13-01T12:05:00.000Z")),
        ),
        ("window without end", "/window/end", None),
        ("negative count", "/count", Some(json!(-1))),
        ("unknown field", "/extra", Some(json!(true))),
        ("unknown entity field", "/entity/hostname", Some(json!("h"))),
        ("non-string group value", "/group/srcaddr", Some(json!(1))),
        (
            "unknown event kind",
            "/events/0/kind",
            Some(json!("vpcflow")),
        ),
        ("line 0", "/events/0/source/line", Some(json!(0))),
        (
            "event not an object",
            "/events/0/event",
            Some(json!("text")),
        ),
    ];
    for (what, pointer, value) in breakages {
        let mut alert = good.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let fields = alert.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        match value {
            Some(value) => drop(fields.insert(key.to_owned(), value)),
            None => assert!(fields.remove(key).is_some(), "{pointer} exists"),
        }
        assert!(!validator.is_valid(&alert), "{what} should fail validation");
    }
}
