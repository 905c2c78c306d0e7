//! Sigma string values: wildcards (`*` any run, `?` one character), escapes and `%name%`
//! placeholders, and the wildcard matcher the compiled matcher falls back to when a value is
//! not a plain exact/prefix/suffix/contains literal.
//!
//! Escaping follows the specification and pySigma: `\*`, `\?` and `\\` stand for the literal
//! character; a backslash before anything else (or at the end) is itself literal, so
//! `C:\Windows\` reads as written and `\\\*` is a backslash followed by a literal star.

/// One piece of a Sigma string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    One,
    /// `%name%` after the `expand` modifier: replaced by the values the mapping gives `name`.
    Placeholder(String),
}

/// A parsed Sigma string: literal text, wildcards and placeholders, with adjacent literals
/// merged and no empty literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SigmaString {
    parts: Vec<Part>,
}

impl SigmaString {
    /// Parses a value as written in a rule (wildcards and escapes).
    pub fn parse(text: &str) -> SigmaString {
        let mut s = SigmaString::default();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => s.push(Part::Star),
                '?' => s.push(Part::One),
                '\\' => match chars.peek() {
                    Some(&next @ ('*' | '?' | '\\')) => {
                        chars.next();
                        s.push_char(next);
                    }
                    _ => s.push_char('\\'),
                },
                other => s.push_char(other),
            }
        }
        s
    }

    /// A string of literal text only.
    pub fn literal(text: &str) -> SigmaString {
        let mut s = SigmaString::default();
        s.push(Part::Lit(text.to_owned()));
        s
    }

    /// Builds a string from parts, normalising them.
    pub fn from_parts(parts: impl IntoIterator<Item = Part>) -> SigmaString {
        let mut s = SigmaString::default();
        for p in parts {
            s.push(p);
        }
        s
    }

    /// The parts.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Whether the string has a `*` or `?` wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Star | Part::One))
    }

    /// Whether the string has a placeholder.
    pub fn has_placeholders(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Placeholder(_)))
    }

    /// The literal text, when the string is literal text only.
    pub fn as_literal(&self) -> Option<String> {
        match self.parts.as_slice() {
            [] => Some(String::new()),
            [Part::Lit(l)] => Some(l.clone()),
            _ => None,
        }
    }

    /// Whether the first part is `*`.
    pub fn starts_with_star(&self) -> bool {
        matches!(self.parts.first(), Some(Part::Star))
    }

    /// Whether the last part is `*`.
    pub fn ends_with_star(&self) -> bool {
        matches!(self.parts.last(), Some(Part::Star))
    }

    /// `*` + self (unless it already starts with `*`).
    pub fn with_leading_star(mut self) -> SigmaString {
        if !self.starts_with_star() {
            self.parts.insert(0, Part::Star);
        }
        self
    }

    /// self + `*` (unless it already ends with `*`).
    pub fn with_trailing_star(mut self) -> SigmaString {
        if !self.ends_with_star() {
            self.parts.push(Part::Star);
        }
        self
    }

    /// Turns every `%name%` (name: letters, digits, `_`) inside literal text into a placeholder.
    pub fn with_placeholders(self) -> SigmaString {
        let mut out = SigmaString::default();
        for part in self.parts {
            let Part::Lit(text) = part else {
                out.push(part);
                continue;
            };
            let mut rest = text.as_str();
            while let Some((before, name, after)) = next_placeholder(rest) {
                out.push_str(before);
                out.push(Part::Placeholder(name.to_owned()));
                rest = after;
            }
            out.push_str(rest);
        }
        out
    }

    /// Lower-cases every literal (Unicode lower-casing).
    pub fn to_lowercase(&self) -> SigmaString {
        SigmaString::from_parts(self.parts.iter().map(|p| match p {
            Part::Lit(l) => Part::Lit(l.to_lowercase()),
            other => other.clone(),
        }))
    }

    /// The string written back in Sigma syntax (wildcards bare, literal `*`, `?`, `\` escaped).
    pub fn to_sigma(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => {
                    for c in l.chars() {
                        if matches!(c, '*' | '?' | '\\') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
                Part::Star => out.push('*'),
                Part::One => out.push('?'),
                Part::Placeholder(n) => {
                    out.push('%');
                    out.push_str(n);
                    out.push('%');
                }
            }
        }
        out
    }

    fn push(&mut self, part: Part) {
        match part {
            Part::Lit(l) => self.push_str(&l),
            Part::Star if matches!(self.parts.last(), Some(Part::Star)) => {}
            other => self.parts.push(other),
        }
    }

    fn push_str(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.parts.last_mut() {
            Some(Part::Lit(l)) => l.push_str(text),
            _ => self.parts.push(Part::Lit(text.to_owned())),
        }
    }

    fn push_char(&mut self, c: char) {
        match self.parts.last_mut() {
            Some(Part::Lit(l)) => l.push(c),
            _ => self.parts.push(Part::Lit(c.to_string())),
        }
    }
}

