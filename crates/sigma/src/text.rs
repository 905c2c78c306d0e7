//! Text tests for the compiled matcher: each Sigma string becomes an exact, prefix, suffix,
//! contains or match-anything test on literal text (case-folded once at compile time), or a
//! general wildcard pattern. An OR of many tests on the same text is grouped: exact literals
//! into hash sets, `contains` literals into an Aho-Corasick automaton, the rest tried in turn.
//! Case-insensitive tests compare Unicode lower-cased text; the value is lower-cased at most
//! once per test group, and only when it has a character lower-casing would change.

use crate::pattern::{Glob, Part, SigmaString};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::borrow::Cow;
use std::collections::HashSet;

/// How many literals of one shape make a set (or an automaton) worth it.
const GROUP_THRESHOLD: usize = 4;

#[derive(Debug, Clone)]
enum Shape {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Any,
    Glob(Glob),
}

/// One string test.
#[derive(Debug, Clone)]
pub(crate) struct TextTest {
    shape: Shape,
    ci: bool,
}

impl TextTest {
    /// The test for a placeholder-free Sigma string.
    pub(crate) fn new(s: &SigmaString, ci: bool) -> TextTest {
        let s = if ci { s.to_lowercase() } else { s.clone() };
        let shape = match s.parts() {
            [] => Shape::Exact(String::new()),
            [Part::Lit(l)] => Shape::Exact(l.clone()),
            [Part::Lit(l), Part::Star] => Shape::Prefix(l.clone()),
            [Part::Star, Part::Lit(l)] => Shape::Suffix(l.clone()),
            [Part::Star, Part::Lit(l), Part::Star] => Shape::Contains(l.clone()),
            [Part::Star] => Shape::Any,
            _ => Shape::Glob(Glob::new(&s)),
        };
        TextTest { shape, ci }
    }

    fn matches(&self, raw: &str, folded: &str) -> bool {
        let t = if self.ci { folded } else { raw };
        match &self.shape {
            Shape::Exact(l) => t == l,
            Shape::Prefix(l) => t.starts_with(l.as_str()),
            Shape::Suffix(l) => t.ends_with(l.as_str()),
            Shape::Contains(l) => t.contains(l.as_str()),
            Shape::Any => true,
            Shape::Glob(g) => g.matches(t),
        }
    }
}

/// An OR of text tests and regular expressions over one text.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextAny {
    /// Exact literals: `[case-insensitive (folded), case-sensitive]`.
    exact: [HashSet<String>; 2],
    /// `contains` literals as automata: `[case-insensitive (folded), case-sensitive]`.
    contains: [Option<AhoCorasick>; 2],
    tests: Vec<TextTest>,
    regexes: Vec<Regex>,
    folds: bool,
}

impl TextAny {
    /// Groups `tests` and `regexes` into one OR.
    pub(crate) fn new(tests: Vec<TextTest>, regexes: Vec<Regex>) -> TextAny {
        let mut any = TextAny {
            folds: tests.iter().any(|t| t.ci),
            regexes,
            ..TextAny::default()
        };
        for ci in [true, false] {
            let slot = usize::from(!ci);
            let exact: Vec<&String> = tests
                .iter()
                .filter_map(|t| match &t.shape {
                    Shape::Exact(l) if t.ci == ci => Some(l),
                    _ => None,
                })
                .collect();
            if exact.len() >= GROUP_THRESHOLD {
                any.exact[slot] = exact.into_iter().cloned().collect();
            }
            let contains: Vec<&String> = tests
                .iter()
                .filter_map(|t| match &t.shape {
                    Shape::Contains(l) if t.ci == ci => Some(l),
                    _ => None,
                })
                .collect();
            if contains.len() >= GROUP_THRESHOLD {
                any.contains[slot] = AhoCorasick::new(contains).ok();
            }
        }
        any.tests = tests
            .into_iter()
            .filter(|t| {
                let slot = usize::from(!t.ci);
                match &t.shape {
                    Shape::Exact(_) => any.exact[slot].is_empty(),
                    Shape::Contains(_) => any.contains[slot].is_none(),
                    _ => true,
                }
            })
            .collect();
        any
    }

    /// The texts this OR can match, lower-cased, when it is made of exact tests only (`None`
    /// when some test could match other texts).
    pub(crate) fn exact_values(&self) -> Option<Vec<String>> {
        if !self.regexes.is_empty() || self.contains.iter().any(Option::is_some) {
            return None;
        }
        let mut out: Vec<String> = self
            .exact
            .iter()
            .flatten()
            .map(|s| fold(s).into_owned())
            .collect();
        for t in &self.tests {
            match &t.shape {
                Shape::Exact(l) => out.push(fold(l).into_owned()),
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether any test matches `text`.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let folded = if self.folds {
            fold(text)
        } else {
            Cow::Borrowed(text)
        };
        let views = [&*folded, text];
        let grouped = views.iter().zip(self.exact.iter().zip(&self.contains)).any(
            |(view, (exact, contains))| {
                exact.contains(*view) || contains.as_ref().is_some_and(|ac| ac.is_match(*view))
            },
        );
        if grouped {
            return true;
        }
        self.tests.iter().any(|t| t.matches(text, &folded))
            || self.regexes.iter().any(|r| r.is_match(text))
    }
}

/// Unicode lower-casing, skipped when it cannot change the text (and ASCII-only for ASCII
/// text, which gives the same result faster).
pub(crate) fn fold(s: &str) -> Cow<'_, str> {
    if !s.is_ascii() {
        Cow::Owned(s.to_lowercase())
    } else if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(values: &[&str], ci: bool) -> TextAny {
        TextAny::new(
            values
                .iter()
                .map(|v| TextTest::new(&SigmaString::parse(v), ci))
                .collect(),
            Vec::new(),
        )
    }

    #[test]
    fn grouped_and_single_tests_agree() {
        let values = [
            "a*", "*b", "*mid*", "exact", "*x*", "*y*", "*zz*", "e1", "e2", "e3", "q?q",
        ];
        let grouped = any(&values, true);
        for text in [
            "A1", "xb", "aMIDa", "EXACT", "zZ", "E3", "qQq", "nope", "", "Y",
        ] {
            let one_by_one = values.iter().any(|v| any(&[v], true).matches(text));
            assert_eq!(grouped.matches(text), one_by_one, "{text}");
        }
        assert!(!any(&["Exact"], false).matches("exact"));
        assert!(any(&["*"], false).matches(""));
    }
}
