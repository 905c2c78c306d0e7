//! Where a document came from, and the problems found while loading or compiling a set of
//! Sigma files. Nothing is skipped silently: every document that is not loaded, and every rule
//! that cannot run, leaves a [`Diagnostic`] or an [`Unsupported`] naming it and the reason.

use std::fmt;

/// The place of a document: file name, 1-based document index within the file (counting
/// non-empty documents) and the 1-based line where the document starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The file name as given to the loader.
    pub file: String,
    /// 1-based index of the document in its file.
    pub document: usize,
    /// 1-based line of the file where the document starts.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: document {} (line {})",
            self.file, self.document, self.line
        )
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The document was loaded; something deserves attention.
    Warning,
    /// The document uses a feature r53guard does not support; it was not loaded.
    Unsupported,
    /// The document is invalid; it was not loaded.
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Warning => "warning",
            Level::Unsupported => "unsupported",
            Level::Error => "error",
        })
    }
}

/// A problem with one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where.
    pub origin: Origin,
    /// The document's title, when it has one.
    pub title: Option<String>,
    /// How serious.
    pub level: Level,
    /// What is wrong (may span several lines, e.g. a condition with carets).
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.level)?;
        if let Some(t) = &self.title {
            write!(f, " in {t:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a loaded rule cannot be compiled for r53guard's event view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    /// The rule's log source is neither CloudTrail nor DNS under the mapping.
    #[error("log source {0} is not applicable: the mapping routes it to no r53guard record kind")]
    NotApplicable(String),
    /// A value needs a feature that is not available (the message says which and why).
    #[error("{0}")]
    Feature(String),
}

/// Why a document was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// The document is invalid.
    Invalid(String),
    /// The document uses something r53guard does not support.
    Unsupported(String),
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::Invalid(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::Invalid(message.to_owned())
    }
}
