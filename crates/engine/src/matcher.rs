//! Compiled matchers: a KQL query turned once into a tree over projected fields, with field
//! lookups resolved to schema slots ahead of time, literal fast paths (exact, prefix, suffix,
//! contains) before any general pattern, and hash sets for long `or` lists on one field.
//! Semantics are the reference evaluator's (`r53guard_kql::eval`), checked differentially.

use memchr::memmem::Finder;
use r53guard_event::{Event, FieldId, FieldValue, Schema};
use r53guard_kql::compare::{
    Number, StringBound, compare_numbers, number_term_matches, parse_number,
};
use r53guard_kql::eval::{EvalContext, evaluate};
use r53guard_kql::ip::{Cidr, parse_ip};
use r53guard_kql::{Field, Keyword, Pattern, Query, RangeOp, Segment, Value};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};

/// A compiled query.
#[derive(Debug, Clone)]
pub struct Matcher {
    root: Node,
    /// Whether some part needs the whole record (free text, wildcard field names).
    needs_document: bool,
}

#[derive(Debug, Clone)]
enum Node {
    True,
    Term {
        field: FieldId,
        test: Box<Test>,
    },
    AnyOf(Box<AnyOf>),
    /// `f:(p1 or p2 or …)` with patterns on one field: the field read once, and a literal every
    /// pattern needs searched once before the patterns are tried.
    Terms(Box<Terms>),
    Exists(FieldId),
    Range {
        field: FieldId,
        op: RangeOp,
        bound: Box<StringBound>,
    },
    /// `path:{ … }`: the inner query is checked on each element with the reference evaluator.
    Nested {
        field: FieldId,
        query: Box<Query>,
        context: Box<EvalContext>,
    },
    /// Free text or wildcard field names: the reference evaluator on the whole record.
    Document {
        query: Box<Query>,
        context: Box<EvalContext>,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// One term's test, with its fast path chosen at compile time.
#[derive(Debug, Clone)]
struct Test {
    ci: bool,
    kind: TestKind,
    /// The literal as a CIDR, when it is one (matches IP-valued strings inside it).
    cidr: Option<Cidr>,
    /// The CIDR is one address written as it prints (`169.254.169.254`, `fd00:ec2::254`):
    /// another text can be the same address only in IPv6 form, so values without a `:` are
    /// decided by the text comparison alone, without reading them as addresses.
    cidr_is_text: bool,
    /// The term value, for numbers and boolean keywords.
    value: Value,
}

#[derive(Debug, Clone)]
enum TestKind {
    /// `*`: any string.
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Pattern(Box<Glob>),
}

/// A general pattern, and a searcher for its longest literal (which any match contains).
#[derive(Debug, Clone)]
struct Glob {
    pattern: Pattern,
    need: Option<Finder<'static>>,
}

/// `f:(a or b or …)` on one field with plain literals: a hash set.
#[derive(Debug, Clone)]
struct AnyOf {
    field: FieldId,
    ci: bool,
    strings: HashSet<String>,
    numbers: Vec<Number>,
    bool_true: bool,
    bool_false: bool,
}

/// Several tests on one field, any of which may match.
#[derive(Debug, Clone)]
struct Terms {
    field: FieldId,
    ci: bool,
    tests: Vec<Test>,
    /// A literal that every string any test matches contains.
    need: Option<Finder<'static>>,
}

/// How many plain literals on one field make an `or` worth a hash set.
const SET_THRESHOLD: usize = 4;

/// What compiling needs: the schema to register fields in, and the rule's options.
pub struct CompileOptions<'a> {
    /// Fields whose string comparisons ignore case (names as written in queries).
    pub case_insensitive: &'a BTreeSet<String>,
    /// `now` for date math in ranges, epoch ms (the run's start; event-time windows come from
    /// the rule, not from the query).
    pub now_ms: i64,
}

impl Matcher {
    /// Compiles `query`, adding the fields it reads to `schema`.
    pub fn compile(query: &Query, schema: &mut Schema, opts: &CompileOptions<'_>) -> Matcher {
        let mut c = Compiler {
            schema,
            opts,
            needs_document: false,
        };
        let root = c.node(query);
        Matcher {
            root,
            needs_document: c.needs_document,
        }
    }

    /// Whether evaluating needs the whole record parsed (free text or wildcard field names).
    pub fn needs_document(&self) -> bool {
        self.needs_document
    }

    /// Values (lower-cased) one of which some field of `fields` must hold as a string for
    /// the query to match, when it pins them with exact literals (`event.action:CreateUser`);
    /// `None` when no such constraint is known.
    pub fn required_values(&self, fields: &[FieldId]) -> Option<Vec<String>> {
        required(&self.root, fields)
    }

