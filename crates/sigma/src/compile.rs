//! The compiled matcher: a rule's detection (and the filters attached to it) turned once into
//! a tree over the event view. Field names are mapped and registered in the schema ahead of
//! time; literal values are case-folded once and grouped (hash sets for exact values,
//! Aho-Corasick for many `contains` values); regular expressions are compiled once; keyword
//! searches run over the record's raw JSON text. Semantics are the reference evaluator's
//! ([`crate::reference`]), checked differentially.

use crate::condition::Cond;
use crate::diagnostics::Unsupported;
use crate::item::{Item, Leaf, Lowered};
use crate::mapping::{Mapping, SourceMap};
use crate::model::{Detection, Search, SigmaRule};
use crate::modifiers::{CompareOp, RefMode, TimePart};
use crate::text::{TextAny, TextTest};
use crate::values::{compare_text, keyword_pattern, ref_matches, time_part};
use r53guard_event::{Event, FieldId, FieldValue, Kind, Schema};
use r53guard_kql::compare::{Number, compare_numbers, parse_number};
use r53guard_kql::ip::{Cidr, parse_ip};
use regex::{Regex, RegexBuilder};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Largest compiled size accepted for one regular expression.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule compiled for the event view.
#[derive(Debug, Clone)]
pub struct CompiledSigma {
    root: Node,
    kinds: Vec<Kind>,
}

#[derive(Debug, Clone)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// Some value of the field passes one of the tests.
    Any(Box<FieldAny>),
    /// `all`: each test is passed by some value of the field.
    All(Vec<FieldAny>),
    /// The field has (or has not) a non-null value.
    Exists(FieldId, bool),
    /// Keyword search: one of the tests matches the record's text.
    Keywords(Box<TextAny>),
    /// Keyword search with `all`: every test matches the record's text.
    KeywordsAll(Vec<TextAny>),
}

/// An OR of value tests on one field.
#[derive(Debug, Clone)]
struct FieldAny {
    field: FieldId,
    text: TextAny,
    /// Plain numeric literals, compared numerically with JSON numbers.
    numbers: Vec<Number>,
    other: Vec<Other>,
}

#[derive(Debug, Clone)]
enum Other {
    Cidr(Cidr),
    Compare(CompareOp, String),
    TimePart(TimePart, i64),
    FieldRef(FieldId, RefMode),
}

impl CompiledSigma {
    /// Compiles `rule` (and its attached filters) with `mapping`, adding the fields it reads
    /// to `schema`.
    pub fn compile(
        rule: &SigmaRule,
        mapping: &Mapping,
        schema: &mut Schema,
    ) -> Result<CompiledSigma, Unsupported> {
        let source = mapping.source_for_rule(rule)?;
        let mut c = Compiler {
            source,
            mapping,
            schema,
        };
        let mut root = c.detection(&rule.detection)?;
        if !rule.filters.is_empty() {
            let mut all = vec![root];
            for f in &rule.filters {
                all.push(Node::Not(Box::new(c.detection(&f.detection)?)));
            }
            root = Node::And(all);
        }
        Ok(CompiledSigma {
            root,
            kinds: source.kinds.clone(),
        })
    }

    /// Whether the event matches (events of other kinds never do).
    pub fn matches(&self, ev: &Event<'_>) -> bool {
        self.kinds.contains(&ev.kind) && eval(&self.root, ev)
    }

    /// The fields the rule reads, when its verdict depends on nothing else but the record's
    /// kind (`None` with keyword searches, which read the record's text).
    pub fn fields(&self) -> Option<Vec<FieldId>> {
        let mut out = Vec::new();
        fields(&self.root, &mut out).then_some(out)
    }

    /// The record kinds the rule runs on.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }

    /// Values (lower-cased) one of which some field of `fields` must have for the rule to
    /// match, when the detection pins them with exact values (`eventName: CreateUser`);
    /// `None` when no such constraint is known. The engine dispatches events by it.
    pub fn required_values(&self, fields: &[FieldId]) -> Option<Vec<String>> {
        required(&self.root, fields)
    }
}

/// Adds the fields `node` reads to `out`; false when it reads the record's text.
fn fields(node: &Node, out: &mut Vec<FieldId>) -> bool {
    match node {
        Node::And(nodes) | Node::Or(nodes) => nodes.iter().all(|n| fields(n, out)),
        Node::Not(inner) => fields(inner, out),
        Node::Any(any) => {
            any.fields(out);
            true
        }
        Node::All(tests) => {
            tests.iter().for_each(|t| t.fields(out));
            true
        }
        Node::Exists(field, _) => {
            out.push(*field);
            true
        }
        Node::Keywords(_) | Node::KeywordsAll(_) => false,
    }
}

