//! The API's bearer token: kept only as a SHA-256 digest, compared in constant time, never
//! printed.

use sha2::{Digest, Sha256};
use std::fmt;

/// The secret that every `/api/*` and `/metrics` request must present as
/// `Authorization: Bearer <token>`.
///
/// Only the token's SHA-256 digest is kept. A presented token is hashed and the two digests
/// are compared without an early exit, so neither the time taken nor the length of the
/// presented token tells how much of it was right. `Debug` prints `ApiToken(***)`.
#[derive(Clone)]
pub struct ApiToken {
    digest: [u8; 32],
}

/// A token that cannot be used: empty, or with characters an HTTP header cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the API token must be 1 or more visible ASCII characters (no spaces or control characters)"
)]
pub struct BadToken;

impl ApiToken {
    /// A token from its secret text (from an environment variable or a file; surrounding
    /// whitespace, such as a file's final newline, is not part of it).
    pub fn new(secret: &str) -> Result<ApiToken, BadToken> {
        let secret = secret.trim();
        if secret.is_empty() || !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BadToken);
        }
        Ok(ApiToken {
            digest: Sha256::digest(secret.as_bytes()).into(),
        })
    }

    /// Whether `presented` is the token, compared in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let candidate: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let difference = self
            .digest
            .iter()
            .zip(candidate)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_exact_token() {
        let token = ApiToken::new("s3cret-token\n").unwrap();
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-toke"));
        assert!(!token.matches("s3cret-token2"));
        assert!(!token.matches(""));
    }

    #[test]
    fn rejects_unusable_tokens() {
        assert_eq!(ApiToken::new("  ").unwrap_err(), BadToken);
        assert_eq!(ApiToken::new("a b").unwrap_err(), BadToken);
        assert_eq!(ApiToken::new("caf\u{e9}").unwrap_err(), BadToken);
    }

    #[test]
    fn debug_hides_the_secret() {
        let token = ApiToken::new("hunter2").unwrap();
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
    }
}
