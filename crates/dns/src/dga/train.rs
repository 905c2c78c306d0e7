//! Training the DGA model from benign domain lists (used by `r53guard-dns-train` and by the
//! evaluation's held-out split).
//!
//! 1. Benign side: the distinct registrable labels of the benign lists (in input order; IDN
//!    A-labels skipped), counted into the trigram language model.
//! 2. Generated side: as many synthetic random labels ([`super::synthetic`]).
//! 3. Benign features are computed **out of fold**: the labels are split into folds by FNV-1a
//!    hash and each fold is scored by a language model trained without it, so the benign
//!    features look like those of names the model has never seen. Synthetic features use the
//!    full model.
//! 4. Features are standardised and a logistic regression separates the two sides.
//! 5. The bias is moved so that the default cut (0.5) sits at the `cut_quantile` of the
//!    out-of-fold benign scores: with the default 0.99, about 1% of unseen benign labels score
//!    above it.
//!
//! Every step is deterministic: the same inputs, seed and settings give byte-identical output.

use std::collections::{BTreeMap, HashSet};

use super::features::{FEATURE_NAMES, FEATURES, Features, SYMBOLS, extract, symbol_char};
use super::lm::{TrigramModel, add_label_counts, trigram_index};
use super::logistic;
use super::model::{MODEL_FORMAT, ModelFile, TrainingRecord};
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
    /// L2 penalty of the logistic regression.
    pub l2: f64,
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
            l2: 1e-3,
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
    let folds = config.folds.max(2);
    let full_counts = counts_of(labels);

    let mut letters = [0u64; 26];
    for byte in labels.iter().flat_map(|l| l.bytes()) {
        if byte.is_ascii_lowercase() {
            letters[usize::from(byte - b'a')] += 1;
        }
    }
    let generated = synthetic_labels(labels.len(), config.seed, &letters);

    // Out-of-fold features: each fold of benign labels is scored by a model trained without
    // it; synthetic labels are dealt round the same fold models, so both sides are measured
    // against models of the same size.
    let fold_of = |label: &str| (fnv1a(label) % folds as u64) as usize;
    let mut benign = vec![[0.0; FEATURES]; labels.len()];
    let mut synthetic = vec![[0.0; FEATURES]; generated.len()];
    for fold in 0..folds {
        let mut counts = full_counts.clone();
        for label in labels.iter().filter(|l| fold_of(l) == fold) {
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
    let standardised: Vec<Features> = rows.iter().map(|r| standardise(r)).collect();
    let positive: Vec<bool> = (0..rows.len()).map(|i| i >= benign.len()).collect();
    let (weights, bias) = logistic::fit(&standardised, &positive, config.l2);

    // Calibrate: the cut quantile of the out-of-fold benign logits becomes 0.
    let mut logits: Vec<f64> = standardised[..benign.len()]
        .iter()
        .map(|z| bias + z.iter().zip(&weights).map(|(a, b)| a * b).sum::<f64>())
        .collect();
    logits.sort_by(f64::total_cmp);
    let cut = if logits.is_empty() {
        0.0
    } else {
        let index = (config.cut_quantile.clamp(0.0, 1.0) * logits.len() as f64) as usize;
        logits[index.min(logits.len() - 1)]
    };

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
    ModelFile {
        format: MODEL_FORMAT.into(),
        features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
        discount: config.discount,
        mean: mean.to_vec(),
        scale: scale.to_vec(),
        weights: weights.to_vec(),
        bias: bias - cut,
        training: TrainingRecord {
            benign_sources: config.benign_sources.clone(),
            benign_labels: labels.len(),
            synthetic_labels: synthetic.len(),
            seed: config.seed,
            folds,
            cut_quantile: config.cut_quantile,
        },
        trigrams,
    }
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
