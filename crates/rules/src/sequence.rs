//! Sequence queries: an EQL-like header around KQL steps.
//!
//! ```text
//! sequence [by <field>[, <field>…]] [with maxspan=<duration>]
//!   [<KQL>]
//!   [<KQL>] …
//!   [until [<KQL>]]
//! ```
//!
//! * `by` fields join the steps: every step of one sequence has the same values for them.
//! * `maxspan` (`^\d+[smhd]$`) bounds the time from the first step to the last.
//! * Two or more steps, each a KQL query in square brackets, must match in order.
//! * `until [<KQL>]` discards a partial sequence when an event matching it arrives.
//! * Keywords are case-insensitive; `by` and `with` may come in either order, once each.
//! * Inside a step, brackets must be balanced or inside a quoted value; `"…"` strings are
//!   skipped whole, and a backslash outside quotes protects the next character.
//! * EQL event queries (`[any where event.action == "x"]`) are not supported: steps are KQL.
//!
//! Errors are [`ParseError`]s whose spans are offsets into the whole sequence text, including
//! errors inside a step (the KQL error's span is shifted by the step's position).

use crate::duration::parse_duration;
use r53guard_kql::{ParseError, Query, parse};
use std::ops::Range;
use std::time::Duration;

/// A parsed sequence query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sequence {
    /// Join fields (`by`); empty when the steps need not share values.
    pub by: Vec<String>,
    /// The longest time from the first step to the last (`with maxspan=`).
    pub maxspan: Option<Duration>,
    /// The steps, in order (at least two).
    pub steps: Vec<Query>,
    /// The `until` query, ending partial sequences.
    pub until: Option<Query>,
    /// The sequence text as written.
    pub text: String,
}

impl Sequence {
    /// Parses a sequence query (see the module documentation).
    pub fn parse(text: &str) -> Result<Sequence, ParseError> {
        let mut cursor = Cursor { text, pos: 0 };
        cursor.skip_ws();
        let (word, span) = cursor.word();
        if !word.eq_ignore_ascii_case("sequence") {
            return Err(ParseError::new(
                span_or_next(&cursor, span),
                "a sequence query starts with `sequence`",
            ));
        }
        let mut by = None;
        let mut maxspan = None;
        loop {
            cursor.skip_ws();
            let start = cursor.pos;
            let (word, span) = cursor.word();
            if word.eq_ignore_ascii_case("by") {
                if by.is_some() {
                    return Err(ParseError::new(span, "`by` given twice"));
                }
                by = Some(cursor.by_fields()?);
            } else if word.eq_ignore_ascii_case("with") {
                if maxspan.is_some() {
                    return Err(ParseError::new(span, "`with` given twice"));
                }
                maxspan = Some(cursor.maxspan()?);
            } else {
                cursor.pos = start;
                break;
            }
        }
        let mut steps = Vec::new();
        let mut until = None;
        loop {
            cursor.skip_ws();
            match cursor.peek() {
                None => break,
                Some('[') => steps.push(cursor.step()?),
                Some(_) => {
                    let (word, span) = cursor.word();
                    if word.eq_ignore_ascii_case("until") && !steps.is_empty() {
                        cursor.skip_ws();
                        if cursor.peek() != Some('[') {
                            return Err(ParseError::new(
                                cursor.next_char_span(),
                                "expected `[` and a KQL query after `until`",
                            ));
                        }
                        until = Some(cursor.step()?);
                        cursor.skip_ws();
                        if cursor.peek().is_some() {
                            return Err(ParseError::new(
                                cursor.pos..text.len(),
                                "unexpected text after the `until` step",
                            ));
                        }
                        break;
                    }
                    let what = if word.is_empty() {
                        format!("unexpected {:?}", cursor.peek().unwrap_or(' '))
                    } else {
                        format!("unexpected `{word}`")
                    };
                    return Err(ParseError::new(
                        span_or_next(&cursor, span),
                        format!("{what}: expected a step in square brackets (`[event.action:X]`)"),
                    ));
                }
            }
        }
        if steps.len() < 2 {
            let at = text.trim_end().len();
            return Err(ParseError::new(
                at..at,
                format!("a sequence needs at least two steps, found {}", steps.len()),
            ));
        }
        Ok(Sequence {
            by: by.unwrap_or_default(),
            maxspan,
            steps,
            until,
            text: text.to_string(),
        })
    }
}

