//! Reading the rule type and its type-specific settings: `type`, `language`, `query`,
//! `[rule.threshold]` and `window`, `[rule.new_terms]` and `[rule.sequence]`.

use crate::duration::{Lookback, parse_duration};
use crate::model::RuleKind;
use crate::query_errors::string_error;
use crate::sequence::Sequence;
use crate::toml_schema::{
    Doc, FIELD_VALUE_KEYS, NEW_TERMS_KEYS, Node, SEQUENCE_KEYS, THRESHOLD_KEYS,
};
use r53guard_kql::{Query, parse};
use std::ops::Range;
use std::time::Duration;

/// Rule types Elastic has and r53guard does not run.
const UNSUPPORTED_TYPES: &[&str] = &["esql", "threat_match", "machine_learning", "saved_query"];
const SUPPORTED: &str = "query, threshold, new_terms, sequence, and eql in the sequence form";
/// Most group-by fields in threshold and suppression (Elastic allows 3, 5 from 9.2).
pub(crate) const MAX_GROUP_BY: usize = 5;
/// Most new-terms fields.
const MAX_NEW_TERMS_FIELDS: usize = 3;

/// The rule's kind, and the span of the query text it came from (for lints).
pub(crate) struct KindRead {
    pub kind: RuleKind,
    pub query_span: Range<usize>,
}

/// Reads `type` and everything that depends on it. `look_back` is `from - to`, the default
/// threshold window. Returns the rule type as written alongside, when it is supported.
pub(crate) fn read_kind(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    look_back: Option<Duration>,
) -> (Option<String>, Option<KindRead>) {
    let Some((ty, ty_span)) = doc.required_string(rule, "type", "the rule type") else {
        return (None, None);
    };
    if UNSUPPORTED_TYPES.contains(&ty.as_str()) {
        doc.error(
            &ty_span,
            &rule.key("type"),
            format!("rule type `{ty}` is not supported by r53guard (supported: {SUPPORTED})"),
        );
        return (None, None);
    }
    if !matches!(
        ty.as_str(),
        "query" | "threshold" | "new_terms" | "eql" | "sequence"
    ) {
        doc.error(
            &ty_span,
            &rule.key("type"),
            format!("unknown rule type `{ty}` (supported: {SUPPORTED})"),
        );
        return (None, None);
    }
    for (key, owner) in [
        ("threshold", "threshold"),
        ("window", "threshold"),
        ("new_terms", "new_terms"),
        ("sequence", "sequence"),
    ] {
        if let Some(value) = rule.get(key)
            && ty != owner
        {
            doc.error(
                &value.span(),
                &rule.key(key),
                format!(
                    "`{}` is only for {owner} rules, and this rule's type is `{ty}`",
                    rule.key(key)
                ),
            );
        }
    }
    let language = doc.string(rule, "language");
    let read = match ty.as_str() {
        "eql" => read_eql(doc, rule, language),
        "sequence" => read_sequence_rule(doc, rule, language),
        _ => read_kql_kind(doc, rule, &ty, language, look_back),
    };
    (Some(ty), read)
}

fn read_kql_kind(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    ty: &str,
    language: Option<(String, Range<usize>)>,
    look_back: Option<Duration>,
) -> Option<KindRead> {
    let language_ok = check_language(doc, rule, ty, language, &["kuery"]);
    let (text, span) = doc.required_string(rule, "query", "the KQL query")?;
    let query = parse_kql(doc, &span, &rule.key("query"), &text);
    let kind = match ty {
        "threshold" => read_threshold(doc, rule, query?, text, look_back)?,
        "new_terms" => read_new_terms(doc, rule, query?, text)?,
        _ => RuleKind::Query {
            query: query?,
            text,
        },
    };
    language_ok.then_some(KindRead {
        kind,
        query_span: span,
    })
}

/// Checks `language` against the languages a type accepts (absent means the first). Reports
/// and returns false when it does not fit.
fn check_language(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    ty: &str,
    language: Option<(String, Range<usize>)>,
    accepted: &[&str],
) -> bool {
    let Some((language, span)) = language else {
        return true;
    };
    if accepted.contains(&language.as_str()) {
        return true;
    }
    let message = match language.as_str() {
        "lucene" | "esql" => format!(
            "query language `{language}` is not supported by r53guard (use KQL: `language = \"kuery\"`)"
        ),
        "kuery" | "eql" => format!(
            "`language = \"{language}\"` does not fit `type = \"{ty}\"` (expected {})",
            accepted.join(" or ")
        ),
        _ => format!(
            "unknown query language `{language}` (expected {})",
            accepted.join(" or ")
        ),
    };
    doc.error(&span, &rule.key("language"), message);
    false
}

