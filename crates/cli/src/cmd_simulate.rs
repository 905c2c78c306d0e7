//! `r53guard simulate`: realistic CloudTrail and Resolver logs in the AWS S3 layouts (or NDJSON),
//! with a benign background and planted attack scenarios, deterministic for a seed.

use crate::Outcome;
use anyhow::Context;
use clap::Args;
use r53guard_sim::{AttackSet, DEFAULT_START, Layout, SimOptions, parse_rfc3339, simulate};
use std::path::PathBuf;

/// Arguments of `r53guard simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Hours of logs to write.
    #[arg(long, default_value_t = 1)]
    hours: u32,
    /// Volume multiplier: 1 is about 4,000 CloudTrail and 20,000 Resolver records an hour.
    #[arg(long, default_value_t = 1)]
    scale: u32,
    /// Random seed: the same options write byte-identical files.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Attack scenarios to plant: `all`, `none`, or a comma-separated list of detection ids.
    #[arg(long, default_value = "all", value_parser = parse_attacks)]
    attacks: AttackSet,
    /// `s3` (gzip files in the AWS S3 key layout) or `ndjson` (one file per kind).
    #[arg(long, default_value = "s3", value_parser = parse_layout)]
    layout: Layout,
    /// Start of the logs (RFC 3339); default 2026-11-01T00:00:00Z.
    #[arg(long, value_parser = parse_start)]
    start: Option<i64>,
}

fn parse_attacks(s: &str) -> Result<AttackSet, String> {
    s.parse::<AttackSet>().map_err(|e| e.to_string())
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    s.parse::<Layout>().map_err(|e| e.to_string())
}

fn parse_start(s: &str) -> Result<i64, String> {
    parse_rfc3339(s).map_err(|e| e.to_string())
}

pub fn run(args: SimulateArgs) -> anyhow::Result<Outcome> {
    let opts = SimOptions {
        out: args.out.clone(),
        hours: args.hours,
        scale: args.scale,
        seed: args.seed,
        start: args.start.unwrap_or(DEFAULT_START),
        attacks: args.attacks,
        layout: args.layout,
    };
    let summary =
        simulate(&opts).with_context(|| format!("simulating into {}", args.out.display()))?;
    eprintln!(
        "r53guard simulate: wrote {} files to {} ({} scenarios planted); see manifest.json",
        summary.files,
        args.out.display(),
        summary.scenarios.len()
    );
    Ok(Outcome::Clean)
}
