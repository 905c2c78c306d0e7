//! Sigma correlation documents, as a typed model the engine compiles onto its threshold and
//! sequence machinery: `event_count`, `value_count`, `temporal` and `temporal_ordered`, with
//! `rules` (ids or names of rules or other correlations), `group-by`, `timespan`, `condition`,
//! `aliases` and `generate`. `value_sum`, `value_avg` and `value_percentile` (and any other
//! type) are reported as unsupported.

use crate::diagnostics::{Origin, Problem};
use crate::model::{Level, opt_level, opt_string, required_string, string_list};
use crate::yaml::Yaml;
use std::fmt;

/// The correlation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorrelationKind {
    /// Number of matching events per group in the timespan.
    EventCount,
    /// Number of distinct values of `condition.field` per group in the timespan.
    ValueCount,
    /// Every referenced rule matched (in any order) per group in the timespan.
    Temporal,
    /// As `temporal`, in the order of `rules`.
    TemporalOrdered,
}

impl CorrelationKind {
    /// The type's name in Sigma.
    pub fn as_str(self) -> &'static str {
        match self {
            CorrelationKind::EventCount => "event_count",
            CorrelationKind::ValueCount => "value_count",
            CorrelationKind::Temporal => "temporal",
            CorrelationKind::TemporalOrdered => "temporal_ordered",
        }
    }
}

impl fmt::Display for CorrelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison in a correlation condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountOp {
    /// `gt`
    Gt,
    /// `gte`
    Gte,
    /// `lt`
    Lt,
    /// `lte`
    Lte,
    /// `eq`
    Eq,
    /// `neq`
    Neq,
}

impl CountOp {
    fn parse(key: &str) -> Option<CountOp> {
        Some(match key {
            "gt" => CountOp::Gt,
            "gte" => CountOp::Gte,
            "lt" => CountOp::Lt,
            "lte" => CountOp::Lte,
            "eq" => CountOp::Eq,
            "neq" => CountOp::Neq,
            _ => return None,
        })
    }

    /// Whether `count op bound` holds.
    pub fn holds(self, count: u64, bound: u64) -> bool {
        match self {
            CountOp::Gt => count > bound,
            CountOp::Gte => count >= bound,
            CountOp::Lt => count < bound,
            CountOp::Lte => count <= bound,
            CountOp::Eq => count == bound,
            CountOp::Neq => count != bound,
        }
    }
}

/// A correlation's `condition`: one or more bounds (all must hold; two make a range) and, for
/// `value_count`, the field(s) whose distinct values are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationCondition {
    /// The bounds, all of which must hold.
    pub bounds: Vec<(CountOp, u64)>,
    /// `field` (a list is accepted: the distinct value tuples are counted).
    pub fields: Vec<String>,
}

impl CorrelationCondition {
    /// Whether a count satisfies every bound.
    pub fn accepts(&self, count: u64) -> bool {
        self.bounds.iter().all(|(op, b)| op.holds(count, *b))
    }
}

/// A field alias: one logical name for a field that differs between the correlated rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldAlias {
    /// The alias, usable in `group-by`.
    pub alias: String,
    /// (rule name, field name in that rule's events).
    pub fields: Vec<(String, String)>,
}

/// What a correlation reference resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A rule of the set (index into [`crate::SigmaSet::rules`]).
    Rule(usize),
    /// Another correlation (index into [`crate::SigmaSet::correlations`]).
    Correlation(usize),
}