/// The span of a word, or of the next character when the word is empty.
fn span_or_next(cursor: &Cursor<'_>, span: Range<usize>) -> Range<usize> {
    if span.is_empty() {
        cursor.next_char_span()
    } else {
        span
    }
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.')
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn next_char_span(&self) -> Range<usize> {
        let len = self.peek().map_or(0, char::len_utf8);
        self.pos..self.pos + len
    }

    fn skip_ws(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Reads a run of field-name characters (possibly empty).
    fn word(&mut self) -> (&'a str, Range<usize>) {
        let rest = &self.text[self.pos..];
        let len = rest.find(|c: char| !is_field_char(c)).unwrap_or(rest.len());
        let span = self.pos..self.pos + len;
        self.pos += len;
        (&self.text[span.clone()], span)
    }

    fn by_fields(&mut self) -> Result<Vec<String>, ParseError> {
        let mut fields = Vec::new();
        loop {
            self.skip_ws();
            let (field, span) = self.word();
            if field.is_empty() || field.split('.').any(str::is_empty) {
                return Err(ParseError::new(
                    span_or_next(self, span),
                    "expected a field name after `by` or `,`",
                ));
            }
            fields.push(field.to_string());
            let before = self.pos;
            self.skip_ws();
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                self.pos = before;
                return Ok(fields);
            }
        }
    }

    fn maxspan(&mut self) -> Result<Duration, ParseError> {
        self.skip_ws();
        let (word, span) = self.word();
        if !word.eq_ignore_ascii_case("maxspan") {
            return Err(ParseError::new(
                span_or_next(self, span),
                "expected `maxspan=<duration>` after `with`",
            ));
        }
        self.skip_ws();
        if self.peek() != Some('=') {
            return Err(ParseError::new(
                self.next_char_span(),
                "expected `=` after `maxspan`",
            ));
        }
        self.pos += 1;
        self.skip_ws();
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| c.is_whitespace() || c == '[')
            .unwrap_or(rest.len());
        let span = self.pos..self.pos + len;
        self.pos += len;
        parse_duration(&self.text[span.clone()]).map_err(|message| {
            ParseError::new(span_or_next(self, span), format!("maxspan: {message}"))
        })
    }

    /// Reads `[ KQL ]` starting at the `[`, and parses the KQL.
    fn step(&mut self) -> Result<Query, ParseError> {
        let open = self.pos;
        let body_start = open + 1;
        let mut depth = 1usize;
        let mut in_quotes = false;
        let mut chars = self.text[body_start..].char_indices();
        let mut close = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_quotes = !in_quotes,
                '[' if !in_quotes => depth += 1,
                ']' if !in_quotes => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(body_start + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            return Err(ParseError::new(
                open..open + 1,
                "unclosed `[`: a step ends with `]`",
            ));
        };
        self.pos = close + 1;
        let body = &self.text[body_start..close];
        if body.trim().is_empty() {
            return Err(ParseError::new(open..close + 1, "empty step"));
        }
        reject_eql(body, body_start)?;
        parse(body).map_err(|err| {
            let span = err.span();
            ParseError::new(
                span.start + body_start..span.end + body_start,
                err.message().to_string(),
            )
        })
    }
}

