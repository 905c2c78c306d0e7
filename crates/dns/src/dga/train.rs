//! Training the DGA model from benign domain lists (used by `r53guard-dns-train` and by the
//! evaluation's held-out split).
//!
//! 1. Benign side: the distinct registrable labels of the benign lists (in input order; IDN
//!    A-labels skipped), counted into the trigram language model.
//! 2. Generated side: `synthetic_per_benign` times as many synthetic labels
//!    ([`super::synthetic`]).
//! 3. Character features are computed **out of fold**: the benign labels are split into folds by
//!    FNV-1a hash and each fold is measured by a language model trained without it, so the
//!    benign features look like those of names the model has never seen; synthetic labels are
//!    dealt round the same fold models. Features are standardised over both sides.
//! 4. A logistic regression over the standardised features, a length bucket and the label's
//!    hashed character 1–4-grams ([`super::ngram`]) is fitted by AdaGrad SGD
//!    ([`super::sparse`]), once per fold without that fold (benign and generated), to get
//!    out-of-fold benign scores, and once on everything for the shipped weights.
//! 5. The bias is moved so that the default cut (0.5) sits at the `cut_quantile` of the
//!    out-of-fold benign scores: with 0.99, about 1% of unseen benign labels score above it.
//!
//! Every step is deterministic: the same inputs, seed and settings give byte-identical output.

use std::collections::{BTreeMap, HashSet};

use super::features::{FEATURE_NAMES, FEATURES, Features, SYMBOLS, extract, symbol_char};
use super::lm::{TrigramModel, add_label_counts, trigram_index};
use super::model::{MODEL_FORMAT, ModelFile, TrainingRecord, quantise_ngram_weights};
use super::ngram::ngrams;
use super::sparse::{self, Sample, SgdConfig, length_bucket};
use super::synthetic::synthetic_labels;
use crate::hash::fnv1a;
use crate::psl::PublicSuffixList;

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Seed of the synthetic generator.
    pub seed: u64,
    /// Number of out-of-fold splits of the benign labels (at least 2).
    pub folds: usize,
    /// Quantile of the out-of-fold benign scores placed at the default cut.
    pub cut_quantile: f64,
    /// Kneser-Ney discount.
    pub discount: f64,
    /// L2 penalty of the logistic regression (per touch of a weight).
    pub l2: f64,
    /// Synthetic labels per benign label.
    pub synthetic_per_benign: usize,
    /// `log2` of the number of n-gram buckets.
    pub ngram_bits: u32,
    /// SGD passes.
    pub epochs: usize,
    /// AdaGrad learning rate.
    pub learning_rate: f64,
    /// Weight of a benign sample relative to a generated one (after class balancing).
    pub benign_weight: f64,
    /// Share of benign labels kept for the second pass: the labels whose out-of-fold score in
    /// a first pass lies above this quantile (the most generated-looking, such as sinkholed DGA
    /// names in the benign lists) are left out of the language model and the regression (they
    /// still count for the cut). 1 or more: a single pass.
    pub prune_quantile: f64,
    /// File names recorded as the benign sources.
    pub benign_sources: Vec<String>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            folds: 5,
            cut_quantile: 0.99,
            discount: 0.75,
            l2: 1e-6,
            synthetic_per_benign: 3,
            ngram_bits: 18,
            epochs: 3,
            learning_rate: 0.05,
            benign_weight: 1.0,
            prune_quantile: 0.98,
            benign_sources: Vec::new(),
        }
    }
}

/// The distinct registrable labels of `domains` (lower-cased, first occurrence order), as
/// training wants them: names without a registrable domain and IDN A-labels are skipped.
pub fn benign_labels<'a>(domains: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let psl = PublicSuffixList::builtin();
    let mut seen = HashSet::new();
    let mut labels = Vec::new();
    for domain in domains {
        let domain = domain.trim().to_ascii_lowercase();
        let Some(label) = psl.registrable_label(&domain) else {
            continue;
        };
        if label.starts_with("xn--") {
            continue;
        }
        if seen.insert(label.to_owned()) {
            labels.push(label.to_owned());
        }
    }
    labels
}

