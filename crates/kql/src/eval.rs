//! The reference evaluator: a straightforward, unoptimised interpreter of a
//! [`Query`] against a JSON document, used as the oracle that compiled
//! matchers are checked against. The semantics are documented at the crate
//! root ("Evaluation semantics").

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::Value as Json;

use crate::ast::{Field, Keyword, Query, RangeOp, Value};
use crate::datemath::{DateMath, parse_timestamp};
use crate::ip::{Cidr, ordering_key, parse_ip};

/// What evaluation needs besides the query and the document.
#[derive(Clone, Debug, Default)]
pub struct EvalContext {
    now_ms: i64,
    case_insensitive: HashSet<String>,
}

impl EvalContext {
    /// A context whose `now` is `now_ms` (epoch milliseconds, for date math).
    pub fn new(now_ms: i64) -> Self {
        Self {
            now_ms,
            case_insensitive: HashSet::new(),
        }
    }

    /// Adds fields (full dotted paths) whose string comparisons ignore case.
    pub fn with_case_insensitive_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.case_insensitive
            .extend(fields.into_iter().map(Into::into));
        self
    }

    /// `now`, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Whether comparisons on the field at full dotted `path` ignore case.
    pub fn is_case_insensitive(&self, path: &str) -> bool {
        self.case_insensitive.contains(path)
    }
}

/// Whether `document` matches `query`.
pub fn evaluate(query: &Query, document: &Json, context: &EvalContext) -> bool {
    Scope {
        node: document,
        prefix: "",
        context,
    }
    .eval(query)
}

/// A document node (the root, or an element of a nested query) and the
/// full path leading to it.
struct Scope<'a> {
    node: &'a Json,
    prefix: &'a str,
    context: &'a EvalContext,
}

impl Scope<'_> {
    fn eval(&self, query: &Query) -> bool {
        match query {
            Query::MatchAll => true,
            Query::Term { field, value } => self
                .values(field)
                .iter()
                .any(|(path, v)| term_matches(v, value, self.ci(path))),
            Query::Exists { field } => self.values(field).iter().any(|(_, v)| has_value(v)),
            Query::Range { field, op, value } => self
                .values(field)
                .iter()
                .any(|(path, v)| self.range_matches(v, *op, value, self.ci(path))),
            Query::Nested { path, query } => {
                let prefix = join(self.prefix, path);
                let mut found = Vec::new();
                resolve(self.node, path, &mut found);
                let mut elements = Vec::new();
                for v in found {
                    flatten(v, &mut elements);
                }
                elements
                    .into_iter()
                    .filter(|e| e.is_object())
                    .any(|element| {
                        Scope {
                            node: element,
                            prefix: &prefix,
                            context: self.context,
                        }
                        .eval(query)
                    })
            }
            Query::FreeText(value) => {
                let mut leaves = Vec::new();
                collect_leaves(self.node, String::new(), &mut leaves);
                leaves
                    .iter()
                    .any(|(path, v)| term_matches(v, value, self.ci(path)))
            }
            Query::And(children) => children.iter().all(|c| self.eval(c)),
            Query::Or(children) => children.iter().any(|c| self.eval(c)),
            Query::Not(inner) => !self.eval(inner),
        }
    }

    /// The values of `field` (arrays flattened; objects kept as values),
    /// each with its path relative to this scope.
    fn values(&self, field: &Field) -> Vec<(String, &Json)> {
        match field {
            Field::Path(path) => {
                let mut found = Vec::new();
                resolve(self.node, path, &mut found);
                let mut flat = Vec::new();
                for v in found {
                    flatten(v, &mut flat);
                }
                flat.into_iter().map(|v| (path.clone(), v)).collect()
            }
            Field::Pattern(pattern) => {
                let mut leaves = Vec::new();
                collect_leaves(self.node, String::new(), &mut leaves);
                leaves.retain(|(path, _)| pattern.matches(path));
                leaves
            }
        }
    }

    /// Whether the field at `relative` path (in this scope) ignores case.
    fn ci(&self, relative: &str) -> bool {
        self.context
            .is_case_insensitive(&join(self.prefix, relative))
    }

    fn range_matches(&self, v: &Json, op: RangeOp, bound: &str, ci: bool) -> bool {
        let ordering = match v {
            Json::Number(n) => parse_number(bound).and_then(|b| compare_numbers(json_number(n), b)),
            Json::String(s) => self.compare_strings(s, op, bound, ci),
            _ => None,
        };
        ordering.is_some_and(|o| op.accepts(o))
    }

    /// `field_value.cmp(bound)` for a string field value: as IPs, as dates,
    /// as numbers, else as strings.
    fn compare_strings(&self, s: &str, op: RangeOp, bound: &str, ci: bool) -> Option<Ordering> {
        if let (Some(a), Some(b)) = (parse_ip(s), parse_ip(bound)) {
            return Some(ordering_key(a).cmp(&ordering_key(b)));
        }
        if let (Some(t), Some(math)) = (parse_timestamp(s), DateMath::parse(bound)) {
            let b = math.resolve(self.context.now_ms, op.rounds_up())?;
            return Some(t.cmp(&b));
        }
        if let (Some(a), Some(b)) = (parse_number(s), parse_number(bound)) {
            return compare_numbers(a, b);
        }
        Some(if ci {
            s.to_lowercase().cmp(&bound.to_lowercase())
        } else {
            s.cmp(bound)
        })
    }
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_string()
    } else {
        format!("{prefix}.{path}")
    }
}

