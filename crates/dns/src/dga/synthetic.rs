//! The generated side of the training data: synthetic machine-made labels.
//!
//! No real DGA output is used for training (the labelled DGA corpus is GPL and is for evaluation
//! only). Instead generic generators, written from how algorithmically generated names are
//! commonly built, take turns ([`Kind`]):
//!
//! | kind | labels |
//! |---|---|
//! | `Letters` | uniform letters `a`–`z`, 5–24 characters (a quarter up to 40) |
//! | `LongLetters` | uniform letters, 12–40 characters |
//! | `Alnum` | uniform letters and digits |
//! | `Hex` | uniform hex digits, 8–32 characters |
//! | `ConsonantVowel` | strict consonant/vowel alternation (`y` a vowel), 5–16 characters |
//! | `Syllables` | 2–5 syllables of optional onset (consonant or cluster), vowel or vowel pair, optional coda |
//! | `Weighted` | letters drawn with the benign labels' letter frequencies, random order |
//! | `Restricted` | uniform letters from a random subset of 3–10 letters, 5–14 characters |
//! | `DigitMixed` | letters followed by 1–4 digits, or letters with scattered digits |
//! | `Words` | 2–3 syllable words, sometimes with a common English prefix or suffix, joined by `-` or not |
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
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const VOWELS: &[u8] = b"aeiouy";
const CONSONANTS: &[u8] = b"bcdfghjklmnpqrstvwxz";
const CLUSTERS: &[&str] = &[
    "bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "kl", "kr", "ph", "pl", "pr", "sc",
    "sh", "sk", "sl", "sm", "sn", "sp", "st", "str", "sw", "th", "tr", "tw", "wh", "zh",
];
const PREFIXES: &[&str] = &[
    "anti", "auto", "bio", "co", "de", "dis", "en", "ex", "hyper", "inter", "micro", "mini",
    "multi", "non", "over", "post", "pre", "pro", "re", "semi", "sub", "super", "tele", "trans",
    "ultra", "un", "under",
];
const SUFFIXES: &[&str] = &[
    "able", "al", "ary", "ant", "ate", "dom", "ed", "en", "er", "ful", "ia", "ic", "ing", "ion",
    "ism", "ist", "ity", "ive", "ize", "less", "ly", "ment", "ness", "ous", "ship", "ty", "y",
];
/// Shortest label of the uniform generators.
pub const MIN_LEN: usize = 5;
/// Longest label of any generator (a `Words` label is cut here).
pub const MAX_LEN: usize = 40;

/// The generators, in the order they take turns (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Uniform letters.
    Letters,
    /// Long uniform letters.
    LongLetters,
    /// Uniform letters and digits.
    Alnum,
    /// Hex digits.
    Hex,
    /// Consonant/vowel alternation.
    ConsonantVowel,
    /// Syllables.
    Syllables,
    /// Benign letter frequencies, random order.
    Weighted,
    /// A random subset of the alphabet.
    Restricted,
    /// Letters with digits.
    DigitMixed,
    /// Pronounceable words, affixes, hyphens.
    Words,
}

/// The turn order: uniform letters and syllables take two turns in twelve.
pub const TURNS: [Kind; 12] = [
    Kind::Letters,
    Kind::Syllables,
    Kind::Alnum,
    Kind::Letters,
    Kind::ConsonantVowel,
    Kind::Hex,
    Kind::Syllables,
    Kind::Weighted,
    Kind::Restricted,
    Kind::DigitMixed,
    Kind::Words,
    Kind::LongLetters,
];

struct Generator<'a> {
    rng: SplitMix64,
    letter_counts: &'a [u64; 26],
    letter_total: u64,
}

