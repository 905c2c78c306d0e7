//! Parse errors: a byte span into the query plus a message, and a renderer
//! that shows the offending line with carets under the span.

use std::fmt;
use std::ops::Range;

/// A syntax error in a KQL query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    span: Range<usize>,
    message: String,
}

impl ParseError {
    /// An error covering the bytes `span` of the query.
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
        }
    }

    /// The byte range of the query the error is about (empty at the end of
    /// the query when the query stops too early).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Renders the error for a person: the message with its line and column
    /// (1-based, counted in characters), the line of `query` the span starts
    /// on, and a caret line under the span. Carets are aligned by character
    /// count (tabs are kept as tabs); a span running past the end of its
    /// line is cut there; an empty span gets one caret. `query` should be
    /// the string that was parsed; any other string is handled without
    /// panicking.
    pub fn render(&self, query: &str) -> String {
        let start = floor_char_boundary(query, self.span.start);
        let end = floor_char_boundary(query, self.span.end.max(start));
        let line_start = query[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = query[start..].find('\n').map_or(query.len(), |i| start + i);
        let line = query[line_start..line_end].trim_end_matches('\r');
        let line_number = query[..start].matches('\n').count() + 1;
        let before = &query[line_start..start];
        let column = before.chars().count() + 1;
        let padding: String = before
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let width = query[start..end.min(line_end)].chars().count().max(1);
        format!(
            "error: {} (line {line_number}, column {column})\n{line}\n{padding}{}\n",
            self.message,
            "^".repeat(width)
        )
    }
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at bytes {}..{})",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_single_line() {
        let err = ParseError::new(2..6, "unterminated quoted string");
        assert_eq!(
            err.render("a:\"foo"),
            "error: unterminated quoted string (line 1, column 3)\na:\"foo\n  ^^^^\n"
        );
    }

    #[test]
    fn render_multibyte_and_multiline() {
        let query = "a:b and\nnamé:日本 )";
        let at = query.find(')').unwrap();
        let err = ParseError::new(at..at + 1, "unexpected `)`");
        assert_eq!(
            err.render(query),
            "error: unexpected `)` (line 2, column 9)\nnamé:日本 )\n        ^\n"
        );
    }

    #[test]
    fn render_empty_span_at_end_and_out_of_range() {
        let err = ParseError::new(3..3, "expected a value");
        assert_eq!(
            err.render("a:\t"),
            "error: expected a value (line 1, column 4)\na:\t\n  \t^\n"
        );
        let wild = ParseError::new(50..70, "x");
        assert!(wild.render("é").contains("^"));
        let split = ParseError::new(1..2, "x");
        assert!(split.render("é").contains("column 1"));
    }

    #[test]
    fn render_crlf_and_tabs() {
        let query = "a:b\r\n\tc:(d";
        let at = query.find('(').unwrap();
        let err = ParseError::new(at..at + 1, "unclosed `(`");
        assert_eq!(
            err.render(query),
            "error: unclosed `(` (line 2, column 4)\n\tc:(d\n\t  ^\n"
        );
    }
}
