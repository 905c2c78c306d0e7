//! Field mapping as data: which Sigma log sources r53guard serves, on which record kinds, how
//! Sigma field names become event-view field names, and the values of `expand` placeholders.
//!
//! The default mapping is `mappings/default.yml` (embedded); users can load their own with
//! [`Mapping::from_yaml`]. See that file for the format.

use crate::diagnostics::Unsupported;
use crate::model::{LogSource, SigmaRule};
use crate::pattern::{Part, SigmaString};
use crate::yaml::{self, Yaml};
use r53guard_event::Kind;
use r53guard_event::aliases;
use std::collections::BTreeMap;

/// The default mapping's text.
pub const DEFAULT_MAPPING: &str = include_str!("../mappings/default.yml");

/// How one family of Sigma log sources maps onto r53guard records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMap {
    /// A name for messages (`aws_cloudtrail`, `dns`).
    pub name: String,
    /// Alternatives: a rule's log source matches one when it has every (key, value) of it.
    pub matches: Vec<Vec<(String, String)>>,
    /// The record kinds rules of this source run on.
    pub kinds: Vec<Kind>,
    /// Sigma field name → event-view field name.
    pub fields: BTreeMap<String, String>,
    /// Whether unmapped fields are read under their own name.
    pub passthrough: bool,
    /// Unmapped names known to exist in the records.
    pub known_fields: Vec<String>,
    /// Prefixes under which any name is known (`requestParameters.`).
    pub known_prefixes: Vec<String>,
}

impl SourceMap {
    /// Whether a rule's log source is served by this entry.
    pub fn serves(&self, ls: &LogSource) -> bool {
        self.matches.iter().any(|alt| {
            alt.iter()
                .all(|(k, v)| ls.get(k).is_some_and(|have| have.eq_ignore_ascii_case(v)))
        })
    }

    /// The event-view name of a Sigma field, or `None` when the field is unmapped and the
    /// source does not pass fields through.
    pub fn resolve(&self, field: &str) -> Option<String> {
        match self.fields.get(field) {
            Some(mapped) => Some(mapped.clone()),
            None if self.passthrough => Some(field.to_owned()),
            None => None,
        }
    }

    /// Whether the mapping knows the field: mapped, listed, under a known prefix, or an ECS
    /// alias of one of the kinds.
    pub fn knows(&self, field: &str) -> bool {
        self.fields.contains_key(field)
            || self.known_fields.iter().any(|k| k == field)
            || self
                .known_prefixes
                .iter()
                .any(|p| field.starts_with(p.as_str()))
            || self
                .kinds
                .iter()
                .any(|&k| aliases::alias(field, k).is_some())
    }
}

/// A field mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The log source entries, first match wins.
    pub sources: Vec<SourceMap>,
    /// Placeholder name → values, for the `expand` modifier.
    pub placeholders: BTreeMap<String, Vec<String>>,
}

impl Mapping {
    /// The embedded default mapping (`mappings/default.yml`).
    pub fn builtin() -> Result<Mapping, String> {
        Mapping::from_yaml(DEFAULT_MAPPING)
    }

    /// Reads a mapping file.
    pub fn from_yaml(text: &str) -> Result<Mapping, String> {
        let doc = yaml::parse_one(text, 1)?;
        let mut sources = Vec::new();
        match doc.get("logsources") {
            Some(Yaml::Seq(entries)) => {
                for (i, e) in entries.iter().enumerate() {
                    sources.push(source_map(e).map_err(|m| format!("logsources[{i}]: {m}"))?);
                }
            }
            _ => return Err("a mapping needs a `logsources` list".into()),
        }
        let mut placeholders = BTreeMap::new();
        match doc.get("placeholders") {
            None | Some(Yaml::Null) => {}
            Some(Yaml::Map(entries)) => {
                for (name, values) in entries {
                    placeholders.insert(
                        name.clone(),
                        scalar_list(values).map_err(|m| format!("placeholders.{name}: {m}"))?,
                    );
                }
            }
            Some(other) => {
                return Err(format!(
                    "`placeholders` must be a mapping, not {}",
                    other.type_name()
                ));
            }
        }
        Ok(Mapping {
            sources,
            placeholders,
        })
    }