/// Values at dotted `path` below `node`: each key of an object may match
/// the whole remaining path or a leading part of it up to a dot (so both
/// `{"a":{"b":1}}` and `{"a.b":1}` answer `a.b`); arrays are walked
/// element by element.
fn resolve<'a>(node: &'a Json, path: &str, out: &mut Vec<&'a Json>) {
    match node {
        Json::Array(items) => {
            for item in items {
                resolve(item, path, out);
            }
        }
        Json::Object(map) => {
            for (key, value) in map {
                if key == path {
                    out.push(value);
                } else if let Some(rest) = path
                    .strip_prefix(key.as_str())
                    .and_then(|r| r.strip_prefix('.'))
                {
                    resolve(value, rest, out);
                }
            }
        }
        _ => {}
    }
}

/// Pushes `value`, or its elements (recursively) when it is an array.
fn flatten<'a>(value: &'a Json, out: &mut Vec<&'a Json>) {
    match value {
        Json::Array(items) => {
            for item in items {
                flatten(item, out);
            }
        }
        other => out.push(other),
    }
}

/// Every scalar (string, number, bool, null) below `node` with its dotted
/// path.
fn collect_leaves<'a>(node: &'a Json, path: String, out: &mut Vec<(String, &'a Json)>) {
    match node {
        Json::Object(map) => {
            for (key, value) in map {
                collect_leaves(value, join(&path, key), out);
            }
        }
        Json::Array(items) => {
            for item in items {
                collect_leaves(item, path.clone(), out);
            }
        }
        scalar => out.push((path, scalar)),
    }
}

/// Whether a value holds something other than nulls (an object counts
/// when any leaf below it does).
fn has_value(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Object(map) => map.values().any(has_value),
        Json::Array(items) => items.iter().any(has_value),
        _ => true,
    }
}

/// Whether one (flattened) document value equals a term value.
fn term_matches(v: &Json, value: &Value, ci: bool) -> bool {
    match v {
        Json::String(s) => string_matches(s, value, ci),
        Json::Number(n) => value
            .as_literal()
            .and_then(parse_number)
            .is_some_and(|literal| {
                compare_numbers(json_number(n), literal) == Some(Ordering::Equal)
            }),
        Json::Bool(b) => value.keyword() == Some(if *b { Keyword::True } else { Keyword::False }),
        Json::Null | Json::Object(_) | Json::Array(_) => false,
    }
}

fn string_matches(s: &str, value: &Value, ci: bool) -> bool {
    let Some(literal) = value.as_literal() else {
        return if ci {
            value.pattern().to_lowercase().matches(&s.to_lowercase())
        } else {
            value.pattern().matches(s)
        };
    };
    let equal = if ci {
        s.to_lowercase() == literal.to_lowercase()
    } else {
        s == literal
    };
    equal
        || match (Cidr::parse(literal), parse_ip(s)) {
            (Some(network), Some(ip)) => network.contains(ip),
            _ => false,
        }
}

/// A number read from a literal or a document.
#[derive(Clone, Copy, Debug)]
enum Number {
    Int(i128),
    Float(f64),
}

fn json_number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        Number::Int(i128::from(i))
    } else if let Some(u) = n.as_u64() {
        Number::Int(i128::from(u))
    } else {
        Number::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// Parses a decimal number: `[+-]digits[.digits][e[+-]digits]` (or
/// `.digits…`); leading zeros allowed (`070` is 70). No `inf`/`NaN`/hex.
fn parse_number(text: &str) -> Option<Number> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let digits_ok = all_digits(int_part)
        && frac_part.is_none_or(all_digits)
        && !(int_part.is_empty() && frac_part.is_none_or(str::is_empty));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if !digits_ok || !exponent_ok {
        return None;
    }
    if frac_part.is_none()
        && exponent.is_none()
        && let Ok(i) = text.parse::<i128>()
    {
        return Some(Number::Int(i));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Number::Float)
}

fn compare_numbers(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
        (a, b) => as_f64(a).partial_cmp(&as_f64(b)),
    }
}

fn as_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let ok = [
            ("070", 70.0),
            ("-4", -4.0),
            ("+5", 5.0),
            ("1.5", 1.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("2.5E-1", 0.25),
        ];
        for (text, want) in ok {
            let n = parse_number(text).unwrap_or_else(|| panic!("{text} is a number"));
            assert_eq!(as_f64(n), want, "{text}");
        }
        for bad in [
            "", "-", ".", "0.0.1", "1e", "inf", "NaN", "0x10", "1_000", " 1", "1e999", "e5", "--1",
        ] {
            assert!(parse_number(bad).is_none(), "{bad}");
        }
        assert!(matches!(
            parse_number("18446744073709551617"),
            Some(Number::Int(_))
        ));
    }

    #[test]
    fn resolve_mixed_paths() {
        let doc = serde_json::json!({"a": {"b": 1}, "a.b": 2, "x": [{"y": 3}, {"y": [4, 5]}]});
        let mut out = Vec::new();
        resolve(&doc, "a.b", &mut out);
        assert_eq!(out.len(), 2);
        let mut out = Vec::new();
        resolve(&doc, "x.y", &mut out);
        let mut flat = Vec::new();
        for v in out {
            flatten(v, &mut flat);
        }
        assert_eq!(flat.len(), 3);
    }
}
