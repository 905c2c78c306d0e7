//! Hashed character n-grams of a label, the sparse half of the DGA model.
//!
//! The label is read as `^label$` over the symbols `a`–`z` (either case), `0`–`9`, `-` and `_`
//! (anything else), and every n-gram of orders 1 to [`MAX_ORDER`] that is not the lone `^` or
//! `$` is hashed (FNV-1a, then a multiplicative mix) into one of `2^bits` buckets. A label of
//! `n` bytes has about `4n` n-grams; scoring adds one weight per n-gram.

/// Longest n-gram.
pub const MAX_ORDER: usize = 4;
/// Longest label hashed; longer labels (malformed, DNS allows 63 bytes) are cut here.
pub const MAX_LABEL: usize = 252;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn normalise(byte: u8) -> u8 {
    match byte {
        b'a'..=b'z' | b'0'..=b'9' | b'-' => byte,
        b'A'..=b'Z' => byte.to_ascii_lowercase(),
        _ => b'_',
    }
}

/// Calls `f` with the bucket (`< 2^bits`, `bits` in 1..=32) of every n-gram of `label`.
#[inline]
pub fn for_each_ngram(label: &str, bits: u32, mut f: impl FnMut(usize)) {
    let bytes = label.as_bytes();
    let bytes = &bytes[..bytes.len().min(MAX_LABEL)];
    let mut padded = [0u8; MAX_LABEL + 2];
    padded[0] = b'^';
    for (slot, &byte) in padded[1..].iter_mut().zip(bytes) {
        *slot = normalise(byte);
    }
    let len = bytes.len() + 2;
    padded[len - 1] = b'$';
    let shift = 64 - bits.clamp(1, 32);
    for start in 0..len {
        let mut hash = FNV_OFFSET;
        for (order, &symbol) in padded[start..len.min(start + MAX_ORDER)].iter().enumerate() {
            hash = (hash ^ u64::from(symbol)).wrapping_mul(FNV_PRIME);
            if order == 0 && (start == 0 || start == len - 1) {
                continue;
            }
            f((hash.wrapping_mul(MIX) >> shift) as usize);
        }
    }
}

/// The buckets of `label`'s n-grams, in order (for training, which reuses them every epoch).
pub fn ngrams(label: &str, bits: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(4 * label.len() + 4);
    for_each_ngram(label, bits, |bucket| out.push(bucket as u32));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ranges() {
        // "^ab$": unigrams a b, bigrams ^a ab b$, trigrams ^ab ab$, 4-gram ^ab$.
        let grams = ngrams("ab", 10);
        assert_eq!(grams.len(), 8);
        assert!(grams.iter().all(|&g| g < 1024));
        assert_eq!(ngrams("AB", 10), grams);
        assert_eq!(ngrams("a.b", 16), ngrams("a_b", 16));
        assert_ne!(ngrams("ba", 16), ngrams("ab", 16));
        let long = "x".repeat(1000);
        assert_eq!(ngrams(&long, 8).len(), 4 * MAX_LABEL);
        assert_eq!(ngrams("", 8).len(), 1);
    }
}
