//! The base64-label test of detections.md D9.
//!
//! A label left of the registrable domain is a base64 payload when it:
//!
//! 1. is at least [`BASE64_MIN_LEN`] = 28 bytes and ASCII;
//! 2. is not a plain 32-byte alphanumeric string (hex ids, ACM validation tokens);
//! 3. is in the standard (`[A-Za-z0-9+/]*={0,2}`) or the URL-safe (`[A-Za-z0-9_-]*={0,2}`)
//!    alphabet, one alphabet per label;
//! 4. decodes once padded to a multiple of 4 (a body of 4k+1 characters cannot), and
//! 5. carries a payload:
//!    * [`Payload::Text`] — the D9 recipe: at least 70% of the decoded bytes are printable as
//!      ASCII, as UTF-16-LE or as UTF-8;
//!    * [`Payload::Binary`] — this crate's extension for encrypted or compressed payloads, which
//!      the printable test rejects (random bytes are about 37% printable): the label mixes
//!      upper-case letters, lower-case letters and digits (at least [`BINARY_MIN_UPPER`],
//!      [`BINARY_MIN_LOWER`] and [`BINARY_MIN_DIGITS`]) and its entropy is at least
//!      [`BINARY_MIN_ENTROPY`] = 4.0 bits per byte. Host names are single-case, hex ids and CDN
//!      shard names are lower-case, so mixed case is what tells base64 apart; the test must
//!      therefore run on the name **as logged**, never on the lower-cased form.
//!
//! Names under the internal allow-list and AWS zones ([`crate::INTERNAL_SUFFIXES`],
//! [`crate::AWS_SUFFIXES`]) are skipped. A name without a registrable domain (a single label,
//! or a public suffix itself) has no label to test.
//!
//! Base32 and hex labels are not base64 and mostly fail step 5 (they are single-case); a base32
//! label can still decode to mostly printable bytes by chance.

use crate::entropy::entropy_of_bytes;
use crate::internal::skipped_by_content_rules;
use crate::name::{trim_dot, with_lowercase};
use crate::psl::PublicSuffixList;

/// Shortest label tested.
pub const BASE64_MIN_LEN: usize = 28;
/// Shortest label the binary-payload branch considers (mixed case, digits and high entropy are
/// strong evidence on their own; benign DNS labels are almost never mixed-case).
pub const BINARY_MIN_LEN: usize = 16;
/// Share of printable decoded bytes for a [`Payload::Text`] label.
pub const TEXT_MIN_PRINTABLE: f32 = 0.7;
/// Least upper-case letters in a [`Payload::Binary`] label.
pub const BINARY_MIN_UPPER: usize = 2;
/// Least lower-case letters in a [`Payload::Binary`] label.
pub const BINARY_MIN_LOWER: usize = 2;
/// Least digits in a [`Payload::Binary`] label.
pub const BINARY_MIN_DIGITS: usize = 1;
/// Least entropy (bits per byte) of a [`Payload::Binary`] label.
pub const BINARY_MIN_ENTROPY: f32 = 4.0;
/// Shortest label of the short binary branch (10 to 15 characters), which asks for more
/// evidence: see [`find_base64_label`].
pub const SHORT_BINARY_MIN_LEN: usize = 10;

/// Longest label decoded; DNS labels are at most 63 bytes, so anything longer is malformed and
/// is not tested.
const MAX_LABEL: usize = 252;

/// What a base64 label decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Mostly printable text (the D9 recipe).
    Text,
    /// Binary data with base64's mixed-case, high-entropy look (this crate's extension).
    Binary,
}

/// A label that passed the base64 test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base64Label<'a> {
    /// The label, as logged.
    pub label: &'a str,
    /// What it decodes to.
    pub payload: Payload,
}

/// The first label of `name` (as logged) that passes the base64 test, text or binary payload.
/// See the module documentation.
pub fn base64_label(name: &str) -> Option<&str> {
    find_base64_label(name).map(|found| found.label)
}

