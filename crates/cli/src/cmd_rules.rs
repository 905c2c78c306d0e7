//! `r53guard rules list|show|validate|test`: the rules a run would use, one rule's guide,
//! diagnostics for rule files, and the rules' embedded tests.

use crate::output::{RowFormat, RowWriter};
use crate::ruleset::{RuleArgs, add_lists, assemble, builtin_lists, print_warnings};
use crate::{Outcome, UsageError};
use clap::{Args, Subcommand};
use r53guard_engine::EngineOptions;
use r53guard_engine::testing::run_tests;
use r53guard_rules::load_path;
use r53guard_rules::{DataKind, Rule, RuleSet};
use std::path::PathBuf;

/// `r53guard rules …`
#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules: id, name, severity, data, type, MITRE.
    List(ListArgs),
    /// Show one rule: its description, logic, MITRE mapping and investigation guide.
    Show(ShowArgs),
    /// Check rule files and print every diagnostic (exit 2 when any is an error).
    Validate(PathArgs),
    /// Run the embedded tests of rules (the built-in pack, plus --rules).
    Test(TestArgs),
}

/// Arguments of `rules list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    format: RowFormat,
}

/// Arguments of `rules show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The rule id.
    id: String,
    #[command(flatten)]
    rules: RuleArgs,
}

/// Arguments of `rules validate`.
#[derive(Args, Debug)]
pub struct PathArgs {
    /// Rule files or directories.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Directories of value lists the rules use (the built-in lists are always available).
    #[arg(long = "lists", value_name = "DIR")]
    lists: Vec<PathBuf>,
}

/// Arguments of `rules test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// Rule files or directories to test (with the built-in pack unless --no-builtin).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Do not test the built-in pack.
    #[arg(long)]
    no_builtin: bool,
    /// Directories of value lists (replacing built-in lists with the same id).
    #[arg(long = "lists", value_name = "DIR")]
    lists: Vec<PathBuf>,
}

pub fn run(cmd: RulesCommand) -> anyhow::Result<Outcome> {
    match cmd {
        RulesCommand::List(a) => list(&assemble(&a.rules)?, a.format),
        RulesCommand::Show(a) => show(&assemble(&a.rules)?, &a.id),
        RulesCommand::Validate(a) => validate(&a.paths, &a.lists),
        RulesCommand::Test(a) => test(&assemble(&RuleArgs {
            rules: a.paths,
            no_builtin: a.no_builtin,
            lists: a.lists,
        })?),
    }
}

fn data(rule: &Rule) -> String {
    let names: Vec<&str> = rule
        .data
        .iter()
        .map(|d| match d {
            DataKind::CloudTrail => "cloudtrail",
            DataKind::Resolver => "resolver",
        })
        .collect();
    names.join(",")
}

fn mitre(rule: &Rule) -> String {
    let mut ids = Vec::new();
    for t in &rule.threat {
        ids.push(t.tactic.id.clone());
        for tech in &t.techniques {
            ids.push(tech.id.clone());
            ids.extend(tech.subtechniques.iter().map(|s| s.id.clone()));
        }
    }
    ids.join(",")
}

fn list(set: &RuleSet, format: RowFormat) -> anyhow::Result<Outcome> {
    let header = ["id", "name", "severity", "data", "type", "mitre"];
    let mut w = RowWriter::new(
        std::io::stdout().lock(),
        format,
        header.map(String::from).to_vec(),
    );
    let s = |v: String| vec![serde_json::Value::from(v)];
    for r in &set.rules {
        w.row(&[
            s(r.rule_id.clone()),
            s(r.name.clone()),
            s(r.severity.as_str().to_owned()),
            s(data(r)),
            s(r.kind.type_name().to_owned()),
            s(mitre(r)),
        ])?;
    }
    w.finish()?;
    Ok(Outcome::Clean)
}

fn show(set: &RuleSet, id: &str) -> anyhow::Result<Outcome> {
    let rule = set.get(id).ok_or_else(|| {
        UsageError(format!(
            "no rule with id {id:?} (see `r53guard rules list`)"
        ))
    })?;
    let mut out = String::new();
    out.push_str(&format!(
        "{}\n{}\n\n",
        rule.name,
        "=".repeat(rule.name.chars().count())
    ));
    out.push_str(&format!(
        "id: {}   version: {}   type: {}   severity: {} (risk {})   data: {}\n",
        rule.rule_id,
        rule.version,
        rule.kind.type_name(),
        rule.severity.as_str(),
        rule.risk_score,
        data(rule)
    ));
    out.push_str(&format!(
        "source: {}\n\n{}\n\n",
        rule.source,
        rule.description.trim()
    ));
    for t in &rule.threat {
        out.push_str(&format!(
            "MITRE ATT&CK: {} {} ({})\n",
            t.tactic.id, t.tactic.name, t.tactic.reference
        ));
        for tech in &t.techniques {
            out.push_str(&format!(
                "  {} {} ({})\n",
                tech.id, tech.name, tech.reference
            ));
            for sub in &tech.subtechniques {
                out.push_str(&format!(
                    "    {} {} ({})\n",
                    sub.id, sub.name, sub.reference
                ));
            }
        }
    }
    if let Some(setup) = &rule.setup {
        out.push_str(&format!("\nSetup\n-----\n{}\n", setup.trim()));
    }
    if let Some(note) = &rule.note {
        out.push_str(&format!("\n{}\n", note.trim()));
    }
    if !rule.false_positives.is_empty() {
        out.push_str("\nFalse positives\n---------------\n");
        for fp in &rule.false_positives {
            out.push_str(&format!("- {fp}\n"));
        }
    }
    if !rule.references.is_empty() {
        out.push_str("\nReferences\n----------\n");
        for r in &rule.references {
            out.push_str(&format!("- {r}\n"));
        }
    }
    print!("{out}");
    Ok(Outcome::Clean)
}

fn validate(paths: &[PathBuf], lists: &[PathBuf]) -> anyhow::Result<Outcome> {
    let mut errors = 0usize;
    let mut rules = 0usize;
    for path in paths {
        match load_path(path) {
            Ok(loaded) => {
                let mut set = builtin_lists()?;
                add_lists(&mut set, lists)?;
                set.overlay(loaded);
                rules += set.rules.len();
                print_warnings(&set.warnings);
                let problems = set.check();
                for d in problems.iter() {
                    eprintln!("{d}");
                }
                errors += problems.errors().count();
            }
            Err(d) => {
                for diag in d.iter() {
                    eprintln!("{diag}");
                }
                errors += d.errors().count();
            }
        }
    }
    if errors > 0 {
        return Err(UsageError(format!("{errors} error(s) in rule files")).into());
    }
    eprintln!("r53guard rules validate: {rules} rules valid");
    Ok(Outcome::Clean)
}

fn test(set: &RuleSet) -> anyhow::Result<Outcome> {
    let outcomes =
        run_tests(set, EngineOptions::default()).map_err(|e| UsageError(e.to_string()))?;
    let mut failed = 0;
    for o in &outcomes {
        println!(
            "{} {} :: {} — {}",
            if o.passed { "PASS" } else { "FAIL" },
            o.rule_id,
            o.test,
            o.detail
        );
        failed += usize::from(!o.passed);
    }
    let untested: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| r.tests.is_empty())
        .map(|r| r.rule_id.as_str())
        .collect();
    if !untested.is_empty() {
        println!("rules without embedded tests: {}", untested.join(", "));
    }
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if failed > 0 {
        Outcome::BadInput
    } else {
        Outcome::Clean
    })
}
