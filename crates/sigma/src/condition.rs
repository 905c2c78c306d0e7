//! The detection condition: lexer, parser and resolution against the search identifiers.
//!
//! Grammar (keywords lower-case, as the specification requires):
//!
//! ```text
//! condition := and_expr ( "or" and_expr )*
//! and_expr  := not_expr ( "and" not_expr )*
//! not_expr  := "not" not_expr | primary
//! primary   := "(" condition ")" | quantifier "of" ( "them" | pattern ) | identifier
//! quantifier:= "1" | "any" | "all"
//! identifier:= [A-Za-z0-9_-]+          pattern := [A-Za-z0-9_*-]+
//! ```
//!
//! so binding is `or` < `and` < `not` < `x of` < parentheses. A pattern matches identifiers the
//! way pySigma does: **anchored at the start only** (`1 of sel` also takes `selection` and
//! `sel_x`; `*` matches any run). `them` takes every identifier not starting with `_`. The old
//! aggregation syntax (`| count() by …`, `| near`) is rejected with a pointer to correlation
//! rules. Nesting is capped at [`MAX_DEPTH`] so hostile input cannot exhaust the stack.

use crate::pattern::{Glob, SigmaString};
use std::fmt;
use std::ops::Range;

/// Deepest nesting of parentheses and `not` accepted.
pub const MAX_DEPTH: usize = 128;

/// A condition resolved against a detection's search identifiers (indices into its searches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// One search identifier.
    Search(usize),
    /// Negation.
    Not(Box<Cond>),
    /// All must hold.
    And(Vec<Cond>),
    /// One must hold.
    Or(Vec<Cond>),
}

/// A condition syntax or resolution error, with the byte span it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range of the condition text.
    pub span: Range<usize>,
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.span.start)
    }
}

impl std::error::Error for ConditionError {}

impl ConditionError {
    /// The condition with carets under the span and the message after them.
    pub fn render(&self, condition: &str) -> String {
        let boundary = |mut i: usize| {
            i = i.min(condition.len());
            while !condition.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = boundary(self.span.start);
        let end = boundary(self.span.end).max(start);
        let pad = condition[..start].chars().count();
        let width = condition[start..end].chars().count().max(1);
        format!(
            "{condition}\n{}{} {}",
            " ".repeat(pad),
            "^".repeat(width),
            self.message
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Of,
    Them,
    Word(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    tok: Tok,
    span: Range<usize>,
}

fn lex(src: &str) -> Result<Vec<Token>, ConditionError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = match c {
            b'(' => {
                i += 1;
                Tok::LParen
            }
            b')' => {
                i += 1;
                Tok::RParen
            }
            b'|' => {
                return Err(ConditionError {
                    message: "aggregations (`| count() …`, `| near …`) are obsolete in Sigma; \
                              write a correlation rule instead"
                        .into(),
                    span: start..src.len(),
                });
            }
            c if is_word_byte(c) => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                match &src[start..i] {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "of" => Tok::Of,
                    "them" => Tok::Them,
                    w => Tok::Word(w.to_owned()),
                }
            }
            _ => {
                let len = src[start..].chars().next().map_or(1, char::len_utf8);
                return Err(ConditionError {
                    message: format!(
                        "unexpected character {:?}: identifiers are made of letters, digits, `_` and `-`",
                        &src[start..start + len]
                    ),
                    span: start..start + len,
                });
            }
        };
        out.push(Token {
            tok,
            span: start..i,
        });
    }
    Ok(out)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'*')
}

