//! `r53guard sigma check`: which Sigma rules load and compile, which do not and why, which fields
//! each rule reads and whether the field mapping knows them.

use crate::output::{RowFormat, RowWriter};
use crate::{Outcome, UsageError};
use clap::{Args, Subcommand};
use r53guard_event::Schema;
use r53guard_sigma::{CompiledSigma, DiagnosticLevel as Level, Mapping, SigmaSet, field_report};
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

/// Loads Sigma files and directories into one set.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<SigmaSet> {
    let mut texts: Vec<(String, String)> = Vec::new();
    for p in paths {
        let files = if p.is_dir() {
            let mut found = Vec::new();
            collect_yaml(p, &mut found)?;
            found
        } else {
            vec![p.clone()]
        };
        for f in files {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| UsageError(format!("{}: {e}", f.display())))?;
            texts.push((f.display().to_string(), text));
        }
    }
    Ok(SigmaSet::load(
        texts.iter().map(|(n, t)| (n.as_str(), t.as_str())),
    ))
}

fn collect_yaml(dir: &std::path::Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| UsageError(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_yaml(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
    Ok(())
}

/// The mapping: a file, or the built-in one.
pub fn mapping(path: &Option<PathBuf>) -> anyhow::Result<Mapping> {
    let m = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
            Mapping::from_yaml(&text)
        }
        None => Mapping::builtin(),
    };
    m.map_err(|e| UsageError(format!("field mapping: {e}")).into())
}

pub fn run(cmd: SigmaCommand) -> anyhow::Result<Outcome> {
    let SigmaCommand::Check(args) = cmd;
    let set = load(&args.paths)?;
    let mapping = mapping(&args.mapping)?;
    for d in set.problems(Level::Warning) {
        eprintln!("{d}");
    }
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
    let not_loaded = set
        .diagnostics
        .iter()
        .filter(|d| d.level != Level::Warning)
        .count();
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