fn required(node: &Node, fields: &[FieldId]) -> Option<Vec<String>> {
    match node {
        Node::And(children) => children.iter().find_map(|c| required(c, fields)),
        Node::Or(children) => children
            .iter()
            .map(|c| required(c, fields))
            .collect::<Option<Vec<_>>>()
            .map(|lists| lists.concat()),
        Node::Any(any)
            if fields.contains(&any.field) && any.numbers.is_empty() && any.other.is_empty() =>
        {
            any.text.exact_values()
        }
        _ => None,
    }
}

struct Compiler<'a> {
    source: &'a SourceMap,
    mapping: &'a Mapping,
    schema: &'a mut Schema,
}

impl Compiler<'_> {
    fn detection(&mut self, d: &Detection) -> Result<Node, Unsupported> {
        let searches = d
            .searches
            .iter()
            .map(|s| self.search(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(cond_node(&d.condition, &searches))
    }

    fn search(&mut self, s: &Search) -> Result<Node, Unsupported> {
        let alternatives = s
            .alternatives
            .iter()
            .map(|alt| {
                alt.iter()
                    .map(|item| self.item(item))
                    .collect::<Result<Vec<_>, _>>()
                    .map(and)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(or(alternatives))
    }

    fn item(&mut self, item: &Item) -> Result<Node, Unsupported> {
        let node = match &item.field {
            Some(field) => self.field_item(field, &item.lowered)?,
            None => self.keywords(&item.lowered)?,
        };
        Ok(if item.negated {
            Node::Not(Box::new(node))
        } else {
            node
        })
    }

    fn field_id(&mut self, field: &str) -> Result<FieldId, Unsupported> {
        let name = self.source.resolve(field).ok_or_else(|| {
            Unsupported::Feature(format!(
                "field `{field}` has no mapping for log source `{}`",
                self.source.name
            ))
        })?;
        Ok(self.schema.add(&name))
    }

    fn field_item(&mut self, field: &str, lowered: &Lowered) -> Result<Node, Unsupported> {
        let id = self.field_id(field)?;
        Ok(match lowered {
            Lowered::Null => Node::Exists(id, false),
            Lowered::Exists(b) => Node::Exists(id, *b),
            Lowered::Values { values, all: true } => Node::All(
                values
                    .iter()
                    .map(|leaves| self.field_any(id, leaves))
                    .collect::<Result<_, _>>()?,
            ),
            Lowered::Values { values, all: false } => {
                let leaves: Vec<Leaf> = values.iter().flatten().cloned().collect();
                Node::Any(Box::new(self.field_any(id, &leaves)?))
            }
        })
    }

    fn field_any(&mut self, field: FieldId, leaves: &[Leaf]) -> Result<FieldAny, Unsupported> {
        let mut tests = Vec::new();
        let mut regexes = Vec::new();
        let mut numbers = Vec::new();
        let mut other = Vec::new();
        for leaf in leaves {
            match leaf {
                Leaf::Str {
                    value,
                    cased,
                    plain,
                } => {
                    for s in self.mapping.expand(value)? {
                        if *plain && let Some(n) = s.as_literal().as_deref().and_then(parse_number)
                        {
                            numbers.push(n);
                        }
                        tests.push(TextTest::new(&s, !cased));
                    }
                }
                Leaf::Regex { .. } => regexes.push(regex(leaf)?),
                Leaf::Cidr(c) => other.push(Other::Cidr(*c)),
                Leaf::Compare(op, bound) => other.push(Other::Compare(*op, bound.clone())),
                Leaf::TimePart(part, n) => other.push(Other::TimePart(*part, *n)),
                Leaf::FieldRef { field: f, mode } => {
                    other.push(Other::FieldRef(self.field_id(f)?, *mode));
                }
            }
        }
        Ok(FieldAny {
            field,
            text: TextAny::new(tests, regexes),
            numbers,
            other,
        })
    }

    fn keywords(&mut self, lowered: &Lowered) -> Result<Node, Unsupported> {
        let Lowered::Values { values, all } = lowered else {
            return Err(Unsupported::Feature(
                "`null` and `exists` need a field".into(),
            ));
        };
        let mut groups = Vec::with_capacity(values.len());
        for leaves in values {
            let mut tests = Vec::new();
            let mut regexes = Vec::new();
            for leaf in leaves {
                match leaf {
                    Leaf::Str { value, cased, .. } => {
                        for s in self.mapping.expand(value)? {
                            tests.push(TextTest::new(&keyword_pattern(&s), !cased));
                        }
                    }
                    Leaf::Regex { .. } => regexes.push(regex(leaf)?),
                    _ => {
                        return Err(Unsupported::Feature(
                            "keyword searches take strings and regular expressions only".into(),
                        ));
                    }
                }
            }
            groups.push((tests, regexes));
        }
        Ok(if *all {
            Node::KeywordsAll(
                groups
                    .into_iter()
                    .map(|(t, r)| TextAny::new(t, r))
                    .collect(),
            )
        } else {
            let (tests, regexes) =
                groups
                    .into_iter()
                    .fold((Vec::new(), Vec::new()), |(mut t, mut r), (gt, gr)| {
                        t.extend(gt);
                        r.extend(gr);
                        (t, r)
                    });
            Node::Keywords(Box::new(TextAny::new(tests, regexes)))
        })
    }
}

/// Compiles a `re` leaf.
pub(crate) fn regex(leaf: &Leaf) -> Result<Regex, Unsupported> {
    let Leaf::Regex {
        pattern,
        ignore_case,
        multiline,
        dot_all,
    } = leaf
    else {
        return Err(Unsupported::Feature(
            "internal: not a regular expression".into(),
        ));
    };
    RegexBuilder::new(pattern)
        .case_insensitive(*ignore_case)
        .multi_line(*multiline)
        .dot_matches_new_line(*dot_all)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            Unsupported::Feature(format!(
                "regular expression `{pattern}` cannot be used (r53guard supports the RE2-like \
                 syntax of the `regex` crate: no look-around or back-references): {e}"
            ))
        })
}

fn cond_node(cond: &Cond, searches: &[Node]) -> Node {
    match cond {
        Cond::Search(i) => searches.get(*i).cloned().unwrap_or(Node::Or(Vec::new())),
        Cond::Not(inner) => Node::Not(Box::new(cond_node(inner, searches))),
        Cond::And(items) => and(items.iter().map(|c| cond_node(c, searches)).collect()),
        Cond::Or(items) => or(items.iter().map(|c| cond_node(c, searches)).collect()),
    }
}

fn and(mut nodes: Vec<Node>) -> Node {
    if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node::And(nodes)
    }
}