    /// The fields the query reads, when its verdict depends on nothing else (`None` for free
    /// text, wildcard field names and nested queries, which read the record itself).
    pub fn fields(&self) -> Option<Vec<FieldId>> {
        let mut out = Vec::new();
        fields(&self.root, &mut out).then_some(out)
    }

    /// Whether the event matches. `document` is the parsed record, required when
    /// [`Matcher::needs_document`] (pass `None` otherwise).
    pub fn matches(&self, ev: &Event<'_>, document: Option<&serde_json::Value>) -> bool {
        eval(&self.root, ev, document)
    }
}

/// Adds the fields `node` reads to `out`; false when it reads the record itself.
fn fields(node: &Node, out: &mut Vec<FieldId>) -> bool {
    match node {
        Node::True => true,
        Node::Term { field, .. } | Node::Exists(field) | Node::Range { field, .. } => {
            out.push(*field);
            true
        }
        Node::AnyOf(set) => {
            out.push(set.field);
            true
        }
        Node::Terms(terms) => {
            out.push(terms.field);
            true
        }
        Node::Nested { .. } | Node::Document { .. } => false,
        Node::And(nodes) | Node::Or(nodes) => nodes.iter().all(|n| fields(n, out)),
        Node::Not(inner) => fields(inner, out),
    }
}

struct Compiler<'s, 'o> {
    schema: &'s mut Schema,
    opts: &'o CompileOptions<'o>,
    needs_document: bool,
}

impl Compiler<'_, '_> {
    fn ci(&self, field: &str) -> bool {
        self.opts.case_insensitive.contains(field)
    }

    fn context(&self) -> Box<EvalContext> {
        Box::new(
            EvalContext::new(self.opts.now_ms)
                .with_case_insensitive_fields(self.opts.case_insensitive.iter().cloned()),
        )
    }

    /// The context for a nested query: the reference evaluator sees each element as a
    /// document, so case-insensitive fields under `path` are given relative to it.
    fn nested_context(&self, path: &str) -> Box<EvalContext> {
        let prefix = format!("{path}.");
        let relative = self
            .opts
            .case_insensitive
            .iter()
            .filter_map(|f| f.strip_prefix(&prefix).map(str::to_owned));
        Box::new(EvalContext::new(self.opts.now_ms).with_case_insensitive_fields(relative))
    }

    fn node(&mut self, q: &Query) -> Node {
        match q {
            Query::MatchAll => Node::True,
            Query::Term {
                field: Field::Path(path),
                value,
            } => Node::Term {
                field: self.schema.add(path),
                test: Box::new(test(value, self.ci(path))),
            },
            Query::Exists {
                field: Field::Path(path),
            } => Node::Exists(self.schema.add(path)),
            Query::Range {
                field: Field::Path(path),
                op,
                value,
            } => Node::Range {
                field: self.schema.add(path),
                op: *op,
                bound: Box::new(StringBound::new(
                    value,
                    *op,
                    self.ci(path),
                    self.opts.now_ms,
                )),
            },
            Query::Nested { path, query } => Node::Nested {
                field: self.schema.add(path),
                query: query.clone(),
                context: self.nested_context(path),
            },
            Query::And(children) => Node::And(children.iter().map(|c| self.node(c)).collect()),
            Query::Or(children) => self.or(children),
            Query::Not(inner) => Node::Not(Box::new(self.node(inner))),
            // Free text and wildcard field names read every field of the record.
            Query::FreeText(_)
            | Query::Term {
                field: Field::Pattern(_),
                ..
            }
            | Query::Exists {
                field: Field::Pattern(_),
            }
            | Query::Range {
                field: Field::Pattern(_),
                ..
            } => {
                self.needs_document = true;
                Node::Document {
                    query: Box::new(q.clone()),
                    context: self.context(),
                }
            }
        }
    }

