//! The scanner: whitespace, keywords, and quoted and unquoted literals with
//! their escapes.
//!
//! KQL cannot be split into tokens up front (an unquoted value may contain
//! spaces and ends only before a keyword), so the parser drives this
//! scanner on demand, one construct at a time.

use crate::error::ParseError;
use crate::pattern::{Pattern, Segment};

/// KQL whitespace: space, tab, CR, LF and no-break space (U+00A0).
pub(crate) fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{a0}')
}

/// Characters that end an unquoted literal: `( ) : < > " { }`.
pub(crate) fn is_special(c: char) -> bool {
    matches!(c, '(' | ')' | ':' | '<' | '>' | '"' | '{' | '}')
}

/// Characters that a backslash escapes in an unquoted literal.
pub(crate) fn is_escapable(c: char) -> bool {
    is_special(c) || c == '\\' || c == '*'
}

/// A boolean keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keyword {
    Or,
    And,
    Not,
}

impl Keyword {
    pub(crate) const ALL: [(&'static str, Keyword); 3] = [
        ("or", Keyword::Or),
        ("and", Keyword::And),
        ("not", Keyword::Not),
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Keyword::Or => "or",
            Keyword::And => "and",
            Keyword::Not => "not",
        }
    }
}

/// Whether a keyword may end right before `next`: whitespace, `(`, `)`,
/// `}` or the end of the query.
pub(crate) fn ends_keyword(next: Option<char>) -> bool {
    next.is_none_or(|c| is_whitespace(c) || matches!(c, '(' | ')' | '}'))
}

/// Whether `text` starts with `word` ignoring ASCII case.
pub(crate) fn starts_with_word(text: &str, word: &str) -> bool {
    text.len() >= word.len() && text.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
}

/// A scanned literal.
#[derive(Debug)]
pub(crate) struct Literal {
    /// Text and wildcards (quoted literals have no wildcards).
    pub(crate) pattern: Pattern,
    /// Whether it was in double quotes.
    pub(crate) quoted: bool,
    /// Byte offset of its first character.
    pub(crate) start: usize,
}