/// A correlation document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correlation {
    /// `title`
    pub title: String,
    /// `id`
    pub id: Option<String>,
    /// `name`
    pub name: Option<String>,
    /// `description`
    pub description: Option<String>,
    /// `author` (kept for DRL attribution)
    pub author: Option<String>,
    /// `references`
    pub references: Vec<String>,
    /// `tags`
    pub tags: Vec<String>,
    /// `level`: the severity when the correlation fires.
    pub level: Option<Level>,
    /// The type.
    pub kind: CorrelationKind,
    /// `rules`, as written (ids or names).
    pub rules: Vec<String>,
    /// `rules` resolved by [`crate::SigmaSet`], in the same order.
    pub targets: Vec<Target>,
    /// `group-by` (field names or aliases; empty: one group).
    pub group_by: Vec<String>,
    /// `timespan` in milliseconds.
    pub timespan_ms: u64,
    /// `condition` (optional for `temporal` and `temporal_ordered`, where it counts distinct
    /// rules; without it every rule must match).
    pub condition: Option<CorrelationCondition>,
    /// `aliases`
    pub aliases: Vec<FieldAlias>,
    /// `generate`: whether the referenced rules also alert on their own.
    pub generate: bool,
    /// The upstream path or URL from a `# source:` comment.
    pub source_hint: Option<String>,
    /// Where it was loaded from.
    pub origin: Origin,
}

impl Correlation {
    /// Reads a correlation document.
    pub(crate) fn from_yaml(
        y: &Yaml,
        origin: Origin,
        source_hint: Option<String>,
    ) -> Result<Correlation, Problem> {
        let c = y.get("correlation").ok_or("missing `correlation`")?;
        if !matches!(c, Yaml::Map(_)) {
            return Err("`correlation` must be a mapping".into());
        }
        let kind = match required_string(c, "type")?.as_str() {
            "event_count" => CorrelationKind::EventCount,
            "value_count" => CorrelationKind::ValueCount,
            "temporal" => CorrelationKind::Temporal,
            "temporal_ordered" => CorrelationKind::TemporalOrdered,
            other
            @ ("value_sum" | "value_avg" | "value_percentile" | "value_min" | "value_max") => {
                return Err(Problem::Unsupported(format!(
                    "correlation type `{other}` is not supported (event_count, value_count, \
                     temporal and temporal_ordered are)"
                )));
            }
            other => return Err(format!("unknown correlation type `{other}`").into()),
        };
        let rules = string_list(c, "rules")?;
        if rules.is_empty() {
            return Err("`correlation.rules` must list at least one rule".into());
        }
        let timespan = required_string(c, "timespan")?;
        let timespan_ms = parse_timespan(&timespan)?;
        let condition = match c.get("condition") {
            None | Some(Yaml::Null) => None,
            Some(cond) => Some(parse_condition(cond)?),
        };
        match (kind, &condition) {
            (CorrelationKind::EventCount | CorrelationKind::ValueCount, None) => {
                return Err(format!("a `{kind}` correlation needs a `condition`").into());
            }
            (CorrelationKind::ValueCount, Some(cond)) if cond.fields.is_empty() => {
                return Err("a `value_count` correlation needs `condition.field`".into());
            }
            (
                CorrelationKind::EventCount
                | CorrelationKind::Temporal
                | CorrelationKind::TemporalOrdered,
                Some(cond),
            ) if !cond.fields.is_empty() => {
                return Err(
                    format!("`condition.field` only applies to value_count, not `{kind}`").into(),
                );
            }
            _ => {}
        }
        let generate = match y.get("generate").or_else(|| c.get("generate")) {
            None | Some(Yaml::Null) => false,
            Some(Yaml::Bool(b)) => *b,
            Some(_) => return Err("`generate` must be true or false".into()),
        };
        Ok(Correlation {
            title: required_string(y, "title")?,
            id: opt_string(y, "id")?,
            name: opt_string(y, "name")?,
            description: opt_string(y, "description")?,
            author: opt_string(y, "author")?,
            references: string_list(y, "references")?,
            tags: string_list(y, "tags")?,
            level: opt_level(y)?,
            kind,
            rules,
            targets: Vec::new(),
            group_by: string_list(c, "group-by")?,
            timespan_ms,
            condition,
            aliases: parse_aliases(c)?,
            generate,
            source_hint,
            origin,
        })
    }

    /// Whether a count (events, distinct values, or distinct rules for temporal types)
    /// satisfies the condition. Temporal types without a condition need every rule.
    pub fn accepts(&self, count: u64) -> bool {
        match &self.condition {
            Some(c) => c.accepts(count),
            None => count >= self.rules.len() as u64,
        }
    }

