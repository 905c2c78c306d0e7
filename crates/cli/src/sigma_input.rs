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
    SigmaSet::load_paths(paths).map_err(|e| UsageError(e.to_string()).into())
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