    /// Sets the values of a placeholder (for `expand`).
    pub fn with_placeholder(mut self, name: &str, values: &[&str]) -> Mapping {
        self.placeholders.insert(
            name.to_owned(),
            values.iter().map(|v| (*v).to_owned()).collect(),
        );
        self
    }

    /// The entry serving a log source.
    pub fn source_for(&self, ls: &LogSource) -> Option<&SourceMap> {
        self.sources.iter().find(|s| s.serves(ls))
    }

    /// The entry serving a rule, or why the rule is not applicable.
    pub fn source_for_rule(&self, rule: &SigmaRule) -> Result<&SourceMap, Unsupported> {
        self.source_for(&rule.logsource)
            .ok_or_else(|| Unsupported::NotApplicable(rule.logsource.to_string()))
    }

    /// Replaces the placeholders of `s` by their values (each parsed as a Sigma string, so
    /// wildcards in them work): one string per combination.
    pub fn expand(&self, s: &SigmaString) -> Result<Vec<SigmaString>, Unsupported> {
        let mut out: Vec<Vec<Part>> = vec![Vec::new()];
        for part in s.parts() {
            match part {
                Part::Placeholder(name) => {
                    let values = self.placeholders.get(name).ok_or_else(|| {
                        Unsupported::Feature(format!(
                            "placeholder %{name}% has no values: `expand` needs a mapping \
                             whose `placeholders` lists them"
                        ))
                    })?;
                    let mut next = Vec::with_capacity(out.len() * values.len());
                    for prefix in &out {
                        for v in values {
                            let mut p = prefix.clone();
                            p.extend(SigmaString::parse(v).parts().iter().cloned());
                            next.push(p);
                        }
                    }
                    if next.len() > crate::modifiers::MAX_VARIANTS {
                        return Err(Unsupported::Feature(format!(
                            "placeholders expand a value into more than {} variants",
                            crate::modifiers::MAX_VARIANTS
                        )));
                    }
                    out = next;
                }
                other => {
                    for p in &mut out {
                        p.push(other.clone());
                    }
                }
            }
        }
        Ok(out.into_iter().map(SigmaString::from_parts).collect())
    }
}

