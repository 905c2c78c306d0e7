//! The printer: canonical KQL text for a [`Query`] (`Display`).
//!
//! Canonical form: lower-case `and`/`or`/`not` with single spaces;
//! parentheses only where precedence needs them (an `or` inside an `and`,
//! any `and`/`or`/`not` under a `not`); `field:value`, `field >= value`,
//! `path:{ query }`, `field:*` and `*:*`. Field names and range values are
//! printed bare when they are plain words and quoted otherwise; values keep
//! the quoting they were parsed with and unquoted ones are escaped exactly
//! as much as the lexer needs: special characters, tab/CR/LF, control
//! characters, leading/trailing spaces (as `\u0020`), and keywords that
//! would otherwise end the value. Parsing the output gives back the same
//! normalised tree.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{Field, Query, Value};
use crate::lexer::{Keyword, is_escapable, is_whitespace};
use crate::pattern::{Pattern, Segment};

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Query::MatchAll => f.write_str("*:*"),
            Query::Term { field, value } => write!(f, "{field}:{value}"),
            Query::Exists { field } => write!(f, "{field}:*"),
            Query::Range { field, op, value } => {
                write!(f, "{field} {} ", op.as_str())?;
                write_name(f, value)
            }
            Query::Nested { path, query } => {
                write_name(f, path)?;
                write!(f, ":{{ {query} }}")
            }
            Query::FreeText(value) => write!(f, "{value}"),
            Query::And(children) => write_junction(f, children, " and ", |c| {
                matches!(c, Query::And(_) | Query::Or(_))
            }),
            Query::Or(children) => {
                write_junction(f, children, " or ", |c| matches!(c, Query::Or(_)))
            }
            Query::Not(inner) => {
                f.write_str("not ")?;
                write_child(
                    f,
                    inner,
                    matches!(**inner, Query::And(_) | Query::Or(_) | Query::Not(_)),
                )
            }
        }
    }
}

fn write_junction(
    f: &mut Formatter<'_>,
    children: &[Query],
    separator: &str,
    needs_parens: impl Fn(&Query) -> bool,
) -> fmt::Result {
    for (i, child) in children.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write_child(f, child, needs_parens(child))?;
    }
    Ok(())
}

fn write_child(f: &mut Formatter<'_>, child: &Query, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({child})")
    } else {
        write!(f, "{child}")
    }
}

impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Field::Path(path) => write_name(f, path),
            Field::Pattern(pattern) => write_unquoted(f, pattern),
        }
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.is_quoted(), self.as_literal()) {
            (true, Some(text)) => write_quoted(f, text),
            _ => write_unquoted(f, self.pattern()),
        }
    }
}

/// A field name, nested path or range value: bare when it is a plain word,
/// quoted otherwise.
fn write_name(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    let plain = !text.is_empty()
        && !Keyword::ALL
            .iter()
            .any(|(word, _)| text.eq_ignore_ascii_case(word))
        && text
            .chars()
            .all(|c| !is_escapable(c) && !is_whitespace(c) && !c.is_control());
    if plain {
        f.write_str(text)
    } else {
        write_quoted(f, text)
    }
}

fn write_quoted(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\n' => f.write_str("\\n")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// One character (or wildcard) of an unquoted pattern.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Char(char),
    Star,
}

fn write_unquoted(f: &mut Formatter<'_>, pattern: &Pattern) -> fmt::Result {
    let units: Vec<Unit> = pattern
        .segments()
        .iter()
        .flat_map(|segment| match segment {
            Segment::Literal(text) => text.chars().map(Unit::Char).collect::<Vec<_>>(),
            Segment::Wildcard => vec![Unit::Star],
        })
        .collect();
    let last = units.len().saturating_sub(1);
    // A space or no-break space printed as itself (not at either end).
    let raw_space =
        |i: usize| i != 0 && i != last && matches!(units.get(i), Some(Unit::Char(' ' | '\u{a0}')));
    // The length of a keyword at `i` that the lexer would read as one.
    let word_at = |i: usize| -> Option<usize> {
        Keyword::ALL.iter().find_map(|(word, _)| {
            let len = word.len();
            let spelled = units.get(i..i + len).is_some_and(|w| {
                w.iter()
                    .zip(word.chars())
                    .all(|(u, k)| matches!(u, Unit::Char(c) if c.eq_ignore_ascii_case(&k)))
            });
            let ends = i + len > last || raw_space(i + len);
            (spelled && ends).then_some(len)
        })
    };
    let mut i = 0;
    while i < units.len() {
        let unit = units[i];
        let Unit::Char(c) = unit else {
            f.write_char('*')?;
            i += 1;
            continue;
        };
        let at_word_start = i == 0 || raw_space(i - 1);
        if at_word_start && let Some(len) = word_at(i) {
            f.write_char('\\')?;
            for u in &units[i..i + len] {
                if let Unit::Char(c) = u {
                    f.write_char(*c)?;
                }
            }
            i += len;
            continue;
        }
        match c {
            c if is_escapable(c) => write!(f, "\\{c}")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\n' => {
                // `\not…` would read as the escaped keyword `not`.
                let ot = matches!(
                    units.get(i + 1..i + 3),
                    Some([Unit::Char('o' | 'O'), Unit::Char('t' | 'T')])
                );
                f.write_str(if ot { "\\u000a" } else { "\\n" })?;
            }
            ' ' | '\u{a0}' if !raw_space(i) => write!(f, "\\u{:04x}", u32::from(c))?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
        i += 1;
    }
    Ok(())
}