/// Like [`base64_label`], and says which kind of payload the label carries; rules that want the
/// strict D9 recipe keep only [`Payload::Text`].
pub fn find_base64_label(name: &str) -> Option<Base64Label<'_>> {
    let name = trim_dot(name);
    if name.len() < BINARY_MIN_LEN {
        return None;
    }
    // Everything before the registrable domain; offsets are the same in the lower-case copy.
    let length = with_lowercase(name, |lower| {
        if skipped_by_content_rules(lower) {
            None
        } else {
            Some(PublicSuffixList::builtin().subdomain(lower).len())
        }
    })?;
    let subdomain = &name[..length];
    // A registrable domain in mixed case means the whole name had its case randomised (DNS
    // 0x20 encoding by a forwarding resolver): short mixed-case labels prove nothing then.
    let registered = &name[length..];
    let randomised_case = registered.bytes().any(|b| b.is_ascii_uppercase())
        && registered.bytes().any(|b| b.is_ascii_lowercase());
    subdomain
        .split('.')
        .find_map(|label| base64_payload(label).map(|payload| Base64Label { label, payload }))
        .or_else(|| {
            // A payload split over several labels: test them joined, unless a label is an id
            // (hex, or a 32-character alphanumeric) that only happens to sit beside others.
            let is_id = |l: &str| {
                l.bytes().all(|b| b.is_ascii_hexdigit())
                    || (l.len() == 32 && l.bytes().all(|b| b.is_ascii_alphanumeric()))
            };
            let joined: String = subdomain.split('.').collect();
            (subdomain.contains('.')
                && !subdomain.split('.').any(is_id)
                && joined.len() <= MAX_LABEL)
                .then(|| base64_payload(&joined))
                .flatten()
                .map(|payload| Base64Label {
                    label: subdomain,
                    payload,
                })
        })
        .or_else(|| {
            if randomised_case {
                return None;
            }
            subdomain.split('.').find_map(|label| {
                short_binary_payload(label).then_some(Base64Label {
                    label,
                    payload: Payload::Binary,
                })
            })
        })
}

/// The short binary branch: a label of [`SHORT_BINARY_MIN_LEN`] to 15 characters in the base64
/// alphabet that decodes, with at least three upper-case and three lower-case letters, a digit
/// or a base64 symbol (`+`, `/`, `-`, `_`), case flips between at least 40% of neighbouring
/// letters and no run of five lower-case letters (random base64, not CamelCase words such
/// as `MyCompanyWeb1`), and near-maximal entropy. Only used when
/// the registrable domain is not in mixed case (see [`find_base64_label`]).
fn short_binary_payload(label: &str) -> bool {
    let bytes = label.as_bytes();
    if !(SHORT_BINARY_MIN_LEN..BINARY_MIN_LEN).contains(&bytes.len()) {
        return false;
    }
    let body = label.trim_end_matches('=');
    if bytes.len() - body.len() > 2 || body.len() % 4 == 1 {
        return false;
    }
    let mut decoded = [0u8; BINARY_MIN_LEN];
    if decode(body.as_bytes(), &mut decoded).is_none() {
        return false;
    }
    let count = |test: fn(&u8) -> bool| body.bytes().filter(test).count();
    let symbols = count(|b| matches!(b, b'+' | b'/' | b'-' | b'_'));
    count(u8::is_ascii_uppercase) >= 3
        && count(u8::is_ascii_lowercase) >= 3
        && (count(u8::is_ascii_digit) + symbols) >= 1
        && flips_often(body)
        && longest_lowercase_run(body) < 5
        && entropy_of_bytes(body.as_bytes()) >= binary_min_entropy(body.len())
}

/// Whether the case flips between at least 40% of the neighbouring letter pairs (at least
/// three flips), as in random base64 (50% on average).
fn flips_often(text: &str) -> bool {
    let pairs = text
        .as_bytes()
        .windows(2)
        .filter(|pair| pair[0].is_ascii_alphabetic() && pair[1].is_ascii_alphabetic())
        .count();
    let flips = case_flips(text);
    flips >= 3 && 10 * flips >= 4 * pairs
}

