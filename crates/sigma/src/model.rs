//! The Sigma rule model: rule documents with their metadata, log source and detection (search
//! identifiers made of detection items, and the parsed condition), built from a parsed YAML
//! document. Correlations and filters live in [`crate::correlation`] and [`crate::filter`].

use crate::condition::{self, Cond};
use crate::diagnostics::Origin;
use crate::filter::AppliedFilter;
use crate::item::Item;
use crate::modifiers::parse_key;
use crate::yaml::Yaml;
use r53guard_alert::Severity;
use std::fmt;

/// Base of the links [`SigmaRule::source_url`] builds from a relative `# source:` hint.
pub const SIGMAHQ_BLOB: &str = "https://github.com/SigmaHQ/sigma/blob/master/";

/// A rule's `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `informational`
    Informational,
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl Level {
    /// Parses a level name (lower-case, as the specification writes them).
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "informational" => Level::Informational,
            "low" => Level::Low,
            "medium" => Level::Medium,
            "high" => Level::High,
            "critical" => Level::Critical,
            _ => return None,
        })
    }

    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// The alert severity (`informational` becomes low: an alert is never below low).
    pub fn severity(self) -> Severity {
        match self {
            Level::Informational | Level::Low => Severity::Low,
            Level::Medium => Severity::Medium,
            Level::High => Severity::High,
            Level::Critical => Severity::Critical,
        }
    }
}

/// A rule's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `stable`
    Stable,
    /// `test`
    Test,
    /// `experimental`
    Experimental,
    /// `deprecated`
    Deprecated,
    /// `unsupported`
    Unsupported,
}

impl Status {
    /// Parses a status name.
    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "stable" => Status::Stable,
            "test" => Status::Test,
            "experimental" => Status::Experimental,
            "deprecated" => Status::Deprecated,
            "unsupported" => Status::Unsupported,
            _ => return None,
        })
    }
}

/// A rule's `logsource`. Values are compared case-insensitively by the mapping.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogSource {
    /// `category`
    pub category: Option<String>,
    /// `product`
    pub product: Option<String>,
    /// `service`
    pub service: Option<String>,
    /// `definition`
    pub definition: Option<String>,
}

impl LogSource {
    /// The value of one of `category`, `product` or `service`.
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "category" => self.category.as_deref(),
            "product" => self.product.as_deref(),
            "service" => self.service.as_deref(),
            _ => None,
        }
    }

    /// Reads a `logsource` mapping.
    pub fn from_yaml(y: &Yaml) -> Result<LogSource, String> {
        if !matches!(y, Yaml::Map(_)) {
            return Err(format!(
                "`logsource` must be a mapping, not {}",
                y.type_name()
            ));
        }
        Ok(LogSource {
            category: opt_string(y, "category")?,
            product: opt_string(y, "product")?,
            service: opt_string(y, "service")?,
            definition: opt_string(y, "definition")?,
        })
    }
}

impl fmt::Display for LogSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("category", &self.category),
            ("product", &self.product),
            ("service", &self.service),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}")))
        .collect();
        write!(f, "{{{}}}", parts.join(", "))
    }
}

/// A `related` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The related rule's id.
    pub id: String,
    /// `derived`, `obsolete`, `merged`, `renamed` or `similar`.
    pub kind: String,
}

/// A named search identifier: an OR of alternatives, each an AND of detection items. A map is
/// one alternative; a list of maps is several; a list of plain values is one keyword item.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// The identifier.
    pub name: String,
    /// OR of ANDs.
    pub alternatives: Vec<Vec<Item>>,
}

/// A `detection` section: the searches and the condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The search identifiers, in document order.
    pub searches: Vec<Search>,
    /// The condition strings as written (a list means OR).
    pub conditions: Vec<String>,
    /// The parsed and resolved condition (indices into `searches`).
    pub condition: Cond,
}

impl Detection {
    /// Reads a detection mapping. `reserved` keys (besides `condition`) are not searches.
    pub fn from_yaml(y: &Yaml, reserved: &[&str]) -> Result<Detection, String> {
        let Yaml::Map(entries) = y else {
            return Err(format!(
                "the detection must be a mapping, not {}",
                y.type_name()
            ));
        };
        let mut searches = Vec::new();
        let mut conditions = None;
        for (key, value) in entries {
            match key.as_str() {
                "condition" => conditions = Some(condition_list(value)?),
                "timeframe" => {
                    return Err("`timeframe` belongs to the obsolete Sigma 1 aggregations; \
                                write a correlation rule with a `timespan` instead"
                        .into());
                }
                k if reserved.contains(&k) => {}
                name => searches.push(Search {
                    name: name.to_owned(),
                    alternatives: search_body(name, value)?,
                }),
            }
        }
        let conditions = conditions.ok_or("the detection has no `condition`")?;
        let names: Vec<String> = searches.iter().map(|s| s.name.clone()).collect();
        let mut parsed = Vec::with_capacity(conditions.len());
        for c in &conditions {
            parsed.push(
                condition::parse(c, &names)
                    .map_err(|e| format!("bad condition:\n{}", e.render(c)))?,
            );
        }
        let condition = if parsed.len() == 1 {
            parsed.remove(0)
        } else {
            Cond::Or(parsed)
        };
        Ok(Detection {
            searches,
            conditions,
            condition,
        })
    }

