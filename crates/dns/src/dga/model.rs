//! The DGA model: file format, loading and scoring.
//!
//! The model file (`data/dga-model.json`) holds the benign trigram counts (sparse, keyed by three
//! symbol characters, `^` the boundary and `_` any other byte), the Kneser-Ney discount, the
//! standardisation (`mean`, `scale`) and logistic weights of the twelve features, and a record
//! of how it was trained. Loading rebuilds the smoothed table ([`super::lm`]).
//!
//! Score: `σ(bias + Σ weightᵢ · (featureᵢ − meanᵢ) / scaleᵢ)`. Training moves the bias so that
//! 0.5 ([`super::DGA_DEFAULT_CUT`]) sits at the chosen quantile of the out-of-fold benign scores.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::features::{FEATURE_NAMES, FEATURES, SYMBOLS, char_symbol, extract};
use super::lm::{TrigramModel, trigram_index};
use crate::name::with_lowercase;
use crate::psl::PublicSuffixList;

/// The `format` value this version reads and writes.
pub const MODEL_FORMAT: &str = "r53guard-dga/1";

/// How a model was trained; recorded in the file, not used for scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// File names (not paths) of the benign lists.
    pub benign_sources: Vec<String>,
    /// Distinct benign registrable labels trained on.
    pub benign_labels: usize,
    /// Synthetic random labels trained on (the generated side).
    pub synthetic_labels: usize,
    /// Seed of the synthetic generator.
    pub seed: u64,
    /// Folds of the out-of-fold benign scores.
    pub folds: usize,
    /// Quantile of the out-of-fold benign scores placed at the default cut.
    pub cut_quantile: f64,
}

/// The serialised model. See the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Feature names, [`FEATURE_NAMES`].
    pub features: Vec<String>,
    /// Kneser-Ney discount.
    pub discount: f64,
    /// Feature means (standardisation).
    pub mean: Vec<f64>,
    /// Feature standard deviations (standardisation).
    pub scale: Vec<f64>,
    /// Logistic weights of the standardised features.
    pub weights: Vec<f64>,
    /// Logistic bias, calibrated to the default cut.
    pub bias: f64,
    /// Provenance.
    pub training: TrainingRecord,
    /// Benign trigram counts.
    pub trigrams: BTreeMap<String, u32>,
}

/// A model file that could not be loaded.
#[derive(Debug)]
pub enum ModelError {
    /// Not valid JSON for [`ModelFile`].
    Json(serde_json::Error),
    /// Valid JSON, inconsistent content.
    Invalid(String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(error) => write!(f, "DGA model is not valid JSON: {error}"),
            Self::Invalid(reason) => write!(f, "DGA model is invalid: {reason}"),
        }
    }
}

impl std::error::Error for ModelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(error) => Some(error),
            Self::Invalid(_) => None,
        }
    }
}

/// A loaded DGA model, ready to score.
#[derive(Debug, Clone)]
pub struct DgaModel {
    lm: TrigramModel,
    /// `weight / scale` per raw feature: standardisation folded into the weights.
    coefficients: [f64; FEATURES],
    /// `bias − Σ weight · mean / scale`.
    intercept: f64,
    file: ModelFile,
}

fn vector(values: &[f64], what: &str) -> Result<[f64; FEATURES], ModelError> {
    <[f64; FEATURES]>::try_from(values).map_err(|_| {
        ModelError::Invalid(format!(
            "{what} has {} values, expected {FEATURES}",
            values.len()
        ))
    })
}