/// The quantifier of an `x of` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantifier {
    One,
    All,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    at: usize,
    names: &'a [String],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.at)
    }

    fn end_span(&self) -> Range<usize> {
        self.src.len()..self.src.len()
    }

    fn or(&mut self, depth: usize) -> Result<Cond, ConditionError> {
        let mut items = vec![self.and(depth)?];
        while self.peek().is_some_and(|t| t.tok == Tok::Or) {
            self.at += 1;
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Cond::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Cond, ConditionError> {
        let mut items = vec![self.not(depth)?];
        while self.peek().is_some_and(|t| t.tok == Tok::And) {
            self.at += 1;
            items.push(self.not(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Cond::And(items)
        })
    }

    fn not(&mut self, depth: usize) -> Result<Cond, ConditionError> {
        if let Some(t) = self.peek()
            && t.tok == Tok::Not
        {
            let span = t.span.clone();
            self.deeper(depth, span)?;
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.not(depth + 1)?)));
        }
        self.primary(depth)
    }

    fn deeper(&self, depth: usize, span: Range<usize>) -> Result<(), ConditionError> {
        if depth >= MAX_DEPTH {
            return Err(ConditionError {
                message: format!("condition nested deeper than {MAX_DEPTH} levels"),
                span,
            });
        }
        Ok(())
    }

    fn primary(&mut self, depth: usize) -> Result<Cond, ConditionError> {
        let Some(tok) = self.peek().cloned() else {
            return Err(ConditionError {
                message: "expected a search identifier, `x of …`, `not` or `(`".into(),
                span: self.end_span(),
            });
        };
        self.at += 1;
        match tok.tok {
            Tok::LParen => {
                self.deeper(depth, tok.span.clone())?;
                let inner = self.or(depth + 1)?;
                match self.peek() {
                    Some(t) if t.tok == Tok::RParen => {
                        self.at += 1;
                        Ok(inner)
                    }
                    Some(t) => Err(ConditionError {
                        message: "expected `)`".into(),
                        span: t.span.clone(),
                    }),
                    None => Err(ConditionError {
                        message: "unclosed `(`".into(),
                        span: tok.span,
                    }),
                }
            }
            Tok::Word(w) => {
                let quantifier = match w.as_str() {
                    "1" | "any" => Some(Quantifier::One),
                    "all" => Some(Quantifier::All),
                    _ => None,
                };
                match quantifier {
                    Some(q) if self.peek().is_some_and(|t| t.tok == Tok::Of) => {
                        self.at += 1;
                        self.quantified(q, tok.span)
                    }
                    _ => self.identifier(&w, tok.span),
                }
            }
            Tok::Of | Tok::Them | Tok::And | Tok::Or | Tok::RParen | Tok::Not => {
                Err(ConditionError {
                    message: format!(
                        "unexpected `{}`: expected a search identifier, `x of …`, `not` or `(`",
                        &self.src[tok.span.clone()]
                    ),
                    span: tok.span,
                })
            }
        }
    }

    fn identifier(&self, name: &str, span: Range<usize>) -> Result<Cond, ConditionError> {
        if name.contains('*') {
            return Err(ConditionError {
                message: format!("wildcard `{name}` is only allowed after `1 of` / `all of`"),
                span,
            });
        }
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(Cond::Search(i)),
            None => Err(ConditionError {
                message: format!("unknown search identifier `{name}`"),
                span,
            }),
        }
    }

    fn quantified(&mut self, q: Quantifier, q_span: Range<usize>) -> Result<Cond, ConditionError> {
        let Some(target) = self.peek().cloned() else {
            return Err(ConditionError {
                message: "expected `them` or an identifier pattern after `of`".into(),
                span: self.end_span(),
            });
        };
        self.at += 1;
        let span = q_span.start..target.span.end;
        let matched: Vec<usize> = match &target.tok {
            Tok::Them => self
                .names
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.starts_with('_'))
                .map(|(i, _)| i)
                .collect(),
            Tok::Word(pattern) => {
                let glob = Glob::new(&SigmaString::parse(pattern).with_trailing_star());
                self.names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| glob.matches(n))
                    .map(|(i, _)| i)
                    .collect()
            }
            _ => {
                return Err(ConditionError {
                    message: "expected `them` or an identifier pattern after `of`".into(),
                    span: target.span,
                });
            }
        };
        if matched.is_empty() {
            return Err(ConditionError {
                message: format!("`{}` matches no search identifier", &self.src[span.clone()]),
                span,
            });
        }
        let items: Vec<Cond> = matched.into_iter().map(Cond::Search).collect();
        Ok(match (q, items.len()) {
            (_, 1) => items.into_iter().next().unwrap_or(Cond::Or(Vec::new())),
            (Quantifier::One, _) => Cond::Or(items),
            (Quantifier::All, _) => Cond::And(items),
        })
    }
}

/// Parses `condition` and resolves it against the search identifiers `names`.
pub fn parse(condition: &str, names: &[String]) -> Result<Cond, ConditionError> {
    let toks = lex(condition)?;
    let mut p = Parser {
        src: condition,
        toks,
        at: 0,
        names,
    };
    let cond = p.or(0)?;
    match p.peek() {
        None => Ok(cond),
        Some(t) => Err(ConditionError {
            message: format!(
                "unexpected `{}`: expected `and`, `or` or the end of the condition",
                &condition[t.span.clone()]
            ),
            span: t.span.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn precedence() {
        let n = names(&["a", "b", "c"]);
        assert_eq!(
            parse("a or b and not c", &n).unwrap(),
            Cond::Or(vec![
                Cond::Search(0),
                Cond::And(vec![Cond::Search(1), Cond::Not(Box::new(Cond::Search(2)))])
            ])
        );
        assert_eq!(
            parse("not (a or b)", &n).unwrap(),
            Cond::Not(Box::new(Cond::Or(vec![Cond::Search(0), Cond::Search(1)])))
        );
    }

    #[test]
    fn quantifiers_are_anchored_at_the_start_only() {
        let n = names(&["selection", "sel_x", "filter", "_private", "xsel"]);
        assert_eq!(
            parse("1 of sel", &n).unwrap(),
            Cond::Or(vec![Cond::Search(0), Cond::Search(1)])
        );
        assert_eq!(
            parse("all of them", &n).unwrap(),
            Cond::And(vec![
                Cond::Search(0),
                Cond::Search(1),
                Cond::Search(2),
                Cond::Search(4)
            ])
        );
        assert_eq!(
            parse("any of *x", &n).unwrap(),
            Cond::Or(vec![Cond::Search(1), Cond::Search(4)])
        );
        assert_eq!(parse("1 of *_x", &n).unwrap(), Cond::Search(1));
        assert_eq!(parse("1 of _p*", &n).unwrap(), Cond::Search(3));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let n = names(&["a"]);
        let e = parse("a and", &n).unwrap_err();
        assert_eq!(e.span, 5..5);
        let e = parse("a and b", &n).unwrap_err();
        assert_eq!(e.span, 6..7);
        assert_eq!(
            e.render("a and b"),
            "a and b\n      ^ unknown search identifier `b`"
        );
        let e = parse("a | count() > 5", &n).unwrap_err();
        assert!(e.message.contains("correlation"));
        assert!(parse("(a", &n).is_err());
        assert!(parse("a)", &n).is_err());
        assert!(parse("1 of zz", &n).is_err());
        assert!(parse("a*", &n).is_err());
        assert!(parse("a AND a", &n).is_err());
        assert!(parse("é", &n).unwrap_err().render("é").contains('^'));
        let odd = ConditionError {
            message: "m".into(),
            span: 1..99,
        };
        assert_eq!(odd.render("é"), "é\n^ m");
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep, &n).is_err());
        let nots = format!("{}a", "not ".repeat(10_000));
        assert!(parse(&nots, &n).is_err());
    }
}