/// The longest run of lower-case letters (CamelCase words have long ones).
fn longest_lowercase_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_lowercase())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Neighbouring letter pairs that differ in case.
fn case_flips(text: &str) -> usize {
    text.as_bytes()
        .windows(2)
        .filter(|pair| {
            pair[0].is_ascii_alphabetic()
                && pair[1].is_ascii_alphabetic()
                && pair[0].is_ascii_uppercase() != pair[1].is_ascii_uppercase()
        })
        .count()
}

/// The base64 test on one label (steps 1–5 of the module documentation).
pub fn base64_payload(label: &str) -> Option<Payload> {
    let bytes = label.as_bytes();
    if bytes.len() < BINARY_MIN_LEN || bytes.len() > MAX_LABEL || !label.is_ascii() {
        return None;
    }
    if bytes.len() == 32 && bytes.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    // Hex ids (object hashes, CDN and ACM tokens) happen to be valid base64 too, and their
    // decoding sometimes looks printable; they are not payloads.
    if bytes.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let body = label.trim_end_matches('=');
    if bytes.len() - body.len() > 2 || body.len() % 4 == 1 {
        return None;
    }
    let mut decoded = [0u8; MAX_LABEL / 4 * 3];
    let length = decode(body.as_bytes(), &mut decoded)?;
    let decoded = &decoded[..length];
    if is_mostly_printable(decoded) {
        // Text payloads follow D9's length rule; shorter printable decodings are coincidences.
        return (bytes.len() >= BASE64_MIN_LEN).then_some(Payload::Text);
    }
    let count = |test: fn(&u8) -> bool| body.bytes().filter(test).count();
    // Random base64 has no digit in about 1 label of 200 at 30 characters: without digits, ask
    // for frequent case flips and upper-case pairs instead (CamelCase words flip often but
    // rarely put two capitals side by side).
    let upper_pairs = body
        .as_bytes()
        .windows(2)
        .filter(|pair| pair[0].is_ascii_uppercase() && pair[1].is_ascii_uppercase())
        .count();
    let digits_or_flips = count(u8::is_ascii_digit) >= BINARY_MIN_DIGITS
        || (body.len() >= 19 && 10 * case_flips(body) >= 3 * body.len() && upper_pairs >= 2);
    // `-`/`_` (or `+`/`/`) beside mixed case and digits are base64 evidence of their own:
    // allow a little less entropy then.
    let symbols = count(|b| matches!(b, b'+' | b'/' | b'-' | b'_'));
    let entropy = entropy_of_bytes(body.as_bytes());
    let min_entropy = binary_min_entropy(body.len()) - if symbols > 0 { 0.1 } else { 0.0 };
    let binary = count(u8::is_ascii_uppercase) >= BINARY_MIN_UPPER
        && count(u8::is_ascii_lowercase) >= BINARY_MIN_LOWER
        && digits_or_flips
        && entropy >= min_entropy;
    binary.then_some(Payload::Binary)
}

/// The entropy a binary payload of `len` characters must reach: [`BINARY_MIN_ENTROPY`], or
/// less for short labels, whose entropy cannot reach it (16 random characters carry at most
/// 4 bits each, and usually about 3.6).
fn binary_min_entropy(len: usize) -> f32 {
    BINARY_MIN_ENTROPY.min(0.85 * (len.max(1) as f32).log2())
}

