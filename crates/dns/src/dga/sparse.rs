//! Logistic regression over the DGA model's inputs — hashed n-grams, a length bucket and the
//! standardised character features — fitted by AdaGrad stochastic gradient descent.
//!
//! Minimises the class-weighted log-loss plus an L2 penalty applied to the weights a sample
//! touches. Samples are visited in an order shuffled by [`SplitMix64`] from a fixed seed, and
//! everything runs in one thread in `f64`, so the same data give the same weights bit for bit.

use super::features::{FEATURES, Features};
use super::synthetic::SplitMix64;

/// Length buckets: 1..=`LENGTH_BUCKETS - 1` bytes, the last one for anything longer.
pub const LENGTH_BUCKETS: usize = 41;

/// The length bucket of a label of `len` bytes.
#[inline]
pub fn length_bucket(len: usize) -> usize {
    len.clamp(1, LENGTH_BUCKETS) - 1
}

/// One training example.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Standardised character features.
    pub dense: Features,
    /// [`length_bucket`] of the label.
    pub length: usize,
    /// N-gram buckets ([`super::ngram::ngrams`]).
    pub grams: Vec<u32>,
    /// Generated (DGA-like) side.
    pub positive: bool,
}

/// Fitting settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f64,
    /// L2 penalty per touch.
    pub l2: f64,
    /// Weight of a benign sample relative to a generated one, before class balancing.
    pub benign_weight: f64,
    /// Shuffle seed.
    pub seed: u64,
}

/// Fitted weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Weights of the standardised features.
    pub dense: Features,
    /// Weight per length bucket.
    pub length: Vec<f64>,
    /// Weight per n-gram bucket.
    pub grams: Vec<f64>,
    /// Bias.
    pub bias: f64,
}

impl Weights {
    /// The logit of a sample.
    pub fn logit(&self, sample: &Sample) -> f64 {
        self.bias
            + dot(&self.dense, &sample.dense)
            + self.length[sample.length]
            + sample
                .grams
                .iter()
                .map(|&g| self.grams[g as usize])
                .sum::<f64>()
    }
}

fn dot(a: &Features, b: &Features) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Fits the samples whose index `keep` accepts, with `buckets` n-gram weights.
pub fn fit(
    samples: &[Sample],
    keep: impl Fn(usize) -> bool,
    buckets: usize,
    config: &SgdConfig,
) -> Weights {
    let mut order: Vec<usize> = (0..samples.len()).filter(|&i| keep(i)).collect();
    let positives = order.iter().filter(|&&i| samples[i].positive).count();
    let negatives = order.len() - positives;
    // Balance the classes, then tilt towards the benign side.
    let positive_weight = 0.5 * order.len() as f64 / positives.max(1) as f64;
    let negative_weight = 0.5 * order.len() as f64 / negatives.max(1) as f64 * config.benign_weight;

    let mut w = Weights {
        dense: [0.0; FEATURES],
        length: vec![0.0; LENGTH_BUCKETS],
        grams: vec![0.0; buckets],
        bias: 0.0,
    };
    let mut g_dense = [1e-8; FEATURES];
    let mut g_length = vec![1e-8; LENGTH_BUCKETS];
    let mut g_grams = vec![1e-8; buckets];
    let mut g_bias = 1e-8;
    let rate = config.learning_rate;
    let l2 = config.l2;
    let mut rng = SplitMix64::new(config.seed ^ 0x005e_ed0f_5a9d);
    let step = |weight: &mut f64, accumulated: &mut f64, gradient: f64| {
        *accumulated += gradient * gradient;
        *weight -= rate * gradient / accumulated.sqrt();
    };
    for _ in 0..config.epochs {
        // Fisher-Yates with the seeded generator.
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for &i in &order {
            let sample = &samples[i];
            let z = w.logit(sample);
            let p = 1.0 / (1.0 + (-z).exp());
            let (target, weight) = if sample.positive {
                (1.0, positive_weight)
            } else {
                (0.0, negative_weight)
            };
            let error = (p - target) * weight;
            step(&mut w.bias, &mut g_bias, error);
            for ((weight, accumulated), x) in
                w.dense.iter_mut().zip(&mut g_dense).zip(&sample.dense)
            {
                let gradient = error * x + l2 * *weight;
                step(weight, accumulated, gradient);
            }
            let l = sample.length;
            let gradient = error + l2 * w.length[l];
            step(&mut w.length[l], &mut g_length[l], gradient);
            for &g in &sample.grams {
                let g = g as usize;
                let gradient = error + l2 * w.grams[g];
                step(&mut w.grams[g], &mut g_grams[g], gradient);
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_an_informative_gram() {
        let samples: Vec<Sample> = (0..400)
            .map(|i| Sample {
                dense: [0.0; FEATURES],
                length: length_bucket(5 + i % 7),
                grams: vec![if i % 2 == 0 { 3 } else { 5 }, (i % 11) as u32 + 10],
                positive: i % 2 == 0,
            })
            .collect();
        let config = SgdConfig {
            epochs: 5,
            learning_rate: 0.1,
            l2: 1e-6,
            benign_weight: 1.0,
            seed: 1,
        };
        let w = fit(&samples, |_| true, 32, &config);
        assert!(w.grams[3] > 1.0 && w.grams[5] < -1.0, "{:?}", &w.grams[..8]);
        assert_eq!(w, fit(&samples, |_| true, 32, &config));
        assert!(w.logit(&samples[0]) > 0.0 && w.logit(&samples[1]) < 0.0);
    }

    #[test]
    fn length_buckets() {
        assert_eq!(length_bucket(0), 0);
        assert_eq!(length_bucket(1), 0);
        assert_eq!(length_bucket(40), 39);
        assert_eq!(length_bucket(63), LENGTH_BUCKETS - 1);
    }
}
