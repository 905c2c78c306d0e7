//! The typed rule model the engine compiles: [`Rule`] and everything it holds.
//!
//! A `Rule` is only built by the loader ([`crate::load_str`] and friends), so every value in it
//! has been validated: queries parse, durations are positive, MITRE ids are well formed, and
//! the type-specific settings are consistent with [`RuleKind`].

use crate::duration::Lookback;
use crate::exceptions::ExceptionItem;
use crate::fields::query_fields;
use crate::sequence::Sequence;
use crate::template::Template;
use r53guard_kql::Query;
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A validated detection rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The `[metadata]` table.
    pub meta: Metadata,
    /// Stable identifier (a UUID in Elastic's rules).
    pub rule_id: String,
    /// Display name.
    pub name: String,
    /// What the rule detects.
    pub description: String,
    /// The detection logic.
    pub kind: RuleKind,
    /// Which record kinds it runs on (from `data`, or mapped from `index`).
    pub data: Vec<DataKind>,
    /// Alert severity.
    pub severity: Severity,
    /// Alert risk score, 0–100.
    pub risk_score: u8,
    /// How often the rule runs (`interval`, default 5m).
    pub interval: Duration,
    /// Start of each run's window (`from`, default `now-6m`).
    pub from: Lookback,
    /// End of each run's window (`to`, default `now`).
    pub to: Lookback,
    /// Most alerts per run (`max_signals`, default 100).
    pub max_signals: u32,
    /// Field holding the time used for windowing instead of `@timestamp`.
    pub timestamp_override: Option<String>,
    /// Whether events lacking the override field are excluded rather than falling back to
    /// `@timestamp`.
    pub timestamp_override_fallback_disabled: bool,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Authors (kept on every alert).
    pub author: Vec<String>,
    /// The rule's licence.
    pub license: Option<String>,
    /// Rule version (default 1).
    pub version: u32,
    /// Investigation guide (Markdown).
    pub note: Option<String>,
    /// Setup instructions (Markdown).
    pub setup: Option<String>,
    /// Known benign causes.
    pub false_positives: Vec<String>,
    /// MITRE ATT&CK mappings.
    pub threat: Vec<Threat>,
    /// One-line alert summary template.
    pub summary: Option<Template>,
    /// Fields whose comparisons ignore case.
    pub case_insensitive_fields: Vec<String>,
    /// Inline exception items.
    pub exceptions: Vec<ExceptionItem>,
    /// `[[rule.lists]]`: value-list conditions ANDed with the query.
    pub lists: Vec<ListMatch>,
    /// Alert suppression settings.
    pub suppression: Option<Suppression>,
    /// Embedded tests.
    pub tests: Vec<RuleTest>,
    /// Whether the rule runs (default true).
    pub enabled: bool,
    /// Where the rule was loaded from.
    pub source: Source,
}

/// The detection logic of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `type = "query"`: every matching event alerts.
    Query {
        /// The parsed KQL.
        query: Query,
        /// The KQL as written.
        text: String,
    },
    /// `type = "threshold"`: a group alerts when at least `value` matching events (and,
    /// with `cardinality`, at least N distinct values of a field) fall in a sliding `window`.
    Threshold {
        /// The parsed KQL.
        query: Query,
        /// The KQL as written.
        text: String,
        /// Group-by fields (`threshold.field`); empty means one group.
        group_by: Vec<String>,
        /// Minimum event count (`threshold.value`, ≥ 1).
        value: u64,
        /// Field and minimum distinct count (`threshold.cardinality`).
        cardinality: Option<(String, u64)>,
        /// The sliding window (`window`, default the look-back `to - from`).
        window: Duration,
    },
    /// `type = "new_terms"`: an event alerts when its values of `fields` were not seen in
    /// the history window before the run's window.
    NewTerms {
        /// The parsed KQL.
        query: Query,
        /// The KQL as written.
        text: String,
        /// The fields whose value combination must be new (1–3).
        fields: Vec<String>,
        /// How far back the history reaches (`history_window_start`).
        history_window: Duration,
    },
    /// `type = "sequence"` (or EQL in the sequence form): steps matching in order.
    Sequence(Sequence),
}