    /// `or`: plain literals on the same field become one hash-set lookup, and the other
    /// terms on one field one [`Terms`] node.
    fn or(&mut self, children: &[Query]) -> Node {
        let mut literals: Vec<(&str, Vec<&Value>)> = Vec::new();
        let mut terms: Vec<(&str, Vec<&Value>)> = Vec::new();
        let mut rest = Vec::new();
        for c in children {
            let Query::Term {
                field: Field::Path(path),
                value,
            } = c
            else {
                rest.push(c);
                continue;
            };
            let plain = value.as_literal().is_some_and(|l| Cidr::parse(l).is_none());
            let groups = if plain { &mut literals } else { &mut terms };
            match groups.iter_mut().find(|(p, _)| p == path) {
                Some((_, vs)) => vs.push(value),
                None => groups.push((path, vec![value])),
            }
        }
        let mut nodes = Vec::new();
        for (path, values) in literals {
            if values.len() < SET_THRESHOLD {
                match terms.iter_mut().find(|(p, _)| *p == path) {
                    Some((_, vs)) => vs.extend(values),
                    None => terms.push((path, values)),
                }
                continue;
            }
            let ci = self.ci(path);
            let mut set = AnyOf {
                field: self.schema.add(path),
                ci,
                strings: HashSet::new(),
                numbers: Vec::new(),
                bool_true: false,
                bool_false: false,
            };
            for v in values {
                let lit = v.as_literal().unwrap_or_default();
                set.strings.insert(if ci {
                    lit.to_lowercase()
                } else {
                    lit.to_owned()
                });
                set.numbers.extend(parse_number(lit));
                set.bool_true |= v.keyword() == Some(Keyword::True);
                set.bool_false |= v.keyword() == Some(Keyword::False);
            }
            nodes.push(Node::AnyOf(Box::new(set)));
        }
        for (path, values) in terms {
            let ci = self.ci(path);
            let field = self.schema.add(path);
            let mut tests: Vec<Test> = values.into_iter().map(|v| test(v, ci)).collect();
            nodes.push(if tests.len() == 1 {
                Node::Term {
                    field,
                    test: Box::new(tests.remove(0)),
                }
            } else {
                let need = common_literal(&tests).map(|l| Finder::new(&l).into_owned());
                Node::Terms(Box::new(Terms {
                    field,
                    ci,
                    tests,
                    need,
                }))
            });
        }
        nodes.extend(rest.into_iter().map(|c| self.node(c)));
        if nodes.len() == 1 {
            nodes.pop().unwrap_or(Node::True)
        } else {
            Node::Or(nodes)
        }
    }
}

/// Chooses a term's fast path.
fn test(value: &Value, ci: bool) -> Test {
    let fold = |s: &str| if ci { s.to_lowercase() } else { s.to_owned() };
    let pattern = value.pattern();
    let kind = match pattern.segments() {
        [] => TestKind::Exact(String::new()),
        [Segment::Wildcard] => TestKind::Any,
        [Segment::Literal(l)] => TestKind::Exact(fold(l)),
        [Segment::Literal(l), Segment::Wildcard] => TestKind::Prefix(fold(l)),
        [Segment::Wildcard, Segment::Literal(l)] => TestKind::Suffix(fold(l)),
        [Segment::Wildcard, Segment::Literal(l), Segment::Wildcard] => TestKind::Contains(fold(l)),
        _ => {
            let p = if ci {
                pattern.to_lowercase()
            } else {
                pattern.clone()
            };
            let longest = p
                .segments()
                .iter()
                .filter_map(|s| match s {
                    Segment::Literal(l) => Some(l.as_str()),
                    Segment::Wildcard => None,
                })
                .max_by_key(|l| l.len());
            let need = longest.map(|l| Finder::new(l).into_owned());
            TestKind::Pattern(Box::new(Glob { pattern: p, need }))
        }
    };
    let cidr = value.as_literal().and_then(Cidr::parse);
    Test {
        ci,
        kind,
        cidr_is_text: cidr.is_some_and(|c| {
            let host = if c.network().is_ipv4() { 32 } else { 128 };
            c.prefix_len() == host && value.as_literal() == Some(c.network().to_string().as_str())
        }),
        cidr,
        value: value.clone(),
    }
}

/// A literal contained in every string that one of `tests` matches: one of the first test's
/// literals that each other test has within one of its own. `None` when there is none, or when
/// a test also matches IPs inside a CIDR.
fn common_literal(tests: &[Test]) -> Option<String> {
    fn pieces(t: &Test) -> Vec<&str> {
        if t.cidr.is_some() {
            return Vec::new();
        }
        match &t.kind {
            TestKind::Any => Vec::new(),
            TestKind::Exact(l)
            | TestKind::Prefix(l)
            | TestKind::Suffix(l)
            | TestKind::Contains(l) => {
                vec![l.as_str()]
            }
            TestKind::Pattern(g) => g
                .pattern
                .segments()
                .iter()
                .filter_map(|s| match s {
                    Segment::Literal(l) => Some(l.as_str()),
                    Segment::Wildcard => None,
                })
                .collect(),
        }
    }
    let (first, others) = tests.split_first()?;
    let mut candidates = pieces(first);
    candidates.sort_by_key(|l| std::cmp::Reverse(l.len()));
    candidates
        .into_iter()
        .filter(|l| !l.is_empty())
        .find(|l| {
            others
                .iter()
                .all(|t| pieces(t).iter().any(|p| p.contains(l)))
        })
        .map(str::to_owned)
}

fn required(node: &Node, fields: &[FieldId]) -> Option<Vec<String>> {
    match node {
        Node::And(children) => children.iter().find_map(|c| required(c, fields)),
        Node::Or(children) => children
            .iter()
            .map(|c| required(c, fields))
            .collect::<Option<Vec<_>>>()
            .map(|lists| lists.concat()),
        Node::Term { field, test } if fields.contains(field) => exact(test).map(|l| vec![l]),
        Node::Terms(terms) if fields.contains(&terms.field) => {
            terms.tests.iter().map(exact).collect()
        }
        Node::AnyOf(set) if fields.contains(&set.field) => {
            Some(set.strings.iter().map(|s| s.to_lowercase()).collect())
        }
        _ => None,
    }
}

/// A test's literal, lower-cased, when it matches that one string only.
fn exact(test: &Test) -> Option<String> {
    match &test.kind {
        TestKind::Exact(l) if test.cidr.is_none() => Some(l.to_lowercase()),
        _ => None,
    }
}

fn eval(node: &Node, ev: &Event<'_>, doc: Option<&serde_json::Value>) -> bool {
    match node {
        Node::True => true,
        Node::Term { field, test } => ev.values(*field).any(|v| test.matches(&v)),
        Node::AnyOf(set) => ev.values(set.field).any(|v| set.matches(&v)),
        Node::Terms(terms) => ev.values(terms.field).any(|v| terms.matches(&v)),
        Node::Exists(field) => ev.values(*field).any(|v| has_value(&v)),
        Node::Range { field, op, bound } => ev.values(*field).any(|v| {
            let ordering = match &v {
                FieldValue::Num(n) => {
                    parse_number(n).and_then(|a| bound.number().and_then(|b| compare_numbers(a, b)))
                }
                FieldValue::Str(s) => bound.compare(s),
                _ => None,
            };
            ordering.is_some_and(|o| op.accepts(o))
        }),
        Node::Nested {
            field,
            query,
            context,
        } => ev.values(*field).any(|v| match v {
            FieldValue::Object(raw) => serde_json::from_str::<serde_json::Value>(raw)
                .is_ok_and(|element| evaluate(query, &element, context)),
            _ => false,
        }),
        Node::Document { query, context } => match doc {
            Some(d) => evaluate(query, d, context),
            None => serde_json::from_str::<serde_json::Value>(ev.raw)
                .is_ok_and(|d| evaluate(query, &d, context)),
        },
        Node::And(children) => children.iter().all(|c| eval(c, ev, doc)),
        Node::Or(children) => children.iter().any(|c| eval(c, ev, doc)),
        Node::Not(inner) => !eval(inner, ev, doc),
    }
}

fn has_value(v: &FieldValue<'_>) -> bool {
    match v {
        FieldValue::Null => false,
        FieldValue::Object(raw) => {
            serde_json::from_str::<serde_json::Value>(raw).is_ok_and(|o| json_has_value(&o))
        }
        _ => true,
    }
}

fn json_has_value(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Object(m) => m.values().any(json_has_value),
        serde_json::Value::Array(a) => a.iter().any(json_has_value),
        _ => true,
    }
}

