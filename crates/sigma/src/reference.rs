//! The reference evaluator: Sigma semantics applied directly to a parsed record
//! (`serde_json::Value`), written for clarity rather than speed. It is the oracle the compiled
//! matcher is tested against.
//!
//! It reads native records (CloudTrail events and Resolver query-log entries, told apart as the
//! event view does) and mirrors the event view's field lookup: a dotted path walks nested
//! objects, arrays at any level yield each element, and a mapped ECS alias reads its source
//! paths and applies its transform (such as the trailing-dot strip of `dns.question.name`).
//! Keyword searches run over the record's compact JSON text (`serde_json::to_string`), which
//! is the record's raw text whenever the record was written compactly by serde_json.
//! Wildcards are matched with a dynamic-programming matcher, independent of the compiled
//! matcher's fast paths.

use crate::compile::regex;
use crate::condition::Cond;
use crate::diagnostics::Unsupported;
use crate::item::{Item, Leaf, Lowered};
use crate::mapping::{Mapping, SourceMap};
use crate::model::{Detection, SigmaRule};
use crate::pattern::{Part, SigmaString};
use crate::values::{compare_text, keyword_pattern, ref_matches, time_part};
use r53guard_event::Kind;
use r53guard_event::aliases::{self, NATIVE_SPELLINGS, Transform};
use r53guard_kql::compare::{compare_numbers, parse_number};
use r53guard_kql::ip::parse_ip;
use serde_json::Value;
use std::cmp::Ordering;

/// A field value as the event view would present it.
#[derive(Debug, Clone, PartialEq)]
enum RefValue {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    Object(String),
}

impl RefValue {
    fn from_json(v: &Value) -> RefValue {
        match v {
            Value::String(s) => RefValue::Str(s.clone()),
            Value::Number(n) => RefValue::Num(n.to_string()),
            Value::Bool(b) => RefValue::Bool(*b),
            Value::Null => RefValue::Null,
            other => RefValue::Object(other.to_string()),
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            RefValue::Str(s) | RefValue::Num(s) | RefValue::Object(s) => Some(s.clone()),
            RefValue::Bool(b) => Some(b.to_string()),
            RefValue::Null => None,
        }
    }
}

/// Evaluates `rule` (with its attached filters) on one native record.
pub fn evaluate(rule: &SigmaRule, mapping: &Mapping, record: &Value) -> Result<bool, Unsupported> {
    let source = mapping.source_for_rule(rule)?;
    let Some(kind) = record_kind(record) else {
        return Ok(false);
    };
    if !source.kinds.contains(&kind) {
        return Ok(false);
    }
    let ctx = Ctx {
        source,
        mapping,
        record,
        kind,
        text: record.to_string(),
    };
    let mut matched = ctx.detection(&rule.detection)?;
    for f in &rule.filters {
        matched = matched && !ctx.detection(&f.detection)?;
    }
    Ok(matched)
}

/// CloudTrail when the record has `eventSource`, `eventName` or `eventVersion`; Resolver when
/// it has `query_name` or `query_timestamp`.
fn record_kind(record: &Value) -> Option<Kind> {
    let obj = record.as_object()?;
    if ["eventSource", "eventName", "eventVersion"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        Some(Kind::CloudTrail)
    } else if ["query_name", "query_timestamp"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        Some(Kind::Resolver)
    } else {
        None
    }
}

struct Ctx<'a> {
    source: &'a SourceMap,
    mapping: &'a Mapping,
    record: &'a Value,
    kind: Kind,
    text: String,
}

