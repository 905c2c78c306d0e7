//! `r53guard`: detection engine for AWS Route 53 security telemetry.
//!
//! Exit status: 0 all input good; 1 some input was bad or unreadable (everything else was still
//! processed); 2 usage error; 3 the run itself failed (e.g. output not writable).

mod cmd_events;
mod cmd_fields;
mod cmd_simulate;
mod diagnostics;
mod inputs;
mod output;
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

#[derive(Subcommand)]
enum Command {
    /// Print decoded records, or chosen fields of them, from log files, directories or stdin.
    Events(cmd_events::EventsArgs),
    /// List the field names rules can use: ECS aliases and OCSF mappings.
    Fields(cmd_fields::FieldsArgs),
    /// Write realistic CloudTrail and Resolver logs with planted attack scenarios.
    Simulate(cmd_simulate::SimulateArgs),
}

/// How a command ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything read was good.
    Clean,
    /// Some input was bad or unreadable.
    BadInput,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Events(args) => cmd_events::run(args),
        Command::Fields(args) => cmd_fields::run(args),
        Command::Simulate(args) => cmd_simulate::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::BadInput) => ExitCode::from(1),
        Err(e) => {
            if output::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("r53guard: error: {e:#}");
            ExitCode::from(3)
        }
    }
}
