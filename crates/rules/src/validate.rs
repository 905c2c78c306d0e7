//! Checks that look at more than one key: the severity/risk-score band, the provider lint,
//! and the checks across a set of files (duplicate rule ids, value-list references, shared
//! exceptions naming rules that are not loaded).

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::exceptions::{RuleScope, SharedException};
use crate::lint::provider_mismatches;
use crate::lists::ValueList;
use crate::model::{Rule, RuleKind, Severity};
use crate::toml_schema::Doc;
use std::collections::BTreeMap;
use std::ops::Range;

/// Warns when `risk_score` lies outside Elastic's band for `severity`.
pub(crate) fn severity_band(doc: &mut Doc<'_>, severity: Severity, risk: u8, span: &Range<usize>) {
    let band = severity.risk_band();
    if !band.contains(&risk) {
        doc.warning(
            span,
            "rule.risk_score",
            format!(
                "risk_score {risk} is outside the {} band {}–{} (Elastic bands: low 0–21, medium 22–47, high 48–73, critical 74–100)",
                severity.as_str(),
                band.start(),
                band.end()
            ),
        );
    }
}

/// Warns for every action paired with a provider that does not log it.
pub(crate) fn provider_lint(
    doc: &mut Doc<'_>,
    kind: &RuleKind,
    query_key: &str,
    span: &Range<usize>,
) {
    for query in kind.queries() {
        for mismatch in provider_mismatches(query) {
            // Point at the action in the file when it can be found there.
            let at = doc.text[span.clone()]
                .find(&mismatch.action)
                .map_or(span.clone(), |i| span.start + i..span.start + i);
            doc.warning(&at, query_key, mismatch.message());
        }
    }
}

/// An error for a rule whose id is already taken by `first`.
pub(crate) fn duplicate_rule_id(rule: &Rule, first: &Rule) -> Diagnostic {
    Diagnostic::error(
        rule.source.to_string(),
        format!(
            "duplicate rule_id `{}`: already used by {} (\"{}\")",
            rule.rule_id, first.source, first.name
        ),
    )
    .with_key("rule.rule_id")
}

/// Errors for value lists that exceptions refer to but are not loaded, and warnings for
/// shared exceptions naming rule ids that are not loaded.
pub(crate) fn references(
    rules: &[Rule],
    shared: &[SharedException],
    lists: &BTreeMap<String, ValueList>,
) -> Diagnostics {
    let mut out = Diagnostics::new();
    let unknown_list = |id: &str| {
        format!(
            "unknown value list `{id}` (loaded lists: {})",
            if lists.is_empty() {
                "none".to_string()
            } else {
                lists
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )
    };
    for rule in rules {
        for (i, l) in rule.lists.iter().enumerate() {
            if !lists.contains_key(&l.list) {
                out.push(
                    Diagnostic::error(rule.source.to_string(), unknown_list(&l.list))
                        .with_key(format!("rule.lists[{i}]")),
                );
            }
        }
        for (i, item) in rule.exceptions.iter().enumerate() {
            for id in item.list_ids().filter(|id| !lists.contains_key(*id)) {
                out.push(
                    Diagnostic::error(rule.source.to_string(), unknown_list(id))
                        .with_key(format!("rule.exceptions[{i}]")),
                );
            }
        }
    }
    for exception in shared {
        for id in exception
            .item
            .list_ids()
            .filter(|id| !lists.contains_key(*id))
        {
            out.push(
                Diagnostic::error(&exception.source, unknown_list(id))
                    .at_line(Some(exception.line)),
            );
        }
        if let RuleScope::Ids(ids) = &exception.rule_ids {
            for id in ids
                .iter()
                .filter(|id| !rules.iter().any(|r| &r.rule_id == *id))
            {
                out.push(
                    Diagnostic::warning(
                        &exception.source,
                        format!(
                            "exception `{}` names rule_id `{id}`, which is not loaded",
                            exception.item.description
                        ),
                    )
                    .at_line(Some(exception.line)),
                );
            }
        }
    }
    out
}