    /// Every detection item, with the search it belongs to.
    pub fn items(&self) -> impl Iterator<Item = (&Search, &Item)> {
        self.searches
            .iter()
            .flat_map(|s| s.alternatives.iter().flatten().map(move |i| (s, i)))
    }
}

fn condition_list(y: &Yaml) -> Result<Vec<String>, String> {
    let list = match y {
        Yaml::Str(s) => vec![s.clone()],
        Yaml::Seq(items) if !items.is_empty() => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("a condition must be a string, not {}", i.type_name()))
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "`condition` must be a string or a list of strings, not {}",
                other.type_name()
            ));
        }
    };
    Ok(list)
}

fn search_body(name: &str, y: &Yaml) -> Result<Vec<Vec<Item>>, String> {
    let ctx = |e: String| format!("search `{name}`: {e}");
    match y {
        Yaml::Map(_) => Ok(vec![map_items(y).map_err(ctx)?]),
        Yaml::Seq(items) if items.is_empty() => Err(ctx("empty list".into())),
        Yaml::Seq(items) if items.iter().all(|i| matches!(i, Yaml::Map(_))) => {
            items.iter().map(|m| map_items(m).map_err(ctx)).collect()
        }
        Yaml::Seq(items) if items.iter().any(|i| matches!(i, Yaml::Map(_))) => Err(ctx(
            "a list mixes maps with plain values; use separate search identifiers".into(),
        )),
        Yaml::Seq(items) => Ok(vec![vec![
            Item::new(None, Vec::new(), items.clone()).map_err(ctx)?,
        ]]),
        Yaml::Null => Err(ctx("empty search".into())),
        scalar => Ok(vec![vec![
            Item::new(None, Vec::new(), vec![scalar.clone()]).map_err(ctx)?,
        ]]),
    }
}

fn map_items(y: &Yaml) -> Result<Vec<Item>, String> {
    let Yaml::Map(entries) = y else {
        return Err(format!("expected a mapping, not {}", y.type_name()));
    };
    if entries.is_empty() {
        return Err("empty mapping".into());
    }
    entries
        .iter()
        .map(|(key, value)| {
            let (field, modifiers) = parse_key(key)?;
            let values = match value {
                Yaml::Seq(items) => items.clone(),
                Yaml::Map(_) => {
                    return Err(format!(
                        "`{key}`: a value must be a scalar or a list of scalars, not a mapping"
                    ));
                }
                scalar => vec![scalar.clone()],
            };
            Item::new(field, modifiers, values).map_err(|e| format!("`{key}`: {e}"))
        })
        .collect()
}

/// A Sigma detection rule.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmaRule {
    /// `title`
    pub title: String,
    /// `id`
    pub id: Option<String>,
    /// `name` (referenced by correlations)
    pub name: Option<String>,
    /// `status`
    pub status: Option<Status>,
    /// `level`
    pub level: Option<Level>,
    /// `description`
    pub description: Option<String>,
    /// `author`, verbatim. DRL 1.1: every alert based on this rule must carry it.
    pub author: Option<String>,
    /// `date`
    pub date: Option<String>,
    /// `modified`
    pub modified: Option<String>,
    /// `references`
    pub references: Vec<String>,
    /// `tags`
    pub tags: Vec<String>,
    /// `logsource`
    pub logsource: LogSource,
    /// `detection`
    pub detection: Detection,
    /// `falsepositives`
    pub falsepositives: Vec<String>,
    /// `fields`
    pub fields: Vec<String>,
    /// `related`
    pub related: Vec<Related>,
    /// `license`
    pub license: Option<String>,
    /// `taxonomy`
    pub taxonomy: Option<String>,
    /// `scope`
    pub scope: Vec<String>,
    /// Other top-level keys, kept as parsed.
    pub custom: Vec<(String, Yaml)>,
    /// Filters that apply to this rule (set by [`crate::SigmaSet`]): the rule matches only
    /// when none of their conditions holds.
    pub filters: Vec<AppliedFilter>,
    /// The upstream path or URL from a `# source:` comment in the document.
    pub source_hint: Option<String>,
    /// Where the rule was loaded from.
    pub origin: Origin,
}

const RULE_KEYS: &[&str] = &[
    "title",
    "id",
    "name",
    "status",
    "level",
    "description",
    "author",
    "date",
    "modified",
    "references",
    "tags",
    "logsource",
    "detection",
    "falsepositives",
    "fields",
    "related",
    "license",
    "taxonomy",
    "scope",
];

