//! Shannon entropy and the tunnelling-candidate test of detections.md X3.
//!
//! X3 counts, per key and registrable domain, the distinct sub-labels seen in a window. Counting
//! every subdomain would count `www`, `api` and CDN shards too; [`tunnel_label`] passes on only
//! the subdomains that look like carried data, by length or by entropy:
//!
//! | test | default |
//! |---|---|
//! | whole subdomain (dots included) | ≥ [`TUNNEL_MIN_SUBDOMAIN_LEN`] = 30 bytes |
//! | any one subdomain label | ≥ [`TUNNEL_MIN_LABEL_LEN`] = 24 bytes |
//! | high entropy | ≥ [`TUNNEL_ENTROPY_MIN_LEN`] = 20 bytes and ≥ [`TUNNEL_MIN_ENTROPY`] = 3.8 bits per byte |
//!
//! For scale: 20 bytes of random base32 or base64 measure about 3.9–4.1 bits, English-like host
//! names 3.0–3.6. Names under the internal allow-list and AWS zones
//! ([`crate::INTERNAL_SUFFIXES`], [`crate::AWS_SUFFIXES`]) are skipped.

use std::sync::LazyLock;

use crate::internal::skipped_by_content_rules;
use crate::name::{trim_dot, with_lowercase};
use crate::psl::PublicSuffixList;

/// A subdomain at least this long (bytes, dots included) is a tunnelling candidate.
pub const TUNNEL_MIN_SUBDOMAIN_LEN: usize = 30;
/// A subdomain with a label at least this long is a tunnelling candidate.
pub const TUNNEL_MIN_LABEL_LEN: usize = 24;
/// Shortest subdomain to which the entropy test applies.
pub const TUNNEL_ENTROPY_MIN_LEN: usize = 20;
/// Entropy (bits per byte) from which a subdomain of at least [`TUNNEL_ENTROPY_MIN_LEN`] bytes is
/// a tunnelling candidate.
pub const TUNNEL_MIN_ENTROPY: f32 = 3.8;

/// Shannon entropy of the bytes of `s`, in bits per byte (0 for an empty string, at most 8).
pub fn shannon_entropy(s: &str) -> f32 {
    entropy_of_bytes(s.as_bytes())
}

pub(crate) fn entropy_of_bytes(bytes: &[u8]) -> f32 {
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    entropy_of_counts(&counts, bytes.len()) as f32
}

/// `c·log2(c)` for small counts, so an entropy costs one logarithm instead of one per symbol.
static X_LOG2_X: LazyLock<[f64; 256]> = LazyLock::new(|| {
    let mut table = [0.0; 256];
    for (count, slot) in table.iter_mut().enumerate().skip(1) {
        let count = count as f64;
        *slot = count * count.log2();
    }
    table
});

/// Entropy in bits of a distribution given by `counts` summing to `total`:
/// `log2(n) − Σ c·log2(c) / n`.
pub(crate) fn entropy_of_counts(counts: &[u32], total: usize) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let table = &*X_LOG2_X;
    let sum: f64 = counts
        .iter()
        .filter(|&&c| c > 1)
        .map(|&c| {
            table.get(c as usize).copied().unwrap_or_else(|| {
                let c = f64::from(c);
                c * c.log2()
            })
        })
        .sum();
    let n = total as f64;
    (n.log2() - sum / n).max(0.0)
}

/// The subdomain of `name` (what precedes the registrable domain, as logged, without the joining
/// dot) when it is a tunnelling candidate by the thresholds of the module documentation; `None`
/// otherwise, and for names without a subdomain or under skipped suffixes. Any case is accepted.
pub fn tunnel_label(name: &str) -> Option<&str> {
    let name = trim_dot(name);
    let length = with_lowercase(name, |lower| {
        if skipped_by_content_rules(lower) {
            None
        } else {
            Some(PublicSuffixList::builtin().subdomain(lower).len())
        }
    })?;
    let subdomain = &name[..length];
    let candidate = !subdomain.is_empty()
        && (subdomain.len() >= TUNNEL_MIN_SUBDOMAIN_LEN
            || subdomain
                .split('.')
                .any(|label| label.len() >= TUNNEL_MIN_LABEL_LEN)
            || (subdomain.len() >= TUNNEL_ENTROPY_MIN_LEN
                && shannon_entropy(subdomain) >= TUNNEL_MIN_ENTROPY));
    candidate.then_some(subdomain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_values() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("ab") - 1.0).abs() < 1e-6);
        assert!((shannon_entropy("abcdefgh") - 3.0).abs() < 1e-6);
    }

    #[test]
    fn tunnel_candidates() {
        assert_eq!(
            tunnel_label("mzxw6ytboi2dqmzvgq3tmnzy.t.example.com."),
            Some("mzxw6ytboi2dqmzvgq3tmnzy.t")
        );
        assert_eq!(tunnel_label("Q2xhc3NpZmllZCBk.a1.example.com"), None);
        assert_eq!(
            tunnel_label("k7Qz1xP9vB3mW8nR4tY6.example.com"),
            Some("k7Qz1xP9vB3mW8nR4tY6")
        );
        assert_eq!(tunnel_label("www.example.com"), None);
        assert_eq!(tunnel_label("example.com"), None);
        assert_eq!(tunnel_label("r3---sn-5hne6nsk.googlevideo.com"), None);
        assert_eq!(
            tunnel_label("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.s3.amazonaws.com"),
            None
        );
        assert_eq!(
            tunnel_label("averyveryverylonghostnamelabel.ec2.internal"),
            None
        );
    }
}