impl RuleKind {
    /// The rule type as written in `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            RuleKind::Query { .. } => "query",
            RuleKind::Threshold { .. } => "threshold",
            RuleKind::NewTerms { .. } => "new_terms",
            RuleKind::Sequence(_) => "sequence",
        }
    }

    /// Every KQL query of the rule (the query, or the sequence steps and `until`).
    pub fn queries(&self) -> Vec<&Query> {
        match self {
            RuleKind::Query { query, .. }
            | RuleKind::Threshold { query, .. }
            | RuleKind::NewTerms { query, .. } => vec![query],
            RuleKind::Sequence(sequence) => sequence
                .steps
                .iter()
                .chain(sequence.until.as_ref())
                .collect(),
        }
    }
}

impl Rule {
    /// Every field name the rule reads, for the engine's projection: query fields (a nested
    /// query's fields prefixed with its path; a wildcard field name as its pattern, such as
    /// `user.*`; `*` for free text), threshold group-by and cardinality fields, new-terms
    /// fields, sequence join fields, suppression group-by fields, summary placeholders,
    /// inline exception fields and the timestamp override.
    pub fn fields_read(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for query in self.kind.queries() {
            query_fields(query, "", &mut out);
        }
        match &self.kind {
            RuleKind::Threshold {
                group_by,
                cardinality,
                ..
            } => {
                out.extend(group_by.iter().cloned());
                out.extend(cardinality.iter().map(|(field, _)| field.clone()));
            }
            RuleKind::NewTerms { fields, .. } => out.extend(fields.iter().cloned()),
            RuleKind::Sequence(sequence) => out.extend(sequence.by.iter().cloned()),
            RuleKind::Query { .. } => {}
        }
        if let Some(suppression) = &self.suppression {
            out.extend(suppression.group_by.iter().cloned());
        }
        if let Some(summary) = &self.summary {
            out.extend(summary.fields().map(str::to_string));
        }
        for item in &self.exceptions {
            out.extend(item.entries.iter().map(|entry| entry.field.clone()));
        }
        out.extend(self.lists.iter().map(|l| l.field.clone()));
        out.extend(self.timestamp_override.iter().cloned());
        out
    }

    /// Whether comparisons on `field` ignore case.
    pub fn is_case_insensitive(&self, field: &str) -> bool {
        self.case_insensitive_fields.iter().any(|f| f == field)
    }
}

/// The `[metadata]` table (all optional; dates are checked when present).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `creation_date`.
    pub creation_date: Option<Date>,
    /// `updated_date`.
    pub updated_date: Option<Date>,
    /// `deprecation_date`.
    pub deprecation_date: Option<Date>,
    /// `maturity`.
    pub maturity: Option<Maturity>,
    /// `integration` (a string or a list).
    pub integration: Vec<String>,
    /// `min_stack_version`.
    pub min_stack_version: Option<String>,
    /// `comments`.
    pub comments: Option<String>,
}

/// A calendar date written `YYYY/MM/DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31 (checked against the month).
    pub day: u8,
}

impl Date {
    /// Parses `YYYY/MM/DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'/' || bytes[7] != b'/' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

/// `maturity` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Maturity {
    /// `development`
    Development,
    /// `experimental`
    Experimental,
    /// `beta`
    Beta,
    /// `production`
    Production,
    /// `deprecated`
    Deprecated,
}

impl Maturity {
    /// Parses a maturity name.
    pub fn parse(text: &str) -> Option<Maturity> {
        Some(match text {
            "development" => Maturity::Development,
            "experimental" => Maturity::Experimental,
            "beta" => Maturity::Beta,
            "production" => Maturity::Production,
            "deprecated" => Maturity::Deprecated,
            _ => return None,
        })
    }
}

/// The kinds of record a rule runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataKind {
    /// CloudTrail records (`data = ["cloudtrail"]`).
    CloudTrail,
    /// Route 53 Resolver query logs (`data = ["resolver"]`).
    Resolver,
}

impl DataKind {
    /// The name used in `data = [...]`.
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::CloudTrail => "cloudtrail",
            DataKind::Resolver => "resolver",
        }
    }

    /// Parses a `data` name.
    pub fn parse(text: &str) -> Option<DataKind> {
        match text {
            "cloudtrail" => Some(DataKind::CloudTrail),
            "resolver" => Some(DataKind::Resolver),
            _ => None,
        }
    }
}