impl SigmaRule {
    /// Reads a rule document.
    pub fn from_yaml(
        y: &Yaml,
        origin: Origin,
        source_hint: Option<String>,
    ) -> Result<SigmaRule, String> {
        let Yaml::Map(entries) = y else {
            return Err(format!("a rule must be a mapping, not {}", y.type_name()));
        };
        let title = required_string(y, "title")?;
        let logsource = LogSource::from_yaml(y.get("logsource").ok_or("missing `logsource`")?)?;
        let detection =
            Detection::from_yaml(y.get("detection").ok_or("missing `detection`")?, &[])?;
        let status = match opt_string(y, "status")? {
            Some(s) => Some(Status::parse(&s).ok_or_else(|| {
                format!(
                    "unknown status `{s}` (stable, test, experimental, deprecated, unsupported)"
                )
            })?),
            None => None,
        };
        Ok(SigmaRule {
            title,
            id: opt_string(y, "id")?,
            name: opt_string(y, "name")?,
            status,
            level: opt_level(y)?,
            description: opt_string(y, "description")?,
            author: opt_string(y, "author")?,
            date: opt_string(y, "date")?,
            modified: opt_string(y, "modified")?,
            references: string_list(y, "references")?,
            tags: string_list(y, "tags")?,
            logsource,
            detection,
            falsepositives: string_list(y, "falsepositives")?,
            fields: string_list(y, "fields")?,
            related: related(y)?,
            license: opt_string(y, "license")?,
            taxonomy: opt_string(y, "taxonomy")?,
            scope: string_list(y, "scope")?,
            custom: entries
                .iter()
                .filter(|(k, _)| !RULE_KEYS.contains(&k.as_str()))
                .cloned()
                .collect(),
            filters: Vec::new(),
            source_hint,
            origin,
        })
    }

    /// The alert severity from `level` (`informational` → low). A rule without a `level` gets
    /// medium: the specification defines no default.
    pub fn severity(&self) -> Severity {
        self.level.map_or(Severity::Medium, Level::severity)
    }

    /// A link to the rule: the `# source:` hint as a URL (a relative path is taken under
    /// SigmaHQ's `master` tree), or `None` without a hint.
    pub fn source_url(&self) -> Option<String> {
        source_url(self.source_hint.as_deref())
    }

    /// The id, else the name, else the title: how diagnostics name the rule.
    pub fn label(&self) -> &str {
        self.id
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or(&self.title)
    }
}

/// The URL of a `# source:` hint.
pub(crate) fn source_url(hint: Option<&str>) -> Option<String> {
    let hint = hint?;
    if hint.starts_with("https://") || hint.starts_with("http://") {
        return Some(hint.to_owned());
    }
    let path = hint.trim_start_matches("./").trim_start_matches('/');
    Some(format!("{SIGMAHQ_BLOB}{path}"))
}

pub(crate) fn opt_level(y: &Yaml) -> Result<Option<Level>, String> {
    match opt_string(y, "level")? {
        Some(l) => Ok(Some(Level::parse(&l).ok_or_else(|| {
            format!("unknown level `{l}` (informational, low, medium, high, critical)")
        })?)),
        None => Ok(None),
    }
}

fn related(y: &Yaml) -> Result<Vec<Related>, String> {
    match y.get("related") {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Seq(items)) => items
            .iter()
            .map(|i| {
                Ok(Related {
                    id: required_string(i, "id").map_err(|e| format!("related: {e}"))?,
                    kind: required_string(i, "type").map_err(|e| format!("related: {e}"))?,
                })
            })
            .collect(),
        Some(other) => Err(format!(
            "`related` must be a list, not {}",
            other.type_name()
        )),
    }
}

/// A required scalar field, as text.
pub(crate) fn required_string(y: &Yaml, key: &str) -> Result<String, String> {
    opt_string(y, key)?.ok_or_else(|| format!("missing `{key}`"))
}

/// An optional scalar field, as text (a list of strings is joined with `, `).
pub(crate) fn opt_string(y: &Yaml, key: &str) -> Result<Option<String>, String> {
    match y.get(key) {
        None | Some(Yaml::Null) => Ok(None),
        Some(Yaml::Seq(items)) if items.iter().all(|i| i.scalar_text().is_some()) => Ok(Some(
            items
                .iter()
                .filter_map(Yaml::scalar_text)
                .collect::<Vec<_>>()
                .join(", "),
        )),
        Some(v) => v
            .scalar_text()
            .map(Some)
            .ok_or_else(|| format!("`{key}` must be a string, not {}", v.type_name())),
    }
}

/// An optional list of strings (a single scalar counts as a one-element list).
pub(crate) fn string_list(y: &Yaml, key: &str) -> Result<Vec<String>, String> {
    match y.get(key) {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Seq(items)) => items
            .iter()
            .map(|i| {
                i.scalar_text().ok_or_else(|| {
                    format!(
                        "`{key}` must be a list of strings, not of {}",
                        i.type_name()
                    )
                })
            })
            .collect(),
        Some(v) => v
            .scalar_text()
            .map(|s| vec![s])
            .ok_or_else(|| format!("`{key}` must be a list of strings, not {}", v.type_name())),
    }
}
