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
    id_text(alert_digest(parts))
}

/// The number [`alert_id`] writes in hex: the first 16 bytes of the digest, big-endian.
///
/// ```
/// let parts: [&[u8]; 2] = [b"rule-1", b"123456789012"];
/// let id = r53guard_alert::alert_id(&parts);
/// assert_eq!(u128::from_str_radix(&id, 16), Ok(r53guard_alert::alert_digest(&parts)));
/// ```
pub fn alert_digest(parts: &[&[u8]]) -> u128 {
    alert_digest_pieces(parts.iter().map(std::slice::from_ref))
}

/// [`alert_digest`] of parts each given as pieces written one after another: the digest of
/// the parts the pieces join into, without joining them.
///
/// ```
/// use r53guard_alert::{alert_digest, alert_digest_pieces};
/// let joined: [&[u8]; 2] = [b"rule-1", b"cloudtrail:1234:abcd"];
/// let pieces: [&[&[u8]]; 2] = [&[b"rule-1"], &[b"cloudtrail:", b"1234", b":", b"abcd"]];
/// assert_eq!(alert_digest_pieces(pieces), alert_digest(&joined));
/// ```
pub fn alert_digest_pieces<'a>(parts: impl IntoIterator<Item = &'a [&'a [u8]]>) -> u128 {
    let mut hasher = Sha256::new();
    for pieces in parts {
        let len: usize = pieces.iter().map(|p| p.len()).sum();
        hasher.update((len as u64).to_le_bytes());
        for piece in pieces {
            hasher.update(piece);
        }
    }
    let digest = hasher.finalize();
    let mut first = [0; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(first)
}

/// A digest as [`alert_id`] writes it: 32 lowercase hex digits.
pub fn id_hex(digest: u128) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 32];
    for (i, d) in out.iter_mut().enumerate() {
        *d = DIGITS[((digest >> (124 - 4 * i)) & 0xf) as usize];
    }
    out
}

/// [`id_hex`] as a string: the id of the alert whose digest this is.
pub fn id_text(digest: u128) -> String {
    id_hex(digest).iter().map(|&b| char::from(b)).collect()
}

/// The digest an alert id stands for: the number an id from [`alert_id`] writes; any other
/// text is hashed, so distinct ids always give distinct numbers (up to SHA-256 collisions).
///
/// ```
/// let id = r53guard_alert::alert_id(&[b"rule-1"]);
/// assert_eq!(r53guard_alert::id_digest(&id), r53guard_alert::alert_digest(&[b"rule-1"]));
/// ```
pub fn id_digest(id: &str) -> u128 {
    let is_hex = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    match u128::from_str_radix(id, 16) {
        Ok(n) if is_hex => n,
        _ => alert_digest(&[b"text", id.as_bytes()]),
    }
}
