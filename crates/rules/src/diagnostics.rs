//! Diagnostics: what is wrong with a rule, exception or list file, where, and how bad.
//!
//! Every problem found while loading is a [`Diagnostic`] with the file it is in, the 1-based
//! line when known, the dotted key it is about, a message and, for query errors, a caret
//! rendering of the offending line. Loading collects all of them instead of stopping at the
//! first, so one run shows every mistake in a file.

use std::fmt;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The file is rejected.
    Error,
    /// The file loads, but something is probably wrong (a lint).
    Warning,
}

impl Level {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Level,
    /// The file (a path, or `builtin:<file>` for the embedded pack).
    pub source: String,
    /// The 1-based line in the file, when known.
    pub line: Option<usize>,
    /// The dotted key the problem is about (`rule.risk_score`, `rule.threat[0].tactic.id`).
    pub key: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
    /// Extra lines shown under the message: the offending line with carets under the error.
    pub rendered: Option<String>,
}

impl Diagnostic {
    /// An error in `source`.
    pub fn error(source: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Level::Error, source, message)
    }

    /// A warning in `source`.
    pub fn warning(source: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Level::Warning, source, message)
    }

    fn new(severity: Level, source: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity,
            source: source.into(),
            line: None,
            key: None,
            message: message.into(),
            rendered: None,
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// Sets the key.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sets the rendered block.
    pub fn with_rendered(mut self, rendered: impl Into<String>) -> Self {
        self.rendered = Some(rendered.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Level::Error
    }
}

/// `file:line: error: message`, then the rendered block (if any) on the following lines.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}: {}", self.severity.as_str(), self.message)?;
        if let Some(rendered) = &self.rendered {
            write!(f, "\n{}", rendered.trim_end_matches('\n'))?;
        }
        Ok(())
    }
}

/// A list of diagnostics: the error type of every loading function, and the warnings of a
/// successful load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds all of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether at least one is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// All of them.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts by file, then line (unknown lines first), keeping the order of equal positions.
    pub fn sort(&mut self) {
        self.0
            .sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// One diagnostic per line (each followed by its rendered block, if any).
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_line_and_rendering() {
        let d = Diagnostic::error("rules/a.toml", "invalid KQL in `rule.query`: boom")
            .at_line(Some(12))
            .with_rendered("a:b and\n    ^^^\n");
        assert_eq!(
            d.to_string(),
            "rules/a.toml:12: error: invalid KQL in `rule.query`: boom\na:b and\n    ^^^"
        );
        let w = Diagnostic::warning("x.toml", "hmm");
        assert_eq!(w.to_string(), "x.toml: warning: hmm");
    }

    #[test]
    fn collection() {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::warning("b", "w").at_line(Some(3)));
        all.push(Diagnostic::error("a", "e").at_line(Some(9)));
        all.push(Diagnostic::error("a", "f").at_line(Some(2)));
        assert!(all.has_errors());
        assert_eq!(all.errors().count(), 2);
        assert_eq!(all.warnings().count(), 1);
        all.sort();
        let lines: Vec<_> = all.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(2), Some(9), Some(3)]);
        assert_eq!(all.to_string().lines().count(), 3);
    }
}
