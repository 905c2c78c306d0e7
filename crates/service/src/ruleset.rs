//! The rules a service runs: the built-in pack with rule paths and lists overlaid, and the
//! Sigma rules beside them (as `hunt --sigma`), compiled into an engine (restored from the
//! store's snapshot, taken of the same rules, when there is one), and the list of them the API
//! serves. Sigma documents that do not load and Sigma rules that cannot run are logged once,
//! at start, with their file and the reason.

use crate::config::RulesConfig;
use anyhow::{Context, anyhow};
use r53guard_api::RuleInfo;
use r53guard_engine::{Engine, EngineOptions, Limits, SigmaRules};
use r53guard_rules::{Diagnostics, RuleSet, builtin, load_lists, load_path};
use r53guard_sigma::{DiagnosticLevel, Mapping, SigmaSet};

/// Loaded rules, ready to compile.
pub struct Rules {
    set: RuleSet,
    sigma: Option<(SigmaSet, Mapping)>,
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
        let sigma = if config.sigma.is_empty() {
            None
        } else {
            Some(load_sigma(config)?)
        };
        Ok(Rules {
            set,
            sigma,
            opts: EngineOptions {
                now_ms,
                max_events_per_alert: config.max_events_per_alert,
            },
        })
    }

    fn sigma_rules(&self) -> Option<SigmaRules<'_>> {
        self.sigma
            .as_ref()
            .map(|(set, mapping)| SigmaRules { set, mapping })
    }

    /// A fresh engine.
    pub fn engine(&self) -> anyhow::Result<Engine> {
        let engine = match self.sigma_rules() {
            Some(sigma) => Engine::with_sigma(&self.set, sigma, self.opts, Limits::default())?,
            None => Engine::new(&self.set, self.opts)?,
        };
        log_not_run(&engine);
        Ok(engine)
    }

    /// An engine restored from a snapshot taken of the same rules (Sigma rules included).
    pub fn restore(&self, snapshot: &[u8]) -> anyhow::Result<Engine> {
        let engine = match self.sigma_rules() {
            Some(sigma) => Engine::restore_with_sigma(&self.set, sigma, self.opts, snapshot),
            None => Engine::restore(&self.set, self.opts, snapshot),
        }
        .context(
            "restoring the engine state (did the rules change? a new data_dir starts afresh)",
        )?;
        log_not_run(&engine);
        Ok(engine)
    }

    /// The rules as the API lists them: the rule set's, then the Sigma rules and correlations
    /// `engine` runs.
    pub fn info(&self, engine: &Engine) -> Vec<RuleInfo> {
        let enabled = self.set.rules.iter().filter(|r| r.enabled).count();
        let sigma = engine
            .rule_meta()
            .into_iter()
            .skip(enabled)
            .map(|(meta, kinds)| RuleInfo {
                id: meta.id.clone(),
                name: meta.name.clone(),
                severity: meta.severity,
                rule_type: meta.rule_type.clone(),
                data: kinds.iter().map(|k| k.name().to_owned()).collect(),
                mitre: meta
                    .threat
                    .iter()
                    .flat_map(|t| {
                        std::iter::once(t.tactic.id.clone()).chain(t.technique.iter().flat_map(
                            |x| {
                                std::iter::once(x.id.clone())
                                    .chain(x.subtechnique.iter().map(|s| s.id.clone()))
                            },
                        ))
                    })
                    .collect(),
                source: format!(
                    "sigma: {}",
                    meta.source_url.as_deref().unwrap_or("unknown file")
                ),
            });
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
            .chain(sigma)
            .collect()
    }
}

/// Loads the Sigma files and the mapping; logs every document that does not load (and every
/// warning) with its file.
fn load_sigma(config: &RulesConfig) -> anyhow::Result<(SigmaSet, Mapping)> {
    let set = SigmaSet::load_paths(&config.sigma).context("rules.sigma")?;
    let mapping = match &config.sigma_mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("rules.sigma_mapping: {}", path.display()))?;
            Mapping::from_yaml(&text)
                .map_err(|e| anyhow!("rules.sigma_mapping: {}: {e}", path.display()))?
        }
        None => Mapping::builtin().map_err(|e| anyhow!("the built-in Sigma mapping: {e}"))?,
    };
    for d in set.problems(DiagnosticLevel::Warning) {
        tracing::warn!(problem = %d, "sigma document");
    }
    tracing::info!(
        rules = set.rules.len(),
        correlations = set.correlations.len(),
        not_loaded = set.problems(DiagnosticLevel::Unsupported).count(),
        "sigma rules loaded"
    );
    Ok((set, mapping))
}

/// Logs each Sigma rule or correlation the engine does not run, with its file and why.
fn log_not_run(engine: &Engine) {
    for s in engine.sigma_skipped() {
        tracing::warn!(
            origin = %s.origin,
            rule = %s.id,
            title = %s.title,
            reason = %s.reason,
            "sigma rule not run"
        );
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
