//! Wildcard patterns: literal text interleaved with `*` wildcards.
//!
//! A [`Pattern`] is shared by values (`field:win*`) and field names
//! (`user.*:bob`). It is kept in a normal form (no empty literals, no two
//! adjacent literals, no two adjacent wildcards) so that two patterns that
//! match the same strings in the same way compare equal.

/// One piece of a [`Pattern`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Literal text, matched exactly (a `*` in here is a literal star).
    Literal(String),
    /// An unescaped `*`: zero or more characters.
    Wildcard,
}

/// A sequence of literal text and wildcards, in normal form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pattern {
    segments: Vec<Segment>,
}

impl Pattern {
    /// Builds a pattern, normalising it: empty literals are dropped, adjacent
    /// literals are joined and runs of wildcards collapse to one (`a**b` is
    /// `a*b`).
    pub fn new<I: IntoIterator<Item = Segment>>(segments: I) -> Self {
        let mut out: Vec<Segment> = Vec::new();
        for segment in segments {
            match segment {
                Segment::Literal(text) if text.is_empty() => {}
                Segment::Literal(text) => match out.last_mut() {
                    Some(Segment::Literal(prev)) => prev.push_str(&text),
                    _ => out.push(Segment::Literal(text)),
                },
                Segment::Wildcard => {
                    if out.last() != Some(&Segment::Wildcard) {
                        out.push(Segment::Wildcard);
                    }
                }
            }
        }
        Self { segments: out }
    }

    /// A pattern made of literal text only.
    pub fn literal(text: impl Into<String>) -> Self {
        Self::new([Segment::Literal(text.into())])
    }

    /// The pattern `*`, matching every string.
    pub fn wildcard() -> Self {
        Self {
            segments: vec![Segment::Wildcard],
        }
    }

    /// The normalised segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether the pattern has no segments (the empty string).
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Whether the pattern contains at least one wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::Wildcard)
    }

    /// Whether the pattern is exactly `*`.
    pub fn is_wildcard_only(&self) -> bool {
        self.segments == [Segment::Wildcard]
    }

    /// The text of a pattern without wildcards (`Some("")` when empty),
    /// `None` when it has a wildcard.
    pub fn as_literal(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [] => Some(""),
            [Segment::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// The same pattern with every literal lower-cased (Unicode lower case),
    /// used for case-insensitive matching.
    pub fn to_lowercase(&self) -> Self {
        Self::new(self.segments.iter().map(|segment| match segment {
            Segment::Literal(text) => Segment::Literal(text.to_lowercase()),
            Segment::Wildcard => Segment::Wildcard,
        }))
    }

    /// Whether `text` as a whole matches the pattern (a wildcard matches
    /// any run of characters, including none).
    pub fn matches(&self, text: &str) -> bool {
        let segments = self.segments.as_slice();
        let Some(first_wildcard) = segments.iter().position(|s| *s == Segment::Wildcard) else {
            return self.as_literal() == Some(text);
        };
        let mut rest = text;
        // Literal before the first wildcard: a prefix.
        if let Some(Segment::Literal(prefix)) = segments.first().filter(|_| first_wildcard == 1) {
            match rest.strip_prefix(prefix.as_str()) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        let mut middle = &segments[first_wildcard..];
        // Literal after the last wildcard: a suffix.
        if let Some((Segment::Literal(suffix), before)) = middle.split_last() {
            match rest.strip_suffix(suffix.as_str()) {
                Some(r) => rest = r,
                None => return false,
            }
            middle = before;
        }
        // Every literal between wildcards, leftmost first.
        for segment in middle {
            if let Segment::Literal(needle) = segment {
                match rest.find(needle.as_str()) {
                    Some(at) => rest = &rest[at + needle.len()..],
                    None => return false,
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(text: &str) -> Pattern {
        Pattern::new(text.split_inclusive('*').flat_map(|piece| {
            let (lit, star) = match piece.strip_suffix('*') {
                Some(lit) => (lit, true),
                None => (piece, false),
            };
            [
                Some(Segment::Literal(lit.to_string())),
                star.then_some(Segment::Wildcard),
            ]
            .into_iter()
            .flatten()
        }))
    }

    #[test]
    fn normal_form() {
        let p = Pattern::new([
            Segment::Literal(String::new()),
            Segment::Literal("a".into()),
            Segment::Literal("b".into()),
            Segment::Wildcard,
            Segment::Wildcard,
            Segment::Literal(String::new()),
        ]);
        assert_eq!(
            p.segments(),
            [Segment::Literal("ab".into()), Segment::Wildcard]
        );
        assert_eq!(Pattern::literal(""), Pattern::default());
        assert_eq!(Pattern::literal("x").as_literal(), Some("x"));
        assert_eq!(pat("x*").as_literal(), None);
    }

    #[test]
    fn matching() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("a*", "abc", true),
            ("a*", "ba", false),
            ("*c", "abc", true),
            ("*c", "abcd", false),
            ("a*c", "ac", true),
            ("a*c", "abbbc", true),
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
            ("*b*d*", "abcde", true),
            ("*b*d*", "adcbe", false),
            ("a*b*c", "aXbYbZc", true),
            ("日*語", "日本語", true),
            ("", "", true),
            ("", "x", false),
        ];
        for (p, text, want) in cases {
            assert_eq!(pat(p).matches(text), want, "{p:?} vs {text:?}");
        }
    }

    #[test]
    fn lowercase() {
        assert!(pat("WIN*").to_lowercase().matches("windows"));
    }
}
