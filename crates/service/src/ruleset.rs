//! The rules a service runs: the built-in pack with rule paths and lists overlaid, compiled
//! into an engine (restored from the store's snapshot when there is one), and the list of them
//! the API serves.

use crate::config::RulesConfig;
use anyhow::{Context, anyhow};
use r53guard_api::RuleInfo;
use r53guard_engine::{Engine, EngineOptions};
use r53guard_rules::{Diagnostics, RuleSet, builtin, load_lists, load_path};

/// Loaded rules, ready to compile.
pub struct Rules {
    set: RuleSet,
    opts: EngineOptions,
}

impl Rules {
    /// Loads what `config` names. Rule errors fail; warnings are logged.
    pub fn load(config: &RulesConfig, now_ms: i64) -> anyhow::Result<Rules> {
        let mut set = builtin().map_err(|d| diagnostics("the built-in pack", &d))?;
        if !config.builtin {
            set.rules.clear();
        }
        for path in &config.paths {
            let loaded =
                load_path(path).map_err(|d| diagnostics(&path.display().to_string(), &d))?;
            set.overlay(loaded);
        }
        for dir in &config.lists {
            let lists = load_lists(dir).map_err(|d| diagnostics(&dir.display().to_string(), &d))?;
            for list in lists {
                set.lists.insert(list.id.clone(), list);
            }
        }
        let problems = set.check();
        if problems.has_errors() {
            return Err(diagnostics("the rule set", &problems));
        }
        for w in set.warnings.warnings() {
            tracing::warn!(warning = %w, "rule warning");
        }
        Ok(Rules {
            set,
            opts: EngineOptions {
                now_ms,
                max_events_per_alert: config.max_events_per_alert,
            },
        })
    }

    /// A fresh engine.
    pub fn engine(&self) -> anyhow::Result<Engine> {
        Ok(Engine::new(&self.set, self.opts)?)
    }

    /// An engine restored from a snapshot.
    pub fn restore(&self, snapshot: &[u8]) -> anyhow::Result<Engine> {
        Engine::restore(&self.set, self.opts, snapshot).context(
            "restoring the engine state (did the rules change? a new data_dir starts afresh)",
        )
    }

    /// The rules as the API lists them.
    pub fn info(&self) -> Vec<RuleInfo> {
        self.set
            .rules
            .iter()
            .map(|r| RuleInfo {
                id: r.rule_id.clone(),
                name: r.name.clone(),
                severity: r53guard_engine::severity(r.severity),
                rule_type: r.kind.type_name().to_owned(),
                data: r.data.iter().map(|d| d.as_str().to_owned()).collect(),
                mitre: r
                    .threat
                    .iter()
                    .flat_map(|t| {
                        std::iter::once(t.tactic.id.clone())
                            .chain(t.techniques.iter().map(|x| x.id.clone()))
                    })
                    .collect(),
                source: if r.source.is_builtin() {
                    "builtin".to_owned()
                } else {
                    r.source.to_string()
                },
            })
            .collect()
    }
}

fn diagnostics(what: &str, d: &Diagnostics) -> anyhow::Error {
    let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
    anyhow!(
        "{what}: {} error(s) in rules:\n{}",
        d.errors().count(),
        lines.join("\n")
    )
}
