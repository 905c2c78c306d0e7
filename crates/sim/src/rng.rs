//! Seeded randomness: independent ChaCha8 streams derived from the run seed.
//!
//! Every unit of work (one 5-minute slot of one account and region, one VPC's
//! slot, one scenario, the topology) draws from its own stream, derived from the
//! seed and a label. Output is therefore identical regardless of the order in
//! which threads run, and no floating point is involved anywhere.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const MIXED_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A deterministic random stream.
pub struct Rng(ChaCha8Rng);

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable 64-bit mix of a value, usable to derive stable identifiers.
pub fn mix(value: u64) -> u64 {
    let mut s = value;
    splitmix(&mut s)
}

impl Rng {
    /// The stream named `label`/`index` of the run seeded with `seed`.
    pub fn derive(seed: u64, label: &str, index: u64) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut state = seed ^ h.rotate_left(17) ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93);
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix(&mut state).to_le_bytes());
        }
        Rng(ChaCha8Rng::from_seed(key))
    }

    /// A uniformly random `u64`.
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A value in `0..n` (`n` > 0), by widening multiplication.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.u64()) * u128::from(n)) >> 64) as u64
    }

    /// A value in `lo..hi` (`lo` < `hi`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo)
    }

    /// An index into a collection of `len` (> 0) items.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// A uniformly chosen element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A uniformly chosen string of a non-empty slice of string slices.
    pub fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.index(items.len())]
    }

    /// An index chosen with the weights whose running totals are `cumulative`.
    pub fn weighted(&mut self, cumulative: &[u32]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let r = self.below(u64::from(total)) as u32;
        cumulative.partition_point(|&c| c <= r)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }

    fn push_from(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        for _ in 0..n {
            out.push(char::from(alphabet[self.index(alphabet.len())]));
        }
    }

    /// Appends `n` lower-case hex digits.
    pub fn push_hex(&mut self, out: &mut String, n: usize) {
        self.push_from(out, HEX, n);
    }

    /// Appends `n` characters of `[a-z0-9]`.
    pub fn push_lower_alnum(&mut self, out: &mut String, n: usize) {
        self.push_from(out, LOWER_ALNUM, n);
    }

    /// Appends `n` characters of `[A-Z0-9]`.
    pub fn push_upper_alnum(&mut self, out: &mut String, n: usize) {
        self.push_from(out, UPPER_ALNUM, n);
    }

    /// Appends `n` characters of `[A-Za-z0-9]`.
    pub fn push_mixed_alnum(&mut self, out: &mut String, n: usize) {
        self.push_from(out, MIXED_ALNUM, n);
    }

    /// Appends `n` characters of a caller-supplied alphabet.
    pub fn push_alphabet(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        self.push_from(out, alphabet, n);
    }

    /// Appends a random (version 4) UUID in canonical form.
    pub fn push_uuid(&mut self, out: &mut String) {
        let hi = self.u64();
        let lo = self.u64();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_le_bytes());
        bytes[8..].copy_from_slice(&lo.to_le_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        for (i, b) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }

    /// A fresh UUID string.
    pub fn uuid(&mut self) -> String {
        let mut s = String::with_capacity(36);
        self.push_uuid(&mut s);
        s
    }

    /// A fresh string of `n` lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_hex(&mut s, n);
        s
    }

    /// A 12-digit AWS account id that does not start with 0.
    pub fn account_id(&mut self) -> String {
        let mut s = String::with_capacity(12);
        s.push(char::from(b'1' + self.below(9) as u8));
        for _ in 0..11 {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }
}

/// Running totals of `weights`, for [`Rng::weighted`].
pub fn cumulative(weights: impl IntoIterator<Item = u32>) -> Vec<u32> {
    let mut total = 0;
    weights
        .into_iter()
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::derive(7, "x", 1).u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::derive(7, "x", 1).u64(), Rng::derive(7, "x", 2).u64());
        assert_ne!(Rng::derive(7, "x", 1).u64(), Rng::derive(7, "y", 1).u64());
        assert_ne!(Rng::derive(7, "x", 1).u64(), Rng::derive(8, "x", 1).u64());
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let cum = cumulative([0, 5, 0, 5]);
        let mut rng = Rng::derive(1, "w", 0);
        for _ in 0..1000 {
            let i = rng.weighted(&cum);
            assert!(i == 1 || i == 3);
        }
    }

    #[test]
    fn uuid_shape() {
        let u = Rng::derive(3, "u", 0).uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
