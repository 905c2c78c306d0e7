//! DGA scoring (detections.md X2): how machine-generated a name's registrable label looks.
//!
//! A character-statistics model, trained only on shippable data: a Kneser-Ney trigram language
//! model of the public-domain OpenDNS benign lists ([`lm`]), twelve features of the label under
//! it ([`features`]), one weight per label length and the weights of the label's hashed
//! character 1–4-grams ([`ngram`]), combined by a logistic regression fitted by AdaGrad SGD
//! ([`sparse`]) against synthetic machine-made labels of ten generic kinds ([`synthetic`],
//! [`train`]). The trained model is `data/dga-model.json`, loaded at first use; retrain with
//! `scripts/train-dga.sh`.
//!
//! [`dga_score`] scores the registrable label (the label left of the public suffix, private
//! suffixes included) in [0, 1]; [`DGA_DEFAULT_CUT`] = 0.5 is calibrated at training to the
//! 99th percentile of out-of-fold benign scores. Character statistics cannot see dictionary
//! DGAs (word lists: suppobox, matsnu, gozi, nymaim2…) and struggle with short and
//! pronounceable ones; count high scores per key and window (X2) rather than alerting on one.
//!
//! Measured by `scripts/eval-dns.sh` (2026-11-23, held-out half of the benign lists): 0.97%
//! benign false positives at the default cut; recall 0.71 on random-character DGA families,
//! 0.62 on all non-dictionary families. Labels of up to 9 characters (a third of the
//! non-dictionary rows) are caught about one time in five; from 12 characters on, 0.82–0.97.
//! Part of the benign "false positives" are sinkholed DGA names listed in the 2014 OpenDNS top
//! list.

pub mod features;
pub mod lm;
pub mod model;
pub mod ngram;
pub mod sparse;
pub mod synthetic;
pub mod train;

use std::sync::LazyLock;

pub use model::{DgaModel, ModelError, ModelFile};

/// Default cut: a name scoring above it counts as DGA-like.
pub const DGA_DEFAULT_CUT: f32 = 0.5;

static BUILTIN: LazyLock<Result<DgaModel, ModelError>> =
    LazyLock::new(|| DgaModel::from_json(include_str!("../../data/dga-model.json")));

/// The built-in model (`data/dga-model.json`), parsed at first use.
pub fn builtin_model() -> Result<&'static DgaModel, &'static ModelError> {
    BUILTIN.as_ref()
}

/// DGA score in [0, 1] of `name`'s registrable label under the built-in model
/// ([`DgaModel::score`]); 0 when the name has no registrable domain, and 0 should the built-in
/// model fail to load (the tests guard against that).
pub fn dga_score(name: &str) -> f32 {
    builtin_model().map_or(0.0, |model| model.score(name))
}