fn parse_kql(doc: &mut Doc<'_>, span: &Range<usize>, key: &str, text: &str) -> Option<Query> {
    match parse(text) {
        Ok(query) => Some(query),
        Err(err) => {
            string_error(
                doc,
                span,
                key,
                text,
                &err,
                &format!("invalid KQL in `{key}`"),
            );
            None
        }
    }
}

fn parse_sequence(
    doc: &mut Doc<'_>,
    span: &Range<usize>,
    key: &str,
    text: &str,
) -> Option<Sequence> {
    match Sequence::parse(text) {
        Ok(sequence) => Some(sequence),
        Err(err) => {
            string_error(
                doc,
                span,
                key,
                text,
                &err,
                &format!("invalid sequence in `{key}`"),
            );
            None
        }
    }
}

fn read_eql(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    language: Option<(String, Range<usize>)>,
) -> Option<KindRead> {
    if language.is_none() {
        doc.missing(rule, "language", "`eql` for an EQL rule");
    }
    let language_ok = language.is_some() && check_language(doc, rule, "eql", language, &["eql"]);
    let (text, span) = doc.required_string(rule, "query", "the EQL sequence query")?;
    let head = text.trim_start();
    if !head
        .get(..8)
        .is_some_and(|word| word.eq_ignore_ascii_case("sequence"))
    {
        doc.error(
            &span,
            &rule.key("query"),
            "only the sequence form of EQL is supported (`sequence [by …] [with maxspan=…] [KQL] [KQL] …`, with KQL steps)",
        );
        return None;
    }
    let sequence = parse_sequence(doc, &span, &rule.key("query"), &text)?;
    language_ok.then_some(KindRead {
        kind: RuleKind::Sequence(sequence),
        query_span: span,
    })
}

fn read_sequence_rule(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    language: Option<(String, Range<usize>)>,
) -> Option<KindRead> {
    let language_ok = check_language(doc, rule, "sequence", language, &["kuery", "eql"]);
    if let Some(value) = rule.get("query") {
        doc.error(
            &value.span(),
            &rule.key("query"),
            "a sequence rule takes its query in `[rule.sequence]` (`query = \"sequence …\"`)",
        );
    }
    let Some(node) = doc.table(rule, "sequence") else {
        if !rule.has("sequence") {
            doc.missing(
                rule,
                "sequence",
                "a `[rule.sequence]` table with the sequence query",
            );
        }
        return None;
    };
    doc.check_keys(&node, SEQUENCE_KEYS, &[]);
    let (text, span) = doc.required_string(&node, "query", "the sequence query")?;
    let sequence = parse_sequence(doc, &span, &node.key("query"), &text)?;
    (language_ok && !rule.has("query")).then_some(KindRead {
        kind: RuleKind::Sequence(sequence),
        query_span: span,
    })
}

/// A required integer ≥ 1.
pub(crate) fn positive(
    doc: &mut Doc<'_>,
    node: &Node<'_, '_>,
    key: &str,
    what: &str,
) -> Option<u64> {
    if !node.has(key) {
        doc.missing(node, key, what);
        return None;
    }
    let (value, span) = doc.integer(node, key)?;
    match u64::try_from(value) {
        Ok(value) if value >= 1 => Some(value),
        _ => {
            doc.error(
                &span,
                &node.key(key),
                format!("`{}` must be at least 1, got {value}", node.key(key)),
            );
            None
        }
    }
}

/// Field names: non-empty, at most `max`, no blanks, no repeats.
pub(crate) fn check_fields(
    doc: &mut Doc<'_>,
    key: &str,
    span: &Range<usize>,
    fields: &[String],
    min: usize,
    max: usize,
) -> bool {
    let mut ok = true;
    if fields.len() < min || fields.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        doc.error(
            span,
            key,
            format!("`{key}` must list {want} fields, got {}", fields.len()),
        );
        ok = false;
    }
    for (i, field) in fields.iter().enumerate() {
        if field.trim().is_empty() {
            doc.error(span, key, format!("`{key}` contains an empty field name"));
            ok = false;
        } else if fields[..i].contains(field) {
            doc.error(span, key, format!("`{key}` lists `{field}` twice"));
            ok = false;
        }
    }
    ok
}

