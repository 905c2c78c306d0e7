//! Assembling the rules of a run: the built-in pack (unless `--no-builtin`), overlaid by rule
//! files and directories from `--rules` (same rule_id replaces the built-in), with their
//! diagnostics printed for a human.

use clap::Args;
use r53guard_rules::{Diagnostics, RuleSet, builtin, load_lists, load_path};
use std::path::PathBuf;

/// Where rules come from.
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Rule files or directories (TOML), in addition to the built-in pack; a rule with the same
    /// rule_id as a built-in one replaces it. Repeatable.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in pack's rules (its value lists stay available).
    #[arg(long)]
    pub no_builtin: bool,
    /// Directories of value lists (`<id>.txt`), replacing built-in lists with the same id.
    /// Repeatable.
    #[arg(long = "lists", value_name = "DIR")]
    pub lists: Vec<PathBuf>,
}

/// The rules of a run. Errors are printed and fail the run; warnings are printed.
pub fn assemble(args: &RuleArgs) -> anyhow::Result<RuleSet> {
    let mut set = builtin().map_err(|d| report("the built-in pack", &d))?;
    if args.no_builtin {
        set.rules.clear();
    }
    for path in &args.rules {
        let loaded = load_path(path).map_err(|d| report(&path.display().to_string(), &d))?;
        set.overlay(loaded);
    }
    add_lists(&mut set, &args.lists)?;
    let problems = set.check();
    if problems.has_errors() {
        return Err(report("the rule set", &problems));
    }
    print_warnings(&set.warnings);
    Ok(set)
}

/// Adds list directories; a list replaces the one of the same id.
pub fn add_lists(set: &mut RuleSet, dirs: &[PathBuf]) -> anyhow::Result<()> {
    for dir in dirs {
        let lists = load_lists(dir).map_err(|d| report(&dir.display().to_string(), &d))?;
        for list in lists {
            set.lists.insert(list.id.clone(), list);
        }
    }
    Ok(())
}

/// The built-in value lists, for checking rules that use them.
pub fn builtin_lists() -> anyhow::Result<RuleSet> {
    let mut set = builtin().map_err(|d| report("the built-in pack", &d))?;
    set.rules.clear();
    Ok(set)
}

/// Prints warnings on stderr.
pub fn print_warnings(d: &Diagnostics) {
    for w in d.warnings() {
        eprintln!("{w}");
    }
}

fn report(what: &str, d: &Diagnostics) -> anyhow::Error {
    for diag in d.iter() {
        eprintln!("{diag}");
    }
    crate::UsageError(format!("{what}: {} error(s) in rules", d.errors().count())).into()
}
