//! Reading a parsed rule file into a [`Rule`]: the top level, `[metadata]` and the common
//! `[rule]` keys. Type-specific keys are read in [`crate::kinds`], suppression in
//! [`crate::suppression`], MITRE mappings in [`crate::threat`], embedded tests in
//! [`crate::rule_tests`] and exceptions in [`crate::exceptions`].

use crate::duration::{Lookback, parse_duration};
use crate::exceptions::read_item;
use crate::index::data_kinds_for_indices;
use crate::kinds::read_kind;
use crate::model::{DataKind, Date, Maturity, Metadata, Rule, Severity, Source};
use crate::query_errors::string_error;
use crate::rule_tests::read_tests;
use crate::suppression::read_suppression;
use crate::template::Template;
use crate::threat::read_threats;
use crate::toml_schema::{
    Doc, EXCEPTION_ITEM_KEYS, METADATA_KEYS, METADATA_UNUSED, Node, RULE_KEYS, RULE_UNUSED,
    TOP_KEYS,
};
use crate::validate::{provider_lint, severity_band};
use std::ops::Range;
use std::time::Duration;

/// Default `interval`.
const DEFAULT_INTERVAL: &str = "5m";
/// Default `from`.
const DEFAULT_FROM: &str = "now-6m";
/// Default `max_signals` (Kibana's `DEFAULT_MAX_SIGNALS`).
const DEFAULT_MAX_SIGNALS: u32 = 100;

/// Reads a whole rule file. `None` when there are errors (all recorded in `doc`).
pub(crate) fn read_rule(doc: &mut Doc<'_>, root: &Node<'_, '_>, source: Source) -> Option<Rule> {
    doc.check_keys(root, TOP_KEYS, &[]);
    let meta = match doc.table(root, "metadata") {
        Some(node) => read_metadata(doc, &node),
        None => Metadata::default(),
    };
    let Some(rule) = doc.table(root, "rule") else {
        if !root.has("rule") {
            doc.missing(root, "rule", "the `[rule]` table");
        }
        return None;
    };
    doc.check_keys(&rule, RULE_KEYS, RULE_UNUSED);

    let rule_id = doc.required_string(&rule, "rule_id", "a stable id, such as a UUID");
    if let Some((id, span)) = &rule_id
        && (id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        doc.error(
            span,
            "rule.rule_id",
            format!("`rule.rule_id` must be non-empty without spaces, got {id:?}"),
        );
    }
    let name = non_empty(doc, &rule, "name", "the rule's display name");
    let description = non_empty(doc, &rule, "description", "what the rule detects");
    let author = match doc.strings(&rule, "author") {
        Some((author, span)) if author.is_empty() => {
            doc.error(
                &span,
                "rule.author",
                "`rule.author` must name at least one author",
            );
            None
        }
        Some((author, _)) => Some(author),
        None => {
            if !rule.has("author") {
                doc.missing(&rule, "author", "a list of authors");
            }
            None
        }
    };
    let severity = doc
        .required_string(&rule, "severity", "low, medium, high or critical")
        .and_then(|(text, span)| {
            let parsed = Severity::parse(&text);
            if parsed.is_none() {
                doc.error(
                    &span,
                    "rule.severity",
                    format!(
                        "`rule.severity` must be one of low, medium, high, critical, not {text:?}"
                    ),
                );
            }
            parsed
        });
    let risk = read_risk(doc, &rule);
    let interval = duration_key(doc, &rule, "interval", DEFAULT_INTERVAL);
    let (from, to) = read_window(doc, &rule);
    let look_back = from
        .as_ref()
        .zip(to.as_ref())
        .map(|(from, to)| Duration::from_millis(from.millis().saturating_sub(to.millis())));
    let max_signals = read_max_signals(doc, &rule);
    let version = match doc.integer(&rule, "version") {
        None => (!rule.has("version")).then_some(1),
        Some((v, span)) => {
            let version = u32::try_from(v).ok().filter(|v| *v >= 1);
            if version.is_none() {
                doc.error(
                    &span,
                    "rule.version",
                    format!("`rule.version` must be at least 1, got {v}"),
                );
            }
            version
        }
    };
    let data = read_data(doc, &rule);
    let summary = doc.string(&rule, "summary").and_then(|(text, span)| {
        Template::parse(&text)
            .map_err(|err| {
                string_error(
                    doc,
                    &span,
                    "rule.summary",
                    &text,
                    &err,
                    "invalid template in `rule.summary`",
                )
            })
            .ok()
    });
    let case_insensitive_fields = match doc.strings(&rule, "case_insensitive_fields") {
        Some((fields, span)) if fields.iter().any(|f| f.trim().is_empty()) => {
            doc.error(
                &span,
                "rule.case_insensitive_fields",
                "`rule.case_insensitive_fields` contains an empty field name",
            );
            Vec::new()
        }
        Some((fields, _)) => fields,
        None => Vec::new(),
    };
    let threat = read_threats(doc, &rule);
    let (ty, kind) = read_kind(doc, &rule, look_back);
    let suppression = read_suppression(doc, &rule, ty.as_deref());
    let tests = read_tests(doc, &rule, ty.as_deref() == Some("query"));
    let lists = crate::list_match::read_list_matches(doc, &rule);
    let mut exceptions = Vec::new();
    for node in doc.tables(&rule, "exceptions") {
        doc.check_keys(&node, EXCEPTION_ITEM_KEYS, &[]);
        exceptions.extend(read_item(doc, &node));
    }
    let strings =
        |doc: &mut Doc<'_>, key: &str| doc.strings(&rule, key).map(|(v, _)| v).unwrap_or_default();
    let tags = strings(doc, "tags");
    let references = strings(doc, "references");
    let false_positives = strings(doc, "false_positives");
    let text = |doc: &mut Doc<'_>, key: &str| doc.string(&rule, key).map(|(v, _)| v);
    let license = text(doc, "license");
    let note = text(doc, "note");
    let setup = text(doc, "setup");
    let timestamp_override = text(doc, "timestamp_override");
    let fallback_disabled = doc
        .boolean(&rule, "timestamp_override_fallback_disabled")
        .unwrap_or(false);
    let enabled = doc.boolean(&rule, "enabled").unwrap_or(true);

    if let (Some(severity), Some((risk, span))) = (severity, &risk) {
        severity_band(doc, severity, *risk, span);
    }
    if let Some(kind) = &kind {
        let key = if ty.as_deref() == Some("sequence") {
            "rule.sequence.query"
        } else {
            "rule.query"
        };
        provider_lint(doc, &kind.kind, key, &kind.query_span);
    }
    if doc.diags.has_errors() {
        return None;
    }
    Some(Rule {
        meta,
        rule_id: rule_id?.0,
        name: name?,
        description: description?,
        kind: kind?.kind,
        data: data?,
        severity: severity?,
        risk_score: risk?.0,
        interval: interval?,
        from: from?,
        to: to?,
        max_signals: max_signals?,
        timestamp_override,
        timestamp_override_fallback_disabled: fallback_disabled,
        tags,
        references,
        author: author?,
        license,
        version: version?,
        note,
        setup,
        false_positives,
        threat,
        summary,
        case_insensitive_fields,
        exceptions,
        lists,
        suppression,
        tests,
        enabled,
        source,
    })
}

