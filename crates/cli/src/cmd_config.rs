//! `r53guard config check [FILE]`: parse and check a `r53guard run` configuration (the
//! embedded default without a file) and print a summary; errors exit with status 2.

use crate::{Outcome, UsageError};
use clap::Subcommand;
use r53guard_service::Config;
use std::path::PathBuf;

/// `r53guard config` subcommands.
#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Check a configuration file and print what it sets up.
    Check {
        /// The file (default: the embedded default configuration).
        file: Option<PathBuf>,
    },
}

pub fn run(cmd: ConfigCommand) -> anyhow::Result<Outcome> {
    let ConfigCommand::Check { file } = cmd;
    let (config, what) = match &file {
        Some(path) => (
            Config::load(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
            path.display().to_string(),
        ),
        None => (
            Config::default_config(),
            "the default configuration".to_owned(),
        ),
    };
    print!("{}", config.summary());
    eprintln!("{what}: ok");
    Ok(Outcome::Clean)
}