fn source_map(e: &Yaml) -> Result<SourceMap, String> {
    let name = e
        .get("name")
        .and_then(Yaml::scalar_text)
        .ok_or("missing `name`")?;
    let matches = match e.get("match") {
        Some(Yaml::Seq(alts)) => alts.iter().map(string_map).collect::<Result<_, _>>()?,
        Some(m @ Yaml::Map(_)) => vec![string_map(m)?],
        _ => return Err("`match` must be a mapping or a list of mappings".into()),
    };
    let kinds = scalar_list(e.get("kinds").unwrap_or(&Yaml::Null))?
        .iter()
        .map(|k| match k.as_str() {
            "cloudtrail" => Ok(Kind::CloudTrail),
            "resolver" => Ok(Kind::Resolver),
            other => Err(format!("unknown kind `{other}` (cloudtrail, resolver)")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if kinds.is_empty() {
        return Err("`kinds` must list cloudtrail and/or resolver".into());
    }
    let fields = match e.get("fields") {
        None | Some(Yaml::Null) => BTreeMap::new(),
        Some(m @ Yaml::Map(_)) => string_map(m)?.into_iter().collect(),
        Some(_) => return Err("`fields` must be a mapping".into()),
    };
    let passthrough = match e.get("passthrough") {
        None => false,
        Some(Yaml::Bool(b)) => *b,
        Some(_) => return Err("`passthrough` must be true or false".into()),
    };
    Ok(SourceMap {
        name,
        matches,
        kinds,
        fields,
        passthrough,
        known_fields: scalar_list(e.get("known_fields").unwrap_or(&Yaml::Null))?,
        known_prefixes: scalar_list(e.get("known_prefixes").unwrap_or(&Yaml::Null))?,
    })
}

fn string_map(y: &Yaml) -> Result<Vec<(String, String)>, String> {
    match y {
        Yaml::Map(entries) => entries
            .iter()
            .map(|(k, v)| {
                v.scalar_text()
                    .map(|v| (k.clone(), v))
                    .ok_or_else(|| format!("`{k}` must map to a string"))
            })
            .collect(),
        other => Err(format!("expected a mapping, not {}", other.type_name())),
    }
}

fn scalar_list(y: &Yaml) -> Result<Vec<String>, String> {
    match y {
        Yaml::Null => Ok(Vec::new()),
        Yaml::Seq(items) => items
            .iter()
            .map(|i| {
                i.scalar_text()
                    .ok_or_else(|| format!("expected strings, found {}", i.type_name()))
            })
            .collect(),
        other => other
            .scalar_text()
            .map(|s| vec![s])
            .ok_or_else(|| format!("expected a list of strings, not {}", other.type_name())),
    }
}

/// One field a rule reads, and what the mapping makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUse {
    /// The Sigma field name as written.
    pub sigma: String,
    /// The event-view name it is read under (`None`: unmapped and not passed through).
    pub mapped: Option<String>,
    /// Whether the mapping knows the field (a `false` here usually means the rule can never
    /// match on r53guard's records).
    pub known: bool,
}

/// The fields a rule reads, for `r53guard sigma check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldReport {
    /// The mapping entry serving the rule (`None`: the rule is not applicable).
    pub source: Option<String>,
    /// The record kinds the rule runs on.
    pub kinds: Vec<Kind>,
    /// Each distinct field, in first-use order (detection, then filters).
    pub fields: Vec<FieldUse>,
}

/// Which fields `rule` reads (including fields of filters applied to it and `fieldref`
/// targets) and whether `mapping` knows them.
pub fn field_report(rule: &SigmaRule, mapping: &Mapping) -> FieldReport {
    let source = mapping.source_for(&rule.logsource);
    let mut names: Vec<&str> = Vec::new();
    let detections =
        std::iter::once(&rule.detection).chain(rule.filters.iter().map(|f| &f.detection));
    for d in detections {
        for (_, item) in d.items() {
            for f in item.fields() {
                if !names.contains(&f) {
                    names.push(f);
                }
            }
        }
    }
    FieldReport {
        source: source.map(|s| s.name.clone()),
        kinds: source.map(|s| s.kinds.clone()).unwrap_or_default(),
        fields: names
            .into_iter()
            .map(|f| FieldUse {
                sigma: f.to_owned(),
                mapped: source.and_then(|s| s.resolve(f)),
                known: source.is_some_and(|s| s.knows(f)),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_mapping_loads() {
        let m = Mapping::builtin().expect("default mapping");
        let dns = m
            .source_for(&LogSource {
                category: Some("DNS".into()),
                ..LogSource::default()
            })
            .expect("dns");
        assert_eq!(dns.kinds, [Kind::Resolver]);
        assert_eq!(dns.resolve("query").as_deref(), Some("dns.question.name"));
        assert!(dns.knows("dns.question.name"));
        assert!(!dns.knows("rejected"));
        let zeek = LogSource {
            product: Some("zeek".into()),
            service: Some("dns".into()),
            ..LogSource::default()
        };
        assert_eq!(m.source_for(&zeek).map(|s| s.name.as_str()), Some("dns"));
        let proxy = LogSource {
            category: Some("proxy".into()),
            ..LogSource::default()
        };
        assert!(m.source_for(&proxy).is_none());
    }

    #[test]
    fn placeholders_expand_or_refuse() {
        let m = Mapping::builtin()
            .expect("default mapping")
            .with_placeholder("admins", &["root", "adm_*"]);
        let s = SigmaString::parse("user %admins%!").with_placeholders();
        let out: Vec<String> = m.expand(&s).unwrap().iter().map(|s| s.to_sigma()).collect();
        assert_eq!(out, ["user root!", "user adm_*!"]);
        let missing = SigmaString::parse("%nope%").with_placeholders();
        assert!(m.expand(&missing).is_err());
    }
}
