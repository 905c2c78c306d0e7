//! The KQL abstract syntax tree.
//!
//! The parser only produces trees in *normal form*; [`Query::normalize`]
//! brings any hand-built tree into that form, and the printer is exact on it
//! (`parse(&q.to_string()) == Ok(q)` for every normalised `q` of nesting
//! depth at most [`MAX_DEPTH`](crate::MAX_DEPTH)).

use crate::pattern::Pattern;

/// An unquoted `true`, `false` or `null` literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// Unquoted `true`.
    True,
    /// Unquoted `false`.
    False,
    /// Unquoted `null`.
    Null,
}

/// The value side of `field:value` or of free text.
///
/// Numbers are not typed here: `070`, `-4` or `0.0.1` keep their text, and
/// are compared against a document's value by the evaluator.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    pattern: Pattern,
    quoted: bool,
    keyword: Option<Keyword>,
}

impl Value {
    /// A quoted value (`"text"`): never a wildcard, never a keyword.
    pub fn quoted(text: impl Into<String>) -> Self {
        Self {
            pattern: Pattern::literal(text),
            quoted: true,
            keyword: None,
        }
    }

    /// An unquoted value. Its keyword flag is set when its text is exactly
    /// `true`, `false` or `null`. An empty pattern cannot be written
    /// unquoted, so it yields the quoted empty string `""`.
    pub fn unquoted(pattern: Pattern) -> Self {
        if pattern.is_empty() {
            return Self::quoted("");
        }
        let keyword = match pattern.as_literal() {
            Some("true") => Some(Keyword::True),
            Some("false") => Some(Keyword::False),
            Some("null") => Some(Keyword::Null),
            _ => None,
        };
        Self {
            pattern,
            quoted: false,
            keyword,
        }
    }

    /// The literal text and wildcard positions.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Whether the value was written in double quotes.
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// `Some` for an unquoted `true`, `false` or `null`.
    pub fn keyword(&self) -> Option<Keyword> {
        self.keyword
    }

    /// Whether the value contains an unescaped `*`.
    pub fn has_wildcard(&self) -> bool {
        self.pattern.has_wildcard()
    }

    /// The text of a value without wildcards.
    pub fn as_literal(&self) -> Option<&str> {
        self.pattern.as_literal()
    }
}

/// A field name: a dotted path, or a pattern over dotted paths.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// A literal dotted path such as `dns.question.name` (may contain a
    /// literal, escaped or quoted, `*`).
    Path(String),
    /// A pattern with at least one wildcard, such as `user.*`, expanded
    /// over the document's fields.
    Pattern(Pattern),
}

impl Field {
    /// A field from a parsed pattern: [`Field::Path`] unless it has a wildcard.
    pub fn new(pattern: Pattern) -> Self {
        match pattern.as_literal() {
            Some(path) => Field::Path(path.to_string()),
            None => Field::Pattern(pattern),
        }
    }

    /// A literal dotted path.
    pub fn path(path: impl Into<String>) -> Self {
        Field::Path(path.into())
    }

    /// The path when it is literal.
    pub fn as_path(&self) -> Option<&str> {
        match self {
            Field::Path(path) => Some(path),
            Field::Pattern(_) => None,
        }
    }

    /// Whether this is the field pattern `*` (every field).
    pub fn is_any(&self) -> bool {
        matches!(self, Field::Pattern(p) if p.is_wildcard_only())
    }

    fn normalize(self) -> Self {
        match self {
            Field::Pattern(pattern) => Field::new(pattern),
            path => path,
        }
    }
}

/// A range comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeOp {
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
}

impl RangeOp {
    /// The operator as written in KQL.
    pub fn as_str(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Lte => "<=",
            RangeOp::Gt => ">",
            RangeOp::Gte => ">=",
        }
    }

    /// Whether `field_value.cmp(literal) == ordering` satisfies the operator.
    pub fn accepts(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Greater, Less};
        match self {
            RangeOp::Lt => ordering == Less,
            RangeOp::Lte => ordering != Greater,
            RangeOp::Gt => ordering == Greater,
            RangeOp::Gte => ordering != Less,
        }
    }

    /// Whether date-math rounding rounds up for this operator (`>` and `<=`
    /// round up to the last millisecond of the unit, `>=` and `<` down).
    pub fn rounds_up(self) -> bool {
        matches!(self, RangeOp::Gt | RangeOp::Lte)
    }
}

