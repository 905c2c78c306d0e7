//! The TOML layer: which keys each table may hold, and typed, line-aware access to a parsed
//! document.
//!
//! Files are parsed with `toml`'s spanned document model, so every key and value keeps its
//! byte span. A [`Doc`] turns spans into line numbers and collects [`Diagnostic`]s; getters
//! report type errors (and, for required keys, absence) and return `None`, so a caller keeps
//! going and one load reports every problem. [`Doc::check_keys`] rejects keys a table does
//! not know, naming the key and its line.

use crate::diagnostics::{Diagnostic, Diagnostics};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Top-level tables of a rule file.
pub(crate) const TOP_KEYS: &[&str] = &["metadata", "rule", "transform"];
/// Top-level tables of a shared exception file.
pub(crate) const EXCEPTION_FILE_KEYS: &[&str] = &["exception"];
/// `[metadata]` keys stored in [`crate::Metadata`].
pub(crate) const METADATA_KEYS: &[&str] = &[
    "creation_date",
    "updated_date",
    "deprecation_date",
    "maturity",
    "integration",
    "min_stack_version",
    "comments",
];
/// `[metadata]` keys Elastic uses that r53guard accepts and ignores.
pub(crate) const METADATA_UNUSED: &[&str] = &[
    "min_stack_comments",
    "bypass_bbr_timing",
    "os_type_list",
    "query_schema_validation",
    "related_endpoint_rules",
    "promotion",
];
/// `[rule]` keys r53guard reads.
pub(crate) const RULE_KEYS: &[&str] = &[
    "rule_id",
    "name",
    "description",
    "type",
    "language",
    "query",
    "index",
    "data",
    "severity",
    "risk_score",
    "interval",
    "from",
    "to",
    "max_signals",
    "timestamp_override",
    "timestamp_override_fallback_disabled",
    "tags",
    "references",
    "author",
    "license",
    "version",
    "note",
    "setup",
    "false_positives",
    "enabled",
    "threat",
    "threshold",
    "new_terms",
    "alert_suppression",
    "summary",
    "case_insensitive_fields",
    "window",
    "sequence",
    "tests",
    "exceptions",
    "lists",
];
/// `[rule]` keys Elastic uses that r53guard accepts and ignores.
pub(crate) const RULE_UNUSED: &[&str] = &[
    "building_block_type",
    "rule_name_override",
    "risk_score_mapping",
    "severity_mapping",
    "investigation_fields",
    "related_integrations",
    "required_fields",
    "exceptions_list",
    "actions",
    "throttle",
    "timeline_id",
    "timeline_title",
    "filters",
    "meta",
];
pub(crate) const THREAT_KEYS: &[&str] = &["framework", "tactic", "technique"];
pub(crate) const TACTIC_KEYS: &[&str] = &["id", "name", "reference"];
pub(crate) const TECHNIQUE_KEYS: &[&str] = &["id", "name", "reference", "subtechnique"];
pub(crate) const THRESHOLD_KEYS: &[&str] = &["field", "value", "cardinality"];
pub(crate) const FIELD_VALUE_KEYS: &[&str] = &["field", "value"];
pub(crate) const NEW_TERMS_KEYS: &[&str] = &["field", "value", "history_window_start"];
pub(crate) const SEQUENCE_KEYS: &[&str] = &["query"];
pub(crate) const SUPPRESSION_KEYS: &[&str] = &["group_by", "duration", "missing_fields_strategy"];
pub(crate) const SUPPRESSION_DURATION_KEYS: &[&str] = &["value", "unit"];
pub(crate) const TEST_KEYS: &[&str] = &["name", "expect", "alerts", "events"];
pub(crate) const EXCEPTION_ITEM_KEYS: &[&str] = &["description", "expire_time", "entries"];
pub(crate) const SHARED_EXCEPTION_KEYS: &[&str] =
    &["rule_ids", "description", "expire_time", "entries"];
pub(crate) const LIST_MATCH_KEYS: &[&str] = &["field", "list", "match", "negate"];
pub(crate) const ENTRY_KEYS: &[&str] = &["field", "operator", "value", "values", "list"];

/// A spanned TOML value.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// A table of a document, with its span and its dotted path (`rule.threat[0]`).
pub(crate) struct Node<'a, 'i> {
    pub table: &'a DeTable<'i>,
    pub span: Range<usize>,
    pub path: String,
}

impl<'a, 'i> Node<'a, 'i> {
    /// The dotted path of one of this table's keys.
    pub fn key(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value of a key.
    pub fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.table.get(key)
    }

    /// Whether the key is present.
    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }
}

/// A document being read: its text, its source name, line starts, and the diagnostics so far.
pub(crate) struct Doc<'t> {
    pub text: &'t str,
    pub source: String,
    line_starts: Vec<usize>,
    pub diags: Diagnostics,
}