/// Finds the next `%name%` in `text`: (text before, name, text after).
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut search = 0;
    while let Some(open) = text[search..].find('%').map(|i| i + search) {
        let after_open = &text[open + 1..];
        let len = after_open
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after_open.len());
        if len > 0 && after_open[len..].starts_with('%') {
            return Some((&text[..open], &after_open[..len], &after_open[len + 1..]));
        }
        search = open + 1;
    }
    None
}

/// A wildcard pattern without placeholders, ready to match (`*` and `?` only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(Vec<char>),
    Star,
    One,
}

impl Glob {
    /// The pattern of a placeholder-free string (placeholders are read as literal text).
    pub fn new(s: &SigmaString) -> Glob {
        Glob {
            tokens: s
                .parts()
                .iter()
                .map(|p| match p {
                    Part::Lit(l) => Tok::Lit(l.chars().collect()),
                    Part::Star => Tok::Star,
                    Part::One => Tok::One,
                    Part::Placeholder(n) => Tok::Lit(format!("%{n}%").chars().collect()),
                })
                .collect(),
        }
    }

    /// Whether the pattern matches the whole of `text`. Greedy with single-star backtracking:
    /// linear in practice, O(pattern × text) at worst.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let toks = &self.tokens;
        let (mut t, mut p) = (0usize, 0usize);
        // Position after the last star seen, and the text position it was tried at.
        let mut backtrack: Option<(usize, usize)> = None;
        loop {
            if p < toks.len() {
                match &toks[p] {
                    Tok::Star => {
                        backtrack = Some((p + 1, t));
                        p += 1;
                        continue;
                    }
                    Tok::One if t < text.len() => {
                        t += 1;
                        p += 1;
                        continue;
                    }
                    Tok::Lit(l) if text[t..].starts_with(l) => {
                        t += l.len();
                        p += 1;
                        continue;
                    }
                    _ => {}
                }
            } else if t == text.len() {
                return true;
            }
            match backtrack {
                Some((bp, bt)) if bt < text.len() => {
                    backtrack = Some((bp, bt + 1));
                    p = bp;
                    t = bt + 1;
                }
                _ => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str, t: &str) -> bool {
        Glob::new(&SigmaString::parse(p)).matches(t)
    }

    #[test]
    fn escapes() {
        assert_eq!(
            SigmaString::parse(r"a\*b").as_literal().as_deref(),
            Some("a*b")
        );
        assert_eq!(
            SigmaString::parse(r"a\?b").as_literal().as_deref(),
            Some("a?b")
        );
        assert_eq!(
            SigmaString::parse(r"a\\b").as_literal().as_deref(),
            Some(r"a\b")
        );
        assert_eq!(
            SigmaString::parse(r"C:\Win\").as_literal().as_deref(),
            Some(r"C:\Win\")
        );
        assert_eq!(
            SigmaString::parse(r"\\\*").as_literal().as_deref(),
            Some(r"\*")
        );
        assert_eq!(
            SigmaString::parse(r"\\*").parts(),
            &[Part::Lit("\\".into()), Part::Star]
        );
        for s in ["a*b?c", r"x\*y\\", "**", r"\q"] {
            let parsed = SigmaString::parse(s);
            assert_eq!(SigmaString::parse(&parsed.to_sigma()), parsed, "{s}");
        }
    }

    #[test]
    fn globs() {
        assert!(g("a*c", "abbbc"));
        assert!(g("a*c", "ac"));
        assert!(!g("a*c", "acb"));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("*", ""));
        assert!(g("*a*a*", "xaxa"));
        assert!(!g("*a*a*", "xax"));
        assert!(g("é?", "éü"));
        assert!(g("", ""));
        assert!(!g("", "x"));
        assert!(g("*ab", "aab"));
    }

    #[test]
    fn placeholders() {
        let s = SigmaString::parse("%a%x%b_1%*%%y").with_placeholders();
        assert_eq!(
            s.parts(),
            &[
                Part::Placeholder("a".into()),
                Part::Lit("x".into()),
                Part::Placeholder("b_1".into()),
                Part::Star,
                Part::Lit("%%y".into()),
            ]
        );
    }
}