/// A cursor over the query.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Self { src, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// Consumes `c` if it is next.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Skips whitespace.
    pub(crate) fn skip_whitespace(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start_matches(is_whitespace);
        self.pos += rest.len() - trimmed.len();
    }

    /// The keyword at the cursor, if a whole one stands there (see
    /// [`ends_keyword`]).
    pub(crate) fn keyword(&self) -> Option<Keyword> {
        keyword_at(self.rest())
    }

    /// Consumes the keyword at the cursor and returns its byte span.
    pub(crate) fn take_keyword(&mut self, keyword: Keyword) -> std::ops::Range<usize> {
        let start = self.pos;
        self.pos += keyword.as_str().len();
        start..self.pos
    }

    /// Scans a quoted or unquoted literal at the cursor. `None` (cursor
    /// unmoved) when the next character cannot start one: end of query, or
    /// a special character other than `"`.
    pub(crate) fn literal(&mut self) -> Result<Option<Literal>, ParseError> {
        match self.peek() {
            Some('"') => self.quoted().map(Some),
            _ => self.unquoted(),
        }
    }

    fn quoted(&mut self) -> Result<Literal, ParseError> {
        let start = self.pos;
        let mut text = String::new();
        let mut chars = self.src[start + 1..].char_indices();
        while let Some((offset, c)) = chars.next() {
            let at = start + 1 + offset;
            match c {
                '"' => {
                    self.pos = at + 1;
                    return Ok(Literal {
                        pattern: Pattern::literal(text),
                        quoted: true,
                        start,
                    });
                }
                '\\' => {
                    let after = &self.src[at + 1..];
                    let (decoded, consumed) = match after.chars().next() {
                        Some('"') => (Some('"'), 1),
                        Some('\\') => (Some('\\'), 1),
                        Some('t') => (Some('\t'), 1),
                        Some('r') => (Some('\r'), 1),
                        Some('n') => (Some('\n'), 1),
                        Some('u') => match unicode_escape(&after[1..]) {
                            Some((decoded, len)) => (Some(decoded), 1 + len),
                            None => (None, 0),
                        },
                        _ => (None, 0),
                    };
                    match decoded {
                        Some(decoded) => {
                            text.push(decoded);
                            // Every consumed byte is ASCII: skip them.
                            for _ in 0..consumed {
                                chars.next();
                            }
                        }
                        None => text.push('\\'),
                    }
                }
                other => text.push(other),
            }
        }
        Err(ParseError::new(
            start..self.src.len(),
            "unterminated quoted string: expected a closing `\"`",
        ))
    }

    fn unquoted(&mut self) -> Result<Option<Literal>, ParseError> {
        let start = self.pos;
        let mut segments = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if is_special(c) {
                break;
            }
            match c {
                '\\' => text.push_str(&self.escape()?),
                '*' => {
                    self.pos += 1;
                    segments.push(Segment::Literal(std::mem::take(&mut text)));
                    segments.push(Segment::Wildcard);
                }
                c if is_whitespace(c) => {
                    let run_start = self.pos;
                    self.skip_whitespace();
                    let next = self.peek();
                    if next.is_none_or(is_special) || self.keyword().is_some() {
                        self.pos = run_start;
                        break;
                    }
                    text.push_str(&self.src[run_start..self.pos]);
                }
                c => {
                    self.pos += c.len_utf8();
                    text.push(c);
                }
            }
        }
        if self.pos == start {
            return Ok(None);
        }
        segments.push(Segment::Literal(text));
        Ok(Some(Literal {
            pattern: Pattern::new(segments),
            quoted: false,
            start,
        }))
    }

    /// Decodes the escape sequence at the cursor (a backslash) of an
    /// unquoted literal.
    fn escape(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let after = &self.src[start + 1..];
        let Some(c) = after.chars().next() else {
            return Err(ParseError::new(
                start..start + 1,
                "dangling `\\` at the end of the query: write `\\\\` for a backslash",
            ));
        };
        if is_escapable(c) {
            self.pos = start + 1 + c.len_utf8();
            return Ok(c.to_string());
        }
        for (word, _) in Keyword::ALL {
            if starts_with_word(after, word) {
                let next = after[word.len()..].chars().next();
                // `\not` must end there, else it is `\n` followed by `ot…`.
                if word != "not" || !next.is_some_and(is_word_char) {
                    self.pos = start + 1 + word.len();
                    return Ok(after[..word.len()].to_string());
                }
            }
        }
        let simple = match c {
            't' => Some('\t'),
            'r' => Some('\r'),
            'n' => Some('\n'),
            _ => None,
        };
        if let Some(decoded) = simple {
            self.pos = start + 2;
            return Ok(decoded.to_string());
        }
        if c == 'u' {
            return match unicode_escape(&after[1..]) {
                Some((decoded, len)) => {
                    self.pos = start + 2 + len;
                    Ok(decoded.to_string())
                }
                None => {
                    let hex_len = after[1..]
                        .bytes()
                        .take(4)
                        .take_while(u8::is_ascii_hexdigit)
                        .count();
                    Err(ParseError::new(
                        start..start + 2 + hex_len,
                        "invalid unicode escape: expected `\\u` and four hex digits \
                         naming a character",
                    ))
                }
            };
        }
        Err(ParseError::new(
            start..start + 1 + c.len_utf8(),
            format!(
                "invalid escape `\\{c}`: a backslash escapes only \
                 \\ ( ) : < > \" * {{ }}, \\t \\r \\n, \\uXXXX and the keywords or/and/not"
            ),
        ))
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The whole keyword at the start of `text`, if any.
pub(crate) fn keyword_at(text: &str) -> Option<Keyword> {
    Keyword::ALL.into_iter().find_map(|(word, keyword)| {
        (starts_with_word(text, word) && ends_keyword(text[word.len()..].chars().next()))
            .then_some(keyword)
    })
}

/// Decodes the four hex digits after `\u` (and a following `\uXXXX` low
/// surrogate when the first is a high surrogate). Returns the character
/// and the number of bytes used after the first `\u`.
fn unicode_escape(text: &str) -> Option<(char, usize)> {
    let first = hex4(text)?;
    if (0xD800..0xDC00).contains(&first) {
        let low = text
            .get(4..6)
            .filter(|s| *s == "\\u")
            .and_then(|_| hex4(&text[6..]))?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
        return char::from_u32(code).map(|c| (c, 10));
    }
    char::from_u32(first).map(|c| (c, 4))
}

fn hex4(text: &str) -> Option<u32> {
    let digits = text.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(src: &str) -> (Option<Literal>, usize) {
        let mut lexer = Lexer::new(src);
        let lit = lexer.literal().expect("scans");
        (lit, lexer.pos())
    }

    #[test]
    fn unquoted_stops_before_keywords_and_specials() {
        let cases = [
            ("bar baz", "bar baz", 7),
            ("bar or baz", "bar", 3),
            ("bar OR baz", "bar", 3),
            ("bar and", "bar", 3),
            ("bar not x", "bar", 3),
            ("cannot stop", "cannot stop", 11),
            ("bar order", "bar order", 9),
            ("bar )", "bar", 3),
            ("a\u{a0}b", "a\u{a0}b", 4),
            ("x:y", "x", 1),
        ];
        for (src, text, end) in cases {
            let (lit, pos) = scan(src);
            let lit = lit.expect("a literal");
            assert_eq!(lit.pattern.as_literal(), Some(text), "{src:?}");
            assert_eq!(pos, end, "{src:?}");
        }
    }

    #[test]
    fn escapes() {
        let cases = [
            (r"a\:b", "a:b"),
            (r"\or", "or"),
            (r"\AND x", "AND x"),
            (r"\not", "not"),
            (r"\nothing", "\nothing"),
            (r"\t\r\n", "\t\r\n"),
            (r"\u00e9\ud83e\udd80", "é🦀"),
            (r"\u0020x", " x"),
        ];
        for (src, text) in cases {
            let (lit, _) = scan(src);
            assert_eq!(
                lit.expect("a literal").pattern.as_literal(),
                Some(text),
                "{src:?}"
            );
        }
    }

    #[test]
    fn quoted_escapes_keep_unknown_backslashes() {
        let (lit, pos) = scan(r#""a\"b\\c\d\u00e9\uzz" tail"#);
        let lit = lit.expect("literal");
        assert!(lit.quoted);
        assert_eq!(lit.pattern.as_literal(), Some("a\"b\\c\\dé\\uzz"));
        assert_eq!(pos, 21);
    }

    #[test]
    fn nothing_to_scan() {
        assert!(scan("").0.is_none());
        assert!(scan(":x").0.is_none());
    }

    #[test]
    fn keyword_detection() {
        assert_eq!(keyword_at("or x"), Some(Keyword::Or));
        assert_eq!(keyword_at("AND"), Some(Keyword::And));
        assert_eq!(keyword_at("not(a)"), Some(Keyword::Not));
        assert_eq!(keyword_at("order"), None);
        assert_eq!(keyword_at("or:x"), None);
        assert_eq!(keyword_at("é"), None);
    }
}