impl Ctx<'_> {
    fn detection(&self, d: &Detection) -> Result<bool, Unsupported> {
        let mut results = Vec::with_capacity(d.searches.len());
        for s in &d.searches {
            let mut any = false;
            for alt in &s.alternatives {
                let mut all = true;
                for item in alt {
                    all &= self.item(item)?;
                }
                any |= all;
            }
            results.push(any);
        }
        Ok(cond(&d.condition, &results))
    }

    fn item(&self, item: &Item) -> Result<bool, Unsupported> {
        let result = match &item.field {
            None => self.keywords(&item.lowered)?,
            Some(field) => {
                let values = self.values(field)?;
                let non_null = values.iter().any(|v| *v != RefValue::Null);
                match &item.lowered {
                    Lowered::Null => !non_null,
                    Lowered::Exists(want) => non_null == *want,
                    Lowered::Values { values: specs, all } => {
                        let mut per_spec = Vec::with_capacity(specs.len());
                        for leaves in specs {
                            let mut hit = false;
                            for v in &values {
                                for leaf in leaves {
                                    hit |= self.leaf(leaf, v)?;
                                }
                            }
                            per_spec.push(hit);
                        }
                        if *all {
                            per_spec.iter().all(|h| *h)
                        } else {
                            per_spec.iter().any(|h| *h)
                        }
                    }
                }
            }
        };
        Ok(result != item.negated)
    }

    fn keywords(&self, lowered: &Lowered) -> Result<bool, Unsupported> {
        let Lowered::Values { values, all } = lowered else {
            return Err(Unsupported::Feature(
                "`null` and `exists` need a field".into(),
            ));
        };
        let mut hits = Vec::with_capacity(values.len());
        for leaves in values {
            let mut hit = false;
            for leaf in leaves {
                hit |= match leaf {
                    Leaf::Str { value, cased, .. } => {
                        let mut any = false;
                        for s in self.mapping.expand(value)? {
                            any |= wildcard(&keyword_pattern(&s), &self.text, !cased);
                        }
                        any
                    }
                    Leaf::Regex { .. } => regex(leaf)?.is_match(&self.text),
                    _ => {
                        return Err(Unsupported::Feature(
                            "keyword searches take strings and regular expressions only".into(),
                        ));
                    }
                };
            }
            hits.push(hit);
        }
        Ok(if *all {
            hits.iter().all(|h| *h)
        } else {
            hits.iter().any(|h| *h)
        })
    }

    fn leaf(&self, leaf: &Leaf, v: &RefValue) -> Result<bool, Unsupported> {
        let Some(text) = v.text() else {
            return Ok(false);
        };
        Ok(match leaf {
            Leaf::Str {
                value,
                cased,
                plain,
            } => {
                let mut hit = false;
                for s in self.mapping.expand(value)? {
                    let numeric = match (v, plain, s.as_literal()) {
                        (RefValue::Num(n), true, Some(lit)) => {
                            match (parse_number(n), parse_number(&lit)) {
                                (Some(a), Some(b)) => {
                                    compare_numbers(a, b) == Some(Ordering::Equal)
                                }
                                _ => false,
                            }
                        }
                        _ => false,
                    };
                    hit |= numeric || wildcard(&s, &text, !cased);
                }
                hit
            }
            Leaf::Regex { .. } => regex(leaf)?.is_match(&text),
            Leaf::Cidr(c) => match v {
                RefValue::Str(s) => parse_ip(s).is_some_and(|ip| c.contains(ip)),
                _ => false,
            },
            Leaf::Compare(op, bound) => {
                matches!(v, RefValue::Str(_) | RefValue::Num(_))
                    && compare_text(&text, bound).is_some_and(|o| op.accepts(o))
            }
            Leaf::TimePart(part, n) => match v {
                RefValue::Str(s) => time_part(s, *part) == Some(*n),
                _ => false,
            },
            Leaf::FieldRef { field, mode } => self
                .values(field)?
                .iter()
                .filter_map(RefValue::text)
                .any(|other| ref_matches(&text, &other, *mode)),
        })
    }

    /// The values of a Sigma field, as the event view would give them.
    fn values(&self, field: &str) -> Result<Vec<RefValue>, Unsupported> {
        let name = self.source.resolve(field).ok_or_else(|| {
            Unsupported::Feature(format!(
                "field `{field}` has no mapping for log source `{}`",
                self.source.name
            ))
        })?;
        let Some(alias) = aliases::alias(&name, self.kind) else {
            return Ok(self.first_present(&[name.as_str()]).unwrap_or_default());
        };
        Ok(match alias.transform {
            Transform::Const(c) => vec![RefValue::Str(c.to_owned())],
            Transform::Outcome => vec![RefValue::Str(self.outcome(alias.sources).to_owned())],
            t => self
                .first_present(alias.sources)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| transform(t, v))
                .collect(),
        })
    }

    /// The values at the first of `paths` (or their native alternative spellings) present.
    fn first_present(&self, paths: &[&str]) -> Option<Vec<RefValue>> {
        paths
            .iter()
            .flat_map(|p| {
                let mut alts = vec![(*p).to_owned()];
                for (canon, other) in NATIVE_SPELLINGS {
                    if let Some(rest) = p.strip_prefix(canon) {
                        alts.push(format!("{other}{rest}"));
                    }
                }
                alts
            })
            .map(|p| lookup(self.record, &p))
            .find(|vals| !vals.is_empty())
    }

    fn outcome(&self, sources: &[&str]) -> &'static str {
        let first = |i: usize| {
            sources
                .get(i)
                .and_then(|p| self.first_present(&[p]))
                .and_then(|v| v.into_iter().next())
        };
        if let Some(RefValue::Str(result)) = first(2) {
            return if result.eq_ignore_ascii_case("success") {
                "success"
            } else {
                "failure"
            };
        }
        let present = |v: &Option<RefValue>| match v {
            None | Some(RefValue::Null) => false,
            Some(RefValue::Str(s)) | Some(RefValue::Num(s)) => !s.is_empty(),
            Some(_) => true,
        };
        let code = first(0);
        let success_code =
            matches!(&code, Some(RefValue::Str(c)) if c.eq_ignore_ascii_case("success"));
        if (present(&code) && !success_code) || present(&first(1)) {
            "failure"
        } else {
            "success"
        }
    }
}

