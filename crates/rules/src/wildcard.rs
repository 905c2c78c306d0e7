//! Exception `matches` patterns: `*` for any run of characters, `?` for exactly one.
//!
//! Unlike KQL values, where `?` is an ordinary character, exception patterns follow
//! Elastic's exception wildcard syntax. Matching can ignore case, for fields listed in a
//! rule's `case_insensitive_fields`.

/// A `matches` pattern: `*` is any run of characters (including none), `?` exactly one
/// character, and a backslash makes the next `*`, `?` or `\` literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wildcard {
    text: String,
    tokens: Vec<Token>,
    lower: Vec<Token>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    One,
    Any,
}

impl Wildcard {
    /// Parses a pattern. A backslash before anything but `*`, `?` or `\`, or at the end, is
    /// an error.
    pub fn parse(text: &str) -> Result<Wildcard, String> {
        let mut tokens = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Any,
                '?' => Token::One,
                '\\' => match chars.next() {
                    Some(escaped @ ('*' | '?' | '\\')) => Token::Char(escaped),
                    Some(other) => {
                        return Err(format!(
                            "`\\{other}` in pattern `{text}`: a backslash may only escape `*`, `?` or `\\`"
                        ));
                    }
                    None => return Err(format!("pattern `{text}` ends with a lone backslash")),
                },
                c => Token::Char(c),
            });
        }
        let lower = tokens
            .iter()
            .flat_map(|&token| -> Vec<Token> {
                match token {
                    Token::Char(c) => c.to_lowercase().map(Token::Char).collect(),
                    other => vec![other],
                }
            })
            .collect();
        Ok(Wildcard {
            text: text.to_string(),
            tokens,
            lower,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the whole of `value` matches; `case_insensitive` compares lower-cased text.
    pub fn matches(&self, value: &str, case_insensitive: bool) -> bool {
        if case_insensitive {
            let lowered: Vec<char> = value.to_lowercase().chars().collect();
            glob(&self.lower, &lowered)
        } else {
            let chars: Vec<char> = value.chars().collect();
            glob(&self.tokens, &chars)
        }
    }
}

/// Iterative glob matching with single-star backtracking (linear in practice, O(n·m) worst).
fn glob(pattern: &[Token], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Token::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::One) => {
                p += 1;
                t += 1;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|token| *token == Token::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*.example.com", "www.example.com", true),
            ("*.example.com", "example.com", false),
            (
                "arn:aws:iam::*:role/ci-*",
                "arn:aws:iam::123:role/ci-deploy",
                true,
            ),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            ("a\\?", "a?", true),
            ("a\\\\", "a\\", true),
            ("*a*b*", "xxaxxbxx", true),
            ("*a*b", "ba", false),
            ("??", "é€", true),
        ];
        for (pattern, text, want) in cases {
            let w = Wildcard::parse(pattern).unwrap();
            assert_eq!(w.matches(text, false), want, "{pattern:?} vs {text:?}");
        }
        let w = Wildcard::parse("Admin*").unwrap();
        assert!(!w.matches("admin-role", false));
        assert!(w.matches("ADMIN-role", true));
        assert!(Wildcard::parse("a\\b").is_err());
        assert!(Wildcard::parse("a\\").is_err());
    }
}
