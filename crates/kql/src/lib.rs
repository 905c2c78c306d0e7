//! Kibana Query Language (KQL) for r53guard: lexer, parser, AST, printer
//! and a reference evaluator over JSON documents.
//!
//! ```
//! use r53guard_kql::{eval::{evaluate, EvalContext}, parse};
//!
//! let query = parse(r#"dns.question.name:*.example.com and not source.ip:10.0.0.0/8"#)?;
//! let doc = serde_json::json!({
//!     "dns": {"question": {"name": "www.example.com"}},
//!     "source": {"ip": "203.0.113.9"}
//! });
//! assert!(evaluate(&query, &doc, &EvalContext::new(0)));
//! assert_eq!(query.to_string(), "dns.question.name:*.example.com and not source.ip:10.0.0.0/8");
//! # Ok::<(), r53guard_kql::ParseError>(())
//! ```
//!
//! # Grammar
//!
//! * **Boolean operators** `or`, `and`, `not`, in any letter case. From
//!   loosest to tightest: `or` < `and` < `not` < parentheses. Chains
//!   flatten: `a or b and c or d` is `Or[a, And[b, c], d]`. A keyword is a
//!   whole word: it is followed by whitespace, `(`, `)`, `}` or the end of
//!   the query; `or`/`and` are also preceded by whitespace (or a closing
//!   `)`, `}`, `"`). `not` may be followed directly by `(`.
//! * **Whitespace**: space, tab, CR, LF and no-break space (U+00A0).
//! * **Terms**: `field:value`, with optional whitespace around `:`.
//!   `field:"quoted value"` is a phrase in which `*` is a literal star.
//!   Field names may be quoted too: `"a b": x`.
//! * **Unquoted values** may contain spaces: `foo:bar baz` is the single
//!   value `bar baz`. A value ends at an unescaped `( ) : < > " { }`, at
//!   whitespace followed by a keyword, or at the end; the whitespace around
//!   it is trimmed (escaped whitespace is kept).
//! * **Escapes in unquoted text** (values and field names): `\` before any
//!   of `\ ( ) : < > " * { }`; `\t`, `\r`, `\n`; `\uXXXX` (a surrogate
//!   pair as two escapes); and the keywords `\or`, `\and`, `\not` (any
//!   case), read as text. Any other backslash is an error. An unescaped `*`
//!   is a wildcard (zero or more characters, leading allowed); `\*` is a
//!   literal star; `?` is an ordinary character.
//! * **Escapes in quoted text**: `\"`, `\\`, `\t`, `\r`, `\n`, `\uXXXX`;
//!   any other backslash stays literal: `"a\d"` is `a\d` (but beware
//!   `"C:\temp"`, whose `\t` is a tab).
//! * **Literals are not typed** by the parser: unquoted `true`, `false`,
//!   `null` carry a [`Keyword`] flag; numbers keep their text (`070`, `-4`,
//!   `0.0.1`). Typing happens against the document at evaluation.
//! * **Exists**: `field:*`. `*:*` (and a lone `*`) matches everything.
//! * **Value lists**: `field:(a or b)`, `field:((a or b) and not c)`,
//!   `field:(a and b)`. They are expanded in the AST: `f:(a or b)` is
//!   `Or[f:a, f:b]`.
//! * **Ranges**: `field < v`, `<=`, `>`, `>=` with one value: a number, a
//!   string, an IP address, or date math (`now`, `now-15m`, `now-2w/d`,
//!   `"2024-05-01T10:00:00Z"`, `2024-05-01||+1d`; see [`datemath`]).
//!   Wildcards are not allowed in a range value.
//! * **CIDR**: `source.ip:10.0.0.0/8`. An IPv6 address contains `:`, so it
//!   must be quoted (`source.ip:"2001:db8::/32"`) or have its colons
//!   escaped (`source.ip:2001\:db8\:\:/32`).
//! * **Nested**: `path:{ a:x and b:y }`: the inner query holds within one
//!   element of the object array at `path`; inner field names are relative
//!   to the element; nesting can go deeper (`a:{ b:{ c:x } }`). The path
//!   must be literal (no wildcard).
//! * **Wildcard field names**: `machine*:osx`, `user.*:bob`.
//! * **Free text** (no field): `value` or `"a phrase"`.
//! * **Empty or blank query**: matches everything.
//!
//! Errors are [`ParseError`]s with a byte span and a message;
//! [`ParseError::render`] draws carets under the span.
//!
//! # AST, normal form and printing
//!
//! [`parse`] returns a [`Query`] in normal form: `And`/`Or` flattened with
//! at least two children, value lists expanded, `field:*` as
//! [`Query::Exists`], `*:*` and a bare `*` as [`Query::MatchAll`], literal
//! field names as [`Field::Path`]. [`Query::normalize`] brings a hand-built
//! tree into that form. `Display` prints canonical KQL, and for every
//! normalised query `q` whose nesting is within [`MAX_DEPTH`],
//! `parse(&q.to_string()) == Ok(q)` (property-tested, and fuzzed by the
//! `kql_parse` target).
//!
//! # Evaluation semantics
//!
//! [`eval::evaluate`] is the reference evaluator over a `serde_json::Value`:
//!
//! * **Paths**: a dotted field walks nested objects, and any key may also
//!   contain dots (`a.b` finds `{"a":{"b":1}}` and `{"a.b":1}`). Arrays at
//!   any level are walked element by element; a term holds when **any**
//!   value found matches.
//! * **Strings**: exact, case-sensitive equality, or a wildcard pattern
//!   matching the whole value. A literal that is an IP address or CIDR
//!   network also matches IP-valued strings inside it (IPv4 and IPv6;
//!   `::ffff:a.b.c.d` counts as `a.b.c.d`).
//! * **Numbers**: the literal (quoted or not) is read as a decimal number
//!   (`070` equals 70, `1e3` equals 1000); a non-numeric or wildcard
//!   literal never matches a number.
//! * **Booleans**: only the unquoted keywords `true`/`false` match.
//! * **Null**: a JSON `null` is an absent value, as in Elasticsearch: it
//!   matches no term, range or exists query (so `not f:x` holds). The
//!   unquoted literal `null` is just the text `null` (it matches the string
//!   `"null"`).
//! * **Objects** never equal a value; `f:*` on an object holds when some
//!   leaf below it is non-null.
//! * **`not f:v`** holds when `f` is missing or no value of it matches.
//! * **`f:*`** holds when `f` has at least one non-null value (`""`
//!   counts).
//! * **Ranges**: numbers compare numerically with a numeric literal; for
//!   strings, if both sides are IP addresses they compare as IPs; else if
//!   the value is an ISO/RFC 3339 date (at least `YYYY-MM-DD`) and the
//!   literal is date math they compare as instants (date-math rounding
//!   rounds up for `>` and `<=`, down for `>=` and `<`, like
//!   Elasticsearch); else if both are numbers, numerically; else as strings
//!   (by Unicode code point). Booleans, nulls and objects never satisfy a
//!   range.
//! * **Nested** `path:{ q }`: `q` holds on one object element at `path`
//!   (or on the object itself when it is not in an array); other elements
//!   are skipped.
//! * **Wildcard field names** expand over the document's leaf paths
//!   (dotted, array indices omitted); **free text** tests every leaf value
//!   with the term rules above (no tokenising: the whole value must match).
//! * **Context**: an [`eval::EvalContext`] carries `now` (epoch ms, for
//!   date math) and a set of case-insensitive fields (full dotted paths;
//!   inside a nested query the path includes the nested prefix) whose
//!   equality, wildcard and string-range comparisons ignore case (Unicode
//!   lower-casing).
//!
//! # Where r53guard differs from Kibana, and why
//!
//! * **Case-insensitive fields** are an r53guard extension (Route 53 query
//!   names arrive in any case); Kibana relies on index mappings instead.
//! * **`?` is a literal character**, never a single-character wildcard
//!   (as in Kibana, and unlike Lucene syntax) — stated because rule authors
//!   coming from Lucene expect otherwise.
//! * **Unquoted IPv6** must be quoted or have its colons escaped, since `:`
//!   ends an unquoted value (same as Kibana, documented here because it is
//!   the usual mistake with CIDR rules).
//! * **Nesting is capped** at [`MAX_DEPTH`] (256) levels of parentheses,
//!   braces and `not`, with a clear error, so the parser never exhausts the
//!   stack. Kibana has no explicit limit.
//! * **`not` mid-word**: Kibana's grammar treats `not ` as a keyword even
//!   inside a word (`foo:cannot stop` is an error there); here keywords are
//!   whole words only, so that value is `cannot stop`.
//! * **Dangling keywords are errors**: Kibana reads `foo:bar and` as the
//!   value `bar and`; here a keyword followed by the end of the query, `)`
//!   or `}` is a keyword, and the missing operand is reported. A keyword
//!   where an expression should start (`and x`, `a:b or or c`) is an error
//!   too. Write `\and` for the word.
//! * **`\not`**: in Kibana `\n` wins, making `\not` a newline and `ot`;
//!   here `\not` followed by a non-word character (or the end) is the
//!   escaped keyword, and `\nothing` is still a newline and `othing`.
//! * **`not not x`** is accepted (Kibana requires `not (not x)`); the
//!   printer emits the parenthesised form.
//! * **Looser operator spacing**: `or`/`and` may directly follow a closing
//!   `)`, `}` or `"` and may be directly followed by `(`; Kibana requires
//!   whitespace. The printer always emits spaces.
//! * **`\uXXXX` surrogate pairs** combine into one character; an invalid
//!   `\u` is an error unquoted, and literal text inside quotes.
//! * **Range values** may not contain unescaped wildcards (an error here;
//!   Kibana builds a range on the pattern text).
//! * **Nested paths** must be literal; `a*:{…}` is an error.
//! * **Free text is exact**: it matches whole leaf values (string equality
//!   or wildcard), not analysed tokens, because r53guard has no analysers.
//! * **Dates are UTC**; no `time_zone` parameter.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ast;
pub mod compare;
pub mod datemath;
mod error;
pub mod eval;
pub mod ip;
mod lexer;
mod parser;
mod pattern;
mod print;

pub use ast::{Field, Keyword, Query, RangeOp, Value};
pub use error::ParseError;
pub use parser::{MAX_DEPTH, parse};
pub use pattern::{Pattern, Segment};