/// A KQL query.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Query {
    /// Matches every document: the empty query, `*:*` and a bare `*`.
    MatchAll,
    /// `field:value` (the value may hold wildcards).
    Term {
        /// The field (path or pattern).
        field: Field,
        /// The value.
        value: Value,
    },
    /// `field:*`: the field has at least one non-null value.
    Exists {
        /// The field (path or pattern).
        field: Field,
    },
    /// `field < value` and friends. The value is raw text (number, string,
    /// IP address or date math), typed against the document at evaluation.
    Range {
        /// The field (path or pattern).
        field: Field,
        /// The operator.
        op: RangeOp,
        /// The bound, as written (escapes resolved, quotes removed).
        value: String,
    },
    /// `path:{ query }`: `query` holds within one element at `path`; its
    /// field names are relative to that element.
    Nested {
        /// The literal path of the object (array).
        path: String,
        /// The query on each element.
        query: Box<Query>,
    },
    /// A value without a field, searched in every field.
    FreeText(Value),
    /// All must hold (at least two children in normal form, none an `And`).
    And(Vec<Query>),
    /// One must hold (at least two children in normal form, none an `Or`).
    Or(Vec<Query>),
    /// Negation.
    Not(Box<Query>),
}

impl Query {
    /// `field:value`, in normal form: a lone unquoted `*` value is
    /// [`Query::exists`].
    pub fn term(field: Field, value: Value) -> Query {
        if !value.is_quoted() && value.pattern().is_wildcard_only() {
            Query::exists(field)
        } else {
            Query::Term { field, value }
        }
    }

    /// `field:*`, in normal form: `*:*` is [`Query::MatchAll`].
    pub fn exists(field: Field) -> Query {
        if field.is_any() {
            Query::MatchAll
        } else {
            Query::Exists { field }
        }
    }

    /// Free text, in normal form: a lone unquoted `*` is [`Query::MatchAll`].
    pub fn free_text(value: Value) -> Query {
        if !value.is_quoted() && value.pattern().is_wildcard_only() {
            Query::MatchAll
        } else {
            Query::FreeText(value)
        }
    }

    /// Conjunction, flattening nested `And`s. One child is returned as is;
    /// no child is [`Query::MatchAll`].
    pub fn and(children: Vec<Query>) -> Query {
        Self::junction(children, true)
    }

    /// Disjunction, flattening nested `Or`s. One child is returned as is; no
    /// child (matches nothing) is `Not(MatchAll)`.
    pub fn or(children: Vec<Query>) -> Query {
        Self::junction(children, false)
    }

    /// Negation.
    pub fn negate(query: Query) -> Query {
        Query::Not(Box::new(query))
    }

    fn junction(children: Vec<Query>, is_and: bool) -> Query {
        let mut flat = Vec::with_capacity(children.len());
        for child in children {
            match child {
                Query::And(inner) if is_and => flat.extend(inner),
                Query::Or(inner) if !is_and => flat.extend(inner),
                other => flat.push(other),
            }
        }
        match flat.len() {
            0 if is_and => Query::MatchAll,
            0 => Query::negate(Query::MatchAll),
            1 => flat.pop().unwrap_or(Query::MatchAll),
            _ if is_and => Query::And(flat),
            _ => Query::Or(flat),
        }
    }

    /// Brings a hand-built tree into the normal form the parser produces:
    /// `And`/`Or` flattened (children of the same kind spliced in, fewer
    /// than two children collapsed as in [`Query::and`]/[`Query::or`]),
    /// wildcard-free field patterns turned into paths, and lone-`*` values
    /// and fields turned into `Exists`/`MatchAll`. ([`Value`] and
    /// [`Pattern`] are normal by construction.)
    pub fn normalize(self) -> Query {
        match self {
            Query::MatchAll => Query::MatchAll,
            Query::Term { field, value } => Query::term(field.normalize(), value),
            Query::Exists { field } => Query::exists(field.normalize()),
            Query::Range { field, op, value } => Query::Range {
                field: field.normalize(),
                op,
                value,
            },
            Query::Nested { path, query } => Query::Nested {
                path,
                query: Box::new(query.normalize()),
            },
            Query::FreeText(value) => Query::free_text(value),
            Query::And(children) => {
                Query::and(children.into_iter().map(Query::normalize).collect())
            }
            Query::Or(children) => Query::or(children.into_iter().map(Query::normalize).collect()),
            Query::Not(inner) => Query::negate(inner.normalize()),
        }
    }
}
