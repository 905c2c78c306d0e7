//! Character statistics of one label: the DGA model's twelve features.
//!
//! Labels are read as symbols: `a`–`z` (either case), `0`–`9`, `-`, one symbol for anything
//! else (`_`, non-ASCII bytes) and a boundary symbol that pads the start and marks the end.
//! The features, in [`FEATURE_NAMES`] order (`n` is the label length in bytes; the language
//! model makes `n + 1` predictions, the last one the end of the label):
//!
//! | name | value |
//! |---|---|
//! | `llr` | Σ ln p₃ − (n+1)·ln(1/39): trigram log-likelihood against a uniform model (evidence grows with length) |
//! | `ll_mean` | Σ ln p₃ / (n+1) |
//! | `llr_unigram` | Σ ln p₁ − (n+1)·ln(1/39): are the characters themselves common? |
//! | `structure` | Σ ln p₃ − Σ ln p₁: does the order of the characters look like benign names? |
//! | `ln_len` | ln n |
//! | `digit_ratio` | digits / n |
//! | `vowel_ratio` | vowels (`aeiouy`) / letters |
//! | `consonant_run` | longest run of consonant letters |
//! | `digit_switches` | digit↔non-digit transitions |
//! | `unseen_trigrams` | predictions whose trigram never occurred in the benign training labels |
//! | `entropy` | Shannon entropy of the label's symbols, bits |
//! | `hyphens` | number of `-` |

use super::lm::TrigramModel;
use crate::entropy::entropy_of_counts;

/// Number of symbols: boundary, 26 letters, 10 digits, `-`, other.
pub const SYMBOLS: usize = 39;
/// The boundary symbol (label start padding and end).
pub const BOUNDARY: u8 = 0;
const HYPHEN: u8 = 37;
const OTHER: u8 = 38;

/// Number of features.
pub const FEATURES: usize = 12;

/// Feature names, in the order of [`Features`] and of the model file's vectors.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "llr",
    "ll_mean",
    "llr_unigram",
    "structure",
    "ln_len",
    "digit_ratio",
    "vowel_ratio",
    "consonant_run",
    "digit_switches",
    "unseen_trigrams",
    "entropy",
    "hyphens",
];

/// One label's feature vector.
pub type Features = [f64; FEATURES];

/// The symbol of a byte.
#[inline]
pub fn symbol(byte: u8) -> u8 {
    match byte {
        b'a'..=b'z' => byte - b'a' + 1,
        b'A'..=b'Z' => byte - b'A' + 1,
        b'0'..=b'9' => byte - b'0' + 27,
        b'-' => HYPHEN,
        _ => OTHER,
    }
}

/// The character that stands for a symbol in the model file: `^` boundary, `_` other.
pub fn symbol_char(symbol: u8) -> char {
    match symbol {
        BOUNDARY => '^',
        1..=26 => char::from(b'a' + symbol - 1),
        27..=36 => char::from(b'0' + symbol - 27),
        HYPHEN => '-',
        _ => '_',
    }
}

/// The symbol a model-file character stands for; `None` for characters outside the alphabet.
pub fn char_symbol(c: char) -> Option<u8> {
    match c {
        '^' => Some(BOUNDARY),
        '_' => Some(OTHER),
        'a'..='z' | '0'..='9' | '-' => u8::try_from(c).ok().map(symbol),
        _ => None,
    }
}

fn is_vowel(byte: u8) -> bool {
    matches!(
        byte.to_ascii_lowercase(),
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
    )
}

/// The features of a non-empty `label` under `lm`.
pub fn extract(lm: &TrigramModel, label: &str) -> Features {
    let bytes = label.as_bytes();
    let n = bytes.len().max(1) as f64;
    let predictions = n + 1.0;
    let uniform = (SYMBOLS as f64).ln();

    let mut ll3 = 0.0f64;
    let mut ll1 = 0.0f64;
    let mut unseen = 0u32;
    let mut counts = [0u32; SYMBOLS];
    let (mut digits, mut letters, mut vowels, mut hyphens) = (0u32, 0u32, 0u32, 0u32);
    let (mut run, mut longest_run, mut switches) = (0u32, 0u32, 0u32);
    let (mut a, mut b) = (BOUNDARY, BOUNDARY);
    let mut previous_digit = None;

    for &byte in bytes {
        let c = symbol(byte);
        ll3 += f64::from(lm.ln_p3(a, b, c));
        ll1 += f64::from(lm.ln_p1(c));
        unseen += u32::from(!lm.seen(a, b, c));
        counts[usize::from(c)] += 1;
        let digit = byte.is_ascii_digit();
        if previous_digit.is_some_and(|before| before != digit) {
            switches += 1;
        }
        previous_digit = Some(digit);
        if digit {
            digits += 1;
        }
        if c == HYPHEN {
            hyphens += 1;
        }
        if byte.is_ascii_alphabetic() {
            letters += 1;
            if is_vowel(byte) {
                vowels += 1;
                run = 0;
            } else {
                run += 1;
                longest_run = longest_run.max(run);
            }
        } else {
            run = 0;
        }
        (a, b) = (b, c);
    }
    ll3 += f64::from(lm.ln_p3(a, b, BOUNDARY));
    ll1 += f64::from(lm.ln_p1(BOUNDARY));
    unseen += u32::from(!lm.seen(a, b, BOUNDARY));

    let entropy = entropy_of_counts(&counts, bytes.len());
    let vowel_ratio = if letters > 0 {
        f64::from(vowels) / f64::from(letters)
    } else {
        0.0
    };
    [
        ll3 + predictions * uniform,
        ll3 / predictions,
        ll1 + predictions * uniform,
        ll3 - ll1,
        n.ln(),
        f64::from(digits) / n,
        vowel_ratio,
        f64::from(longest_run),
        f64::from(switches),
        f64::from(unseen),
        entropy,
        f64::from(hyphens),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_round_trip() {
        for s in 0..SYMBOLS as u8 {
            assert_eq!(char_symbol(symbol_char(s)), Some(s));
        }
        assert_eq!(symbol(b'Q'), symbol(b'q'));
        assert_eq!(symbol(0xc3), OTHER);
        assert_eq!(char_symbol('Q'), None);
    }

    #[test]
    fn simple_counts() {
        let lm = TrigramModel::from_counts(&vec![0; SYMBOLS * SYMBOLS * SYMBOLS], 0.75);
        let f = extract(&lm, "ab1-x9");
        assert_eq!(f[4], 6f64.ln());
        assert_eq!(f[5], 2.0 / 6.0);
        assert_eq!(f[6], 1.0 / 3.0);
        assert_eq!(f[7], 1.0);
        assert_eq!(f[8], 3.0);
        assert_eq!(f[9], 7.0);
        assert_eq!(f[11], 1.0);
    }
}
