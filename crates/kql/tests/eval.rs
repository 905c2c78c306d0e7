//! Evaluation conformance: (document, query, expected) tables run through
//! the reference evaluator, with `now` fixed and, in one table, some
//! case-insensitive fields.

use r53guard_kql::eval::{EvalContext, evaluate};
use r53guard_kql::parse;
use serde_json::Value as Json;

/// 2024-05-15T13:45:30.250Z.
const NOW: i64 = 1_715_780_730_250;

/// A Route 53 resolver-style log event.
const DNS: &str = r#"{
    "@timestamp": "2024-05-15T13:40:00Z",
    "dns": {
        "question": {"name": "www.Example.com", "type": "A"},
        "answers": [
            {"data": "93.184.216.34", "type": "A", "ttl": 60},
            {"data": "2606:2800:220:1::1", "type": "AAAA", "ttl": 300}
        ],
        "response_code": "NOERROR"
    },
    "source": {"ip": "10.1.2.3", "port": "53124"},
    "destination": {"ip": "2001:db8::53"},
    "cloud": {"account": {"id": "070"}, "region": "us-east-1"},
    "event": {
        "count": 70, "ratio": 0.5, "blocked": false,
        "tags": ["dns", "resolver", "a b"],
        "note": null, "empty": "", "nothing": [], "nulls": [null]
    },
    "user.name": "bob",
    "user": {"id": 7},
    "message": "query (A) for: www.example.com *",
    "path": "C:\\Windows\\System32",
    "grid": [[1, 2], [3]],
    "city": "Zürich"
}"#;

/// Object arrays for nested queries.
const SHOP: &str = r#"{
    "items": [
        {"name": "banana", "stock": 9, "tags": ["fruit"]},
        {"name": "apple", "stock": 0, "parts": [{"kind": "seed", "n": 5}, {"kind": "skin", "n": 1}]},
        "not an object"
    ],
    "owner": {"name": "x", "meta": {"level": 3}}
}"#;

