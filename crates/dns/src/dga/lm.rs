//! The benign character language model: interpolated Kneser-Ney trigrams.
//!
//! Built from dense trigram counts over the 39 symbols of [`super::features`]. Lower orders use
//! continuation counts (in how many distinct contexts a character follows), with one absolute
//! discount `D` at both levels:
//!
//! ```text
//! p₁(c)     = (N₁₊(·c) + ½) / (Σ N₁₊(·x) + ½·39)
//! p₂(c|b)   = max(N₁₊(·bc) − D, 0) / N(b) + D·T(b) / N(b) · p₁(c)
//! p₃(c|ab)  = max(n(abc) − D, 0) / n(ab·) + D·T(ab) / n(ab·) · p₂(c|b)
//! ```
//!
//! `T` counts the distinct continuations of a context; an unseen context falls back to the
//! lower order. The whole table (39³ log-probabilities, 232 KiB) is computed once, so scoring a
//! character is one array read.

use super::features::{BOUNDARY, SYMBOLS, symbol};

/// Dense index of a trigram.
#[inline]
pub fn trigram_index(a: u8, b: u8, c: u8) -> usize {
    (usize::from(a) * SYMBOLS + usize::from(b)) * SYMBOLS + usize::from(c)
}

/// Adds the trigrams of one label (boundary-padded) to dense counts, with `sign` +1 or −1
/// (removing a fold's labels for out-of-fold models).
pub fn add_label_counts(counts: &mut [u32], label: &str, sign: i8) {
    let (mut a, mut b) = (BOUNDARY, BOUNDARY);
    let symbols = label.bytes().map(symbol).chain(std::iter::once(BOUNDARY));
    for c in symbols {
        let count = &mut counts[trigram_index(a, b, c)];
        *count = if sign >= 0 {
            count.saturating_add(1)
        } else {
            count.saturating_sub(1)
        };
        (a, b) = (b, c);
    }
}

/// Smoothed trigram log-probabilities. See the module documentation.
#[derive(Debug, Clone)]
pub struct TrigramModel {
    ln_p3: Vec<f32>,
    ln_p1: [f32; SYMBOLS],
    /// One bit per trigram: seen in training.
    seen: Vec<u64>,
}

impl TrigramModel {
    /// Builds the model from dense counts (`SYMBOLS³` entries, [`trigram_index`] order).
    /// Missing entries count as zero.
    pub fn from_counts(counts: &[u32], discount: f64) -> Self {
        const S: usize = SYMBOLS;
        let count = |i: usize| f64::from(counts.get(i).copied().unwrap_or(0));

        // Continuation counts: cont2[b][c] = distinct a before bc; cont1[c] = distinct b before c.
        let mut cont2 = vec![0f64; S * S];
        let mut seen = vec![0u64; (S * S * S).div_ceil(64)];
        for i in 0..S * S * S {
            if count(i) > 0.0 {
                cont2[i % (S * S)] += 1.0;
                seen[i / 64] |= 1 << (i % 64);
            }
        }
        let mut cont1 = [0f64; S];
        for b in 0..S {
            for c in 0..S {
                if cont2[b * S + c] > 0.0 {
                    cont1[c] += 1.0;
                }
            }
        }
        let cont1_total: f64 = cont1.iter().sum();
        let p1: Vec<f64> = cont1
            .iter()
            .map(|&n| (n + 0.5) / (cont1_total + 0.5 * S as f64))
            .collect();

        let interpolate = |row: &[f64], lower: &dyn Fn(usize) -> f64| -> Vec<f64> {
            let total: f64 = row.iter().sum();
            let types = row.iter().filter(|&&n| n > 0.0).count() as f64;
            (0..S)
                .map(|c| {
                    if total > 0.0 {
                        (row[c] - discount).max(0.0) / total + discount * types / total * lower(c)
                    } else {
                        lower(c)
                    }
                })
                .collect()
        };

        let mut p2 = vec![0f64; S * S];
        for b in 0..S {
            let row = interpolate(&cont2[b * S..(b + 1) * S], &|c| p1[c]);
            p2[b * S..(b + 1) * S].copy_from_slice(&row);
        }
        let mut ln_p3 = vec![0f32; S * S * S];
        let mut row3 = [0f64; S];
        for a in 0..S {
            for b in 0..S {
                let base = (a * S + b) * S;
                for (c, slot) in row3.iter_mut().enumerate() {
                    *slot = count(base + c);
                }
                let row = interpolate(&row3, &|c| p2[b * S + c]);
                for (c, p) in row.into_iter().enumerate() {
                    ln_p3[base + c] = p.ln() as f32;
                }
            }
        }
        let mut ln_p1 = [0f32; S];
        for (slot, p) in ln_p1.iter_mut().zip(&p1) {
            *slot = p.ln() as f32;
        }
        Self { ln_p3, ln_p1, seen }
    }

    /// ln p₃(c | a b).
    #[inline]
    pub fn ln_p3(&self, a: u8, b: u8, c: u8) -> f32 {
        self.ln_p3[trigram_index(a, b, c)]
    }

    /// ln p₁(c) (continuation unigram).
    #[inline]
    pub fn ln_p1(&self, c: u8) -> f32 {
        self.ln_p1[usize::from(c)]
    }

    /// Whether the trigram occurred in the training counts.
    #[inline]
    pub fn seen(&self, a: u8, b: u8, c: u8) -> bool {
        let i = trigram_index(a, b, c);
        self.seen[i / 64] & (1 << (i % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(labels: &[&str]) -> TrigramModel {
        let mut counts = vec![0u32; SYMBOLS * SYMBOLS * SYMBOLS];
        for label in labels {
            add_label_counts(&mut counts, label, 1);
        }
        TrigramModel::from_counts(&counts, 0.75)
    }

    #[test]
    fn distributions_sum_to_one() {
        let lm = model(&["google", "facebook", "amazon", "example", "gogo"]);
        for (a, b) in [(0, 0), (symbol(b'g'), symbol(b'o')), (5, 9), (38, 38)] {
            let total: f64 = (0..SYMBOLS as u8)
                .map(|c| f64::from(lm.ln_p3(a, b, c)).exp())
                .sum();
            assert!((total - 1.0).abs() < 1e-4, "{a} {b}: {total}");
        }
        let total: f64 = (0..SYMBOLS as u8)
            .map(|c| f64::from(lm.ln_p1(c)).exp())
            .sum();
        assert!((total - 1.0).abs() < 1e-4);
    }

    #[test]
    fn seen_trigrams_are_likelier() {
        let lm = model(&["google", "goo"]);
        let (g, o) = (symbol(b'g'), symbol(b'o'));
        assert!(lm.seen(g, o, o));
        assert!(!lm.seen(o, g, g));
        assert!(lm.ln_p3(g, o, o) > lm.ln_p3(g, o, g));
    }

    #[test]
    fn removing_a_label_restores_counts() {
        let mut counts = vec![0u32; SYMBOLS * SYMBOLS * SYMBOLS];
        add_label_counts(&mut counts, "abc", 1);
        add_label_counts(&mut counts, "abc", -1);
        assert!(counts.iter().all(|&n| n == 0));
    }
}
