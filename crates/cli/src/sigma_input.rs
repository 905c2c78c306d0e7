//! Reading Sigma rules for `hunt --sigma` and `sigma check`: files and directories of YAML
//! (searched recursively, in name order) into one set, and the field mapping.

use crate::UsageError;
use clap::Args;
use r53guard_sigma::{DiagnosticLevel, Mapping, SigmaSet};
use std::path::PathBuf;

/// Sigma rules to run beside r53guard's own.
#[derive(Args, Debug, Clone)]
pub struct SigmaArgs {
    /// Sigma rule files or directories (YAML; rules, correlations and filters), run beside
    /// the built-in pack. Repeatable.
    #[arg(long = "sigma", value_name = "PATH")]
    pub sigma: Vec<PathBuf>,
    /// A field-mapping file (YAML) for the Sigma rules instead of the built-in mapping.
    #[arg(long = "sigma-mapping", value_name = "FILE", requires = "sigma")]
    pub sigma_mapping: Option<PathBuf>,
}

/// Prints every problem of a loaded set (documents not loaded, warnings) on stderr and returns
/// how many documents were not loaded.
pub fn print_problems(set: &SigmaSet) -> usize {
    for d in set.problems(DiagnosticLevel::Warning) {
        eprintln!("{d}");
    }
    set.problems(DiagnosticLevel::Unsupported).count()
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