impl Test {
    fn matches(&self, v: &FieldValue<'_>) -> bool {
        match v {
            FieldValue::Str(s) => self.matches_str(s, &fold(self.ci, s)),
            FieldValue::Num(n) => {
                parse_number(n).is_some_and(|n| number_term_matches(n, &self.value))
            }
            FieldValue::Bool(b) => {
                self.value.keyword() == Some(if *b { Keyword::True } else { Keyword::False })
            }
            FieldValue::Null | FieldValue::Object(_) => false,
        }
    }

    /// Whether the string `s`, whose case-folded form (when the test ignores case) is
    /// `s_cmp`, matches.
    fn matches_str(&self, s: &str, s_cmp: &str) -> bool {
        self.matches_text(s_cmp)
            || self.may_be_address(s, &mut None)
                && self
                    .cidr
                    .as_ref()
                    .is_some_and(|c| parse_ip(s).is_some_and(|ip| c.contains(ip)))
    }

    /// Whether `s`, when its text does not match, could still be an address in the CIDR.
    /// `colon` is whether `s` holds a `:`, once some test has looked.
    fn may_be_address(&self, s: &str, colon: &mut Option<bool>) -> bool {
        self.cidr.is_some()
            && (!self.cidr_is_text || *colon.get_or_insert_with(|| s.bytes().any(|b| b == b':')))
    }