/// Decodes an unpadded base64 body in either alphabet (not both) into `out`; trailing bits of a
/// partial final group are ignored. `None` for any other character or a mixed alphabet.
fn decode(body: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut standard = false;
    let mut url_safe = false;
    let mut accumulator: u32 = 0;
    let mut bits = 0;
    let mut written = 0;
    for &c in body {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'/' => {
                standard = true;
                if c == b'+' { 62 } else { 63 }
            }
            b'-' | b'_' => {
                url_safe = true;
                if c == b'-' { 62 } else { 63 }
            }
            _ => return None,
        };
        accumulator = (accumulator << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(written)? = (accumulator >> bits) as u8;
            written += 1;
            accumulator &= (1 << bits) - 1;
        }
    }
    (!(standard && url_safe)).then_some(written)
}

/// Whether at least [`TEXT_MIN_PRINTABLE`] of `bytes` are printable as ASCII, as UTF-16-LE or
/// as UTF-8.
fn is_mostly_printable(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let total = bytes.len() as f32;
    let printable_ascii = |b: u8| matches!(b, 0x20..=0x7e | b'\t' | b'\n' | b'\r');
    let ascii = bytes.iter().filter(|&&b| printable_ascii(b)).count();
    // UTF-16-LE: a printable ASCII code unit is a printable low byte followed by a zero byte.
    let utf16 = 2 * bytes
        .chunks_exact(2)
        .filter(|pair| printable_ascii(pair[0]) && pair[1] == 0)
        .count();
    // UTF-8: bytes of valid, non-control characters.
    let utf8: usize = bytes
        .utf8_chunks()
        .map(|chunk| {
            chunk
                .valid()
                .chars()
                .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
                .map(char::len_utf8)
                .sum::<usize>()
        })
        .sum();
    ascii.max(utf16).max(utf8) as f32 >= TEXT_MIN_PRINTABLE * total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_alphabets() {
        let mut out = [0u8; 16];
        assert_eq!(decode(b"aGVsbG8", &mut out), Some(5));
        assert_eq!(&out[..5], b"hello");
        assert_eq!(decode(b"-_-_", &mut out), Some(3));
        assert_eq!(decode(b"+/-_", &mut out), None);
        assert_eq!(decode(b"ab.c", &mut out), None);
    }

    #[test]
    fn printable_measures() {
        assert!(is_mostly_printable(b"plain text"));
        assert!(is_mostly_printable(b"u\0t\0f\0-\x001\x006\0"));
        assert!(is_mostly_printable("dépôt à Genève".as_bytes()));
        assert!(!is_mostly_printable(&[0xff, 0x00, 0x81, 0x02, b'a']));
        assert!(!is_mostly_printable(b""));
    }

    #[test]
    fn short_labels_need_random_mixed_case() {
        assert!(short_binary_payload("UY9H6ob8CLnKt8c"));
        assert!(!short_binary_payload("R5Tv4HCFXq0"));
        assert!(!short_binary_payload("MyCompanyWeb1"));
        assert!(!short_binary_payload("HomeServer01"));
        assert!(!short_binary_payload("ab3def6hij9k"));
        assert!(!short_binary_payload("R5Tv4HCFX"));
        assert!(!short_binary_payload("R5Tv4HCFXq0R5Tv4"));
    }

    #[test]
    fn label_rules() {
        // 32-character alphanumerics (ids, ACM tokens) and labels under 16 characters are never
        // payloads; text payloads need 28 characters.
        assert_eq!(
            base64_payload("dGhpcyBpcyBhIHRlc3Qgb2YgdGhl"),
            Some(Payload::Text)
        );
        assert_eq!(
            base64_payload("dGhpcyBpcyBhIHRlc3Qgb2YgdGhlIHRlc3Q="),
            Some(Payload::Text)
        );
        assert_eq!(base64_payload("dGhpcyBpcyBhIHRlc3Qgb2YgdGhleHl6"), None);
        assert_ne!(
            base64_payload("dGhpcyBpcyBhIHRlc3Qgb2Yg"),
            Some(Payload::Text)
        );
        assert_eq!(base64_payload("dGhpcyBpcyBhIHR"), None);
        assert_eq!(base64_payload("dGhpcyBpcyBhIHRlc3Qgb2YgdGhl==="), None);
    }
}