fn counts_of<'a>(labels: impl IntoIterator<Item = &'a String>) -> Vec<u32> {
    let mut counts = vec![0u32; SYMBOLS * SYMBOLS * SYMBOLS];
    for label in labels {
        add_label_counts(&mut counts, label, 1);
    }
    counts
}

/// Trains a model on benign `labels` (see [`benign_labels`]). See the module documentation.
pub fn train(labels: &[String], config: &TrainConfig) -> ModelFile {
    let everything = vec![true; labels.len()];
    let (model, logits) = train_with(labels, &everything, config);
    if !(config.prune_quantile > 0.0 && config.prune_quantile < 1.0) || labels.is_empty() {
        return model;
    }
    // Second pass without the benign labels that looked most generated out of fold.
    let mut sorted = logits.clone();
    sorted.sort_by(f64::total_cmp);
    let index = (config.prune_quantile * sorted.len() as f64) as usize;
    let limit = sorted[index.min(sorted.len() - 1)];
    let trusted: Vec<bool> = logits.iter().map(|&l| l <= limit).collect();
    train_with(labels, &trusted, config).0
}

/// One training pass: the language model and the regression learn from the `trusted` benign
/// labels only; every benign label is scored out of fold for the cut. Returns the model and
/// the out-of-fold logits of `labels` (before calibration).
fn train_with(labels: &[String], trusted: &[bool], config: &TrainConfig) -> (ModelFile, Vec<f64>) {
    let folds = config.folds.max(2);
    let full_counts = counts_of(labels.iter().zip(trusted).filter(|p| *p.1).map(|p| p.0));

    let mut letters = [0u64; 26];
    for byte in labels.iter().flat_map(|l| l.bytes()) {
        if byte.is_ascii_lowercase() {
            letters[usize::from(byte - b'a')] += 1;
        }
    }
    let generated = synthetic_labels(
        labels.len() * config.synthetic_per_benign.max(1),
        config.seed,
        &letters,
    );

    // Out-of-fold features: each fold of benign labels is measured by a model trained without
    // it; synthetic labels are dealt round the same fold models, so both sides are measured
    // against models of the same size.
    let fold_of = |label: &str| (fnv1a(label) % folds as u64) as usize;
    let benign_folds: Vec<usize> = labels.iter().map(|l| fold_of(l)).collect();
    let mut benign = vec![[0.0; FEATURES]; labels.len()];
    let mut synthetic = vec![[0.0; FEATURES]; generated.len()];
    for fold in 0..folds {
        let mut counts = full_counts.clone();
        for (label, _) in labels
            .iter()
            .zip(trusted)
            .filter(|&(l, &t)| t && fold_of(l) == fold)
        {
            add_label_counts(&mut counts, label, -1);
        }
        let lm = TrigramModel::from_counts(&counts, config.discount);
        for (features, label) in benign.iter_mut().zip(labels) {
            if fold_of(label) == fold {
                *features = extract(&lm, label);
            }
        }
        for (features, label) in synthetic
            .iter_mut()
            .zip(&generated)
            .skip(fold)
            .step_by(folds)
        {
            *features = extract(&lm, label);
        }
    }

    // Standardise over both sides.
    let rows: Vec<&Features> = benign.iter().chain(&synthetic).collect();
    let n = rows.len().max(1) as f64;
    let mut mean = [0.0; FEATURES];
    let mut scale = [0.0; FEATURES];
    for i in 0..FEATURES {
        mean[i] = rows.iter().map(|r| r[i]).sum::<f64>() / n;
        let variance = rows.iter().map(|r| (r[i] - mean[i]).powi(2)).sum::<f64>() / n;
        scale[i] = if variance > 1e-12 {
            variance.sqrt()
        } else {
            1.0
        };
    }
    let standardise = |row: &Features| -> Features {
        let mut z = [0.0; FEATURES];
        for i in 0..FEATURES {
            z[i] = (row[i] - mean[i]) / scale[i];
        }
        z
    };

    let bits = config.ngram_bits.clamp(1, super::model::MAX_NGRAM_BITS);
    let samples: Vec<Sample> = labels
        .iter()
        .zip(&benign)
        .map(|(label, features)| (label, features, false))
        .chain(
            generated
                .iter()
                .zip(&synthetic)
                .map(|(label, features)| (label, features, true)),
        )
        .map(|(label, features, positive)| Sample {
            dense: standardise(features),
            length: length_bucket(label.len()),
            grams: ngrams(label, bits),
            positive,
        })
        .collect();
    // The fold of sample i: benign by hash (as for the features), generated round-robin.
    let sample_fold = |i: usize| {
        if i < labels.len() {
            benign_folds[i]
        } else {
            (i - labels.len()) % folds
        }
    };
    let usable = |i: usize| i >= labels.len() || trusted[i];
    let sgd = SgdConfig {
        epochs: config.epochs,
        learning_rate: config.learning_rate,
        l2: config.l2,
        benign_weight: config.benign_weight,
        seed: config.seed,
    };
    let buckets = 1usize << bits;

    // Out-of-fold benign logits, for the cut.
    let mut logits = vec![0.0f64; labels.len()];
    for fold in 0..folds {
        let weights = sparse::fit(
            &samples,
            |i| usable(i) && sample_fold(i) != fold,
            buckets,
            &sgd,
        );
        for (i, logit) in logits.iter_mut().enumerate() {
            if benign_folds[i] == fold {
                *logit = weights.logit(&samples[i]);
            }
        }
    }
    let mut sorted = logits.clone();
    sorted.sort_by(f64::total_cmp);
    let cut = if sorted.is_empty() {
        0.0
    } else {
        let index = (config.cut_quantile.clamp(0.0, 1.0) * sorted.len() as f64) as usize;
        sorted[index.min(sorted.len() - 1)]
    };

    let weights = sparse::fit(&samples, usable, buckets, &sgd);
    let (ngram_scale, ngram_weights) = quantise_ngram_weights(&weights.grams);

    let mut trigrams = BTreeMap::new();
    for a in 0..SYMBOLS as u8 {
        for b in 0..SYMBOLS as u8 {
            for c in 0..SYMBOLS as u8 {
                let count = full_counts[trigram_index(a, b, c)];
                if count > 0 {
                    let key: String = [a, b, c].into_iter().map(symbol_char).collect();
                    trigrams.insert(key, count);
                }
            }
        }
    }
    let model = ModelFile {
        format: MODEL_FORMAT.into(),
        features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
        discount: config.discount,
        mean: mean.to_vec(),
        scale: scale.to_vec(),
        weights: weights.dense.to_vec(),
        length_weights: weights.length.clone(),
        ngram_bits: bits,
        ngram_scale,
        ngram_weights,
        bias: weights.bias - cut,
        training: TrainingRecord {
            benign_sources: config.benign_sources.clone(),
            benign_labels: trusted.iter().filter(|&&t| t).count(),
            pruned_labels: trusted.iter().filter(|&&t| !t).count(),
            synthetic_labels: generated.len(),
            seed: config.seed,
            folds,
            cut_quantile: config.cut_quantile,
            epochs: config.epochs,
            benign_weight: config.benign_weight,
        },
        trigrams,
    };
    (model, logits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dga::DgaModel;
    use crate::dga::model::model_json;

    #[test]
    fn extracts_distinct_registrable_labels() {
        let labels = benign_labels([
            "www.Example.co.uk",
            "example.com",
            "com",
            "xn--p1ai.xn--p1ai",
            "a.b.duckdns.org",
        ]);
        assert_eq!(labels, ["example", "b"]);
    }

    #[test]
    fn training_is_deterministic_and_separates() {
        let words = [
            "google",
            "facebook",
            "amazon",
            "wikipedia",
            "microsoft",
            "netflix",
            "weather",
            "github",
            "stackoverflow",
            "mozilla",
            "apple",
            "yahoo",
            "linkedin",
            "twitter",
            "reddit",
            "nytimes",
            "bbc",
            "guardian",
            "spotify",
            "dropbox",
            "zoom",
            "slack",
            "salesforce",
            "adobe",
            "oracle",
            "paypal",
            "ebay",
            "walmart",
            "target",
            "costco",
        ];
        let labels: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let config = TrainConfig::default();
        let a = train(&labels, &config);
        let b = train(&labels, &config);
        assert_eq!(model_json(&a), model_json(&b));
        let model = DgaModel::from_file(a).expect("valid");
        assert!(model.score_label("xkqzvbnwpq7rtz") > model.score_label("facebook"));
    }
}