/// Rejects an EQL event query (`any where …`, `process where …`) with a clear message; KQL
/// would otherwise read it as free text.
fn reject_eql(body: &str, offset: usize) -> Result<(), ParseError> {
    let trimmed = body.trim_start();
    let lead = body.len() - trimmed.len();
    let category_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let after = &trimmed[category_len..];
    let gap = after.len() - after.trim_start().len();
    let rest = &after[gap..];
    let is_where = rest.len() >= 5
        && rest.is_char_boundary(5)
        && rest[..5].eq_ignore_ascii_case("where")
        && rest[5..].chars().next().is_none_or(char::is_whitespace);
    if category_len > 0 && gap > 0 && is_where {
        let start = offset + lead;
        let end = start + category_len + gap + 5;
        return Err(ParseError::new(
            start..end,
            "EQL event queries are not supported: write each step in KQL (`[event.action:X]`)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_form() {
        let text = "sequence by requestParameters.domainName, recipientAccountId with maxspan=1h\n  [event.action:DisableDomainTransferLock]\n  [event.action:TransferDomainToAnotherAwsAccount]\nuntil [event.action:EnableDomainTransferLock]";
        let s = Sequence::parse(text).unwrap();
        assert_eq!(s.by, ["requestParameters.domainName", "recipientAccountId"]);
        assert_eq!(s.maxspan, Some(Duration::from_secs(3600)));
        assert_eq!(s.steps.len(), 2);
        assert_eq!(
            s.steps[0],
            parse("event.action:DisableDomainTransferLock").unwrap()
        );
        assert_eq!(
            s.until,
            Some(parse("event.action:EnableDomainTransferLock").unwrap())
        );
        assert_eq!(s.text, text);
    }

    #[test]
    fn minimal_and_reordered_forms() {
        let s = Sequence::parse("SEQUENCE [a:1][b:2] [c:\"]\"]").unwrap();
        assert!(s.by.is_empty());
        assert_eq!(s.maxspan, None);
        assert_eq!(s.steps.len(), 3);
        assert_eq!(s.steps[2], parse("c:\"]\"").unwrap());
        let s = Sequence::parse("sequence with maxspan = 5m by x [a:1] [b:2]").unwrap();
        assert_eq!(s.by, ["x"]);
        assert_eq!(s.maxspan, Some(Duration::from_secs(300)));
    }

    #[test]
    fn errors_have_spans_into_the_whole_text() {
        let cases: &[(&str, Range<usize>, &str)] = &[
            ("seq [a:1] [b:2]", 0..3, "starts with `sequence`"),
            ("sequence [a:1]", 14..14, "at least two steps, found 1"),
            ("sequence by [a:1] [b:2]", 12..13, "expected a field name"),
            (
                "sequence by a, [a:1] [b:2]",
                15..16,
                "expected a field name",
            ),
            ("sequence with maxspan=1x [a:1] [b:2]", 22..24, "maxspan"),
            (
                "sequence with span=1h [a:1] [b:2]",
                14..18,
                "expected `maxspan",
            ),
            (
                "sequence with maxspan 1h [a:1] [b:2]",
                22..23,
                "expected `=`",
            ),
            ("sequence [a:1] [b:2", 15..16, "unclosed `[`"),
            ("sequence [a:1] [ ]", 15..18, "empty step"),
            ("sequence [a:1] [b:(c]", 18..19, "unclosed `(`"),
            ("sequence [a:1] foo [b:2]", 15..18, "unexpected `foo`"),
            ("sequence [a:1] [b:2] until", 26..26, "after `until`"),
            (
                "sequence [a:1] [b:2] until [c:3] x",
                33..34,
                "after the `until` step",
            ),
            (
                "sequence [any where a == 1] [b:2]",
                10..19,
                "EQL event queries",
            ),
            ("sequence by a by b [a:1] [b:2]", 14..16, "`by` given twice"),
            ("", 0..0, "starts with `sequence`"),
        ];
        for (text, span, fragment) in cases {
            let err = Sequence::parse(text).unwrap_err();
            assert_eq!(&err.span(), span, "{text:?}: {}", err.message());
            assert!(
                err.message().contains(fragment),
                "{text:?}: {}",
                err.message()
            );
        }
    }
}
