//! Loading rule files, shared exception files and directories of them, and the [`RuleSet`]
//! that holds a loaded collection.
//!
//! A `.toml` file whose top level has `[[exception]]` tables is a shared exception file;
//! any other `.toml` file is a rule file.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::exceptions::{ExceptionItem, RuleScope, SharedException, read_item};
use crate::lists::ValueList;
use crate::model::{Rule, Source};
use crate::rule_file::read_rule;
use crate::toml_schema::{Doc, EXCEPTION_FILE_KEYS, Node, SHARED_EXCEPTION_KEYS};
use crate::validate::{duplicate_rule_id, references};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::de::DeTable;

/// A rule that loaded, and the warnings it produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedRule {
    /// The rule.
    pub rule: Rule,
    /// Lints and other warnings (never errors).
    pub warnings: Diagnostics,
}

/// What one TOML file held.
enum Loaded {
    Rule(Box<LoadedRule>),
    Exceptions(Vec<SharedException>),
}

/// Parses and validates one rule file's text. `source` names it in diagnostics and in
/// [`Rule::source`]. On failure, every error and warning is returned, sorted by line.
pub fn load_str(text: &str, source: Source) -> Result<LoadedRule, Diagnostics> {
    match load_toml(text, source.clone())? {
        Loaded::Rule(rule) => Ok(*rule),
        Loaded::Exceptions(_) => Err(Diagnostics(vec![Diagnostic::error(
            source.to_string(),
            "this is a shared exception file (`[[exception]]`), not a rule file",
        )])),
    }
}

/// Reads and loads one rule file.
pub fn load_file(path: &Path) -> Result<LoadedRule, Diagnostics> {
    load_str(&read(path)?, Source::Path(path.to_path_buf()))
}

/// Parses and validates a shared exception file's text: `[[exception]]` tables with
/// `rule_ids` (a list of rule ids, or `"*"` for every rule), `description`, optional
/// `expire_time` and `[[exception.entries]]`.
pub fn load_exceptions_str(
    text: &str,
    source: Source,
) -> Result<Vec<SharedException>, Diagnostics> {
    match load_toml(text, source.clone())? {
        Loaded::Exceptions(items) => Ok(items),
        Loaded::Rule(_) => Err(Diagnostics(vec![Diagnostic::error(
            source.to_string(),
            "this is a rule file, not a shared exception file",
        )])),
    }
}

/// Reads and loads one shared exception file.
pub fn load_exceptions_file(path: &Path) -> Result<Vec<SharedException>, Diagnostics> {
    load_exceptions_str(&read(path)?, Source::Path(path.to_path_buf()))
}

/// Loads a rule file (as a one-rule set) or a directory ([`load_dir`]).
pub fn load_path(path: &Path) -> Result<RuleSet, Diagnostics> {
    if path.is_dir() {
        return load_dir(path);
    }
    let mut set = RuleSet::new();
    set.add_rule(load_file(path)?)
        .map_err(|d| Diagnostics(vec![d]))?;
    Ok(set)
}

