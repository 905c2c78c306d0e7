//! The DGA model: file format, loading and scoring.
//!
//! The model file (`data/dga-model.json`) holds the benign trigram counts (sparse, keyed by three
//! symbol characters, `^` the boundary and `_` any other byte), the Kneser-Ney discount, the
//! standardisation (`mean`, `scale`) and logistic weights of the twelve features, one weight per
//! label length, the weights of the hashed n-grams ([`super::ngram`]; `2^ngram_bits` of them,
//! quantised to 16-bit integers times `ngram_scale`, little-endian, base64 in `ngram_weights`)
//! and a record of how it was trained. Loading rebuilds the smoothed trigram table
//! ([`super::lm`]) and the n-gram table.
//!
//! Score: `σ(bias + Σ weightᵢ · (featureᵢ − meanᵢ) / scaleᵢ + length_weight[len] + Σ
//! ngram_weight[bucket])`, the last sum over the label's n-grams. Training moves the bias so
//! that 0.5 ([`super::DGA_DEFAULT_CUT`]) sits at the chosen quantile of the out-of-fold benign
//! scores.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::features::{FEATURE_NAMES, FEATURES, SYMBOLS, char_symbol, extract};
use super::lm::{TrigramModel, trigram_index};
use super::ngram::for_each_ngram;
use super::sparse::{LENGTH_BUCKETS, length_bucket};
use crate::name::with_lowercase;
use crate::psl::PublicSuffixList;

/// The `format` value this version reads and writes.
pub const MODEL_FORMAT: &str = "r53guard-dga/2";
/// Largest `ngram_bits` accepted (a 4 Mi-entry table).
pub const MAX_NGRAM_BITS: u32 = 22;

