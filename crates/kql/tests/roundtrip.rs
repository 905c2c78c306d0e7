//! Property tests: printing is exact on normalised trees, and the parser
//! never panics and is a fixed point of print-then-parse on any input.
//!
//! Generated trees are passed through `Query::normalize` (flattened
//! `And`/`Or`, lone `*` turned into `Exists`/`MatchAll`, wildcard-free
//! field patterns turned into paths) because that is the only form the
//! parser produces.

use proptest::prelude::*;
use r53guard_kql::{Field, Pattern, Query, RangeOp, Segment, Value, parse};

/// Awkward text: keywords, spaces at the edges, every special character,
/// backslashes, stars, escapes-in-waiting, control characters, unicode.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        "0",
        "070",
        "-4",
        "0.0.1",
        "é",
        "日本",
        "🦀",
        " ",
        "  ",
        "\u{a0}",
        "\t",
        "\r",
        "\n",
        "\u{1}",
        "\u{7f}",
        "\u{2003}",
        "or",
        "OR",
        "and",
        "And",
        "not",
        "NOT",
        " or ",
        " and ",
        " not ",
        "\\",
        "\\n",
        "\\u0041",
        "(",
        ")",
        ":",
        "<",
        ">",
        "\"",
        "{",
        "}",
        "*",
        "?",
        ".",
        "-",
        "/",
        "|",
        "'",
        "true",
        "false",
        "null",
        "ot",
        "\u{10ffff}",
        "\u{fffd}",
    ]);
    prop::collection::vec(pieces, 0..6).prop_map(|parts| parts.concat())
}

fn pattern() -> impl Strategy<Value = Pattern> {
    let segment = prop_oneof![
        3 => text().prop_map(Segment::Literal),
        1 => Just(Segment::Wildcard),
    ];
    prop::collection::vec(segment, 0..5).prop_map(Pattern::new)
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::quoted),
        pattern().prop_map(Value::unquoted)
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        text().prop_map(Field::Path),
        pattern().prop_map(Field::Pattern),
        prop::sample::select(vec!["dns.question.name", "source.ip", "@timestamp", "a"])
            .prop_map(Field::path),
    ]
}

fn range_op() -> impl Strategy<Value = RangeOp> {
    prop::sample::select(vec![RangeOp::Lt, RangeOp::Lte, RangeOp::Gt, RangeOp::Gte])
}

fn query() -> impl Strategy<Value = Query> {
    let leaf = prop_oneof![
        Just(Query::MatchAll),
        (field(), value()).prop_map(|(field, value)| Query::Term { field, value }),
        field().prop_map(|field| Query::Exists { field }),
        (field(), range_op(), text()).prop_map(|(field, op, value)| Query::Range {
            field,
            op,
            value
        }),
        value().prop_map(Query::FreeText),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Query::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Query::Or),
            inner.clone().prop_map(|q| Query::Not(Box::new(q))),
            (text(), inner).prop_map(|(path, q)| Query::Nested {
                path,
                query: Box::new(q)
            }),
        ]
    })
}

/// Strings built from KQL-ish fragments, to reach deep into the parser.
fn kqlish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "b:",
        "c",
        ":",
        " ",
        "\u{a0}",
        "\t",
        "\n",
        "(",
        ")",
        "{",
        "}",
        "\"",
        "\\",
        "*",
        "<",
        ">=",
        "<=",
        ">",
        " or ",
        " and ",
        "not ",
        "OR",
        "\\u00e9",
        "\\ud83e\\udd80",
        "\\n",
        "\\not",
        "\\or",
        "10.0.0.0/8",
        "now-1d/d",
        "é",
        "日",
        "f:(",
        "x:{",
        "*:*",
        "\"q\\\"x\"",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(q in query()) {
        let q = q.normalize();
        let printed = q.to_string();
        prop_assert_eq!(parse(&printed), Ok(q), "printed: {}", printed);
    }

    #[test]
    fn parser_is_total_and_print_is_a_fixed_point(input in kqlish()) {
        match parse(&input) {
            Ok(q) => {
                let printed = q.to_string();
                prop_assert_eq!(parse(&printed), Ok(q), "printed: {}", printed);
            }
            Err(e) => {
                prop_assert!(e.span().start <= e.span().end && e.span().end <= input.len());
                prop_assert!(input.is_char_boundary(e.span().start) && input.is_char_boundary(e.span().end));
                prop_assert!(e.render(&input).contains('^'));
            }
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(input in "\\PC{0,40}") {
        if let Ok(q) = parse(&input) {
            prop_assert_eq!(parse(&q.to_string()), Ok(q));
        }
    }
}
