//! The compiled matcher agrees with the reference evaluator on generated detections (every
//! modifier family, keyword lists, `null`, quantified conditions) and generated records, on
//! CloudTrail records and on Resolver records through the DNS mapping.

use crate::common::{mapping, with_event};
use proptest::prelude::*;
use r53guard_event::Schema;
use r53guard_sigma::{CompiledSigma, SigmaSet, reference};
use serde_json::json;

const FIELDS: &[&str] = &["a", "b.c", "arr", "n", "ip", "items.name", "missing"];

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
        Just("".to_owned()),
        Just("10.1.2.3".to_owned()),
        Just("2001:db8::7".to_owned()),
        Just("eA==".to_owned()),
        Just("/x".to_owned()),
        Just("a*b".to_owned()),
        Just("É".to_owned()),
        Just("é".to_owned()),
        Just("C:\\x".to_owned()),
        "[a-zA-Z0-9]{0,3}",
    ]
}

/// A value as written in a rule: may hold wildcards and escapes.
fn pattern_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => value_text(),
        1 => Just("*".to_owned()),
        1 => Just("?".to_owned()),
        1 => Just("x*".to_owned()),
        1 => Just("*3".to_owned()),
        1 => Just("r?ute*".to_owned()),
        1 => Just("a\\*b".to_owned()),
        1 => Just("C:\\\\x".to_owned()),
        1 => Just("-x".to_owned()),
        1 => Just("%x%".to_owned()),
    ]
}

fn json_scalar() -> impl Strategy<Value = serde_json::Value> {
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
        proptest::collection::vec(json_scalar(), 0..3),
    )
        .prop_map(|(a, c, arr, n, ip, names)| {
            let mut doc = json!({
                "eventVersion": "1.08",
                "eventSource": "test.amazonaws.com",
                "eventTime": "2024-05-01T10:00:00Z",
                "arr": arr,
                "items": names.into_iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
            });
            if let Some(a) = a {
                doc["a"] = a;
            }
            if let Some(c) = c {
                doc["b"] = json!({"c": c});
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

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One detection item as a YAML `key: value` line (values as flow lists).
fn item() -> impl Strategy<Value = String> {
    let field = proptest::sample::select(FIELDS);
    let string_mods = proptest::sample::select(vec![
        "",
        "|contains",
        "|startswith",
        "|endswith",
        "|contains|all",
        "|cased",
        "|contains|cased",
        "|neq",
        "|windash",
        "|base64",
        "|base64offset|contains",
        "|startswith|neq",
        "|expand",
    ]);
    prop_oneof![
        4 => (field.clone(), string_mods, proptest::collection::vec(pattern_text(), 1..4)).prop_map(
            |(f, m, vs)| {
                // Encodings reject wildcards: give them literal values.
                let vs: Vec<String> = if m.contains("base64") {
                    vs.into_iter().map(|v| v.replace(['*', '?', '\\'], "")).collect()
                } else {
                    vs
                };
                format!("{f}{m}: [{}]", vs.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", "))
            }
        ),
        1 => (field.clone(), proptest::sample::select(vec!["^x", "x$", "(?:a|R)o", "[0-9]+", "X", "^$", "\\.", "é"]), any::<bool>())
            .prop_map(|(f, re, i)| format!("{f}|re{}: {}", if i { "|i" } else { "" }, quote(re))),
        1 => (field.clone(), proptest::sample::select(vec!["10.0.0.0/8", "2001:db8::/32", "10.1.2.3"]))
            .prop_map(|(f, c)| format!("{f}|cidr: {}", quote(c))),
        1 => (field.clone(), any::<bool>()).prop_map(|(f, b)| format!("{f}|exists: {b}")),
        1 => field.clone().prop_map(|f| format!("{f}: null")),
        1 => (field.clone(), proptest::sample::select(vec!["gt", "gte", "lt", "lte"]), prop_oneof![Just("7".to_owned()), Just("70".to_owned()), Just("'x'".to_owned()), Just("-3.5".to_owned())])
            .prop_map(|(f, op, v)| format!("{f}|{op}: {v}")),
        1 => (field.clone(), proptest::sample::select(FIELDS), proptest::sample::select(vec!["", "|contains", "|neq", "|endswith"]))
            .prop_map(|(f, g, m)| format!("{f}|fieldref{m}: {g}")),
        1 => (field, proptest::sample::select(vec!["year", "hour", "day"]), 0i64..3000)
            .prop_map(|(f, part, v)| format!("{f}|{part}: {v}")),
    ]
}

/// A search identifier's body: a map of items, a list of maps, or a keyword list.
fn search_body() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(item(), 1..4).prop_map(|items| {
            // A mapping may not repeat a key.
            let mut keys = Vec::new();
            items
                .iter()
                .filter(|i| {
                    let key = i.split(':').next().unwrap_or_default().to_owned();
                    let fresh = !keys.contains(&key);
                    keys.push(key);
                    fresh
                })
                .map(|i| format!("        {i}\n"))
                .collect::<String>()
        }),
        1 => proptest::collection::vec(item(), 1..3).prop_map(|items| {
            items.iter().map(|i| format!("        - {i}\n")).collect::<String>()
        }),
        1 => (proptest::collection::vec(pattern_text(), 1..3), any::<bool>()).prop_map(|(ks, all)| {
            let list = ks.iter().map(|k| format!("            - {}\n", quote(k))).collect::<String>();
            if all {
                format!("        '|all':\n{list}")
            } else {
                list.replace("            - ", "        - ")
            }
        }),
    ]
}