/// (document, query, expected)
const CASES: &[(&str, &str, bool)] = &[
    // Empty query and match-all.
    (DNS, "", true),
    (DNS, "*:*", true),
    (DNS, "*", true),
    // Exact, case-sensitive equality.
    (DNS, "dns.question.type:A", true),
    (DNS, "dns.question.type:a", false),
    (DNS, "dns.question.name:www.Example.com", true),
    (DNS, "dns.question.name:www.example.com", false),
    (DNS, "dns.question.name:\"www.Example.com\"", true),
    (DNS, "dns.question.name:www.Example.co", false),
    (DNS, "DNS.question.type:A", false),
    (DNS, "city:Zürich", true),
    (DNS, "city:ZÜRICH", false),
    // Wildcards.
    (DNS, "dns.question.name:*.com", true),
    (DNS, "dns.question.name:*Example*", true),
    (DNS, "dns.question.name:www.*", true),
    (DNS, "dns.question.name:w*E*m", true),
    (DNS, "dns.question.name:www.Ex*.com", true),
    (DNS, "dns.question.name:*.org", false),
    (DNS, "dns.question.name:*example*", false),
    (DNS, "dns.question.name:www?Example.com", false),
    (DNS, "dns.question.name:*", true),
    (DNS, "message:*\\*", true),
    (DNS, "message:*\\**", true),
    (DNS, "message:query*", true),
    (DNS, "message:\"query*\"", false),
    (DNS, "message:\"query (A) for: www.example.com *\"", true),
    (
        DNS,
        "message:query \\(A\\) for\\: www.example.com \\*",
        true,
    ),
    (DNS, "message:query \\(A\\) for\\: * \\*", true),
    (DNS, "path:C\\:\\\\Windows\\\\System32", true),
    (DNS, "path:\"C:\\\\Windows\\\\System32\"", true),
    (DNS, "path:\"C:\\Windows\\System32\"", true),
    (DNS, "path:*\\\\System32", true),
    // Arrays: any element; lists on arrays.
    (DNS, "event.tags:resolver", true),
    (DNS, "event.tags:(dns and resolver)", true),
    (DNS, "event.tags:(dns and other)", false),
    (DNS, "event.tags:(other or dns)", true),
    (DNS, "event.tags:((other or dns) and not resolver)", false),
    (DNS, "event.tags:\"a b\"", true),
    (DNS, "event.tags:a b", true),
    (DNS, "dns.answers.type:AAAA", true),
    (DNS, "dns.answers.ttl:300", true),
    (DNS, "dns.answers.ttl:301", false),
    (DNS, "grid:3", true),
    (DNS, "grid:4", false),
    // Numbers.
    (DNS, "event.count:70", true),
    (DNS, "event.count:070", true),
    (DNS, "event.count:\"70\"", true),
    (DNS, "event.count:70.0", true),
    (DNS, "event.count:7e1", true),
    (DNS, "event.count:7*", false),
    (DNS, "event.count:seventy", false),
    (DNS, "event.count:71", false),
    (DNS, "event.ratio:0.5", true),
    (DNS, "event.ratio:.5", true),
    (DNS, "cloud.account.id:070", true),
    (DNS, "cloud.account.id:70", false),
    // Booleans.
    (DNS, "event.blocked:false", true),
    (DNS, "event.blocked:\"false\"", false),
    (DNS, "event.blocked:true", false),
    (DNS, "event.blocked:FALSE", false),
    (DNS, "event.blocked:*", true),
    // Null, empty and missing.
    (DNS, "event.note:null", false),
    (DNS, "event.note:*", false),
    (DNS, "not event.note:x", true),
    (DNS, "event.nulls:*", false),
    (DNS, "event.nothing:*", false),
    (DNS, "event.empty:*", true),
    (DNS, "event.empty:\"\"", true),
    (DNS, "missing:*", false),
    (DNS, "missing:x", false),
    (DNS, "not missing:x", true),
    (DNS, "not dns.question.type:A", false),
    (DNS, "not dns.question.type:B", true),
    (DNS, "not event.tags:dns", false),
    (DNS, "dns:*", true),
    (DNS, "dns:A", false),
    // Dotted literal keys and nested objects.
    (DNS, "user.name:bob", true),
    (DNS, "\"user.name\":bob", true),
    (DNS, "user.id:7", true),
    (DNS, "user:*", true),
    // Wildcard field names.
    (DNS, "user.*:bob", true),
    (DNS, "user.*:7", true),
    (DNS, "u*:bob", true),
    (DNS, "dns.*.type:AAAA", true),
    (DNS, "*.region:us-east-1", true),
    (DNS, "*.region:eu*", false),
    (DNS, "dns.answers.*:60", true),
    (DNS, "machine*:osx", false),
    (DNS, "machine*:*", false),
    (DNS, "*.ip:*", true),
    (DNS, "*:bob", true),
    (DNS, "not user.*:alice", true),
    // Free text.
    (DNS, "bob", true),
    (DNS, "\"bob\"", true),
    (DNS, "NOERROR", true),
    (DNS, "noerror", false),
    (DNS, "*example*", true),
    (DNS, "70", true),
    (DNS, "false", true),
    (DNS, "us-east-1", true),
    (DNS, "nothing-here", false),
    (DNS, "a b", true),
    (DNS, "bob and not nothing-here", true),
    // Ranges on numbers (and numeric strings).
    (DNS, "event.count > 69", true),
    (DNS, "event.count >= 70", true),
    (DNS, "event.count > 70", false),
    (DNS, "event.count < 100", true),
    (DNS, "event.count <= 69.9", false),
    (DNS, "event.count < abc", false),
    (DNS, "event.ratio < 1", true),
    (DNS, "dns.answers.ttl > 100", true),
    (DNS, "dns.answers.ttl < 10", false),
    (DNS, "source.port > 50000", true),
    (DNS, "source.port < 9", false),
    (DNS, "event.blocked < 1", false),
    (DNS, "missing > 1", false),
    // Ranges on IP addresses.
    (DNS, "source.ip >= 10.0.0.0", true),
    (DNS, "source.ip < 10.1.2.3", false),
    (DNS, "source.ip <= 10.1.2.3", true),
    (DNS, "source.ip > 9.255.255.255", true),
    (DNS, "destination.ip > \"2001:db8::1\"", true),
    (DNS, "destination.ip < 10.0.0.1", false),
    // Ranges on dates with date math.
    (DNS, "@timestamp >= now-15m", true),
    (DNS, "@timestamp >= now-5m", false),
    (DNS, "@timestamp < now", true),
    (DNS, "@timestamp >= now/d", true),
    (DNS, "@timestamp > now/d", false),
    (DNS, "@timestamp < now/h", false),
    (DNS, "@timestamp > now-1d/d", true),
    (DNS, "@timestamp <= now-1h/h", false),
    (DNS, "@timestamp > now-1h/h", true),
    (DNS, "@timestamp > 2024-05-15||/d", false),
    (DNS, "@timestamp >= 2024-05-15||/d", true),
    (DNS, "@timestamp < \"2024-05-15T13:40:00.001Z\"", true),
    (DNS, "@timestamp < \"2024-05-15T13:40:00Z\"", false),
    (DNS, "@timestamp > \"2024-05-15T15:39:00+02:00\"", true),
    (DNS, "@timestamp < 2024-05-16", true),
    (DNS, "@timestamp > 2024-05-01||+14d", true),
    (DNS, "@timestamp > 2024-05-01||+15d", false),
    (DNS, "@timestamp >= now-1M", true),
    (DNS, "@timestamp < now-1y", false),
    // Ranges on strings.
    (DNS, "dns.question.type < B", true),
    (DNS, "dns.question.type > B", false),
    (DNS, "cloud.region >= us", true),
    (DNS, "cloud.region < \"us-east-1\"", false),
    (DNS, "cloud.region <= \"us-east-1\"", true),
    // CIDR.
    (DNS, "source.ip:10.0.0.0/8", true),
    (DNS, "source.ip:10.1.2.0/24", true),
    (DNS, "source.ip:10.1.3.0/24", false),
    (DNS, "source.ip:192.168.0.0/16", false),
    (DNS, "source.ip:(192.168.0.0/16 or 10.0.0.0/8)", true),
    (DNS, "not source.ip:10.0.0.0/8", false),
    (DNS, "source.ip:10.1.2.3", true),
    (DNS, "source.ip:\"::ffff:10.1.2.3\"", true),
    (DNS, "destination.ip:\"2001:db8::/32\"", true),
    (DNS, "destination.ip:2001\\:db8\\:\\:/32", true),
    (DNS, "destination.ip:\"2001:db9::/32\"", false),
    (DNS, "destination.ip:\"2001:0db8:0:0::53\"", true),
    (DNS, "dns.answers.data:\"2606:2800::/24\"", true),
    (DNS, "dns.answers.data:93.184.0.0/16", true),
    (DNS, "dns.question.name:10.0.0.0/8", false),
    // Boolean combinations.
    (DNS, "dns.question.type:A and source.ip:10.0.0.0/8", true),
    (
        DNS,
        "dns.question.type:A and not source.ip:10.0.0.0/8",
        false,
    ),
    (DNS, "dns.question.type:B or event.count:70", true),
    (DNS, "not (dns.question.type:B or event.count:71)", true),
    (DNS, "DNS.question.type:A OR NOT event.blocked:true", true),
    (
        DNS,
        "dns.question.type:B or event.count:70 and event.blocked:true",
        false,
    ),
    // Nested: same-element semantics, deeper nesting, single objects.
    (SHOP, "items:{ name:banana and stock:9 }", true),
    (SHOP, "items:{ name:banana and stock:0 }", false),
    (SHOP, "items.name:banana and items.stock:0", true),
    (SHOP, "items:{ stock:9 }", true),
    (SHOP, "items:{ name:cherry }", false),
    (SHOP, "not items:{ name:cherry }", true),
    (SHOP, "items:{ not stock:9 }", true),
    (SHOP, "items:{ tags:* and not parts:* }", true),
    (
        SHOP,
        "items:{ name:apple and parts:{ kind:seed and n:5 } }",
        true,
    ),
    (SHOP, "items:{ parts:{ kind:seed and n:1 } }", false),
    (SHOP, "items.parts.kind:seed and items.parts.n:1", true),
    (SHOP, "items:{ parts:{ kind:skin } and stock < 1 }", true),
    (SHOP, "items:{ parts:{ kind:skin } and stock > 1 }", false),
    (SHOP, "items:{ n*:5 }", false),
    (SHOP, "items:{ parts.n:5 }", true),
    (SHOP, "items:{ apple }", true),
    (SHOP, "owner:{ name:x and meta.level >= 3 }", true),
    (SHOP, "owner:{ meta:{ level:3 } }", true),
    (SHOP, "owner:{ meta:{ level:4 } }", false),
    (SHOP, "missing:{ a:b }", false),
    (SHOP, "not missing:{ a:b }", true),
    (SHOP, "items:{ *:* }", true),
    (SHOP, "items:\"not an object\"", true),
];