fn non_empty(doc: &mut Doc<'_>, rule: &Node<'_, '_>, key: &str, what: &str) -> Option<String> {
    let (text, span) = doc.required_string(rule, key, what)?;
    if text.trim().is_empty() {
        doc.error(
            &span,
            &rule.key(key),
            format!("`{}` is empty", rule.key(key)),
        );
        return None;
    }
    Some(text)
}

fn read_risk(doc: &mut Doc<'_>, rule: &Node<'_, '_>) -> Option<(u8, Range<usize>)> {
    if !rule.has("risk_score") {
        doc.missing(rule, "risk_score", "an integer from 0 to 100");
        return None;
    }
    let (risk, span) = doc.integer(rule, "risk_score")?;
    match u8::try_from(risk) {
        Ok(risk) if risk <= 100 => Some((risk, span)),
        _ => {
            doc.error(
                &span,
                "rule.risk_score",
                format!("`rule.risk_score` must be between 0 and 100, got {risk}"),
            );
            None
        }
    }
}

fn duration_key(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    key: &str,
    default: &str,
) -> Option<Duration> {
    match doc.string(rule, key) {
        Some((text, span)) => match parse_duration(&text) {
            Ok(duration) => Some(duration),
            Err(message) => {
                doc.error(
                    &span,
                    &rule.key(key),
                    format!("`{}`: {message}", rule.key(key)),
                );
                None
            }
        },
        None if rule.has(key) => None,
        None => parse_duration(default).ok(),
    }
}

fn lookback_key(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    key: &str,
) -> Option<(Lookback, Option<Range<usize>>)> {
    match doc.string(rule, key) {
        Some((text, span)) => match Lookback::parse(&text) {
            Ok(lookback) => Some((lookback, Some(span))),
            Err(message) => {
                doc.error(
                    &span,
                    &rule.key(key),
                    format!("`{}`: {message}", rule.key(key)),
                );
                None
            }
        },
        None if rule.has(key) => None,
        None if key == "from" => Lookback::parse(DEFAULT_FROM).ok().map(|l| (l, None)),
        None => Some((Lookback::now(), None)),
    }
}