fn read_threshold(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    query: Query,
    text: String,
    look_back: Option<Duration>,
) -> Option<RuleKind> {
    let window = match doc.string(rule, "window") {
        Some((window, span)) => match parse_duration(&window) {
            Ok(window) => Some(window),
            Err(message) => {
                doc.error(
                    &span,
                    &rule.key("window"),
                    format!("`{}`: {message}", rule.key("window")),
                );
                None
            }
        },
        None => look_back,
    };
    let Some(node) = doc.table(rule, "threshold") else {
        if !rule.has("threshold") {
            doc.missing(
                rule,
                "threshold",
                "a `[rule.threshold]` table with `field` and `value`",
            );
        }
        return None;
    };
    doc.check_keys(&node, THRESHOLD_KEYS, &[]);
    let group_by = match doc.string_or_strings(&node, "field") {
        Some((fields, span)) => {
            check_fields(doc, &node.key("field"), &span, &fields, 0, MAX_GROUP_BY).then_some(fields)
        }
        None if node.has("field") => None,
        None => Some(Vec::new()),
    };
    let value = positive(doc, &node, "value", "the minimum number of events");
    let mut cardinality = None;
    let mut cardinality_ok = true;
    for (i, entry) in doc.tables(&node, "cardinality").into_iter().enumerate() {
        doc.check_keys(&entry, FIELD_VALUE_KEYS, &[]);
        let field = doc.required_string(
            &entry,
            "field",
            "the field whose distinct values are counted",
        );
        let count = positive(
            doc,
            &entry,
            "value",
            "the minimum number of distinct values",
        );
        if i > 0 {
            doc.warning(
                &entry.span,
                &entry.path,
                "only the first `[[rule.threshold.cardinality]]` entry is used (as in Elastic)",
            );
            continue;
        }
        match (field, count) {
            (Some((field, _)), Some(count)) if !field.trim().is_empty() => {
                cardinality = Some((field, count));
            }
            (Some((_, span)), Some(_)) => {
                doc.error(&span, &entry.key("field"), "cardinality field is empty");
                cardinality_ok = false;
            }
            _ => cardinality_ok = false,
        }
    }
    Some(RuleKind::Threshold {
        query,
        text,
        group_by: group_by?,
        value: value?,
        cardinality: cardinality_ok.then_some(cardinality)?,
        window: window?,
    })
}

fn read_new_terms(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    query: Query,
    text: String,
) -> Option<RuleKind> {
    let Some(node) = doc.table(rule, "new_terms") else {
        if !rule.has("new_terms") {
            doc.missing(rule, "new_terms", "a `[rule.new_terms]` table");
        }
        return None;
    };
    doc.check_keys(&node, NEW_TERMS_KEYS, &[]);
    if let Some((field, span)) = doc.required_string(&node, "field", "`\"new_terms_fields\"`")
        && field != "new_terms_fields"
    {
        doc.error(
            &span,
            &node.key("field"),
            format!(
                "`{}` must be \"new_terms_fields\", not {field:?}",
                node.key("field")
            ),
        );
    }
    let fields = if node.has("value") {
        doc.strings(&node, "value").and_then(|(fields, span)| {
            check_fields(
                doc,
                &node.key("value"),
                &span,
                &fields,
                1,
                MAX_NEW_TERMS_FIELDS,
            )
            .then_some(fields)
        })
    } else {
        doc.missing(&node, "value", "the new-terms fields");
        None
    };
    let windows = doc.tables(&node, "history_window_start");
    let mut history = None;
    match windows.as_slice() {
        [] if !node.has("history_window_start") => doc.missing(
            &node,
            "history_window_start",
            "a `[[rule.new_terms.history_window_start]]` entry with `value = \"now-<n><unit>\"`",
        ),
        [] => {}
        [entry] => {
            doc.check_keys(entry, FIELD_VALUE_KEYS, &[]);
            if let Some((field, span)) =
                doc.required_string(entry, "field", "`\"history_window_start\"`")
                && field != "history_window_start"
            {
                doc.error(
                    &span,
                    &entry.key("field"),
                    format!(
                        "`{}` must be \"history_window_start\", not {field:?}",
                        entry.key("field")
                    ),
                );
            }
            if let Some((value, span)) =
                doc.required_string(entry, "value", "date math like `now-10d`")
            {
                match Lookback::parse(&value) {
                    Ok(lookback) if lookback.millis() > 0 => history = Some(lookback.duration()),
                    Ok(_) => doc.error(
                        &span,
                        &entry.key("value"),
                        "the new-terms history window must reach back (`now-<n><unit>`), not `now`",
                    ),
                    Err(message) => doc.error(
                        &span,
                        &entry.key("value"),
                        format!("`{}`: {message}", entry.key("value")),
                    ),
                }
            }
        }
        [_, extra, ..] => doc.error(
            &extra.span,
            &extra.path,
            "give exactly one `[[rule.new_terms.history_window_start]]` entry",
        ),
    }
    Some(RuleKind::NewTerms {
        query,
        text,
        fields: fields?,
        history_window: history?,
    })
}
