//! The generated side of the training data: synthetic random labels.
//!
//! No real DGA output is used for training (the labelled DGA corpus is GPL and is for evaluation
//! only). Instead five generic generators, in turn, each label 6–28 characters long:
//!
//! 1. uniform letters `a`–`z`;
//! 2. uniform letters and digits;
//! 3. uniform hex digits;
//! 4. alternating consonants and vowels (the pronounceable style);
//! 5. letters drawn with the benign labels' letter frequencies (random order, natural mix).
//!
//! The generator is SplitMix64, seeded, so the same seed gives the same labels everywhere.

/// SplitMix64: a tiny, fast, well-mixed 64-bit generator with a fully specified output.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (`bound` > 0), by multiply-high.
    pub fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const LETTERS_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const VOWELS: &[u8] = b"aeiouy";
const CONSONANTS: &[u8] = b"bcdfghjklmnpqrstvwxz";
const MIN_LEN: usize = 6;
const MAX_LEN: usize = 28;

/// `count` synthetic labels from `seed`; `letter_counts` (a–z) weights generator 5.
pub fn synthetic_labels(count: usize, seed: u64, letter_counts: &[u64; 26]) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    let total: u64 = letter_counts.iter().sum();
    let weighted_letter = |rng: &mut SplitMix64| -> u8 {
        if total == 0 {
            return LETTERS[rng.below(26)];
        }
        let mut pick = rng.next_u64() % total;
        for (letter, &weight) in LETTERS.iter().zip(letter_counts) {
            if pick < weight {
                return *letter;
            }
            pick -= weight;
        }
        b'z'
    };
    (0..count)
        .map(|i| {
            let len = MIN_LEN + rng.below(MAX_LEN - MIN_LEN + 1);
            let mut consonant = rng.below(2) == 0;
            let bytes: Vec<u8> = (0..len)
                .map(|_| match i % 5 {
                    0 => LETTERS[rng.below(LETTERS.len())],
                    1 => LETTERS_DIGITS[rng.below(LETTERS_DIGITS.len())],
                    2 => HEX[rng.below(HEX.len())],
                    3 => {
                        consonant = !consonant;
                        if consonant {
                            CONSONANTS[rng.below(CONSONANTS.len())]
                        } else {
                            VOWELS[rng.below(VOWELS.len())]
                        }
                    }
                    _ => weighted_letter(&mut rng),
                })
                .collect();
            bytes.into_iter().map(char::from).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let counts = [1u64; 26];
        let a = synthetic_labels(50, 7, &counts);
        assert_eq!(a, synthetic_labels(50, 7, &counts));
        assert_ne!(a, synthetic_labels(50, 8, &counts));
        assert!(
            a.iter()
                .all(|l| (MIN_LEN..=MAX_LEN).contains(&l.len()) && l.is_ascii())
        );
        assert!(a[2].bytes().all(|b| HEX.contains(&b)));
    }

    #[test]
    fn below_stays_below() {
        let mut rng = SplitMix64::new(1);
        assert!((0..1000).all(|_| rng.below(3) < 3));
    }
}
