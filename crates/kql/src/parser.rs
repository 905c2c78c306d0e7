//! The recursive-descent parser: KQL text to a normalised [`Query`].
//!
//! Grammar (whitespace `WS` = space, tab, CR, LF, U+00A0; keywords are
//! case-insensitive whole words, see the crate documentation):
//!
//! ```text
//! query    = WS* [ or WS* ]                      (empty = match all)
//! or       = and { "or" and }
//! and      = not { "and" not }
//! not      = "not" not | primary
//! primary  = "(" WS* or WS* ")"
//!          | literal WS* ":" WS* ( "{" WS* or WS* "}" | list | value )
//!          | literal WS* ( "<" | "<=" | ">" | ">=" ) WS* literal
//!          | literal                             (free text)
//! list     = "(" WS* vor WS* ")"                 (vor/vand/vnot/vprimary: the
//! vprimary = list | value                         same chain over values)
//! ```

use crate::ast::{Field, Query, RangeOp, Value};
use crate::error::ParseError;
use crate::lexer::{Keyword, Lexer, Literal};

/// The deepest nesting of parentheses, braces and `not`s the parser accepts.
pub const MAX_DEPTH: usize = 256;

/// Parses a KQL query. A blank query is [`Query::MatchAll`].
pub fn parse(input: &str) -> Result<Query, ParseError> {
    let mut parser = Parser {
        lexer: Lexer::new(input),
    };
    parser.lexer.skip_whitespace();
    if parser.lexer.at_end() {
        return Ok(Query::MatchAll);
    }
    let query = parser.or(Mode::Query, 0)?;
    parser.lexer.skip_whitespace();
    if !parser.lexer.at_end() {
        return Err(parser.unexpected());
    }
    Ok(query)
}

impl std::str::FromStr for Query {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse(input)
    }
}

/// What the operands of a boolean chain are: whole expressions, or the
/// values of a `field:( … )` list.
#[derive(Clone, Copy)]
enum Mode<'f> {
    Query,
    Values(&'f Field),
}

struct Parser<'a> {
    lexer: Lexer<'a>,
}

