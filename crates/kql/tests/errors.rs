//! Error conformance: each query fails with the given byte span and a
//! message containing the given text; plus rendering of the caret line.

use r53guard_kql::{MAX_DEPTH, parse};

/// (query, span start, span end, message fragment)
const ERRORS: &[(&str, usize, usize, &str)] = &[
    // Unbalanced brackets.
    ("(a:b", 0, 1, "unclosed `(`"),
    ("x:1 and (a:b or (c:d)", 8, 9, "unclosed `(`"),
    ("a:b)", 3, 4, "unexpected `)`"),
    ("(a:b))", 5, 6, "unexpected `)`"),
    ("f:(a or b", 2, 3, "unclosed `(`"),
    ("a:{ b:c", 2, 3, "unclosed `{`"),
    ("a:{ b:c )", 8, 9, "unexpected `)`"),
    ("(a:b }", 5, 6, "unexpected `}`"),
    ("}", 0, 1, "expected an expression, found `}`"),
    (")", 0, 1, "expected an expression, found `)`"),
    ("()", 0, 2, "empty parentheses"),
    ("f:()", 2, 4, "empty value list"),
    ("a:{}", 2, 4, "empty nested query"),
    // Dangling and misplaced operators.
    ("a:b and", 4, 7, "`and` must be followed"),
    ("a:b or", 4, 6, "`or` must be followed"),
    ("a:b OR ", 4, 6, "`or` must be followed"),
    ("not", 0, 3, "`not` must be followed"),
    ("a:b and not", 8, 11, "`not` must be followed"),
    ("(a:b or)", 5, 7, "`or` must be followed"),
    ("f:(a and)", 5, 8, "`and` must be followed"),
    ("and a:b", 0, 3, "unexpected keyword `and`"),
    ("a:b or or c:d", 7, 9, "unexpected keyword `or`"),
    ("a:b or and c:d", 7, 10, "unexpected keyword `and`"),
    ("a:b not c:d", 4, 7, "unexpected `not`"),
    ("f:not x", 2, 5, "found keyword `not`"),
    ("a:b c:d", 5, 6, "unexpected `:`"),
    ("\"a\" \"b\"", 4, 5, "expected `and`, `or`"),
    // Missing values and fields.
    ("a:", 1, 2, "expected a value after `:`"),
    ("a: ", 1, 2, "expected a value after `:`"),
    ("a:)", 2, 3, "expected a value after `:`"),
    (":b", 0, 1, "unexpected `:`"),
    ("a::b", 2, 3, "expected a value after `:`"),
    // Bad escapes (unquoted).
    ("a:b\\x", 3, 5, "invalid escape `\\x`"),
    ("a:\\ b", 2, 4, "invalid escape `\\ `"),
    ("a:b\\", 3, 4, "dangling `\\`"),
    ("a:\\u12", 2, 6, "invalid unicode escape"),
    ("a:\\u12zz", 2, 6, "invalid unicode escape"),
    ("a:\\ud800x", 2, 8, "invalid unicode escape"),
    ("a:\\uDC00", 2, 8, "invalid unicode escape"),
    ("a:\\é", 2, 5, "invalid escape `\\é`"),
    ("a:\\NOTE", 2, 4, "invalid escape `\\N`"),
    ("a\\y:b", 1, 3, "invalid escape"),
    // Unterminated quotes.
    ("a:\"foo", 2, 6, "unterminated quoted string"),
    ("\"foo", 0, 4, "unterminated quoted string"),
    ("a:\"foo\\\"", 2, 8, "unterminated quoted string"),
    ("\"a b:c", 0, 6, "unterminated quoted string"),
    ("a:\"é日本", 2, 11, "unterminated quoted string"),
    ("a:é\"日本", 4, 5, "expected `and`, `or`"),
    // Bad ranges.
    ("a <", 2, 3, "expected a value after `<`"),
    ("a >= ", 2, 4, "expected a value after `>=`"),
    ("a > )", 4, 5, "expected a value after `>`"),
    ("a < *", 4, 5, "wildcards are not allowed"),
    ("a < 1*", 4, 6, "wildcards are not allowed"),
    ("a < (1 or 2)", 4, 5, "single value"),
    ("a < not", 4, 7, "found keyword `not`"),
    ("< 5", 0, 1, "needs a field"),
    ("a:>5", 2, 3, "without `:`"),
    ("a < 1 < 2", 6, 7, "needs a field"),
    // Nested.
    ("a*:{ b:c }", 0, 2, "nested query needs a literal path"),
    ("{ b:c }", 0, 1, "unexpected `{`"),
    // Non-ASCII offsets.
    ("é:\u{a0}\"x", 5, 7, "unterminated quoted string"),
    ("日本 and", 7, 10, "`and` must be followed"),
];

#[test]
fn error_spans_and_messages() {
    let mut failures = Vec::new();
    for &(query, start, end, fragment) in ERRORS {
        match parse(query) {
            Ok(ast) => failures.push(format!("{query:?}: parsed as {ast:?}")),
            Err(e) => {
                if e.span() != (start..end) || !e.message().contains(fragment) {
                    failures.push(format!(
                        "{query:?}: got {:?} {:?}, want {start}..{end} containing {fragment:?}",
                        e.span(),
                        e.message()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        ERRORS.len(),
        failures.join("\n")
    );
}

#[test]
fn depth_is_capped() {
    let ok = format!("{}a:b{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = format!(
        "{}a:b{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    let err = parse(&deep).expect_err("too deep");
    assert_eq!(err.span(), MAX_DEPTH..MAX_DEPTH + 1);
    assert!(err.message().contains("256 levels"), "{}", err.message());

    let nots = "not ".repeat(MAX_DEPTH + 1) + "a:b";
    assert!(
        parse(&nots)
            .expect_err("too deep")
            .message()
            .contains("deeper")
    );
    let nested = "a:{ ".repeat(MAX_DEPTH + 1) + "b:c" + &" }".repeat(MAX_DEPTH + 1);
    assert!(parse(&nested).is_err());
    let list = format!(
        "f:{}x{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(parse(&list).is_err());
    // Far deeper than the cap: still an error, not a stack overflow.
    let huge = "(".repeat(100_000);
    assert!(parse(&huge).is_err());
    let long_chain = vec!["a:b"; 50_000].join(" or ");
    assert!(parse(&long_chain).is_ok());
}

#[test]
fn rendering() {
    let cases: &[(&str, &str)] = &[
        (
            "a:\"foo",
            "error: unterminated quoted string: expected a closing `\"` (line 1, column 3)\na:\"foo\n  ^^^^\n",
        ),
        (
            "名前:値 )",
            "error: unexpected `)` without a matching opening bracket (line 1, column 6)\n名前:値 )\n     ^\n",
        ),
        (
            "a:b or\nc:d and\n(e:f",
            "error: unclosed `(`: expected a matching `)` (line 3, column 1)\n(e:f\n^\n",
        ),
        (
            "a:b and",
            "error: `and` must be followed by an expression (line 1, column 5)\na:b and\n    ^^^\n",
        ),
        (
            "x:a\\qb",
            "error: invalid escape `\\q`: a backslash escapes only \\ ( ) : < > \" * { }, \\t \\r \\n, \\uXXXX and the keywords or/and/not (line 1, column 4)\nx:a\\qb\n   ^^\n",
        ),
    ];
    for (query, want) in cases {
        let err = parse(query).expect_err("an error");
        assert_eq!(err.render(query), *want, "{query:?}");
    }
}
