//! Alert summary templates: `"{user.name} transferred {requestParameters.domainName}"`.
//!
//! A template is text with `{field}` placeholders. A field is a raw AWS path or an ECS alias:
//! dot-separated names made of ASCII letters, digits, `_`, `-` and `@`
//! (`@timestamp`, `userIdentity.arn`, `event.action`). `{{` and `}}` stand for literal braces;
//! any other `{` opens a placeholder and a lone `}` is an error. When the engine renders a
//! summary, a placeholder whose field is absent from the event becomes `?`.

use r53guard_kql::ParseError;
use std::fmt;

/// One piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// Literal text (braces already unescaped).
    Text(String),
    /// A `{field}` placeholder.
    Field(String),
}

/// A parsed summary template, in normal form: no empty text pieces and no two text pieces in
/// a row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// What a placeholder that has no value renders as.
pub const MISSING: &str = "?";

impl Template {
    /// Parses a template. Errors carry the byte span of the bad placeholder or brace, so
    /// [`ParseError::render`] can point at it.
    pub fn parse(text: &str) -> Result<Template, ParseError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, next)| next) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, next)| next) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    return Err(ParseError::new(
                        at..at + 1,
                        "unmatched `}` (write `}}` for a literal brace)",
                    ));
                }
                '{' => {
                    let start = at + 1;
                    let Some(len) = text[start..].find(['}', '{']) else {
                        return Err(ParseError::new(
                            at..text.len(),
                            "unclosed `{` (write `{{` for a literal brace)",
                        ));
                    };
                    let end = start + len;
                    if text[end..].starts_with('{') {
                        return Err(ParseError::new(
                            at..end + 1,
                            "`{` inside a placeholder (write `{{` for a literal brace)",
                        ));
                    }
                    let field = &text[start..end];
                    check_field(field).map_err(|message| ParseError::new(at..end + 1, message))?;
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Field(field.to_string()));
                    while chars.peek().is_some_and(|&(i, _)| i <= end) {
                        chars.next();
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template { pieces })
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The fields of the placeholders, in order (with repeats).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Field(field) => Some(field.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// Renders the template, asking `lookup` for each placeholder's value; a field it has no
    /// value for renders as [`MISSING`] (`?`).
    pub fn render(&self, mut lookup: impl FnMut(&str) -> Option<String>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Field(field) => match lookup(field) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(MISSING),
                },
            }
        }
        out
    }
}

/// Prints the template back in its source syntax, braces in text escaped, so that
/// `Template::parse(&t.to_string()) == Ok(t)`.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => {
                    for c in text.chars() {
                        match c {
                            '{' => f.write_str("{{")?,
                            '}' => f.write_str("}}")?,
                            c => write!(f, "{c}")?,
                        }
                    }
                }
                Piece::Field(field) => write!(f, "{{{field}}}")?,
            }
        }
        Ok(())
    }
}

/// Checks a placeholder's field name: dot-separated, non-empty names of ASCII letters,
/// digits, `_`, `-` and `@`.
fn check_field(field: &str) -> Result<(), String> {
    if field.is_empty() {
        return Err(
            "empty placeholder `{}`: name a field, or write `{{}}` for literal braces".into(),
        );
    }
    if let Some(bad) = field
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.')))
    {
        return Err(format!(
            "placeholder `{{{field}}}` contains {bad:?}; a field name is made of letters, digits, `_`, `-`, `@` and dots"
        ));
    }
    if field.split('.').any(str::is_empty) {
        return Err(format!(
            "placeholder `{{{field}}}` has an empty path segment"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_escapes() {
        let t =
            Template::parse("{user.name} moved {{x}} to {requestParameters.accountId}").unwrap();
        assert_eq!(
            t.pieces(),
            [
                Piece::Field("user.name".into()),
                Piece::Text(" moved {x} to ".into()),
                Piece::Field("requestParameters.accountId".into()),
            ]
        );
        assert_eq!(
            t.to_string(),
            "{user.name} moved {{x}} to {requestParameters.accountId}"
        );
        assert_eq!(
            t.fields().collect::<Vec<_>>(),
            ["user.name", "requestParameters.accountId"]
        );
        assert_eq!(Template::parse("").unwrap().pieces(), []);
        assert_eq!(
            Template::parse("{@timestamp}").unwrap().pieces(),
            [Piece::Field("@timestamp".into())]
        );
    }

    #[test]
    fn renders_missing_as_question_mark() {
        let t = Template::parse("{a} to {b}!").unwrap();
        let out = t.render(|f| (f == "a").then(|| "alice".to_string()));
        assert_eq!(out, "alice to ?!");
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases = [
            ("a } b", 2..3, "unmatched `}`"),
            ("x {user.name", 2..12, "unclosed `{`"),
            ("{}", 0..2, "empty placeholder"),
            ("{a b}", 0..5, "contains ' '"),
            ("{a..b}", 0..6, "empty path segment"),
            ("{.a}", 0..4, "empty path segment"),
            ("{a{b}", 0..3, "`{` inside a placeholder"),
            ("{é}", 0..4, "contains 'é'"),
        ];
        for (text, span, fragment) in cases {
            let err = Template::parse(text).unwrap_err();
            assert_eq!(err.span(), span, "{text:?}");
            assert!(
                err.message().contains(fragment),
                "{text:?}: {}",
                err.message()
            );
        }
    }
}
