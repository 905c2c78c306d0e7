//! Parse conformance: each query parses, and prints in canonical form as
//! given (the canonical form spells out the AST: expanded lists, flattened
//! chains, escapes, quoting). A second table checks AST details the printed
//! form does not show at a glance.

use r53guard_kql::{Field, Keyword, Pattern, Query, RangeOp, Segment, Value, parse};

/// (query, canonical printed form)
const CANONICAL: &[(&str, &str)] = &[
    // Empty, match-all and exists.
    ("", "*:*"),
    ("   \t\r\n\u{a0}", "*:*"),
    ("*:*", "*:*"),
    ("*", "*:*"),
    ("http.request.method: *", "http.request.method:*"),
    ("user.*:*", "user.*:*"),
    // Field/value forms and whitespace around the colon.
    ("http.request.method: GET", "http.request.method:GET"),
    ("a:b", "a:b"),
    ("a :b", "a:b"),
    ("a : \t b", "a:b"),
    ("a:\u{a0}b\u{a0}", "a:b"),
    ("foo:bar baz", "foo:bar baz"),
    ("foo:  bar   baz  ", "foo:bar   baz"),
    ("foo:bar\u{a0}baz", "foo:bar\u{a0}baz"),
    ("foo:bar\tbaz", "foo:bar\\tbaz"),
    // Quoted values and fields.
    ("f:\"quick brown fox\"", "f:\"quick brown fox\""),
    ("f:\"a*b\"", "f:\"a*b\""),
    ("f:\"\"", "f:\"\""),
    ("f:\"a and b or not c\"", "f:\"a and b or not c\""),
    ("\"a b\": x", "\"a b\":x"),
    ("\"a.b\":x", "a.b:x"),
    ("\"*\":x", "\"*\":x"),
    ("f:\"(x):{y}<z>\"", "f:\"(x):{y}<z>\""),
    // Quoted escapes.
    ("f:\"say \\\"hi\\\"\"", "f:\"say \\\"hi\\\"\""),
    ("f:\"back\\\\slash\"", "f:\"back\\\\slash\""),
    ("f:\"t\\tr\\rn\\n\"", "f:\"t\\tr\\rn\\n\""),
    ("f:\"\\u00e9\\u65e5\"", "f:\"é日\""),
    ("f:\"\\ud83e\\udd80\"", "f:\"🦀\""),
    ("f:\"C:\\dir\"", "f:\"C:\\\\dir\""),
    ("f:\"\\*\"", "f:\"\\\\*\""),
    ("f:\"\\uZZZZ\"", "f:\"\\\\uZZZZ\""),
    ("f:\"\\ud800\"", "f:\"\\\\ud800\""),
    // Unquoted escapes.
    ("f:a\\\\b", "f:a\\\\b"),
    ("f:\\(x\\)", "f:\\(x\\)"),
    ("f:a\\:b", "f:a\\:b"),
    ("f:\\<\\>", "f:\\<\\>"),
    ("f:\\\"q\\\"", "f:\\\"q\\\""),
    ("f:\\{\\}", "f:\\{\\}"),
    ("f:a\\tb", "f:a\\tb"),
    ("f:a\\rb\\nc", "f:a\\rb\\nc"),
    ("f:\\u0041\\u00e9", "f:Aé"),
    ("f:\\ud83e\\udd80", "f:🦀"),
    ("f:\\u0020x\\u0020", "f:\\u0020x\\u0020"),
    ("f:\\or", "f:\\or"),
    ("f:a \\or b", "f:a \\or b"),
    ("f:a \\AND b", "f:a \\AND b"),
    ("f:\\not", "f:\\not"),
    ("f:x \\Not y", "f:x \\Not y"),
    ("f:\\order", "f:order"),
    ("f:\\nothing", "f:\\u000aothing"),
    ("f:a\\\\or", "f:a\\\\or"),
    // Wildcards: leading, trailing, middle, escaped star, `?` literal.
    ("machine.os:win*", "machine.os:win*"),
    ("f:*win", "f:*win"),
    ("f:w*n", "f:w*n"),
    ("f:*i*", "f:*i*"),
    ("f:a**b", "f:a*b"),
    ("f:a\\*", "f:a\\*"),
    ("f:a\\**", "f:a\\**"),
    ("f:a?c", "f:a?c"),
    ("f:a * b", "f:a * b"),
    // Keywords in any case, precedence, flattening.
    ("a:1 or b:2", "a:1 or b:2"),
    ("a:1 OR b:2", "a:1 or b:2"),
    ("a:1 Or b:2 oR c:3", "a:1 or b:2 or c:3"),
    ("a:1 AND b:2", "a:1 and b:2"),
    ("NOT a:1", "not a:1"),
    ("nOt a:1", "not a:1"),
    ("a or b and c or d", "a or b and c or d"),
    ("(a or b) and c", "(a or b) and c"),
    ("a and (b and c)", "a and b and c"),
    ("(a or (b or c)) or d", "a or b or c or d"),
    ("not a and b", "not a and b"),
    ("not (a and b)", "not (a and b)"),
    ("not(a:1)", "not a:1"),
    ("not not a:1", "not (not a:1)"),
    ("a:1 and not b:2 or c:3", "a:1 and not b:2 or c:3"),
    ("((a:1))", "a:1"),
    ("(a:1)or(b:2)", "a:1 or b:2"),
    ("a:1\u{a0}and\u{a0}b:2", "a:1 and b:2"),
    ("a:1\nor\nb:2", "a:1 or b:2"),
    ("a:1 or\tnot b:2", "a:1 or not b:2"),
    // Keyword-like words inside values.
    ("f:cannot stop", "f:cannot stop"),
    ("f:order and g:android", "f:order and g:android"),
    ("f:notify", "f:notify"),
    ("or:1", "\"or\":1"),
    ("f:or", "f:\\or"),
    // Value lists.
    ("f:(a or b)", "f:a or f:b"),
    ("f:(a OR b or c)", "f:a or f:b or f:c"),
    ("f:(a and b)", "f:a and f:b"),
    ("f:((a or b) and not c)", "(f:a or f:b) and not f:c"),
    ("f:(not a)", "not f:a"),
    ("f:(\"x y\" or z*)", "f:\"x y\" or f:z*"),
    ("f:( * )", "f:*"),
    ("x:1 and f:(a or b)", "x:1 and (f:a or f:b)"),
    ("f:(a b or c)", "f:a b or f:c"),
    // Ranges.
    ("bytes > 10", "bytes > 10"),
    ("bytes>=10", "bytes >= 10"),
    ("bytes <10", "bytes < 10"),
    ("bytes <= -4.5", "bytes <= -4.5"),
    ("@timestamp < now-15m", "@timestamp < now-15m"),
    ("@timestamp >= now-2w/d", "@timestamp >= now-2w/d"),
    (
        "@timestamp > \"2024-05-01T10:00:00Z\"",
        "@timestamp > \"2024-05-01T10:00:00Z\"",
    ),
    (
        "@timestamp > 2024-05-01||+1d",
        "@timestamp > 2024-05-01||+1d",
    ),
    ("ip >= 10.0.0.1", "ip >= 10.0.0.1"),
    ("name < \"m\"", "name < m"),
    ("name < \"and\"", "name < \"and\""),
    ("a* > 3", "a* > 3"),
    ("n > 1 and n < 5", "n > 1 and n < 5"),
    // CIDR values.
    ("source.ip:10.0.0.0/8", "source.ip:10.0.0.0/8"),
    ("source.ip:\"2001:db8::/32\"", "source.ip:\"2001:db8::/32\""),
    (
        "source.ip:2001\\:db8\\:\\:/32",
        "source.ip:2001\\:db8\\:\\:/32",
    ),
    // Nested.
    (
        "items:{ name:banana and stock:9 }",
        "items:{ name:banana and stock:9 }",
    ),
    ("items:{name:banana}", "items:{ name:banana }"),
    ("a:{ b:{ c:x } }", "a:{ b:{ c:x } }"),
    (
        "a:{ b:{ c:{ d:x or e:y } } and f:1 }",
        "a:{ b:{ c:{ d:x or e:y } } and f:1 }",
    ),
    ("not a:{ b:x }", "not a:{ b:x }"),
    ("\"a b\":{ c:* }", "\"a b\":{ c:* }"),
    ("a:{ b:(x or y) }", "a:{ b:x or b:y }"),
    // Wildcard field names.
    ("machine*:osx", "machine*:osx"),
    ("user.*:bob", "user.*:bob"),
    ("*:bob", "*:bob"),
    ("a\\*:x", "\"a*\":x"),
    ("*.ip:(1 or 2)", "*.ip:1 or *.ip:2"),
    // Free text.
    ("Hello", "Hello"),
    ("\"a phrase\"", "\"a phrase\""),
    ("hello world", "hello world"),
    ("hello or world", "hello or world"),
    ("*evil*", "*evil*"),
    ("200 and not f:x", "200 and not f:x"),
    ("\\not", "\\not"),
    // Unicode.
    ("make:苹果", "make:苹果"),
    ("名前:値 and é:ü", "名前:値 and é:ü"),
    ("f:🦀*", "f:🦀*"),
];

