//! Conformance: every condition form, evaluated on records, and condition errors.

use crate::common::{ct_record, ct_rule, load_error, matches};
use serde_json::json;

const SEARCHES: &str = "    selection_a:\n        a: 1\n    selection_b:\n        b: 1\n    filter:\n        f: 1\n    _hidden:\n        h: 1\n";

fn eval(condition: &str, fields: serde_json::Value) -> bool {
    let yaml = ct_rule(&format!("{SEARCHES}    condition: {condition}"));
    matches(&yaml, &ct_record(fields))
}

#[test]
fn boolean_operators_and_precedence() {
    assert!(eval("selection_a and selection_b", json!({"a": 1, "b": 1})));
    assert!(!eval("selection_a and selection_b", json!({"a": 1})));
    assert!(eval("selection_a or selection_b", json!({"b": 1})));
    assert!(eval("not filter", json!({})));
    // `and` binds tighter than `or`: a or (b and f).
    assert!(eval(
        "selection_a or selection_b and filter",
        json!({"a": 1})
    ));
    assert!(!eval(
        "(selection_a or selection_b) and filter",
        json!({"a": 1})
    ));
    // `not` binds tighter than `and`.
    assert!(eval("not filter and selection_a", json!({"a": 1})));
    assert!(!eval(
        "not (filter and selection_a)",
        json!({"a": 1, "f": 1})
    ));
}

#[test]
fn quantifiers() {
    assert!(eval("1 of selection_*", json!({"b": 1})));
    assert!(eval("any of selection_*", json!({"a": 1})));
    assert!(!eval("all of selection_*", json!({"a": 1})));
    assert!(eval("all of selection_*", json!({"a": 1, "b": 1})));
    // `them` skips identifiers starting with `_`.
    assert!(eval("all of them", json!({"a": 1, "b": 1, "f": 1})));
    assert!(eval("1 of them", json!({"f": 1})));
    assert!(!eval("1 of them", json!({"h": 1})));
    assert!(eval("1 of _*", json!({"h": 1})));
    // `x of` binds tighter than `not`.
    assert!(eval("not 1 of selection_*", json!({"f": 1})));
    assert!(!eval("not 1 of selection_*", json!({"a": 1})));
}

/// pySigma anchors patterns at the start only: `1 of sel` takes `selection_a` and
/// `selection_b`, and `1 of filter` would take `filter_x` too. r53guard does the same.
#[test]
fn patterns_are_anchored_at_the_start_only() {
    assert!(eval("1 of sel", json!({"b": 1})));
    assert!(!eval("all of sel", json!({"b": 1})));
    assert!(eval("1 of *_b", json!({"b": 1})));
    // Not anchored at the end: `*b` matches `selection_b`, and also anything with a `b` later.
    assert!(eval("1 of *b", json!({"b": 1})));
}

#[test]
fn a_list_of_conditions_is_an_or() {
    let yaml = ct_rule(&format!(
        "{SEARCHES}    condition:\n        - selection_a and filter\n        - selection_b"
    ));
    assert!(matches(&yaml, &ct_record(json!({"b": 1}))));
    assert!(matches(&yaml, &ct_record(json!({"a": 1, "f": 1}))));
    assert!(!matches(&yaml, &ct_record(json!({"a": 1}))));
}

#[test]
fn condition_errors_point_at_the_problem() {
    let e = load_error(&ct_rule(&format!(
        "{SEARCHES}    condition: selection_a and nope"
    )));
    assert!(
        e.ends_with("selection_a and nope\n                ^^^^ unknown search identifier `nope`"),
        "{e}"
    );
    let e = load_error(&ct_rule(&format!(
        "{SEARCHES}    condition: selection_a | count() by x > 5"
    )));
    assert!(e.contains("correlation rule"), "{e}");
    let e = load_error(&ct_rule(&format!("{SEARCHES}    condition: 1 of zzz*")));
    assert!(e.contains("matches no search identifier"), "{e}");
    let e = load_error(&ct_rule(&format!("{SEARCHES}    condition: (selection_a")));
    assert!(e.contains("unclosed"), "{e}");
    let e = load_error(&ct_rule(&format!(
        "{SEARCHES}    condition: selection_a AND filter"
    )));
    assert!(e.contains("unexpected `AND`"), "{e}");
    let e = load_error(&ct_rule(SEARCHES));
    assert!(e.contains("no `condition`"), "{e}");
}
