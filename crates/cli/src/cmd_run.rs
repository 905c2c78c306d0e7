//! `r53guard run [--config FILE]`: the service, with structured logs on stderr.

use crate::{Outcome, UsageError};
use clap::{Args, ValueEnum};
use r53guard_service::Config;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// Arguments of `r53guard run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The configuration file (default: watch ./logs, alerts to stdout, API on 127.0.0.1:8053).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// How logs are written.
#[derive(ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

pub fn run(args: RunArgs) -> anyhow::Result<Outcome> {
    let config = match &args.config {
        Some(path) => {
            Config::load(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))?
        }
        None => Config::default_config(),
    };
    let filter = EnvFilter::try_from_env("R53GUARD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Text => logs.with_ansi(false).init(),
        LogFormat::Json => logs.json().init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(r53guard_service::run(config))?;
    Ok(Outcome::Clean)
}