#[test]
fn canonical_forms() {
    let mut failures = Vec::new();
    for (query, want) in CANONICAL {
        match parse(query) {
            Ok(ast) => {
                let printed = ast.to_string();
                if printed != *want {
                    failures.push(format!("{query:?}: printed {printed:?}, want {want:?}"));
                }
                if parse(&printed).as_ref() != Ok(&ast) {
                    failures.push(format!(
                        "{query:?}: canonical form {printed:?} does not parse back"
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
        CANONICAL.len(),
        failures.join("\n")
    );
}

fn lit(text: &str) -> Segment {
    Segment::Literal(text.to_string())
}

fn term(field: &str, value: Value) -> Query {
    Query::Term {
        field: Field::path(field),
        value,
    }
}

fn unquoted(segments: Vec<Segment>) -> Value {
    Value::unquoted(Pattern::new(segments))
}

/// (query, expected AST)
fn ast_cases() -> Vec<(&'static str, Query)> {
    use Segment::Wildcard as W;
    vec![
        ("f:true", term("f", unquoted(vec![lit("true")]))),
        ("f:070", term("f", unquoted(vec![lit("070")]))),
        ("f:-4", term("f", unquoted(vec![lit("-4")]))),
        ("f:0.0.1", term("f", unquoted(vec![lit("0.0.1")]))),
        ("f:\"true\"", term("f", Value::quoted("true"))),
        (
            "f:a*b\\*c*",
            term("f", unquoted(vec![lit("a"), W, lit("b*c"), W])),
        ),
        (
            "f:*",
            Query::Exists {
                field: Field::path("f"),
            },
        ),
        ("f:\"*\"", term("f", Value::quoted("*"))),
        ("f:\\*", term("f", unquoted(vec![lit("*")]))),
        (
            "u*.n*:x",
            Query::Term {
                field: Field::Pattern(Pattern::new(vec![lit("u"), W, lit(".n"), W])),
                value: unquoted(vec![lit("x")]),
            },
        ),
        (
            "ts >= now-1d",
            Query::Range {
                field: Field::path("ts"),
                op: RangeOp::Gte,
                value: "now-1d".into(),
            },
        ),
        ("\"x y\"", Query::FreeText(Value::quoted("x y"))),
        (
            "p:{ q:1 }",
            Query::Nested {
                path: "p".into(),
                query: Box::new(term("q", unquoted(vec![lit("1")]))),
            },
        ),
    ]
}

#[test]
fn ast_details() {
    for (query, want) in ast_cases() {
        assert_eq!(parse(query), Ok(want), "{query:?}");
    }
}

#[test]
fn keyword_flags() {
    let cases = [
        ("f:true", Some(Keyword::True)),
        ("f:false", Some(Keyword::False)),
        ("f:null", Some(Keyword::Null)),
        ("f:\"true\"", None),
        ("f:TRUE", None),
        ("f:true*", None),
        ("f:\\u0074rue", Some(Keyword::True)),
        ("f:truely", None),
    ];
    for (query, want) in cases {
        let Ok(Query::Term { value, .. }) = parse(query) else {
            panic!("{query:?} is a term");
        };
        assert_eq!(value.keyword(), want, "{query:?}");
    }
}

#[test]
fn from_str_and_normalize() {
    let q: Query = "a:1 and (b:2 and c:3)".parse().expect("parses");
    let hand = Query::And(vec![
        term("a", unquoted(vec![lit("1")])),
        Query::And(vec![
            term("b", unquoted(vec![lit("2")])),
            term("c", unquoted(vec![lit("3")])),
        ]),
    ]);
    assert_eq!(hand.normalize(), q);
    assert_eq!(
        Query::Or(vec![]).normalize(),
        Query::Not(Box::new(Query::MatchAll))
    );
    assert_eq!(Query::And(vec![]).normalize(), Query::MatchAll);
    assert_eq!(
        Query::Exists {
            field: Field::Pattern(Pattern::wildcard())
        }
        .normalize(),
        Query::MatchAll
    );
    assert_eq!(Value::unquoted(Pattern::default()), Value::quoted(""));
}