    /// Whether the (case-folded) text matches, CIDR literals aside.
    fn matches_text(&self, s_cmp: &str) -> bool {
        match &self.kind {
            TestKind::Any => true,
            TestKind::Exact(l) => s_cmp == l,
            TestKind::Prefix(l) => s_cmp.starts_with(l.as_str()),
            TestKind::Suffix(l) => s_cmp.ends_with(l.as_str()),
            TestKind::Contains(l) => s_cmp.contains(l.as_str()),
            TestKind::Pattern(g) => {
                g.need
                    .as_ref()
                    .is_none_or(|f| f.find(s_cmp.as_bytes()).is_some())
                    && g.pattern.matches(s_cmp)
            }
        }
    }
}

impl Terms {
    /// Whether a value matches one of the tests; a string is folded, searched for the shared
    /// literal and read as an IP once for all of them.
    fn matches(&self, v: &FieldValue<'_>) -> bool {
        let FieldValue::Str(s) = v else {
            return self.tests.iter().any(|t| t.matches(v));
        };
        let s_cmp = fold(self.ci, s);
        if self
            .need
            .as_ref()
            .is_some_and(|f| f.find(s_cmp.as_bytes()).is_none())
        {
            return false;
        }
        if self.tests.iter().any(|t| t.matches_text(&s_cmp)) {
            return true;
        }
        let mut cidrs = self.tests.iter().filter_map(|t| t.cidr.as_ref());
        let mut colon = None;
        self.tests.iter().any(|t| t.may_be_address(s, &mut colon))
            && parse_ip(s).is_some_and(|ip| cidrs.any(|c| c.contains(ip)))
    }
}

/// `s` lower-cased when `ci` and lower-casing could change it; else `s` itself.
fn fold(ci: bool, s: &str) -> Cow<'_, str> {
    if ci && needs_folding(s) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

impl AnyOf {
    fn matches(&self, v: &FieldValue<'_>) -> bool {
        match v {
            FieldValue::Str(s) => self.strings.contains(&*fold(self.ci, s)),
            FieldValue::Num(n) => parse_number(n).is_some_and(|n| {
                self.numbers
                    .iter()
                    .any(|l| compare_numbers(n, *l) == Some(std::cmp::Ordering::Equal))
            }),
            FieldValue::Bool(true) => self.bool_true,
            FieldValue::Bool(false) => self.bool_false,
            FieldValue::Null | FieldValue::Object(_) => false,
        }
    }
}

/// Whether lower-casing could change `s` (plain lower-case ASCII cannot).
fn needs_folding(s: &str) -> bool {
    !s.is_ascii() || s.bytes().any(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(q: &str, schema: &mut Schema) -> Matcher {
        let query = r53guard_kql::parse(q).expect("query");
        Matcher::compile(
            &query,
            schema,
            &CompileOptions {
                case_insensitive: &BTreeSet::new(),
                now_ms: 0,
            },
        )
    }

    #[test]
    fn patterns_on_one_field_share_their_common_literal() {
        let mut schema = Schema::new();
        let m = compile(
            "name:(any.*.svc.cluster.local or *.any.svc.cluster.local.* or \\*.*.svc.cluster.local)",
            &mut schema,
        );
        let Node::Terms(terms) = &m.root else {
            panic!("not one Terms node: {:?}", m.root)
        };
        assert_eq!(terms.tests.len(), 3);
        assert_eq!(
            common_literal(&terms.tests).as_deref(),
            Some(".svc.cluster.local")
        );
        let mixed = compile("name:(*abc* or x*y)", &mut schema);
        let Node::Terms(terms) = &mixed.root else {
            panic!("not one Terms node: {:?}", mixed.root)
        };
        assert!(terms.need.is_none());
    }

    #[test]
    fn a_short_or_of_literals_still_pins_its_values() {
        let mut schema = Schema::new();
        let m = compile("event.action:(CreateUser or DeleteUser)", &mut schema);
        let field = schema.add("event.action");
        let mut values = m.required_values(&[field]).expect("pinned values");
        values.sort();
        assert_eq!(values, ["createuser", "deleteuser"]);
        let open = compile("event.action:(CreateUser or Delete*)", &mut schema);
        assert_eq!(open.required_values(&[field]), None);
    }
}