fn or(mut nodes: Vec<Node>) -> Node {
    if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node::Or(nodes)
    }
}

fn eval(node: &Node, ev: &Event<'_>) -> bool {
    match node {
        Node::And(items) => items.iter().all(|n| eval(n, ev)),
        Node::Or(items) => items.iter().any(|n| eval(n, ev)),
        Node::Not(inner) => !eval(inner, ev),
        Node::Any(any) => ev.values(any.field).any(|v| any.matches(&v, ev)),
        Node::All(tests) => tests
            .iter()
            .all(|t| ev.values(t.field).any(|v| t.matches(&v, ev))),
        Node::Exists(field, want) => ev.values(*field).any(|v| !v.is_null()) == *want,
        Node::Keywords(any) => any.matches(ev.raw),
        Node::KeywordsAll(all) => all.iter().all(|t| t.matches(ev.raw)),
    }
}

/// The text a value is matched as (none for null).
fn value_text<'v>(v: &'v FieldValue<'_>) -> Option<Cow<'v, str>> {
    match v {
        FieldValue::Str(s) => Some(Cow::Borrowed(s)),
        FieldValue::Num(n) => Some(Cow::Borrowed(n)),
        FieldValue::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        FieldValue::Object(raw) => Some(Cow::Borrowed(raw)),
        FieldValue::Null => None,
    }
}

impl FieldAny {
    /// Adds the field tested and the fields its values are compared with to `out`.
    fn fields(&self, out: &mut Vec<FieldId>) {
        out.push(self.field);
        out.extend(self.other.iter().filter_map(|o| match o {
            Other::FieldRef(f, _) => Some(*f),
            _ => None,
        }));
    }

    fn matches(&self, v: &FieldValue<'_>, ev: &Event<'_>) -> bool {
        let Some(text) = value_text(v) else {
            return false;
        };
        if self.text.matches(&text) {
            return true;
        }
        if let FieldValue::Num(n) = v
            && !self.numbers.is_empty()
            && let Some(n) = parse_number(n)
            && self
                .numbers
                .iter()
                .any(|l| compare_numbers(n, *l) == Some(Ordering::Equal))
        {
            return true;
        }
        self.other.iter().any(|o| match o {
            Other::Cidr(c) => v
                .as_str()
                .and_then(parse_ip)
                .is_some_and(|ip| c.contains(ip)),
            Other::Compare(op, bound) => {
                matches!(v, FieldValue::Str(_) | FieldValue::Num(_))
                    && compare_text(&text, bound).is_some_and(|o| op.accepts(o))
            }
            Other::TimePart(part, n) => v.as_str().and_then(|s| time_part(s, *part)) == Some(*n),
            Other::FieldRef(other, mode) => ev
                .values(*other)
                .any(|o| value_text(&o).is_some_and(|ot| ref_matches(&text, &ot, *mode))),
        })
    }
}