fn read_window(doc: &mut Doc<'_>, rule: &Node<'_, '_>) -> (Option<Lookback>, Option<Lookback>) {
    let from = lookback_key(doc, rule, "from");
    let to = lookback_key(doc, rule, "to");
    if let (Some((from, span)), Some((to, _))) = (&from, &to)
        && from.millis() <= to.millis()
    {
        let span = span.clone().unwrap_or_else(|| rule.span.clone());
        doc.error(
            &span,
            "rule.from",
            format!(
                "`rule.from` ({}) must be earlier than `rule.to` ({})",
                from.text(),
                to.text()
            ),
        );
        return (None, None);
    }
    (from.map(|(l, _)| l), to.map(|(l, _)| l))
}

fn read_max_signals(doc: &mut Doc<'_>, rule: &Node<'_, '_>) -> Option<u32> {
    match doc.integer(rule, "max_signals") {
        None => (!rule.has("max_signals")).then_some(DEFAULT_MAX_SIGNALS),
        Some((n, span)) => {
            let max = u32::try_from(n).ok().filter(|n| *n >= 1);
            if max.is_none() {
                doc.error(
                    &span,
                    "rule.max_signals",
                    format!("`rule.max_signals` must be at least 1, got {n}"),
                );
            }
            max
        }
    }
}

/// `data`, or `index` mapped to data kinds (with a warning per unrecognised pattern).
fn read_data(doc: &mut Doc<'_>, rule: &Node<'_, '_>) -> Option<Vec<DataKind>> {
    match (rule.get("data"), rule.get("index")) {
        (Some(data), Some(_)) => {
            doc.error(
                &data.span(),
                "rule.data",
                "give `rule.data` or `rule.index`, not both",
            );
            None
        }
        (None, None) => {
            doc.missing(
                rule,
                "index",
                "index patterns, or `data = [\"cloudtrail\"]` / `[\"resolver\"]`",
            );
            None
        }
        (Some(_), None) => {
            let (names, span) = doc.strings(rule, "data")?;
            let mut kinds = Vec::new();
            for name in &names {
                match DataKind::parse(name) {
                    Some(kind) => kinds.push(kind),
                    None => {
                        doc.error(&span, "rule.data", format!("unknown data kind {name:?} in `rule.data` (expected \"cloudtrail\" or \"resolver\")"));
                        return None;
                    }
                }
            }
            if kinds.is_empty() {
                doc.error(&span, "rule.data", "`rule.data` is empty");
                return None;
            }
            kinds.sort();
            kinds.dedup();
            Some(kinds)
        }
        (None, Some(_)) => {
            let (patterns, span) = doc.strings(rule, "index")?;
            if patterns.is_empty() {
                doc.error(&span, "rule.index", "`rule.index` is empty");
                return None;
            }
            let (kinds, unknown) = data_kinds_for_indices(&patterns);
            for pattern in unknown {
                doc.warning(
                    &span,
                    "rule.index",
                    format!("index pattern `{pattern}` names neither CloudTrail nor Route 53 Resolver data; the rule runs on both (use `data = [...]` to be explicit)"),
                );
            }
            Some(kinds)
        }
    }
}

fn read_metadata(doc: &mut Doc<'_>, node: &Node<'_, '_>) -> Metadata {
    doc.check_keys(node, METADATA_KEYS, METADATA_UNUSED);
    let date = |doc: &mut Doc<'_>, key: &str, required: bool| {
        if required && !node.has(key) {
            doc.missing(node, key, "a date written YYYY/MM/DD");
            return None;
        }
        let (text, span) = doc.string(node, key)?;
        let parsed = Date::parse(&text);
        if parsed.is_none() {
            doc.error(
                &span,
                &node.key(key),
                format!(
                    "`{}` must be a date written YYYY/MM/DD, not {text:?}",
                    node.key(key)
                ),
            );
        }
        parsed
    };
    let creation_date = date(doc, "creation_date", true);
    let updated_date = date(doc, "updated_date", true);
    let deprecation_date = date(doc, "deprecation_date", false);
    let maturity = doc.string(node, "maturity").and_then(|(text, span)| {
        let parsed = Maturity::parse(&text);
        if parsed.is_none() {
            doc.error(
                &span,
                "metadata.maturity",
                format!("`metadata.maturity` must be one of development, experimental, beta, production, deprecated, not {text:?}"),
            );
        }
        parsed
    });
    Metadata {
        creation_date,
        updated_date,
        deprecation_date,
        maturity,
        integration: doc
            .string_or_strings(node, "integration")
            .map(|(v, _)| v)
            .unwrap_or_default(),
        min_stack_version: doc.string(node, "min_stack_version").map(|(v, _)| v),
        comments: doc.string(node, "comments").map(|(v, _)| v),
    }
}
