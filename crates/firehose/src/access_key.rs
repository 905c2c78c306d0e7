//! The access key Firehose sends in `X-Amz-Firehose-Access-Key`: a secret, compared in
//! constant time and never printed.

use std::fmt;
use subtle::ConstantTimeEq;

/// An access key configured on the Firehose stream (the `AccessKey` of its HTTP endpoint
/// destination: up to 4,096 bytes, a token, JSON, CSV or base64, copied verbatim into every
/// request).
///
/// `Debug` prints `AccessKey(***)`; there is no `Display`, so the key cannot end up in a log
/// line by accident.
#[derive(Clone)]
pub struct AccessKey(Box<[u8]>);

impl AccessKey {
    /// Wraps a key. An empty key is allowed by Firehose but matches only an empty header.
    pub fn new(key: impl Into<String>) -> AccessKey {
        AccessKey(key.into().into_bytes().into_boxed_slice())
    }

    /// Whether `presented` is this key. The time taken depends on the lengths only, not on
    /// where the bytes differ.
    pub fn matches(&self, presented: &[u8]) -> bool {
        self.0.ct_eq(presented).into()
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(***)")
    }
}

/// Whether `presented` is one of `keys`. Every key is compared, whichever matches, so the time
/// taken does not tell which one did.
pub(crate) fn any_matches(keys: &[AccessKey], presented: &[u8]) -> bool {
    keys.iter()
        .fold(false, |found, key| key.matches(presented) | found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let key = AccessKey::new("s3cr3t-token");
        assert_eq!(format!("{key:?}"), "AccessKey(***)");
        assert!(!format!("{:?}", vec![key]).contains("s3cr3t"));
    }

    #[test]
    fn matches_only_the_exact_bytes() {
        let key = AccessKey::new("abc");
        assert!(key.matches(b"abc"));
        assert!(!key.matches(b"abd"));
        assert!(!key.matches(b"ab"));
        assert!(!key.matches(b"abcd"));
        assert!(!key.matches(b""));
    }

    #[test]
    fn any_of_several_keys() {
        let keys = [AccessKey::new("old"), AccessKey::new("new")];
        assert!(any_matches(&keys, b"old"));
        assert!(any_matches(&keys, b"new"));
        assert!(!any_matches(&keys, b"other"));
        assert!(!any_matches(&[], b"old"));
    }
}