/// Loads every `*.toml` file under `dir`, recursively, in sorted path order: rule files and
/// shared exception files. Names starting with `.` are skipped; a directory without any
/// gives an empty set with a warning. Duplicate rule ids are
/// errors. The set has no value lists; add them with [`RuleSet::add_list`] and call
/// [`RuleSet::check`] once the set is complete.
pub fn load_dir(dir: &Path) -> Result<RuleSet, Diagnostics> {
    let mut paths = Vec::new();
    let mut errors = Diagnostics::new();
    collect_toml(dir, &mut paths, &mut errors);
    paths.sort();
    let files = paths.into_iter().filter_map(|path| match read(&path) {
        Ok(text) => Some((Source::Path(path), text)),
        Err(diags) => {
            errors.extend(diags);
            None
        }
    });
    let files: Vec<_> = files.collect();
    let set = RuleSet::from_files(
        files
            .iter()
            .map(|(source, text)| (source.clone(), text.as_str())),
    );
    match set {
        Ok(mut set) if errors.is_empty() => {
            if files.is_empty() {
                set.warnings.push(Diagnostic::warning(
                    dir.display().to_string(),
                    "no rule files (*.toml) here: nothing was loaded from this directory \
                     (Sigma rules are read with --sigma)",
                ));
            }
            Ok(set)
        }
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Diagnostics) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(Diagnostic::error(
                dir.display().to_string(),
                format!("cannot read rule directory: {err}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect_toml(&path, out, errors),
            Ok(_) if path.is_file() && path.extension().is_some_and(|ext| ext == "toml") => {
                out.push(path)
            }
            _ => {}
        }
    }
}

fn read(path: &Path) -> Result<String, Diagnostics> {
    std::fs::read_to_string(path).map_err(|err| {
        Diagnostics(vec![Diagnostic::error(
            path.display().to_string(),
            format!("cannot read file: {err}"),
        )])
    })
}

fn load_toml(text: &str, source: Source) -> Result<Loaded, Diagnostics> {
    let mut doc = Doc::new(text, source.to_string());
    let parsed = match DeTable::parse(text) {
        Ok(parsed) => parsed,
        Err(err) => {
            let line = err.span().map(|span| doc.line(span.start));
            let message = format!("invalid TOML: {}", err.message().trim_end());
            return Err(Diagnostics(vec![
                Diagnostic::error(source.to_string(), message).at_line(line),
            ]));
        }
    };
    let root = Node {
        table: parsed.get_ref(),
        span: parsed.span(),
        path: String::new(),
    };
    let loaded = if root.has("exception") && !root.has("rule") {
        Some(Loaded::Exceptions(read_exception_file(&mut doc, &root)))
    } else {
        read_rule(&mut doc, &root, source).map(|rule| {
            Loaded::Rule(Box::new(LoadedRule {
                rule,
                warnings: Diagnostics::new(),
            }))
        })
    };
    doc.diags.sort();
    match loaded {
        _ if doc.diags.has_errors() => Err(doc.diags),
        None => Err(Diagnostics(vec![Diagnostic::error(
            doc.source,
            "the rule could not be read",
        )])),
        Some(Loaded::Rule(mut rule)) => {
            rule.warnings = doc.diags;
            Ok(Loaded::Rule(rule))
        }
        // Exception files have no warnings of their own (see `RuleSet::check`).
        Some(exceptions) => Ok(exceptions),
    }
}

fn read_exception_file(doc: &mut Doc<'_>, root: &Node<'_, '_>) -> Vec<SharedException> {
    doc.check_keys(root, EXCEPTION_FILE_KEYS, &[]);
    let mut out = Vec::new();
    for node in doc.tables(root, "exception") {
        doc.check_keys(&node, SHARED_EXCEPTION_KEYS, &[]);
        let scope = read_scope(doc, &node);
        let item = read_item(doc, &node);
        if let (Some(rule_ids), Some(item)) = (scope, item) {
            out.push(SharedException {
                rule_ids,
                item,
                source: doc.source.clone(),
                line: doc.line(node.span.start),
            });
        }
    }
    out
}

fn read_scope(doc: &mut Doc<'_>, node: &Node<'_, '_>) -> Option<RuleScope> {
    if !node.has("rule_ids") {
        doc.missing(
            node,
            "rule_ids",
            "a list of rule ids, or \"*\" for every rule",
        );
        return None;
    }
    let (ids, span) = doc.string_or_strings(node, "rule_ids")?;
    let is_all = node
        .get("rule_ids")
        .is_some_and(|v| matches!(v.get_ref(), toml::de::DeValue::String(s) if s == "*"));
    if is_all {
        return Some(RuleScope::All);
    }
    if ids.is_empty() || ids.iter().any(|id| id.is_empty() || id == "*") {
        doc.error(
            &span,
            &node.key("rule_ids"),
            "`rule_ids` must list rule ids, or be the string \"*\" for every rule",
        );
        return None;
    }
    Some(RuleScope::Ids(ids))
}

/// A loaded collection: rules, shared exceptions, value lists, and the warnings they
/// produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSet {
    /// The rules, in load order, rule ids unique.
    pub rules: Vec<Rule>,
    /// Shared exception items.
    pub exceptions: Vec<SharedException>,
    /// Value lists by id.
    pub lists: BTreeMap<String, ValueList>,
    /// Warnings from loading.
    pub warnings: Diagnostics,
}

