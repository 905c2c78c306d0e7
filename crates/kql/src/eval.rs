//! The reference evaluator: a straightforward, unoptimised interpreter of a
//! [`Query`] against a JSON document, used as the oracle that compiled
//! matchers are checked against. The semantics are documented at the crate
//! root ("Evaluation semantics").

use std::collections::HashSet;

use serde_json::Value as Json;

use crate::ast::{Field, Keyword, Query, RangeOp, Value};
use crate::compare::{
    Number, compare_numbers, compare_string_bound, number_term_matches, parse_number,
    string_term_matches,
};

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
            Json::String(s) => compare_string_bound(s, op, bound, ci, self.context.now_ms),
            _ => None,
        };
        ordering.is_some_and(|o| op.accepts(o))
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
        Json::String(s) => string_term_matches(s, value, ci),
        Json::Number(n) => number_term_matches(json_number(n), value),
        Json::Bool(b) => value.keyword() == Some(if *b { Keyword::True } else { Keyword::False }),
        Json::Null | Json::Object(_) | Json::Array(_) => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