fn run(cases: &[(&str, &str, bool)], context: &EvalContext) {
    let mut failures = Vec::new();
    for &(doc, query, want) in cases {
        let doc: Json = serde_json::from_str(doc).expect("test documents are valid JSON");
        match parse(query) {
            Ok(ast) => {
                let got = evaluate(&ast, &doc, context);
                if got != want {
                    failures.push(format!(
                        "{query:?}: got {got}, want {want} (parsed as {ast})"
                    ));
                }
            }
            Err(e) => failures.push(format!("{query:?}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn conformance() {
    run(CASES, &EvalContext::new(NOW));
}

/// Case-insensitive fields: r53guard's extension.
const CASE_INSENSITIVE: &[(&str, &str, bool)] = &[
    (DNS, "dns.question.name:WWW.EXAMPLE.COM", true),
    (DNS, "dns.question.name:www.example.com", true),
    (DNS, "dns.question.name:*EXAMPLE.com", true),
    (DNS, "dns.question.name:\"WWW.example.COM\"", true),
    (DNS, "dns.question.name:www.example.org", false),
    (DNS, "dns.question.type:a", false),
    (DNS, "WWW.EXAMPLE.COM", true),
    (DNS, "dns.*.name:www.example.com", true),
    (DNS, "dns.question.name > \"WWW.D\"", true),
    (DNS, "dns.question.name < \"WWW.D\"", false),
    (DNS, "city:ZÜRICH", true),
    (DNS, "city:zür*", true),
    (SHOP, "items:{ name:BANANA and stock:9 }", true),
    (SHOP, "items:{ name:BANANA and stock:0 }", false),
    (SHOP, "items.name:APPLE", true),
    (SHOP, "owner.name:X", false),
];

#[test]
fn case_insensitive_fields() {
    let context = EvalContext::new(NOW).with_case_insensitive_fields([
        "dns.question.name",
        "city",
        "items.name",
    ]);
    assert!(context.is_case_insensitive("city"));
    assert_eq!(context.now_ms(), NOW);
    run(CASE_INSENSITIVE, &context);
}