impl RuleSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads files given as `(source, text)` pairs: rule files and shared exception files.
    /// Collects the errors of every file; duplicate rule ids are errors.
    pub fn from_files<'t>(
        files: impl IntoIterator<Item = (Source, &'t str)>,
    ) -> Result<RuleSet, Diagnostics> {
        let mut set = RuleSet::new();
        let mut errors = Diagnostics::new();
        for (source, text) in files {
            match load_toml(text, source) {
                Ok(Loaded::Rule(loaded)) => {
                    if let Err(diagnostic) = set.add_rule(*loaded) {
                        errors.push(diagnostic);
                    }
                }
                Ok(Loaded::Exceptions(items)) => set.exceptions.extend(items),
                Err(diags) => errors.extend(diags),
            }
        }
        if errors.has_errors() {
            Err(errors)
        } else {
            Ok(set)
        }
    }

    /// Adds a rule; a rule id already in the set is an error (see [`RuleSet::overlay`] for
    /// replacing rules).
    pub fn add_rule(&mut self, loaded: LoadedRule) -> Result<(), Diagnostic> {
        if let Some(first) = self.get(&loaded.rule.rule_id) {
            return Err(duplicate_rule_id(&loaded.rule, first));
        }
        self.warnings.extend(loaded.warnings);
        self.rules.push(loaded.rule);
        Ok(())
    }

    /// Adds a value list; a list id already in the set is an error.
    pub fn add_list(&mut self, list: ValueList) -> Result<(), Diagnostic> {
        if let Some(first) = self.lists.get(&list.id) {
            return Err(Diagnostic::error(
                list.origin.to_string(),
                format!(
                    "duplicate value list `{}`: already loaded from {}",
                    list.id, first.origin
                ),
            ));
        }
        self.lists.insert(list.id.clone(), list);
        Ok(())
    }

    /// Lays `other` over this set: a rule of `other` with the same rule id as one here
    /// replaces it in place (this is how a rule on disk overrides a built-in one), others
    /// are appended; lists with the same id are replaced; exceptions and warnings are
    /// appended. Warnings of replaced rules are dropped.
    pub fn overlay(&mut self, other: RuleSet) {
        let old_sources: BTreeSet<String> = self
            .rules
            .iter()
            .filter(|rule| other.get(&rule.rule_id).is_some())
            .map(|rule| rule.source.to_string())
            .collect();
        self.warnings.0.retain(|w| !old_sources.contains(&w.source));
        for rule in other.rules {
            match self.rules.iter_mut().find(|r| r.rule_id == rule.rule_id) {
                Some(slot) => *slot = rule,
                None => self.rules.push(rule),
            }
        }
        self.lists.extend(other.lists);
        self.exceptions.extend(other.exceptions);
        self.warnings.extend(other.warnings);
    }

    /// The rule with this id.
    pub fn get(&self, rule_id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.rule_id == rule_id)
    }

    /// The exception items that apply to `rule`: its inline items, then the shared items
    /// whose `rule_ids` include it (expired ones too; see [`ExceptionItem::is_active`]).
    pub fn exceptions_for<'a>(&'a self, rule: &'a Rule) -> impl Iterator<Item = &'a ExceptionItem> {
        rule.exceptions
            .iter()
            .chain(self.shared_exceptions_for(&rule.rule_id))
    }

    /// The shared exception items whose `rule_ids` include `rule_id` (which may also be the
    /// id of a Sigma rule run beside this set).
    pub fn shared_exceptions_for<'a>(
        &'a self,
        rule_id: &'a str,
    ) -> impl Iterator<Item = &'a ExceptionItem> {
        self.exceptions
            .iter()
            .filter(move |shared| shared.rule_ids.includes(rule_id))
            .map(|shared| &shared.item)
    }

    /// [`Rule::fields_read`] plus the fields of the shared exceptions that apply to `rule`.
    pub fn fields_read(&self, rule: &Rule) -> BTreeSet<String> {
        let mut fields = rule.fields_read();
        for item in self.exceptions_for(rule) {
            fields.extend(item.entries.iter().map(|entry| entry.field.clone()));
        }
        fields
    }

    /// Cross-file checks, to run once the set is complete: value lists referenced by
    /// exceptions must be loaded (errors), and shared exceptions should name loaded rules
    /// (warnings).
    pub fn check(&self) -> Diagnostics {
        references(&self.rules, &self.exceptions, &self.lists)
    }
}
