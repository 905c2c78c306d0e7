//! Secrets: webhook URLs, routing keys and signing keys, read from the environment or a file and
//! never printed.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A secret value. `Debug` and `Display` print `***`, so a secret inside a config struct, an
/// error or a log line never shows; [`Secret::expose`] is the one way to read it.
///
/// ```
/// use r53guard_notify::Secret;
/// let key = Secret::new("R0UTINGKEY");
/// assert_eq!(format!("{key} {key:?}"), "*** ***");
/// assert_eq!(key.expose(), "R0UTINGKEY");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where a secret comes from, as written in configuration:
///
/// - `env:NAME`: the environment variable `NAME`;
/// - `file:/path`: the file's contents, without trailing line breaks (as written by
///   `echo value > file`, or mounted by Kubernetes or systemd credentials);
/// - `literal:VALUE`: the value itself, meant for tests; configuration files should not hold
///   secrets.
///
/// Anything else is an error, so a mistyped prefix is never taken for a literal value.
///
/// ```
/// use r53guard_notify::SecretRef;
/// let r: SecretRef = "env:SLACK_WEBHOOK_URL".parse().unwrap();
/// assert_eq!(r, SecretRef::Env("SLACK_WEBHOOK_URL".into()));
/// assert!("https://hooks.slack.com/services/T0/B0/X".parse::<SecretRef>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// An environment variable's name.
    Env(String),
    /// A file's path.
    File(PathBuf),
    /// The value itself.
    Literal(Secret),
}

/// A secret reference that is malformed or cannot be read. Messages name the variable or file,
/// never the value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The reference has none of the prefixes `env:`, `file:` or `literal:`.
    #[error("a secret must be written env:NAME, file:/path or literal:VALUE")]
    Syntax,
    /// The environment variable is unset or not valid UTF-8.
    #[error("environment variable {0} is not set (or is not UTF-8)")]
    MissingEnv(String),
    /// The file cannot be read.
    #[error("cannot read secret file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The variable or file holds nothing.
    #[error("secret {0} is empty")]
    Empty(String),
}

impl FromStr for SecretRef {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<SecretRef, SecretError> {
        if let Some(name) = s.strip_prefix("env:") {
            if name.is_empty() {
                return Err(SecretError::Syntax);
            }
            Ok(SecretRef::Env(name.to_owned()))
        } else if let Some(path) = s.strip_prefix("file:") {
            if path.is_empty() {
                return Err(SecretError::Syntax);
            }
            Ok(SecretRef::File(PathBuf::from(path)))
        } else if let Some(value) = s.strip_prefix("literal:") {
            Ok(SecretRef::Literal(Secret::new(value)))
        } else {
            Err(SecretError::Syntax)
        }
    }
}

impl SecretRef {
    /// Reads the secret now.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        let (value, what) = match self {
            SecretRef::Env(name) => (
                std::env::var(name).map_err(|_| SecretError::MissingEnv(name.clone()))?,
                format!("env:{name}"),
            ),
            SecretRef::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SecretError::File {
                    path: path.clone(),
                    source,
                })?;
                let what = format!("file:{}", path.display());
                (text.trim_end_matches(['\r', '\n']).to_owned(), what)
            }
            SecretRef::Literal(secret) => (secret.expose().to_owned(), "literal".to_owned()),
        };
        if value.is_empty() {
            return Err(SecretError::Empty(what));
        }
        Ok(Secret(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        let r = SecretRef::Literal(s);
        assert!(!format!("{r:?}").contains("hunter2"));
    }

    #[test]
    fn parses_the_three_forms_and_rejects_others() {
        assert_eq!(
            "env:X".parse::<SecretRef>().unwrap(),
            SecretRef::Env("X".into())
        );
        assert_eq!(
            "file:/run/secrets/k".parse::<SecretRef>().unwrap(),
            SecretRef::File("/run/secrets/k".into())
        );
        assert_eq!(
            "literal:v".parse::<SecretRef>().unwrap(),
            SecretRef::Literal(Secret::new("v"))
        );
        for bad in ["", "env:", "file:", "evn:X", "https://example.invalid/hook"] {
            assert!(bad.parse::<SecretRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn file_secrets_lose_trailing_line_breaks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "s3cret\r\n").unwrap();
        let secret = SecretRef::File(path).resolve().unwrap();
        assert_eq!(secret.expose(), "s3cret");
    }

    #[test]
    fn errors_name_the_source_not_the_value() {
        let err = SecretRef::Env("R53GUARD_NOTIFY_TEST_SURELY_UNSET".into())
            .resolve()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("R53GUARD_NOTIFY_TEST_SURELY_UNSET")
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty");
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            SecretRef::File(path).resolve(),
            Err(SecretError::Empty(_))
        ));
        assert!(matches!(
            SecretRef::Literal(Secret::new("")).resolve(),
            Err(SecretError::Empty(_))
        ));
    }
}
