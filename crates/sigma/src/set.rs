//! A set of Sigma files: every document loaded as a rule, correlation or filter, then the
//! references between them resolved (by id or by name): filters are attached to the rules
//! they list, correlations point at the rules or correlations they use. Every document that
//! is not loaded, and every reference that does not resolve, leaves a [`Diagnostic`].

use crate::correlation::{Correlation, Target};
use crate::diagnostics::{Diagnostic, Level, Origin, Problem};
use crate::filter::Filter;
use crate::model::SigmaRule;
use crate::yaml::{self, Yaml};
use std::collections::HashMap;
use std::io;
use std::path::Path;

/// Rules, correlations and filters of a set of files, with references resolved.
#[derive(Debug, Clone, Default)]
pub struct SigmaSet {
    /// Detection rules (with the filters that apply to them attached).
    pub rules: Vec<SigmaRule>,
    /// Correlations (with `targets` resolved).
    pub correlations: Vec<Correlation>,
    /// Filter documents.
    pub filters: Vec<Filter>,
    /// Everything that went wrong or deserves attention.
    pub diagnostics: Vec<Diagnostic>,
}

impl SigmaSet {
    /// Loads files given as (name, text) and resolves their references.
    pub fn load<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> SigmaSet {
        let mut set = SigmaSet::default();
        for (name, text) in files {
            set.add_file(name, text);
        }
        set.resolve();
        set
    }

    /// Loads every `.yml`/`.yaml` file under `dir` (recursively, in path order). A file that
    /// cannot be read, or is not UTF-8, becomes a diagnostic.
    pub fn load_dir(dir: &Path) -> io::Result<SigmaSet> {
        SigmaSet::load_paths(&[dir])
    }

