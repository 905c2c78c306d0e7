//! Embedded tests (`[[rule.tests]]`): a name, an expectation and the events, each a JSON
//! record in real AWS format written as a TOML string.
//!
//! `expect = "match" | "no_match"` is for query rules; `alerts = N` works for every rule
//! type. Exactly one of the two is given. Every event must parse as a JSON object; a broken
//! one is reported with its test's name, its position, and serde_json's line and column
//! inside the event text.

use crate::model::{Expectation, RuleTest};
use crate::toml_schema::{Doc, Node, TEST_KEYS};
use toml::de::DeValue;

/// Reads every `[[rule.tests]]` table. `is_query_rule` allows `expect`.
pub(crate) fn read_tests(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    is_query_rule: bool,
) -> Vec<RuleTest> {
    let mut tests: Vec<RuleTest> = Vec::new();
    for node in doc.tables(rule, "tests") {
        doc.check_keys(&node, TEST_KEYS, &[]);
        let name = doc.required_string(&node, "name", "a name for the test");
        let label = name
            .as_ref()
            .map_or_else(|| node.path.clone(), |(name, _)| format!("test `{name}`"));
        let expect = read_expectation(doc, &node, is_query_rule, &label);
        let events = read_events(doc, &node, &label);
        let Some((name, span)) = name else { continue };
        if tests.iter().any(|t| t.name == name) {
            doc.error(
                &span,
                &node.key("name"),
                format!("two tests are named `{name}`"),
            );
            continue;
        }
        if let (Some(expect), Some(events)) = (expect, events) {
            tests.push(RuleTest {
                name,
                expect,
                events,
            });
        }
    }
    tests
}

fn read_expectation(
    doc: &mut Doc<'_>,
    node: &Node<'_, '_>,
    is_query_rule: bool,
    label: &str,
) -> Option<Expectation> {
    match (node.has("expect"), node.has("alerts")) {
        (true, true) => {
            doc.error(
                &node.span,
                &node.key("expect"),
                format!("{label}: give `expect` or `alerts`, not both"),
            );
            None
        }
        (false, false) => {
            doc.missing(
                node,
                "expect",
                "`expect = \"match\"|\"no_match\"` or `alerts = N`",
            );
            None
        }
        (true, false) => {
            let (value, span) = doc.string(node, "expect")?;
            if !is_query_rule {
                doc.error(
                    &span,
                    &node.key("expect"),
                    format!("{label}: `expect` is only for query rules; use `alerts = N`"),
                );
                return None;
            }
            match value.as_str() {
                "match" => Some(Expectation::Match),
                "no_match" => Some(Expectation::NoMatch),
                _ => {
                    doc.error(
                        &span,
                        &node.key("expect"),
                        format!(
                            "{label}: `expect` must be \"match\" or \"no_match\", not {value:?}"
                        ),
                    );
                    None
                }
            }
        }
        (false, true) => {
            let (count, span) = doc.integer(node, "alerts")?;
            match u32::try_from(count) {
                Ok(count) => Some(Expectation::Alerts(count)),
                Err(_) => {
                    doc.error(
                        &span,
                        &node.key("alerts"),
                        format!("{label}: `alerts` must be a count ≥ 0, not {count}"),
                    );
                    None
                }
            }
        }
    }
}

fn read_events(doc: &mut Doc<'_>, node: &Node<'_, '_>, label: &str) -> Option<Vec<String>> {
    if !node.has("events") {
        doc.missing(node, "events", "a list of JSON records");
        return None;
    }
    let (texts, span) = doc.strings(node, "events")?;
    if texts.is_empty() {
        doc.error(
            &span,
            &node.key("events"),
            format!("{label}: `events` is empty"),
        );
        return None;
    }
    let spans: Vec<_> = match node.get("events").map(|v| v.get_ref()) {
        Some(DeValue::Array(items)) => items.iter().map(|item| item.span()).collect(),
        _ => Vec::new(),
    };
    let mut events = Vec::with_capacity(texts.len());
    let mut ok = true;
    for (i, text) in texts.iter().enumerate() {
        let at = spans.get(i).unwrap_or(&span);
        let key = format!("{}[{i}]", node.key("events"));
        // Checked without building the value: loading the pack for a hunt reads every test.
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) if text.trim_start().starts_with('{') => events.push(text.clone()),
            Ok(_) => {
                doc.error(
                    at,
                    &key,
                    format!(
                        "{label}: event {} is JSON but not an object (a record)",
                        i + 1
                    ),
                );
                ok = false;
            }
            Err(err) => {
                doc.error(
                    at,
                    &key,
                    format!("{label}: event {} is not valid JSON: {err}", i + 1),
                );
                ok = false;
            }
        }
    }
    ok.then_some(events)
}
