//! `r53guard`: detection engine for AWS Route 53 security telemetry.
//!
//! Exit status: 0 all input good; 1 some input was bad or unreadable (everything else was still
//! processed); 2 usage error (including invalid rules or queries); 3 the run itself failed
//! (e.g. output not writable); 4 alerts were raised and `--fail-on-alert` was given.

mod cmd_config;
mod cmd_events;
mod cmd_fields;
mod cmd_hunt;
mod cmd_rules;
mod cmd_run;
mod cmd_sigma;
mod cmd_simulate;
mod diagnostics;
mod hunt_stream;
mod inputs;
mod name_time;
mod output;
mod progress;
mod ruleset;
mod s3_input;
mod sigma_input;
mod split;
mod summary;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Detection engine for AWS Route 53 security telemetry (CloudTrail and Resolver query logs).
#[derive(Parser)]
#[command(name = "r53guard", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Print decoded records, or chosen fields of them, from log files, directories or stdin.
    Events(cmd_events::EventsArgs),
    /// List the field names rules can use: ECS aliases and OCSF mappings.
    Fields(cmd_fields::FieldsArgs),
    /// Run every rule over log files in one pass and print the alerts.
    Hunt(cmd_hunt::HuntArgs),
    /// Check a `r53guard run` configuration file.
    #[command(subcommand)]
    Config(cmd_config::ConfigCommand),
    /// Run continuously: watch sources, store and notify alerts, serve the API.
    Run(cmd_run::RunArgs),
    /// List, show, validate and test rules.
    #[command(subcommand)]
    Rules(cmd_rules::RulesCommand),
    /// Check Sigma rules: what loads, what runs, which fields they read.
    #[command(subcommand)]
    Sigma(cmd_sigma::SigmaCommand),
    /// Write realistic CloudTrail and Resolver logs with planted attack scenarios.
    Simulate(cmd_simulate::SimulateArgs),
}

/// A problem with what the user asked for (bad rules, a bad query): exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// How a command ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything read was good.
    Clean,
    /// Some input was bad or unreadable.
    BadInput,
    /// Alerts were raised and `--fail-on-alert` was given.
    Alerted,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Events(args) => cmd_events::run(args),
        Command::Fields(args) => cmd_fields::run(args),
        Command::Hunt(args) => cmd_hunt::run(args),
        Command::Config(cmd) => cmd_config::run(cmd),
        Command::Run(args) => cmd_run::run(args),
        Command::Rules(cmd) => cmd_rules::run(cmd),
        Command::Sigma(cmd) => cmd_sigma::run(cmd),
        Command::Simulate(args) => cmd_simulate::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::BadInput) => ExitCode::from(1),
        Ok(Outcome::Alerted) => ExitCode::from(4),
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("r53guard: error: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(3)
            }
        }
    }
}