fn condition(n: usize) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => (0..n).prop_map(|i| format!("s{i}")),
        1 => Just("1 of s*".to_owned()),
        1 => Just("all of them".to_owned()),
        1 => Just("1 of s".to_owned()),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not {a}")),
        ]
    })
}

fn rule_text(logsource: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(search_body(), 1..4).prop_flat_map(move |bodies| {
        let n = bodies.len();
        condition(n).prop_map(move |cond| {
            let mut text = format!("title: generated\nlogsource: {logsource}\ndetection:\n");
            for (i, b) in bodies.iter().enumerate() {
                text.push_str(&format!("    s{i}:\n{b}"));
            }
            text.push_str(&format!("    condition: {cond}\n"));
            text
        })
    })
}

fn agree(text: &str, docs: &[serde_json::Value]) -> Result<(), TestCaseError> {
    let set = SigmaSet::load([("gen.yml", text)]);
    prop_assert!(set.diagnostics.is_empty(), "{text}\n{:#?}", set.diagnostics);
    let m = mapping().with_placeholder("x", &["x", "R*"]);
    let mut schema = Schema::new();
    let compiled = CompiledSigma::compile(&set.rules[0], &m, &mut schema);
    let compiled = match compiled {
        Ok(c) => c,
        Err(e) => {
            // Only regular expressions outside the regex crate's syntax may be refused, and
            // the reference refuses them too.
            prop_assert!(
                reference::evaluate(&set.rules[0], &m, &docs[0]).is_err(),
                "{text}: {e}"
            );
            return Ok(());
        }
    };
    for doc in docs {
        let raw = doc.to_string();
        let fast = with_event(&schema, &raw, |ev| compiled.matches(ev));
        let oracle = reference::evaluate(&set.rules[0], &m, doc).expect("reference");
        prop_assert_eq!(fast, oracle, "rule:\n{}\nrecord: {}", text, raw);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn compiled_agrees_with_reference_on_cloudtrail(
        text in rule_text("{product: aws, service: cloudtrail}"),
        docs in proptest::collection::vec(document(), 1..6),
    ) {
        agree(&text, &docs)?;
    }

    #[test]
    fn compiled_agrees_with_reference_on_resolver(
        text in rule_text("{category: dns}").prop_map(|t| t
            .replace("b.c", "query")
            .replace("items.name", "answer")
            .replace("ip", "src_ip")),
        names in proptest::collection::vec(
            prop_oneof![value_text(), value_text().prop_map(|v| format!("{v}."))], 1..6),
        answers in proptest::collection::vec(value_text(), 0..3),
    ) {
        let docs: Vec<serde_json::Value> = names
            .into_iter()
            .map(|name| json!({
                "query_timestamp": "2024-05-01T10:00:00Z",
                "query_name": name,
                "query_type": "A",
                "srcaddr": "10.1.2.3",
                "answers": answers.iter().map(|a| json!({"Rdata": a})).collect::<Vec<_>>(),
            }))
            .collect();
        agree(&text, &docs)?;
    }
}