/// How a model was trained; recorded in the file, not used for scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// File names (not paths) of the benign lists.
    pub benign_sources: Vec<String>,
    /// Distinct benign registrable labels trained on.
    pub benign_labels: usize,
    /// Distinct benign labels left out of training (they look generated; see
    /// `TrainConfig::prune_quantile`), still counted for the cut.
    pub pruned_labels: usize,
    /// Synthetic random labels trained on (the generated side).
    pub synthetic_labels: usize,
    /// Seed of the synthetic generator.
    pub seed: u64,
    /// Folds of the out-of-fold benign scores.
    pub folds: usize,
    /// Quantile of the out-of-fold benign scores placed at the default cut.
    pub cut_quantile: f64,
    /// Passes of the stochastic gradient descent.
    pub epochs: usize,
    /// Weight of a benign sample relative to a generated one (after class balancing).
    pub benign_weight: f64,
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
    /// Weight per label length (1 to 40 bytes, then one for longer labels).
    pub length_weights: Vec<f64>,
    /// `log2` of the number of n-gram buckets.
    pub ngram_bits: u32,
    /// Value of one quantisation step of the n-gram weights.
    pub ngram_scale: f64,
    /// N-gram weights: `2^ngram_bits` little-endian `i16`, base64 (standard alphabet, padded).
    pub ngram_weights: String,
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
    length: [f32; LENGTH_BUCKETS],
    grams: Vec<f32>,
    ngram_bits: u32,
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
        let length_weights = <[f64; LENGTH_BUCKETS]>::try_from(file.length_weights.as_slice())
            .map_err(|_| {
                ModelError::Invalid(format!("length_weights must have {LENGTH_BUCKETS} values"))
            })?;
        if !(1..=MAX_NGRAM_BITS).contains(&file.ngram_bits) {
            return Err(ModelError::Invalid(format!(
                "ngram_bits must be in 1..={MAX_NGRAM_BITS}"
            )));
        }
        if !file.ngram_scale.is_finite() {
            return Err(ModelError::Invalid("ngram_scale must be finite".into()));
        }
        let raw = base64_decode(&file.ngram_weights)
            .ok_or_else(|| ModelError::Invalid("ngram_weights is not base64".into()))?;
        if raw.len() != 2 << file.ngram_bits {
            return Err(ModelError::Invalid(format!(
                "ngram_weights holds {} bytes, expected {}",
                raw.len(),
                2 << file.ngram_bits
            )));
        }
        let grams = raw
            .chunks_exact(2)
            .map(|pair| {
                (f64::from(i16::from_le_bytes([pair[0], pair[1]])) * file.ngram_scale) as f32
            })
            .collect();
        Ok(Self {
            lm: TrigramModel::from_counts(&counts, file.discount),
            coefficients,
            intercept,
            length: length_weights.map(|w| w as f32),
            grams,
            ngram_bits: file.ngram_bits,
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
        let mut grams = 0.0f32;
        for_each_ngram(label, self.ngram_bits, |bucket| grams += self.grams[bucket]);
        self.intercept
            + features
                .iter()
                .zip(&self.coefficients)
                .map(|(x, c)| x * c)
                .sum::<f64>()
            + f64::from(self.length[length_bucket(label.len())])
            + f64::from(grams)
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

/// Quantises n-gram weights to `i16` steps: returns the step and the base64 of the
/// little-endian integers, as the model file stores them.
pub fn quantise_ngram_weights(weights: &[f64]) -> (f64, String) {
    let largest = weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let step = if largest > 0.0 {
        largest / f64::from(i16::MAX)
    } else {
        1.0
    };
    let mut bytes = Vec::with_capacity(2 * weights.len());
    for w in weights {
        let q = (w / step)
            .round()
            .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
        bytes.extend_from_slice(&q.to_le_bytes());
    }
    (step, base64_encode(&bytes))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Each byte's value in [`BASE64`], or 64 for a byte outside the alphabet.
const BASE64_VALUES: [u8; 256] = {
    let mut values = [64u8; 256];
    let mut i = 0;
    while i < BASE64.len() {
        values[BASE64[i] as usize] = i as u8;
        i += 1;
    }
    values
};

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if !text.len().is_multiple_of(4) || text.len() - body.len() > 2 {
        return None;
    }
    // Four characters make 24 bits; a last group of two or three makes one or two bytes.
    let group = |chars: &[u8]| -> Option<u32> {
        chars
            .iter()
            .try_fold(0u32, |bits, &c| match BASE64_VALUES[usize::from(c)] {
                64 => None,
                v => Some(bits << 6 | u32::from(v)),
            })
    };
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let mut groups = body.as_bytes().chunks_exact(4);
    for chars in &mut groups {
        out.extend_from_slice(&group(chars)?.to_be_bytes()[1..]);
    }
    match groups.remainder() {
        [] => {}
        [_] => return None,
        last => {
            let bits = group(last)? << (6 * (4 - last.len()));
            out.extend_from_slice(&bits.to_be_bytes()[1..last.len()]);
        }
    }
    Some(out)
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
            length_weights: vec![0.0; LENGTH_BUCKETS],
            ngram_bits: 4,
            ngram_scale: 1.0,
            ngram_weights: quantise_ngram_weights(&[0.0; 16]).1,
            bias: 0.0,
            training: TrainingRecord {
                benign_sources: vec![],
                benign_labels: 0,
                pruned_labels: 0,
                synthetic_labels: 0,
                seed: 0,
                folds: 0,
                cut_quantile: 0.0,
                epochs: 0,
                benign_weight: 1.0,
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
        bad.ngram_weights.push_str("AA==");
        assert!(DgaModel::from_file(bad).is_err());
        let mut bad = tiny();
        bad.weights.pop();
        assert!(DgaModel::from_file(bad).is_err());
        assert!(matches!(DgaModel::from_json("{"), Err(ModelError::Json(_))));
    }

    #[test]
    fn base64_round_trips() {
        for bytes in [&b""[..], b"a", b"ab", b"abc", b"\x00\xff\x10\x80"] {
            assert_eq!(base64_decode(&base64_encode(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(base64_decode("aGVsbG8"), None);
        // Bytes outside the alphabet, padding inside the text, a non-ASCII character.
        for bad in ["aGVs*G8=", "aG=sbG8=", "aGVsbé=="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
        let every: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&every)), Some(every));
        let (step, text) = quantise_ngram_weights(&[1.0, -0.5, 0.0]);
        let raw = base64_decode(&text).expect("valid");
        let q: Vec<i16> = raw
            .chunks_exact(2)
            .map(|p| i16::from_le_bytes([p[0], p[1]]))
            .collect();
        assert_eq!(q, [i16::MAX, -16384, 0]);
        assert!((step * f64::from(i16::MAX) - 1.0).abs() < 1e-12);
    }
}
