//! `r53guard sigma check`: which Sigma rules load and compile, which do not and why, which fields
//! each rule reads and whether the field mapping knows them.

use crate::Outcome;
use crate::output::{RowFormat, RowWriter};
use crate::sigma_input::{load, mapping, print_problems};
use clap::{Args, Subcommand};
use r53guard_event::Schema;
use r53guard_sigma::{CompiledSigma, field_report};
use std::path::PathBuf;

/// `r53guard sigma …`
#[derive(Subcommand, Debug)]
pub enum SigmaCommand {
    /// Check Sigma rule files: load, compile, and report fields per rule.
    Check(CheckArgs),
}

/// Arguments of `sigma check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Sigma rule files or directories (YAML).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// A field-mapping file (YAML) instead of the built-in mapping.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    format: RowFormat,
}

pub fn run(cmd: SigmaCommand) -> anyhow::Result<Outcome> {
    let SigmaCommand::Check(args) = cmd;
    let set = load(&args.paths)?;
    let mapping = mapping(&args.mapping)?;
    let not_loaded = print_problems(&set);
    let header = [
        "rule",
        "status",
        "kinds",
        "fields (unknown to the mapping marked !)",
    ];
    let mut w = RowWriter::new(
        std::io::stdout().lock(),
        args.format,
        header.map(String::from).to_vec(),
    );
    let s = |v: String| vec![serde_json::Value::from(v)];
    let (mut ok, mut bad) = (0, 0);
    for rule in &set.rules {
        let report = field_report(rule, &mapping);
        let mut schema = Schema::new();
        let status = match CompiledSigma::compile(rule, &mapping, &mut schema) {
            Ok(_) => {
                ok += 1;
                "ok".to_owned()
            }
            Err(e) => {
                bad += 1;
                format!("not run: {e}")
            }
        };
        let kinds: Vec<&str> = report.kinds.iter().map(|k| k.name()).collect();
        let fields: Vec<String> = report
            .fields
            .iter()
            .map(|f| {
                let shown = match &f.mapped {
                    Some(m) if m != &f.sigma => format!("{}→{m}", f.sigma),
                    _ => f.sigma.clone(),
                };
                if f.known { shown } else { format!("!{shown}") }
            })
            .collect();
        w.row(&[
            s(rule.title.clone()),
            s(status),
            s(kinds.join(",")),
            s(fields.join(" ")),
        ])?;
    }
    w.finish()?;
    eprintln!(
        "r53guard sigma check: {ok} rules compile, {bad} do not, {not_loaded} documents not loaded; {} correlations, {} filters",
        set.correlations.len(),
        set.filters.len()
    );
    Ok(if bad + not_loaded > 0 {
        Outcome::BadInput
    } else {
        Outcome::Clean
    })
}
