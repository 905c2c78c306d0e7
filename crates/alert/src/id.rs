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
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut id = String::with_capacity(32);
    for byte in &digest[..16] {
        id.push(HEX[usize::from(byte >> 4)]);
        id.push(HEX[usize::from(byte & 0x0f)]);
    }
    id
}

const HEX: [char; 16] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
];