impl Parser<'_> {
    fn or(&mut self, mode: Mode<'_>, depth: usize) -> Result<Query, ParseError> {
        self.chain(mode, depth, Keyword::Or)
    }

    /// `operand { keyword operand }` for `or` (operands are `and` chains)
    /// and `and` (operands are `not` expressions).
    fn chain(&mut self, mode: Mode<'_>, depth: usize, op: Keyword) -> Result<Query, ParseError> {
        let mut items = vec![self.chain_operand(mode, depth, op)?];
        loop {
            let save = self.lexer.pos();
            self.lexer.skip_whitespace();
            if self.lexer.keyword() != Some(op) {
                self.lexer.set_pos(save);
                break;
            }
            let span = self.lexer.take_keyword(op);
            self.lexer.skip_whitespace();
            if matches!(self.lexer.peek(), None | Some(')' | '}')) {
                return Err(ParseError::new(
                    span,
                    format!("`{}` must be followed by an expression", op.as_str()),
                ));
            }
            items.push(self.chain_operand(mode, depth, op)?);
        }
        Ok(match op {
            Keyword::Or => Query::or(items),
            _ => Query::and(items),
        })
    }

    fn chain_operand(
        &mut self,
        mode: Mode<'_>,
        depth: usize,
        op: Keyword,
    ) -> Result<Query, ParseError> {
        match op {
            Keyword::Or => self.chain(mode, depth, Keyword::And),
            Keyword::And | Keyword::Not => self.not(mode, depth),
        }
    }

    fn not(&mut self, mode: Mode<'_>, depth: usize) -> Result<Query, ParseError> {
        self.lexer.skip_whitespace();
        if self.lexer.keyword() != Some(Keyword::Not) {
            return self.primary(mode, depth);
        }
        let span = self.lexer.take_keyword(Keyword::Not);
        check_depth(depth, span.clone())?;
        self.lexer.skip_whitespace();
        if matches!(self.lexer.peek(), None | Some(')' | '}')) {
            return Err(ParseError::new(
                span,
                "`not` must be followed by an expression",
            ));
        }
        Ok(Query::negate(self.not(mode, depth + 1)?))
    }

    fn primary(&mut self, mode: Mode<'_>, depth: usize) -> Result<Query, ParseError> {
        let at = self.lexer.pos();
        match self.lexer.peek() {
            Some('(') => return self.group(mode, depth, '(', ')'),
            None => return Err(ParseError::new(at..at, "expected an expression")),
            Some(c @ (')' | '}')) => {
                return Err(ParseError::new(
                    at..at + 1,
                    format!("expected an expression, found `{c}`"),
                ));
            }
            _ => {}
        }
        if let Some(keyword @ (Keyword::Or | Keyword::And)) = self.lexer.keyword() {
            let word = keyword.as_str();
            return Err(ParseError::new(
                at..at + word.len(),
                format!(
                    "unexpected keyword `{word}`: expected an expression \
                     (write `\\{word}` to search for the word)"
                ),
            ));
        }
        let Some(literal) = self.lexer.literal()? else {
            return Err(self.unexpected());
        };
        match mode {
            Mode::Values(field) => Ok(Query::term(field.clone(), value(literal))),
            Mode::Query => self.after_literal(literal, depth),
        }
    }

    /// `( … )` or `{ … }` around a chain; the opening character is next.
    fn group(
        &mut self,
        mode: Mode<'_>,
        depth: usize,
        open: char,
        close: char,
    ) -> Result<Query, ParseError> {
        let open_at = self.lexer.pos();
        let open_span = open_at..open_at + 1;
        check_depth(depth, open_span.clone())?;
        self.lexer.eat(open);
        self.lexer.skip_whitespace();
        if self.lexer.peek() == Some(close) {
            let what = match (open, mode) {
                ('{', _) => "empty nested query `{}`",
                (_, Mode::Values(_)) => "empty value list `()`",
                _ => "empty parentheses `()`",
            };
            return Err(ParseError::new(open_at..self.lexer.pos() + 1, what));
        }
        let inner = self.or(mode, depth + 1)?;
        self.lexer.skip_whitespace();
        if self.lexer.eat(close) {
            return Ok(inner);
        }
        if self.lexer.at_end() {
            return Err(ParseError::new(
                open_span,
                format!("unclosed `{open}`: expected a matching `{close}`"),
            ));
        }
        Err(self.unexpected())
    }

    /// After a literal in expression position: a field (`:` or a range
    /// operator follows) or free text.
    fn after_literal(&mut self, literal: Literal, depth: usize) -> Result<Query, ParseError> {
        let literal_end = self.lexer.pos();
        self.lexer.skip_whitespace();
        match self.lexer.peek() {
            Some(':') => {
                self.lexer.eat(':');
                self.field_value(literal, literal_end, depth)
            }
            Some('<' | '>') => self.range(literal),
            _ => {
                self.lexer.set_pos(literal_end);
                Ok(Query::free_text(value(literal)))
            }
        }
    }

    /// What follows `field:`.
    fn field_value(
        &mut self,
        field: Literal,
        field_end: usize,
        depth: usize,
    ) -> Result<Query, ParseError> {
        let colon = self.lexer.pos() - 1;
        self.lexer.skip_whitespace();
        let field_span = field.start..field_end;
        let field = to_field(field);
        match self.lexer.peek() {
            Some('{') => {
                let Field::Path(path) = field else {
                    return Err(ParseError::new(
                        field_span,
                        "a nested query needs a literal path; wildcards are not allowed here",
                    ));
                };
                let query = self.group(Mode::Query, depth, '{', '}')?;
                Ok(Query::Nested {
                    path,
                    query: Box::new(query),
                })
            }
            Some('(') => self.group(Mode::Values(&field), depth, '(', ')'),
            _ => {
                let literal = self.value_literal(colon..colon + 1, "`:`")?;
                Ok(Query::term(field, value(literal)))
            }
        }
    }

    /// `field <op> value`; the operator is next.
    fn range(&mut self, field: Literal) -> Result<Query, ParseError> {
        let op_at = self.lexer.pos();
        let less = self.lexer.eat('<');
        if !less {
            self.lexer.eat('>');
        }
        let op = match (less, self.lexer.eat('=')) {
            (true, true) => RangeOp::Lte,
            (true, false) => RangeOp::Lt,
            (false, true) => RangeOp::Gte,
            (false, false) => RangeOp::Gt,
        };
        let op_span = op_at..self.lexer.pos();
        self.lexer.skip_whitespace();
        if self.lexer.peek() == Some('(') {
            let at = self.lexer.pos();
            return Err(ParseError::new(
                at..at + 1,
                "a range takes a single value, not a list or group",
            ));
        }
        let what = format!("`{}`", op.as_str());
        let literal = self.value_literal(op_span, &what)?;
        let literal_span = literal.start..self.lexer.pos();
        let bound = match literal.pattern.as_literal() {
            Some(text) => text.to_string(),
            None => {
                return Err(ParseError::new(
                    literal_span,
                    "wildcards are not allowed in a range value (escape `*` as `\\*` for a literal star)",
                ));
            }
        };
        Ok(Query::Range {
            field: to_field(field),
            op,
            value: bound,
        })
    }

    /// A single value after `:` or a range operator (spanned by `after`).
    fn value_literal(
        &mut self,
        after: std::ops::Range<usize>,
        what: &str,
    ) -> Result<Literal, ParseError> {
        let at = self.lexer.pos();
        if self.lexer.keyword() == Some(Keyword::Not) {
            return Err(ParseError::new(
                at..at + 3,
                format!(
                    "expected a value after {what}, found keyword `not` \
                     (write `\\not` for the word, or `not field:value` to negate)"
                ),
            ));
        }
        match self.lexer.literal()? {
            Some(literal) => Ok(literal),
            None => {
                let hint = match self.lexer.peek() {
                    Some('<' | '>') => " (a range is written `field >= value`, without `:`)",
                    Some(':') => " (quote or escape a value that contains `:`)",
                    _ => "",
                };
                let span = if self.lexer.at_end() {
                    after
                } else {
                    at..at + 1
                };
                Err(ParseError::new(
                    span,
                    format!("expected a value after {what}{hint}"),
                ))
            }
        }
    }

    /// An error for input that cannot continue the query at the cursor.
    fn unexpected(&self) -> ParseError {
        let at = self.lexer.pos();
        let one = |c: char| at..at + c.len_utf8();
        match self.lexer.peek() {
            None => ParseError::new(at..at, "unexpected end of query"),
            Some(c @ (')' | '}')) => ParseError::new(
                one(c),
                format!("unexpected `{c}` without a matching opening bracket"),
            ),
            Some(':') => ParseError::new(
                one(':'),
                "unexpected `:` (quote or escape values that contain `:`, \
                 and join clauses with `and`/`or`)",
            ),
            Some(c @ ('<' | '>')) => ParseError::new(
                one(c),
                format!("unexpected `{c}`: a range needs a field before it (`field {c} value`)"),
            ),
            Some(c @ '{') => ParseError::new(
                one(c),
                "unexpected `{`: a nested query is written `path:{ … }`",
            ),
            Some(_) if self.lexer.keyword() == Some(Keyword::Not) => ParseError::new(
                at..at + 3,
                "unexpected `not`: join it to the clause before with `and not` or `or not`",
            ),
            Some(c) => ParseError::new(
                one(c),
                "expected `and`, `or` or the end of the query (join clauses with `and`/`or`)",
            ),
        }
    }
}

fn check_depth(depth: usize, span: std::ops::Range<usize>) -> Result<(), ParseError> {
    if depth >= MAX_DEPTH {
        return Err(ParseError::new(
            span,
            format!("query nests deeper than {MAX_DEPTH} levels of brackets and `not`"),
        ));
    }
    Ok(())
}

fn value(literal: Literal) -> Value {
    if literal.quoted {
        Value::quoted(literal.pattern.as_literal().unwrap_or_default())
    } else {
        Value::unquoted(literal.pattern)
    }
}

fn to_field(literal: Literal) -> Field {
    if literal.quoted {
        Field::Path(literal.pattern.as_literal().unwrap_or_default().to_string())
    } else {
        Field::new(literal.pattern)
    }
}