impl Generator<'_> {
    fn pick(&mut self, set: &[u8]) -> u8 {
        set[self.rng.below(set.len())]
    }

    fn pick_str<'s>(&mut self, set: &[&'s str]) -> &'s str {
        set[self.rng.below(set.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    /// 5–24, or 5–40 a quarter of the time.
    fn length(&mut self) -> usize {
        if self.chance(75) {
            MIN_LEN + self.rng.below(20)
        } else {
            MIN_LEN + self.rng.below(MAX_LEN - MIN_LEN + 1)
        }
    }

    fn uniform(&mut self, set: &[u8], len: usize) -> Vec<u8> {
        (0..len).map(|_| self.pick(set)).collect()
    }

    fn weighted_letter(&mut self) -> u8 {
        if self.letter_total == 0 {
            return self.pick(LETTERS);
        }
        let mut pick = self.rng.next_u64() % self.letter_total;
        for (letter, &weight) in LETTERS.iter().zip(self.letter_counts) {
            if pick < weight {
                return *letter;
            }
            pick -= weight;
        }
        b'z'
    }

    fn syllable(&mut self, out: &mut Vec<u8>) {
        match self.rng.below(100) {
            0..15 => {}
            15..80 => out.push(self.pick(CONSONANTS)),
            _ => out.extend_from_slice(self.pick_str(CLUSTERS).as_bytes()),
        }
        out.push(self.pick(VOWELS));
        if self.chance(25) {
            out.push(self.pick(VOWELS));
        }
        if self.chance(40) {
            out.push(self.pick(CONSONANTS));
        }
    }

    fn word(&mut self, syllables: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..syllables {
            self.syllable(&mut out);
        }
        out
    }

    fn label(&mut self, kind: Kind) -> Vec<u8> {
        let mut out = match kind {
            Kind::Letters => {
                let len = self.length();
                self.uniform(LETTERS, len)
            }
            Kind::LongLetters => {
                let len = 12 + self.rng.below(MAX_LEN - 12 + 1);
                self.uniform(LETTERS, len)
            }
            Kind::Alnum => {
                let len = self.length();
                self.uniform(LETTERS_DIGITS, len)
            }
            Kind::Hex => {
                let len = 8 + self.rng.below(25);
                self.uniform(HEX, len)
            }
            Kind::ConsonantVowel => {
                let len = MIN_LEN + self.rng.below(12);
                let mut consonant = self.chance(50);
                (0..len)
                    .map(|_| {
                        consonant = !consonant;
                        self.pick(if consonant { CONSONANTS } else { VOWELS })
                    })
                    .collect()
            }
            Kind::Syllables => {
                let syllables = 2 + self.rng.below(4);
                self.word(syllables)
            }
            Kind::Weighted => {
                let len = self.length();
                (0..len).map(|_| self.weighted_letter()).collect()
            }
            Kind::Restricted => {
                let size = 3 + self.rng.below(8);
                let mut alphabet = LETTERS.to_vec();
                for i in 0..size {
                    let j = i + self.rng.below(alphabet.len() - i);
                    alphabet.swap(i, j);
                }
                alphabet.truncate(size);
                let len = MIN_LEN + self.rng.below(10);
                self.uniform(&alphabet, len)
            }
            Kind::DigitMixed => {
                let len = 4 + self.rng.below(14);
                if self.chance(50) {
                    let mut out = self.uniform(LETTERS, len);
                    let digits = 1 + self.rng.below(4);
                    out.extend(self.uniform(DIGITS, digits));
                    out
                } else {
                    (0..len)
                        .map(|_| {
                            let set = if self.chance(20) { DIGITS } else { LETTERS };
                            self.pick(set)
                        })
                        .collect()
                }
            }
            Kind::Words => {
                let words = 1 + self.rng.below(3);
                let hyphen = self.chance(50);
                let mut out = Vec::new();
                for w in 0..words {
                    if w > 0 && hyphen {
                        out.push(b'-');
                    }
                    if self.chance(30) {
                        out.extend_from_slice(self.pick_str(PREFIXES).as_bytes());
                    }
                    let syllables = 2 + self.rng.below(3);
                    out.extend(self.word(syllables));
                    if self.chance(40) {
                        out.extend_from_slice(self.pick_str(SUFFIXES).as_bytes());
                    }
                }
                out
            }
        };
        out.truncate(MAX_LEN);
        while out.last() == Some(&b'-') {
            out.pop();
        }
        out
    }
}

/// `count` synthetic labels from `seed`; `letter_counts` (a–z) weights the `Weighted` kind.
/// Label `i` is of kind `TURNS[i % 12]`.
pub fn synthetic_labels(count: usize, seed: u64, letter_counts: &[u64; 26]) -> Vec<String> {
    let mut generator = Generator {
        rng: SplitMix64::new(seed),
        letter_counts,
        letter_total: letter_counts.iter().sum(),
    };
    (0..count)
        .map(|i| {
            let bytes = generator.label(TURNS[i % TURNS.len()]);
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
                .all(|l| (2..=MAX_LEN).contains(&l.len()) && l.is_ascii())
        );
        assert_eq!(TURNS[5], Kind::Hex);
        assert!(a[5].bytes().all(|b| HEX.contains(&b)));
        assert!(a.iter().all(|l| !l.starts_with('-') && !l.ends_with('-')));
    }

    #[test]
    fn below_stays_below() {
        let mut rng = SplitMix64::new(1);
        assert!((0..1000).all(|_| rng.below(3) < 3));
    }
}