impl DgaModel {
    /// Loads a model from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        Self::from_file(serde_json::from_str(text).map_err(ModelError::Json)?)
    }

    /// Builds the scorer from a model file (for example one fresh from training).
    pub fn from_file(file: ModelFile) -> Result<Self, ModelError> {
        if file.format != MODEL_FORMAT {
            return Err(ModelError::Invalid(format!(
                "format {:?}, expected {MODEL_FORMAT:?}",
                file.format
            )));
        }
        if file.features != FEATURE_NAMES {
            return Err(ModelError::Invalid(format!(
                "features {:?}, expected {FEATURE_NAMES:?}",
                file.features
            )));
        }
        let mean = vector(&file.mean, "mean")?;
        let scale = vector(&file.scale, "scale")?;
        let weights = vector(&file.weights, "weights")?;
        if scale.iter().any(|&s| !(s.is_finite() && s > 0.0)) {
            return Err(ModelError::Invalid("scale must be positive".into()));
        }
        if !(0.0..1.0).contains(&file.discount) {
            return Err(ModelError::Invalid("discount must be in [0, 1)".into()));
        }
        let mut counts = vec![0u32; SYMBOLS * SYMBOLS * SYMBOLS];
        for (key, &count) in &file.trigrams {
            let symbols: Option<Vec<u8>> = key.chars().map(char_symbol).collect();
            match symbols.as_deref() {
                Some(&[a, b, c]) => counts[trigram_index(a, b, c)] = count,
                _ => return Err(ModelError::Invalid(format!("bad trigram key {key:?}"))),
            }
        }
        let mut coefficients = [0.0; FEATURES];
        let mut intercept = file.bias;
        for i in 0..FEATURES {
            coefficients[i] = weights[i] / scale[i];
            intercept -= coefficients[i] * mean[i];
        }
        Ok(Self {
            lm: TrigramModel::from_counts(&counts, file.discount),
            coefficients,
            intercept,
            file,
        })
    }

    /// The model file this scorer was built from.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// The model file as pretty JSON (what training writes).
    pub fn to_json(&self) -> String {
        model_json(&self.file)
    }

    /// The logit of a non-empty label: positive above the default cut.
    pub fn logit_label(&self, label: &str) -> f64 {
        let features = extract(&self.lm, label);
        self.intercept
            + features
                .iter()
                .zip(&self.coefficients)
                .map(|(x, c)| x * c)
                .sum::<f64>()
    }

    /// DGA score in [0, 1] of one label (the registrable label, without dots). 0 for an empty
    /// label or an IDN A-label (`xn--…`), which the character model does not cover.
    pub fn score_label(&self, label: &str) -> f32 {
        if label.is_empty() || label.starts_with("xn--") || label.starts_with("XN--") {
            return 0.0;
        }
        (1.0 / (1.0 + (-self.logit_label(label)).exp())) as f32
    }

    /// DGA score in [0, 1] of a name's registrable label (`kq3v9x` in `www.kq3v9x.co.uk`),
    /// private PSL suffixes included (`x.duckdns.org` scores `x`). 0 when the name has no
    /// registrable domain (single labels such as Chrome's random intranet probes, public
    /// suffixes).
    pub fn score(&self, name: &str) -> f32 {
        with_lowercase(name, |name| {
            PublicSuffixList::builtin()
                .registrable_label(name)
                .map_or(0.0, |label| self.score_label(label))
        })
    }
}

/// Serialises a model file: pretty JSON with a final newline, keys in a fixed order, so the
/// same training run writes the same bytes.
pub fn model_json(file: &ModelFile) -> String {
    let mut text = serde_json::to_string_pretty(file).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> ModelFile {
        ModelFile {
            format: MODEL_FORMAT.into(),
            features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
            discount: 0.75,
            mean: vec![0.0; FEATURES],
            scale: vec![1.0; FEATURES],
            weights: vec![0.0; FEATURES],
            bias: 0.0,
            training: TrainingRecord {
                benign_sources: vec![],
                benign_labels: 0,
                synthetic_labels: 0,
                seed: 0,
                folds: 0,
                cut_quantile: 0.0,
            },
            trigrams: BTreeMap::from([("^^a".to_string(), 3)]),
        }
    }

    #[test]
    fn round_trips_and_rejects_bad_files() {
        let model = DgaModel::from_file(tiny()).expect("valid");
        let again = DgaModel::from_json(&model.to_json()).expect("round trip");
        assert_eq!(again.file(), model.file());
        assert_eq!(model.score_label("abc"), 0.5);
        assert_eq!(model.score_label(""), 0.0);
        assert_eq!(model.score_label("xn--p1ai"), 0.0);

        let mut bad = tiny();
        bad.trigrams.insert("ab".into(), 1);
        assert!(matches!(
            DgaModel::from_file(bad),
            Err(ModelError::Invalid(_))
        ));
        let mut bad = tiny();
        bad.weights.pop();
        assert!(DgaModel::from_file(bad).is_err());
        assert!(matches!(DgaModel::from_json("{"), Err(ModelError::Json(_))));
    }
}
