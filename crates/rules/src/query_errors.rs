//! Placing errors found inside a TOML string (KQL, sequence and template errors) at the right
//! line of the rule file, with a caret rendering from the KQL crate.
//!
//! When the string's source text maps byte for byte onto its value (a literal string, or a
//! basic string without backslash escapes), the error's span is moved into the file and
//! rendered against the file's own line. Otherwise the span is rendered against the value
//! and the line is estimated from the newlines before it.

use crate::diagnostics::Diagnostic;
use crate::toml_schema::Doc;
use r53guard_kql::ParseError;
use std::ops::Range;

/// Records `err` (a span into `value`, the decoded string at `value_span` in the file) as an
/// error about `key`, prefixed with `what` (`invalid KQL in \`rule.query\``).
pub(crate) fn string_error(
    doc: &mut Doc<'_>,
    value_span: &Range<usize>,
    key: &str,
    value: &str,
    err: &ParseError,
    what: &str,
) {
    let raw = &doc.text[value_span.clone()];
    let (open, exact) = opening(raw);
    let content_start = value_span.start + open;
    let span = err.span();
    let exact = exact && doc.text.get(content_start..content_start + value.len()) == Some(value);
    let (line, rendered, column) = if exact {
        let file_span = content_start + span.start..content_start + span.end;
        let rendered = ParseError::new(file_span.clone(), err.message()).render(doc.text);
        (
            doc.line(file_span.start),
            rendered,
            column(doc.text, file_span.start),
        )
    } else {
        let start = span.start.min(value.len());
        let newlines = value.get(..start).map_or(0, |s| s.matches('\n').count());
        (
            doc.line(content_start) + newlines,
            err.render(value),
            column(value, start),
        )
    };
    let caret_block = rendered.split_once('\n').map_or("", |(_, rest)| rest);
    let diagnostic = Diagnostic::error(
        &doc.source,
        format!("{what}: {} (column {column})", err.message()),
    )
    .at_line(Some(line))
    .with_key(key)
    .with_rendered(caret_block);
    doc.diags.push(diagnostic);
}

/// How many bytes open the string (quotes, and the newline TOML trims after `"""`/`'''`),
/// and whether its content is copied verbatim from the file.
fn opening(raw: &str) -> (usize, bool) {
    for (quote, literal) in [("'''", true), ("\"\"\"", false)] {
        if let Some(rest) = raw.strip_prefix(quote) {
            let newline = if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with('\n'))
            };
            return (quote.len() + newline, literal || !rest.contains('\\'));
        }
    }
    match raw.chars().next() {
        Some('\'') => (1, true),
        Some('"') => (1, !raw.contains('\\')),
        _ => (0, false),
    }
}

/// The 1-based column (in characters) of byte `offset` in `text`.
fn column(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings() {
        assert_eq!(opening("'''\nabc'''"), (4, true));
        assert_eq!(opening("\"\"\"\r\nabc\"\"\""), (5, true));
        assert_eq!(opening("\"\"\"a\\tb\"\"\""), (3, false));
        assert_eq!(opening("'a'"), (1, true));
        assert_eq!(opening("\"a\\\"b\""), (1, false));
        assert_eq!(column("ab\ncdé f", 8), 5);
    }
}
