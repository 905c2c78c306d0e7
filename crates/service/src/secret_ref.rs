//! Secret references in the configuration: `env:NAME` or `file:PATH`, never the value itself.

use r53guard_notify::{Secret, SecretError, SecretRef};
use serde::Deserialize;
use std::fmt;

/// Where a secret is read from. Only `env:` and `file:` are valid in a configuration file, so
/// that no secret is written into it. Anything else parses but is reported by the
/// configuration check under its key (and its text is dropped, never shown).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub struct SecretSpec(Option<SecretRef>);

impl From<String> for SecretSpec {
    fn from(text: String) -> SecretSpec {
        match text.parse::<SecretRef>() {
            Ok(r @ (SecretRef::Env(_) | SecretRef::File(_))) => SecretSpec(Some(r)),
            Ok(SecretRef::Literal(_)) | Err(_) => SecretSpec(None),
        }
    }
}

impl fmt::Debug for SecretSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretSpec({})", self.describe())
    }
}

impl SecretSpec {
    /// The message for a reference that is neither `env:` nor `file:`.
    pub const SYNTAX: &str = "a secret must be written env:NAME or file:/path";

    /// Whether it is a valid `env:` or `file:` reference.
    pub fn is_valid(&self) -> bool {
        self.0.is_some()
    }

    /// Reads the secret now.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        self.0.as_ref().ok_or(SecretError::Syntax)?.resolve()
    }

    /// Where the secret comes from, without its value.
    pub fn describe(&self) -> String {
        match &self.0 {
            Some(SecretRef::Env(name)) => format!("env:{name}"),
            Some(SecretRef::File(path)) => format!("file:{}", path.display()),
            Some(SecretRef::Literal(_)) | None => "invalid reference".to_owned(),
        }
    }
}
