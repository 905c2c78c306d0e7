//! Deterministic alert ids: a truncated SHA-256 over length-prefixed parts.

use sha2::{Digest, Sha256};

/// The id of an alert identified by `parts`: SHA-256 over every part, each preceded by its
/// length as 8 little-endian bytes, truncated to the first 16 bytes and written as 32
/// lowercase hex characters.
///
/// The length prefixes make the encoding unambiguous: `["ab", "c"]`, `["a", "bc"]` and
/// `["abc"]` all hash differently, and so do `["a"]` and `["a", ""]`. Which parts identify an
/// alert (rule id, group key, window start, …) is the engine's choice; the same parts in the
/// same order always give the same id.
///
/// ```
/// let id = r53guard_alert::alert_id(&[b"rule-1", b"123456789012"]);
/// assert_eq!(id.len(), 32);
/// assert_eq!(id, r53guard_alert::alert_id(&[b"rule-1", b"123456789012"]));
/// ```
pub fn alert_id(parts: &[&[u8]]) -> String {
    format!("{:032x}", alert_digest(parts))
}

/// The number [`alert_id`] writes in hex: the first 16 bytes of the digest, big-endian.
///
/// ```
/// let parts: [&[u8]; 2] = [b"rule-1", b"123456789012"];
/// let id = r53guard_alert::alert_id(&parts);
/// assert_eq!(u128::from_str_radix(&id, 16), Ok(r53guard_alert::alert_digest(&parts)));
/// ```
pub fn alert_digest(parts: &[&[u8]]) -> u128 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut first = [0; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(first)
}
