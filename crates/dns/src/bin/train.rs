//! `r53guard-dns-train`: trains the DGA model from benign domain lists and writes the model
//! file. Run through `scripts/train-dga.sh`. Same inputs and seed, same output bytes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use r53guard_dns::dga::model::model_json;
use r53guard_dns::dga::train::{TrainConfig, benign_labels, train};

/// Train the r53guard DGA model on benign domain lists (one domain per line).
#[derive(Parser, Debug)]
#[command(name = "r53guard-dns-train")]
struct Args {
    /// Benign domain list; repeat for several. Only shippable data (the OpenDNS lists are public
    /// domain): the trained model is committed.
    #[arg(long, required = true)]
    benign: Vec<PathBuf>,
    /// Where to write the model JSON.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the synthetic generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Quantile of out-of-fold benign scores placed at the default cut (0.5).
    #[arg(long, default_value_t = 0.99)]
    cut_quantile: f64,
    /// Out-of-fold splits.
    #[arg(long, default_value_t = 5)]
    folds: usize,
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut text = String::new();
    for path in &args.benign {
        match std::fs::read_to_string(path) {
            Ok(content) => {
                text.push_str(&content);
                text.push('\n');
            }
            Err(error) => {
                eprintln!("cannot read {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let labels = benign_labels(text.lines().filter(|line| !line.trim().is_empty()));
    let config = TrainConfig {
        seed: args.seed,
        folds: args.folds,
        cut_quantile: args.cut_quantile,
        benign_sources: args.benign.iter().map(|p| file_name(p)).collect(),
        ..TrainConfig::default()
    };
    let model = train(&labels, &config);
    if let Err(error) = std::fs::write(&args.out, model_json(&model)) {
        eprintln!("cannot write {}: {error}", args.out.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "trained on {} benign labels and {} synthetic labels; wrote {} ({} trigrams)",
        model.training.benign_labels,
        model.training.synthetic_labels,
        args.out.display(),
        model.trigrams.len()
    );
    ExitCode::SUCCESS
}