/// Every value at a dotted path (arrays at any level yield their elements).
fn lookup(record: &Value, path: &str) -> Vec<RefValue> {
    let mut current = vec![record];
    for segment in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            collect_key(v, segment, &mut next);
        }
        current = next;
    }
    let mut out = Vec::new();
    for v in current {
        flatten(v, &mut out);
    }
    out
}

fn collect_key<'v>(v: &'v Value, key: &str, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(m) => out.extend(m.get(key)),
        Value::Array(items) => {
            for i in items {
                collect_key(i, key, out);
            }
        }
        _ => {}
    }
}

fn flatten(v: &Value, out: &mut Vec<RefValue>) {
    match v {
        Value::Array(items) => {
            for i in items {
                flatten(i, out);
            }
        }
        other => out.push(RefValue::from_json(other)),
    }
}

/// An alias transform on a native value (`None` drops the value).
fn transform(t: Transform, v: RefValue) -> Option<RefValue> {
    let is_ip = |s: &str| s.parse::<std::net::IpAddr>().is_ok();
    Some(match (t, v) {
        (Transform::StripDot, RefValue::Str(s)) => {
            RefValue::Str(s.strip_suffix('.').unwrap_or(&s).to_owned())
        }
        (Transform::Lower, RefValue::Str(s)) => RefValue::Str(s.to_lowercase()),
        (Transform::Text, RefValue::Bool(b)) => RefValue::Str(b.to_string()),
        (Transform::Text, RefValue::Num(n)) => RefValue::Str(n),
        (Transform::IpOnly, v) => match &v {
            RefValue::Str(s) if is_ip(s) => v,
            _ => return None,
        },
        (Transform::NotIp, v) => match &v {
            RefValue::Str(s) if !is_ip(s) => v,
            _ => return None,
        },
        (Transform::Const(c), _) => RefValue::Str(c.to_owned()),
        // The remaining transforms (OCSF conversions) only apply to OCSF records, which the
        // reference evaluator does not read.
        (_, v) => v,
    })
}

fn cond(c: &Cond, results: &[bool]) -> bool {
    match c {
        Cond::Search(i) => results.get(*i).copied().unwrap_or(false),
        Cond::Not(inner) => !cond(inner, results),
        Cond::And(items) => items.iter().all(|i| cond(i, results)),
        Cond::Or(items) => items.iter().any(|i| cond(i, results)),
    }
}

/// Whether the Sigma string `pattern` matches the whole of `text` (dynamic programming over
/// characters; `ci` lower-cases both sides first).
fn wildcard(pattern: &SigmaString, text: &str, ci: bool) -> bool {
    let (pattern, text) = if ci {
        (pattern.to_lowercase(), text.to_lowercase())
    } else {
        (pattern.clone(), text.to_owned())
    };
    enum P {
        C(char),
        Star,
        One,
    }
    let mut pat = Vec::new();
    for part in pattern.parts() {
        match part {
            Part::Lit(l) => pat.extend(l.chars().map(P::C)),
            Part::Star => pat.push(P::Star),
            Part::One => pat.push(P::One),
            Part::Placeholder(n) => pat.extend(format!("%{n}%").chars().map(P::C)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // row[j]: pattern prefix consumed so far matches text[..j].
    let mut row = vec![false; text.len() + 1];
    row[0] = true;
    for p in &pat {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match p {
                P::Star => row[j] || (j > 0 && next[j - 1]),
                P::One => j > 0 && row[j - 1],
                P::C(c) => j > 0 && row[j - 1] && text[j - 1] == *c,
            };
        }
        row = next;
    }
    row[text.len()]
}
