//! Compiled matchers agree with the reference evaluator on random queries and documents.

use proptest::prelude::*;
use r53guard_engine::matcher::{CompileOptions, Matcher};
use r53guard_event::{Classified, Projector, Schema};
use r53guard_kql::eval::{EvalContext, evaluate};
use std::collections::BTreeSet;

const FIELDS: &[&str] = &["a", "b.c", "arr", "n", "flag", "ip", "items.name"];

fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x".to_owned()),
        Just("X".to_owned()),
        Just("xy".to_owned()),
        Just("Route53".to_owned()),
        Just("route53".to_owned()),
        Just("70".to_owned()),
        Just("070".to_owned()),
        Just("7.5".to_owned()),
        Just("true".to_owned()),
        Just("10.0.0.0/8".to_owned()),
        Just("10.1.2.3".to_owned()),
        Just("10.1.2.4".to_owned()),
        Just("::ffff:10.1.2.3".to_owned()),
        Just("::ffff:a01:203".to_owned()),
        Just("fd00:ec2::254".to_owned()),
        Just("FD00:EC2::254".to_owned()),
        Just("fd00:0ec2:0::254".to_owned()),
        Just("".to_owned()),
        "[a-zA-Z0-9]{0,3}",
    ]
}

fn json_scalar() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        value_text().prop_map(serde_json::Value::String),
        (-100i64..100).prop_map(|n| json!(n)),
        Just(json!(70)),
        Just(json!(7.5)),
        any::<bool>().prop_map(|b| json!(b)),
        Just(serde_json::Value::Null),
    ]
}

fn document() -> impl Strategy<Value = serde_json::Value> {
    (
        proptest::option::of(json_scalar()),
        proptest::option::of(json_scalar()),
        proptest::collection::vec(json_scalar(), 0..3),
        proptest::option::of(json_scalar()),
        proptest::option::of(json_scalar()),
        proptest::collection::vec((json_scalar(), json_scalar()), 0..3),
    )
        .prop_map(|(a, c, arr, n, ip, items)| {
            let mut doc = serde_json::json!({
                "eventSource": "test.amazonaws.com",
                "eventTime": "2024-05-01T10:00:00Z",
                "arr": arr,
                "items": items.into_iter().map(|(name, kind)| serde_json::json!({"name": name, "kind": kind})).collect::<Vec<_>>(),
            });
            if let Some(a) = a {
                doc["a"] = a;
            }
            if let Some(c) = c {
                doc["b"] = serde_json::json!({"c": c});
            }
            if let Some(n) = n {
                doc["n"] = n;
            }
            if let Some(ip) = ip {
                doc["ip"] = ip;
            }
            doc
        })
}

fn leaf() -> impl Strategy<Value = String> {
    let field = proptest::sample::select(FIELDS);
    prop_oneof![
        (field.clone(), value_text()).prop_map(|(f, v)| format!("{f}:\"{v}\"")),
        (field.clone(), "[a-zA-Z0-9]{1,3}").prop_map(|(f, v)| format!("{f}:{v}")),
        (field.clone(), "[a-z]{0,2}", "[a-z]{0,2}").prop_map(|(f, p, s)| format!("{f}:{p}*{s}")),
        (field.clone(), "[a-z]{1,2}").prop_map(|(f, m)| format!("{f}:*{m}*")),
        field.clone().prop_map(|f| format!("{f}:*")),
        (
            field.clone(),
            proptest::sample::select(&["<", "<=", ">", ">="][..]),
            value_text()
        )
            .prop_filter("range bound", |(_, _, v)| !v.is_empty() && !v.contains('/'))
            .prop_map(|(f, op, v)| format!("{f} {op} \"{v}\"")),
        (field.clone(), proptest::collection::vec(value_text(), 4..7)).prop_map(|(f, vs)| {
            let list: Vec<String> = vs.iter().map(|v| format!("\"{v}\"")).collect();
            format!("{f}:({})", list.join(" or "))
        }),
        // Patterns and literals on one field (a `Terms` node, with a literal they share).
        (
            field.clone(),
            proptest::collection::vec(("[a-z]{0,1}", "[xX]{1,2}", "[a-z*]{0,2}"), 1..5),
            proptest::option::of(value_text()),
        )
            .prop_map(|(f, ps, literal)| {
                let mut list: Vec<String> =
                    ps.iter().map(|(a, m, b)| format!("{a}*{m}{b}")).collect();
                list.extend(literal.map(|l| format!("\"{l}\"")));
                format!("{f}:({})", list.join(" or "))
            }),
        value_text().prop_map(|v| format!("items:{{ name:\"{v}\" }}")),
        field.prop_map(|f| format!("{f}:10.0.0.0/8")),
    ]
}

fn query() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not {a}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn compiled_matchers_agree_with_the_reference(q in query(), doc in document(), ci in any::<bool>()) {
        let Ok(parsed) = r53guard_kql::parse(&q) else { return Ok(()) };
        let ci_fields: BTreeSet<String> = if ci { FIELDS.iter().map(|f| f.to_string()).collect() } else { BTreeSet::new() };
        let mut schema = Schema::new();
        let now = 1_714_557_600_000;
        let m = Matcher::compile(&parsed, &mut schema, &CompileOptions { case_insensitive: &ci_fields, now_ms: now });
        let raw = doc.to_string();
        let mut projector = Projector::new(&schema);
        let Ok(Classified::Event(ev)) = projector.project(&raw) else { panic!("not an event: {raw}") };
        let want = evaluate(&parsed, &doc, &EvalContext::new(now).with_case_insensitive_fields(ci_fields.iter().cloned()));
        prop_assert_eq!(m.matches(&ev, None), want, "query {} on {}", q, raw);
    }
}