/// Alert severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl Severity {
    /// Parses `low`, `medium`, `high` or `critical`.
    pub fn parse(text: &str) -> Option<Severity> {
        Some(match text {
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Elastic's risk-score band for this severity: low 0–21, medium 22–47, high 48–73,
    /// critical 74–100.
    pub fn risk_band(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Severity::Low => 0..=21,
            Severity::Medium => 22..=47,
            Severity::High => 48..=73,
            Severity::Critical => 74..=100,
        }
    }
}

/// One MITRE ATT&CK mapping: a tactic and some of its techniques.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threat {
    /// Always `MITRE ATT&CK`.
    pub framework: String,
    /// The tactic (`TA0003`).
    pub tactic: MitreRef,
    /// Techniques (`T1098`), each with sub-techniques (`T1098.001`).
    pub techniques: Vec<Technique>,
}

/// A MITRE ATT&CK tactic or sub-technique reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MitreRef {
    /// The id (`TA0003`, `T1098.001`).
    pub id: String,
    /// The name.
    pub name: String,
    /// The `https://attack.mitre.org/…` URL.
    pub reference: String,
}

/// A MITRE ATT&CK technique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Technique {
    /// The id (`T1098`).
    pub id: String,
    /// The name.
    pub name: String,
    /// The `https://attack.mitre.org/…` URL.
    pub reference: String,
    /// Sub-techniques, each id prefixed with this technique's id.
    pub subtechniques: Vec<MitreRef>,
}

/// Alert suppression (`[rule.alert_suppression]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Fields whose values identify an alert instance (1–5; empty for threshold rules,
    /// which suppress per threshold group).
    pub group_by: Vec<String>,
    /// How long later matches update the open alert; `None` suppresses per rule run.
    pub duration: Option<Duration>,
    /// What to do with events lacking a group-by field.
    pub missing_fields: MissingFields,
}

/// `missing_fields_strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MissingFields {
    /// `suppress` (default): events missing a field are grouped under null.
    Suppress,
    /// `doNotSuppress`: each such event alerts on its own.
    DoNotSuppress,
}

/// An embedded test (`[[rule.tests]]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTest {
    /// Its name (unique within the rule).
    pub name: String,
    /// What the events must produce.
    pub expect: Expectation,
    /// The records' JSON text (each an object), in real AWS format, in order.
    pub events: Vec<String>,
}

/// A `[[rule.lists]]` condition: the value of `field` looked up in the value list `list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListMatch {
    /// The field (raw path or ECS alias).
    pub field: String,
    /// The list id.
    pub list: String,
    /// How values are compared with items.
    pub mode: ListMode,
    /// The value must not be in the list (an absent field passes).
    pub negate: bool,
}

/// How a value is looked up in a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListMode {
    /// The value equals an item.
    Exact,
    /// The value is an item or a domain name under one (label boundaries, ignoring case and
    /// one trailing dot).
    Domain,
}

/// What an embedded test expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expectation {
    /// `expect = "match"` (query rules): every event matches.
    Match,
    /// `expect = "no_match"` (query rules): no event matches.
    NoMatch,
    /// `alerts = N`: running the rule over the events yields exactly N alerts.
    Alerts(u32),
}

/// Where a rule (or list, or exception file) came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// A file of the built-in pack, by its path under the repository's `rules/` or `lists/`.
    Builtin(String),
}

impl Source {
    /// Whether this is part of the built-in pack.
    pub fn is_builtin(&self) -> bool {
        matches!(self, Source::Builtin(_))
    }
}

/// A path, or `builtin:<file>`.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(path) => write!(f, "{}", path.display()),
            Source::Builtin(file) => write!(f, "builtin:{file}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2024/02/29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse("2024/02/29").unwrap().to_string(), "2024/02/29");
        for bad in [
            "2023/02/29",
            "2024-02-01",
            "2024/13/01",
            "2024/1/01",
            "2024/00/10",
            "+024/01/01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn severity_bands() {
        assert!(Severity::Low.risk_band().contains(&21));
        assert!(Severity::Medium.risk_band().contains(&22));
        assert!(Severity::High.risk_band().contains(&73));
        assert!(Severity::Critical.risk_band().contains(&100));
        assert_eq!(Severity::parse("High"), None);
    }

    #[test]
    fn sources() {
        assert_eq!(
            Source::Builtin("a/b.toml".into()).to_string(),
            "builtin:a/b.toml"
        );
        assert_eq!(Source::Path("x/y.toml".into()).to_string(), "x/y.toml");
    }
}