impl<'t> Doc<'t> {
    pub fn new(text: &'t str, source: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            text,
            source,
            line_starts,
            diags: Diagnostics::new(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Records an error at `span` about `key`.
    pub fn error(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        let d = Diagnostic::error(&self.source, message)
            .at_line(Some(self.line(span.start)))
            .with_key(key);
        self.diags.push(d);
    }

    /// Records a warning at `span` about `key`.
    pub fn warning(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        let d = Diagnostic::warning(&self.source, message)
            .at_line(Some(self.line(span.start)))
            .with_key(key);
        self.diags.push(d);
    }

    /// Rejects every key of `node` that is neither in `known` nor in `accepted`.
    pub fn check_keys(&mut self, node: &Node<'_, '_>, known: &[&str], accepted: &[&str]) {
        for key in node.table.keys() {
            let name: &str = key.get_ref();
            if known.contains(&name) || accepted.contains(&name) {
                continue;
            }
            let path = node.key(name);
            let hint = suggest(name, known.iter().chain(accepted))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let table = if node.path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `[{}]`", node.path)
            };
            self.error(
                &key.span(),
                &path,
                format!("unknown key `{name}` {table}{hint}"),
            );
        }
    }

    /// Records that a required key is missing from `node`.
    pub fn missing(&mut self, node: &Node<'_, '_>, key: &str, what: &str) {
        let path = node.key(key);
        let message = format!("missing required key `{path}` ({what})");
        self.error(&node.span.clone(), &path, message);
    }

    fn type_error(&mut self, node: &Node<'_, '_>, key: &str, value: &Value<'_>, want: &str) {
        let path = node.key(key);
        let got = value.get_ref().type_str();
        self.error(
            &value.span(),
            &path,
            format!("`{path}` must be {want}, not {got}"),
        );
    }

    /// A string value.
    pub fn string(&mut self, node: &Node<'_, '_>, key: &str) -> Option<(String, Range<usize>)> {
        let value = node.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some((s.to_string(), value.span())),
            _ => {
                self.type_error(node, key, value, "a string");
                None
            }
        }
    }

    /// A required string value.
    pub fn required_string(
        &mut self,
        node: &Node<'_, '_>,
        key: &str,
        what: &str,
    ) -> Option<(String, Range<usize>)> {
        if !node.has(key) {
            self.missing(node, key, what);
            return None;
        }
        self.string(node, key)
    }

    /// A string or a TOML date-time (returned as its RFC 3339 text).
    pub fn string_or_datetime(
        &mut self,
        node: &Node<'_, '_>,
        key: &str,
    ) -> Option<(String, Range<usize>)> {
        let value = node.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some((s.to_string(), value.span())),
            DeValue::Datetime(dt) => Some((dt.to_string(), value.span())),
            _ => {
                self.type_error(node, key, value, "an RFC 3339 date-time");
                None
            }
        }
    }

    /// A list of strings.
    pub fn strings(
        &mut self,
        node: &Node<'_, '_>,
        key: &str,
    ) -> Option<(Vec<String>, Range<usize>)> {
        let value = node.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.type_error(node, key, value, "a list of strings");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(s.to_string()),
                _ => {
                    self.type_error(node, key, item, "a list of strings");
                    return None;
                }
            }
        }
        Some((out, value.span()))
    }

    /// A string, or a list of strings (a lone string is a one-element list).
    pub fn string_or_strings(
        &mut self,
        node: &Node<'_, '_>,
        key: &str,
    ) -> Option<(Vec<String>, Range<usize>)> {
        let value = node.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some((vec![s.to_string()], value.span())),
            _ => self.strings(node, key),
        }
    }

    /// An integer.
    pub fn integer(&mut self, node: &Node<'_, '_>, key: &str) -> Option<(i64, Range<usize>)> {
        let value = node.get(key)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.type_error(node, key, value, "an integer");
        }
        parsed.map(|n| (n, value.span()))
    }

    /// A boolean.
    pub fn boolean(&mut self, node: &Node<'_, '_>, key: &str) -> Option<bool> {
        let value = node.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.type_error(node, key, value, "true or false");
                None
            }
        }
    }

    /// A sub-table.
    pub fn table<'a, 'i>(&mut self, node: &Node<'a, 'i>, key: &str) -> Option<Node<'a, 'i>> {
        let value = node.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some(Node {
                table,
                span: value.span(),
                path: node.key(key),
            }),
            _ => {
                self.type_error(node, key, value, "a table");
                None
            }
        }
    }

    /// An array of tables (`[[…]]`), each with its indexed path (`rule.threat[0]`). A lone
    /// table is accepted as a one-element array.
    pub fn tables<'a, 'i>(&mut self, node: &Node<'a, 'i>, key: &str) -> Vec<Node<'a, 'i>> {
        let Some(value) = node.get(key) else {
            return Vec::new();
        };
        let path = node.key(key);
        match value.get_ref() {
            DeValue::Table(table) => vec![Node {
                table,
                span: value.span(),
                path,
            }],
            DeValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item.get_ref() {
                        DeValue::Table(table) => out.push(Node {
                            table,
                            span: item.span(),
                            path: format!("{path}[{i}]"),
                        }),
                        _ => self.type_error(node, key, item, "an array of tables"),
                    }
                }
                out
            }
            _ => {
                self.type_error(node, key, value, "an array of tables");
                Vec::new()
            }
        }
    }
}

/// The closest candidate within edit distance 2, if any.
fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c &'c str>) -> Option<&'c str> {
    candidates
        .map(|c| (edit_distance(name, c), *c))
        .filter(|&(d, _)| d <= 2)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_suggestions() {
        let doc = Doc::new("a\nbc\n\nd", "x".into());
        assert_eq!(doc.line(0), 1);
        assert_eq!(doc.line(1), 1);
        assert_eq!(doc.line(2), 2);
        assert_eq!(doc.line(5), 3);
        assert_eq!(doc.line(6), 4);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(suggest("risk_scor", RULE_KEYS.iter()), Some("risk_score"));
        assert_eq!(suggest("zzzzzz", RULE_KEYS.iter()), None);
    }
}