    /// Loads files and directories (each directory's `.yml`/`.yaml` files recursively, in
    /// path order) into one set, as `hunt --sigma` and the service's `[rules] sigma` do. A
    /// named path that cannot be read is an error naming it; a file found in a directory that
    /// cannot be read, or is not UTF-8, becomes a diagnostic.
    pub fn load_paths<P: AsRef<Path>>(paths: &[P]) -> io::Result<SigmaSet> {
        let named =
            |p: &Path, e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
        let mut set = SigmaSet::default();
        for p in paths {
            let p = p.as_ref();
            if !p.is_dir() {
                let bytes = std::fs::read(p).map_err(|e| named(p, e))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: not UTF-8 text", p.display()),
                    )
                })?;
                set.add_file(&p.display().to_string(), &text);
                continue;
            }
            let mut found = Vec::new();
            collect_yaml(p, &mut found).map_err(|e| named(p, e))?;
            found.sort();
            for f in found {
                let name = f.display().to_string();
                match std::fs::read(&f).map(String::from_utf8) {
                    Ok(Ok(text)) => set.add_file(&name, &text),
                    Ok(Err(_)) => set.file_problem(&name, "not UTF-8 text"),
                    Err(e) => set.file_problem(&name, &format!("cannot read: {e}")),
                }
            }
        }
        set.resolve();
        Ok(set)
    }

    /// The rule with this id or name.
    pub fn rule(&self, reference: &str) -> Option<&SigmaRule> {
        self.rules
            .iter()
            .find(|r| r.id.as_deref() == Some(reference) || r.name.as_deref() == Some(reference))
    }

    /// The correlation with this id or name.
    pub fn correlation(&self, reference: &str) -> Option<&Correlation> {
        self.correlations
            .iter()
            .find(|c| c.id.as_deref() == Some(reference) || c.name.as_deref() == Some(reference))
    }

    /// Whether rule `index` alerts on its own: true unless a correlation uses it and every
    /// correlation using it has `generate: false`.
    pub fn emits_alerts(&self, index: usize) -> bool {
        let mut users = self
            .correlations
            .iter()
            .filter(|c| c.targets.contains(&Target::Rule(index)))
            .peekable();
        users.peek().is_none() || users.any(|c| c.generate)
    }

    /// Diagnostics at or above a level.
    pub fn problems(&self, at_least: Level) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.level >= at_least)
    }

    fn file_problem(&mut self, name: &str, message: &str) {
        self.diagnostics.push(Diagnostic {
            origin: Origin {
                file: name.to_owned(),
                document: 0,
                line: 0,
            },
            title: None,
            level: Level::Error,
            message: message.to_owned(),
        });
    }

    /// Parses one file's documents into the set.
    fn add_file(&mut self, name: &str, text: &str) {
        for doc in yaml::documents(text) {
            let origin = Origin {
                file: name.to_owned(),
                document: doc.index,
                line: doc.line,
            };
            let y = match doc.parsed {
                Ok(y) => y,
                Err(message) => {
                    self.push(
                        origin,
                        None,
                        Level::Error,
                        format!("invalid YAML: {message}"),
                    );
                    continue;
                }
            };
            let title = y.get("title").and_then(Yaml::scalar_text);
            if let Err(problem) = self.add_document(&y, origin.clone(), doc.source_hint) {
                let (level, message) = match problem {
                    Problem::Invalid(m) => (Level::Error, m),
                    Problem::Unsupported(m) => (Level::Unsupported, m),
                };
                self.push(origin, title, level, message);
            }
        }
    }

    fn add_document(
        &mut self,
        y: &Yaml,
        origin: Origin,
        hint: Option<String>,
    ) -> Result<(), Problem> {
        if !matches!(y, Yaml::Map(_)) {
            return Err(
                format!("a Sigma document must be a mapping, not {}", y.type_name()).into(),
            );
        }
        if let Some(action) = y.get("action").and_then(Yaml::scalar_text) {
            return Err(Problem::Unsupported(format!(
                "`action: {action}` rule collections are Sigma 1 syntax; split them into \
                 self-contained rules"
            )));
        }
        let kinds = ["detection", "correlation", "filter"]
            .into_iter()
            .filter(|k| y.get(k).is_some())
            .collect::<Vec<_>>();
        match kinds.as_slice() {
            ["detection"] => self.rules.push(SigmaRule::from_yaml(y, origin, hint)?),
            ["correlation"] => self
                .correlations
                .push(Correlation::from_yaml(y, origin, hint)?),
            ["filter"] => self.filters.push(Filter::from_yaml(y, origin)?),
            [] => {
                return Err("not a Sigma rule, correlation or filter (no `detection`, \
                            `correlation` or `filter` section)"
                    .into());
            }
            several => {
                return Err(format!(
                    "a document must be one of rule, correlation or filter; this one has {}",
                    several.join(" and ")
                )
                .into());
            }
        }
        Ok(())
    }

    fn push(&mut self, origin: Origin, title: Option<String>, level: Level, message: String) {
        self.diagnostics.push(Diagnostic {
            origin,
            title,
            level,
            message,
        });
    }

    /// Resolves references: attaches filters to their rules and resolves correlation rules.
    /// Correlations with an unknown reference or a reference cycle are removed (and reported).
    fn resolve(&mut self) {
        self.report_duplicates();
        self.attach_filters();
        self.resolve_correlations();
    }

    fn report_duplicates(&mut self) {
        let mut seen: HashMap<String, Origin> = HashMap::new();
        let mut found = Vec::new();
        let entries = self
            .rules
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    r.name.clone(),
                    r.origin.clone(),
                    r.title.clone(),
                )
            })
            .chain(self.correlations.iter().map(|c| {
                (
                    c.id.clone(),
                    c.name.clone(),
                    c.origin.clone(),
                    c.title.clone(),
                )
            }));
        for (id, name, origin, title) in entries {
            for key in id.into_iter().chain(name) {
                match seen.get(&key) {
                    Some(first) => found.push((
                        origin.clone(),
                        title.clone(),
                        format!("id or name `{key}` is already used at {first}; references resolve to the first"),
                    )),
                    None => {
                        seen.insert(key, origin.clone());
                    }
                }
            }
        }
        for (origin, title, message) in found {
            self.push(origin, Some(title), Level::Warning, message);
        }
    }

    fn attach_filters(&mut self) {
        let mut unresolved = Vec::new();
        for filter in &self.filters {
            for reference in &filter.rules {
                let target = self.rules.iter_mut().find(|r| {
                    r.id.as_deref() == Some(reference) || r.name.as_deref() == Some(reference)
                });
                match target {
                    Some(rule) => rule.filters.push(filter.applied()),
                    None => unresolved.push((
                        filter.origin.clone(),
                        filter.title.clone(),
                        format!("filter lists `{reference}`, which is not a rule of this set"),
                    )),
                }
            }
        }
        for (origin, title, message) in unresolved {
            self.push(origin, Some(title), Level::Warning, message);
        }
    }

    fn resolve_correlations(&mut self) {
        loop {
            let mut bad: Vec<(usize, String)> = Vec::new();
            for i in 0..self.correlations.len() {
                match self.targets(i) {
                    Ok(t) => self.correlations[i].targets = t,
                    Err(m) => bad.push((i, m)),
                }
            }
            if bad.is_empty() {
                bad = self.cycles();
            }
            if bad.is_empty() {
                break;
            }
            for (i, message) in bad.into_iter().rev() {
                let c = self.correlations.remove(i);
                self.push(c.origin, Some(c.title), Level::Error, message);
            }
        }
        let mut warnings = Vec::new();
        for c in &self.correlations {
            let names = self.reachable_names(c);
            for alias in &c.aliases {
                for (rule, _) in &alias.fields {
                    if !names.contains(&rule.as_str()) {
                        warnings.push((
                            c.origin.clone(),
                            c.title.clone(),
                            format!(
                                "alias `{}` names `{rule}`, which is not the name of a rule this correlation uses",
                                alias.alias
                            ),
                        ));
                    }
                }
            }
        }
        for (origin, title, message) in warnings {
            self.push(origin, Some(title), Level::Warning, message);
        }
    }

    /// The names of every rule and correlation a correlation uses, directly or through a chain.
    fn reachable_names<'s>(&'s self, c: &'s Correlation) -> Vec<&'s str> {
        let mut names = Vec::new();
        let mut stack: Vec<Target> = c.targets.clone();
        let mut seen = Vec::new();
        while let Some(t) = stack.pop() {
            if seen.contains(&t) {
                continue;
            }
            seen.push(t);
            match t {
                Target::Rule(r) => names.extend(self.rules[r].name.as_deref()),
                Target::Correlation(k) => {
                    names.extend(self.correlations[k].name.as_deref());
                    stack.extend(self.correlations[k].targets.iter().copied());
                }
            }
        }
        names
    }

    fn targets(&self, i: usize) -> Result<Vec<Target>, String> {
        self.correlations[i]
            .rules
            .iter()
            .map(|reference| {
                let is = |id: &Option<String>, name: &Option<String>| {
                    id.as_deref() == Some(reference.as_str())
                        || name.as_deref() == Some(reference.as_str())
                };
                if let Some(r) = self.rules.iter().position(|r| is(&r.id, &r.name)) {
                    Ok(Target::Rule(r))
                } else if let Some(k) = self.correlations.iter().position(|c| is(&c.id, &c.name)) {
                    Ok(Target::Correlation(k))
                } else {
                    Err(format!(
                        "correlation uses `{reference}`, which is neither a rule nor a correlation of this set"
                    ))
                }
            })
            .collect()
    }

    /// Correlations that reach themselves through `targets`.
    fn cycles(&self) -> Vec<(usize, String)> {
        let n = self.correlations.len();
        let mut out = Vec::new();
        for start in 0..n {
            let mut stack = vec![start];
            let mut seen = vec![false; n];
            let mut cyclic = false;
            while let Some(at) = stack.pop() {
                for t in &self.correlations[at].targets {
                    if let Target::Correlation(next) = *t {
                        if next == start {
                            cyclic = true;
                        } else if !seen[next] {
                            seen[next] = true;
                            stack.push(next);
                        }
                    }
                }
            }
            if cyclic {
                out.push((
                    start,
                    "correlation refers to itself through its `rules`".to_owned(),
                ));
            }
        }
        out
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
        {
            out.push(path);
        }
    }
    Ok(())
}