    /// The field a `group-by` name stands for in events of the rule named `rule_name`: the
    /// alias's field for that rule, else the name itself.
    pub fn group_field<'a>(&'a self, group_by: &'a str, rule_name: &str) -> &'a str {
        self.aliases
            .iter()
            .find(|a| a.alias == group_by)
            .and_then(|a| a.fields.iter().find(|(r, _)| r == rule_name))
            .map_or(group_by, |(_, f)| f.as_str())
    }

    /// A link to the correlation, from its `# source:` hint.
    pub fn source_url(&self) -> Option<String> {
        crate::model::source_url(self.source_hint.as_deref())
    }
}

/// Parses a `timespan` (`90m`: a positive integer and one of `s`, `m`, `h`, `d`).
pub fn parse_timespan(text: &str) -> Result<u64, String> {
    let bad = || format!("bad timespan `{text}`: expected a number and s, m, h or d (e.g. `90m`)");
    let unit_ms: u64 = match text.chars().last() {
        Some('s') => 1_000,
        Some('m') => 60_000,
        Some('h') => 3_600_000,
        Some('d') => 86_400_000,
        _ => return Err(bad()),
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = digits.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err(format!("timespan `{text}` must be positive"));
    }
    n.checked_mul(unit_ms)
        .ok_or_else(|| format!("timespan `{text}` is too long"))
}

fn parse_condition(y: &Yaml) -> Result<CorrelationCondition, String> {
    let Yaml::Map(entries) = y else {
        return Err("`condition` must be a mapping such as `{gte: 100}`".into());
    };
    let mut cond = CorrelationCondition {
        bounds: Vec::new(),
        fields: Vec::new(),
    };
    for (key, value) in entries {
        if key == "field" {
            cond.fields = match value {
                Yaml::Seq(items) => items
                    .iter()
                    .map(|i| i.scalar_text().ok_or("`field` must list field names"))
                    .collect::<Result<_, _>>()?,
                other => vec![other.scalar_text().ok_or("`field` must be a field name")?],
            };
            continue;
        }
        let op = CountOp::parse(key).ok_or_else(|| {
            format!("unknown condition `{key}` (gt, gte, lt, lte, eq, neq, field)")
        })?;
        let bound = match value {
            Yaml::Int(n) => n.parse::<u64>().ok(),
            _ => None,
        }
        .ok_or_else(|| format!("condition `{key}` needs a non-negative integer"))?;
        cond.bounds.push((op, bound));
    }
    if cond.bounds.is_empty() {
        return Err("`condition` needs one of gt, gte, lt, lte, eq, neq".into());
    }
    Ok(cond)
}

fn parse_aliases(c: &Yaml) -> Result<Vec<FieldAlias>, String> {
    match c.get("aliases") {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Map(entries)) => entries
            .iter()
            .map(|(alias, per_rule)| match per_rule {
                Yaml::Map(fields) => Ok(FieldAlias {
                    alias: alias.clone(),
                    fields: fields
                        .iter()
                        .map(|(rule, field)| {
                            field
                                .scalar_text()
                                .map(|f| (rule.clone(), f))
                                .ok_or_else(|| {
                                    format!("alias `{alias}`: `{rule}` must name a field")
                                })
                        })
                        .collect::<Result<_, _>>()?,
                }),
                _ => Err(format!("alias `{alias}` must map rule names to fields")),
            })
            .collect(),
        Some(_) => Err("`aliases` must be a mapping".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("90m"), Ok(5_400_000));
        assert_eq!(parse_timespan("1d"), Ok(86_400_000));
        assert_eq!(parse_timespan("15s"), Ok(15_000));
        for bad in [
            "",
            "m",
            "1",
            "1M",
            "1w",
            "-1m",
            "0s",
            "1.5h",
            "99999999999999999999d",
            "é",
        ] {
            assert!(parse_timespan(bad).is_err(), "{bad}");
        }
    }
}
