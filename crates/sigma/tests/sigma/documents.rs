//! Documents: correlations (every type, group-by, timespan, conditions, aliases, chains),
//! filters applied to rules, the DNS rate rules rewritten as correlations, and diagnostics that
//! name the file, the document and the problem.

use crate::common::{ct_record, here, mapping, matches_rule, set};
use r53guard_sigma::diagnostics::Level;
use r53guard_sigma::{CorrelationKind, CountOp, SigmaSet, Target};
use serde_json::json;

const BASE: &str = "title: Failed console login
name: failed_login
id: 9a8b7c6d-0000-4000-8000-000000000001
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: ConsoleLogin
        errorMessage: Failed authentication
    condition: selection
---
title: Successful console login
name: good_login
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Success
    condition: selection
";

#[test]
fn correlation_types_and_fields() {
    let text = format!(
        "{BASE}---
title: Many failed logins
name: many_failed
correlation:
    type: event_count
    rules: [9a8b7c6d-0000-4000-8000-000000000001]
    group-by: [sourceIPAddress, userIdentity.arn]
    timespan: 10m
    condition: {{gte: 10}}
level: high
---
title: Sprayed users
correlation:
    type: value_count
    rules: failed_login
    group-by: [sourceIPAddress]
    timespan: 1h
    condition:
        field: userIdentity.userName
        gt: 5
        lte: 100
---
title: Failure then success
correlation:
    type: temporal_ordered
    rules: [many_failed, good_login]
    group-by: [user]
    timespan: 1h
    aliases:
        user:
            failed_login: userIdentity.userName
            good_login: userIdentity.arn
generate: true
---
title: Both kinds
correlation:
    type: temporal
    rules: [failed_login, good_login]
    timespan: 2d
    condition: {{eq: 2}}
"
    );
    let s = set(&text);
    assert_eq!(s.rules.len(), 2);
    assert_eq!(s.correlations.len(), 4);

    let c = &s.correlations[0];
    assert_eq!(c.kind, CorrelationKind::EventCount);
    assert_eq!(c.name.as_deref(), Some("many_failed"));
    assert_eq!(c.targets, [Target::Rule(0)]);
    assert_eq!(c.group_by, ["sourceIPAddress", "userIdentity.arn"]);
    assert_eq!(c.timespan_ms, 600_000);
    assert_eq!(
        c.condition.as_ref().map(|c| c.bounds.clone()),
        Some(vec![(CountOp::Gte, 10)])
    );
    assert!(!c.accepts(9) && c.accepts(10));
    assert_eq!(
        c.level.map(|l| l.severity()),
        Some(r53guard_alert::Severity::High)
    );
    assert!(!c.generate);

    let c = &s.correlations[1];
    assert_eq!(c.kind, CorrelationKind::ValueCount);
    assert_eq!(c.targets, [Target::Rule(0)]);
    let cond = c.condition.as_ref().expect("condition");
    assert_eq!(cond.fields, ["userIdentity.userName"]);
    assert_eq!(cond.bounds, [(CountOp::Gt, 5), (CountOp::Lte, 100)]);
    assert!(!c.accepts(5) && c.accepts(6) && c.accepts(100) && !c.accepts(101));
    assert_eq!(c.timespan_ms, 3_600_000);

    // A chain: the ordered correlation uses another correlation and a rule.
    let c = &s.correlations[2];
    assert_eq!(c.kind, CorrelationKind::TemporalOrdered);
    assert_eq!(c.targets, [Target::Correlation(0), Target::Rule(1)]);
    assert!(c.generate);
    assert_eq!(c.aliases.len(), 1);
    assert_eq!(
        c.group_field("user", "failed_login"),
        "userIdentity.userName"
    );
    assert_eq!(c.group_field("user", "good_login"), "userIdentity.arn");
    assert_eq!(c.group_field("other", "good_login"), "other");
    // Without a condition, a temporal correlation needs every rule.
    assert!(!c.accepts(1) && c.accepts(2));

    let c = &s.correlations[3];
    assert_eq!(c.kind, CorrelationKind::Temporal);
    assert!(c.group_by.is_empty());
    assert_eq!(c.timespan_ms, 2 * 86_400_000);

    assert_eq!(
        s.correlation("many_failed").map(|c| c.title.as_str()),
        Some("Many failed logins")
    );
    // Rule 0 is only used by correlations without `generate`; rule 1 by one with it.
    assert!(!s.emits_alerts(0));
    assert!(s.emits_alerts(1));
}

#[test]
fn correlation_problems_are_reported() {
    let bad = [
        (
            "type: value_sum\n    rules: [failed_login]\n    timespan: 1m\n    condition: {gt: 1, field: x}",
            Level::Unsupported,
            "value_sum",
        ),
        (
            "type: value_percentile\n    rules: [failed_login]\n    timespan: 1m\n    condition: {gt: 1}",
            Level::Unsupported,
            "value_percentile",
        ),
        (
            "type: event_count\n    rules: [nope]\n    timespan: 1m\n    condition: {gt: 1}",
            Level::Error,
            "`nope`",
        ),
        (
            "type: event_count\n    rules: [failed_login]\n    condition: {gt: 1}",
            Level::Error,
            "timespan",
        ),
        (
            "type: event_count\n    rules: [failed_login]\n    timespan: 5 minutes\n    condition: {gt: 1}",
            Level::Error,
            "bad timespan",
        ),
        (
            "type: event_count\n    rules: [failed_login]\n    timespan: 1m",
            Level::Error,
            "needs a `condition`",
        ),
        (
            "type: value_count\n    rules: [failed_login]\n    timespan: 1m\n    condition: {gt: 1}",
            Level::Error,
            "condition.field",
        ),
        (
            "type: event_count\n    rules: [failed_login]\n    timespan: 1m\n    condition: {most: 1}",
            Level::Error,
            "unknown condition",
        ),
        (
            "type: event_count\n    rules: [failed_login]\n    timespan: 1m\n    condition: {gt: -1}",
            Level::Error,
            "non-negative",
        ),
        (
            "type: sometimes\n    rules: [failed_login]\n    timespan: 1m",
            Level::Error,
            "unknown correlation type",
        ),
    ];
    for (body, level, needle) in bad {
        let text = format!("{BASE}---\ntitle: broken\ncorrelation:\n    {body}\n");
        let s = SigmaSet::load([("corr.yml", text.as_str())]);
        assert_eq!(s.rules.len(), 2, "{body}");
        assert!(s.correlations.is_empty(), "{body}");
        assert_eq!(s.diagnostics.len(), 1, "{body}: {:#?}", s.diagnostics);
        let d = &s.diagnostics[0];
        assert_eq!(d.level, level, "{body}");
        assert!(d.message.contains(needle), "{body}: {}", d.message);
        assert_eq!((d.origin.file.as_str(), d.origin.document), ("corr.yml", 3));
        assert_eq!(d.title.as_deref(), Some("broken"));
    }
    // A cycle of correlations is refused.
    let text = "title: a\nname: a\ncorrelation: {type: temporal, rules: [b], timespan: 1m}\n---\n\
                title: b\nname: b\ncorrelation: {type: temporal, rules: [a], timespan: 1m}\n";
    let s = SigmaSet::load([("cycle.yml", text)]);
    assert!(s.correlations.is_empty());
    assert_eq!(s.diagnostics.len(), 2);
    assert!(s.diagnostics.iter().all(|d| d.message.contains("itself")));
}

/// The old `count()` DNS rate rules, rewritten as correlation documents (fixture with
/// attribution), parse into the expected model.
#[test]
fn the_dns_rate_rules_rewritten_as_correlations() {
    let text = std::fs::read_to_string(here("tests/fixtures/correlations/dns_rate_rules.yml"))
        .expect("fixture");
    let s = set(&text);
    let names: Vec<_> = s
        .rules
        .iter()
        .map(|r| r.name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(names, ["dns_txt_query", "dns_null_query", "dns_any_query"]);
    let summary: Vec<_> = s
        .correlations
        .iter()
        .map(|c| {
            let cond = c.condition.clone().expect("condition");
            (
                c.title.as_str(),
                c.kind,
                c.targets.clone(),
                c.group_by.clone(),
                c.timespan_ms,
                cond.bounds,
                cond.fields,
            )
        })
        .collect();
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        summary,
        [
            (
                "High TXT Records Requests Rate",
                CorrelationKind::EventCount,
                vec![Target::Rule(0)],
                strs(&["src_ip"]),
                60_000,
                vec![(CountOp::Gt, 50)],
                vec![]
            ),
            (
                "High NULL Records Requests Rate",
                CorrelationKind::EventCount,
                vec![Target::Rule(1)],
                strs(&["src_ip"]),
                60_000,
                vec![(CountOp::Gt, 50)],
                vec![]
            ),
            (
                "High DNS Requests Rate",
                CorrelationKind::EventCount,
                vec![Target::Rule(2)],
                strs(&["src_ip"]),
                60_000,
                vec![(CountOp::Gt, 1000)],
                vec![]
            ),
            (
                "Many Distinct Names Under One Registered Domain",
                CorrelationKind::ValueCount,
                vec![Target::Rule(2)],
                strs(&["dns.question.registered_domain"]),
                900_000,
                vec![(CountOp::Gt, 200)],
                strs(&["query"]),
            ),
        ]
    );
    // Attribution is kept on every document.
    assert!(s.rules.iter().all(|r| r.author.is_some()));
    assert!(s.correlations.iter().all(|c| c.author.is_some()));
    // The base rules map onto Resolver records: `record_type` is `query_type`.
    let m = mapping();
    let txt = json!({"query_timestamp": "2024-05-01T10:00:00Z", "query_name": "a.example.", "query_type": "TXT", "srcaddr": "10.0.0.9"});
    assert!(matches_rule(&s.rules[0], &m, &txt));
    assert!(!matches_rule(&s.rules[1], &m, &txt));
    assert!(matches_rule(&s.rules[2], &m, &txt));
    // The base rules do not alert on their own (the correlations have no `generate`).
    assert!((0..3).all(|i| !s.emits_alerts(i)));
}

#[test]
fn filters_apply_to_the_rules_they_list() {
    let text = "title: Root usage
id: 11111111-2222-4333-8444-555555555555
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        userIdentity.type: Root
    condition: selection
---
title: Unrelated
name: unrelated
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        userIdentity.type: Root
    condition: selection
---
title: Break-glass automation is expected
logsource: {product: aws, service: cloudtrail}
filter:
    rules:
        - 11111111-2222-4333-8444-555555555555
    selection:
        sourceIPAddress|cidr: 198.51.100.0/24
    selection_agent:
        userAgent|startswith: 'breakglass/'
    condition: selection and selection_agent
";
    let s = set(text);
    assert_eq!(s.filters.len(), 1);
    assert_eq!(s.filters[0].rules, ["11111111-2222-4333-8444-555555555555"]);
    assert_eq!(s.rules[0].filters.len(), 1);
    assert!(s.rules[1].filters.is_empty());
    let m = mapping();
    let automation = ct_record(json!({
        "userIdentity": {"type": "Root"},
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "breakglass/1.0"
    }));
    let human = ct_record(json!({
        "userIdentity": {"type": "Root"},
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "Mozilla/5.0"
    }));
    // rule and not filter
    assert!(!matches_rule(&s.rules[0], &m, &automation));
    assert!(matches_rule(&s.rules[0], &m, &human));
    assert!(matches_rule(&s.rules[1], &m, &automation));
    // A filter naming a rule that is not in the set is reported, not silently dropped.
    let s = SigmaSet::load([(
        "mf.yml",
        "title: f\nlogsource: {product: aws}\nfilter:\n    rules: [missing-rule]\n    selection: {a: 1}\n    condition: selection\n",
    )]);
    assert_eq!(s.diagnostics.len(), 1);
    assert_eq!(s.diagnostics[0].level, Level::Warning);
    assert_eq!(s.problems(Level::Error).count(), 0);
    assert!(s.diagnostics[0].message.contains("missing-rule"));
}

#[test]
fn diagnostics_name_the_file_the_document_and_the_problem() {
    let text = "title: good one
logsource: {product: aws, service: cloudtrail}
detection: {sel: {eventName: A}, condition: sel}
---
title: broken yaml
detection: [
---
title: no logsource
detection: {sel: {eventName: A}, condition: sel}
---
title: bad modifier
logsource: {product: aws, service: cloudtrail}
detection: {sel: {eventName|sometimes: A}, condition: sel}
---
just a string
---
title: old style
action: global
---
title: second good one
logsource: {category: dns}
detection: {sel: {query: x}, condition: sel}
";
    let s = SigmaSet::load([("rules/mixed.yml", text)]);
    assert_eq!(s.rules.len(), 2);
    let got: Vec<(usize, usize, Level, bool)> = s
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.origin.document,
                d.origin.line,
                d.level,
                d.origin.file == "rules/mixed.yml",
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (2, 4, Level::Error, true),
            (3, 7, Level::Error, true),
            (4, 10, Level::Error, true),
            (5, 14, Level::Error, true),
            (6, 16, Level::Unsupported, true),
        ]
    );
    let messages: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages[0].starts_with("invalid YAML: line "),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("logsource"));
    assert!(messages[2].contains("unknown modifier `sometimes`"));
    assert!(messages[3].contains("mapping"));
    assert!(messages[4].contains("action: global"));
    let shown = s.diagnostics[2].to_string();
    assert!(
        shown.starts_with("rules/mixed.yml: document 4 (line 10): error in \"bad modifier\": "),
        "{shown}"
    );
}

#[test]
fn rule_metadata_is_read() {
    let s = set("title: Meta
id: 2a795d0d-40b4-46bf-94a7-0d3eddc10ac8
name: meta_rule
status: experimental
description: A rule with everything.
references:
    - https://example.invalid/a
author: A. Author, B. Author
date: 2024-01-02
modified: 2024-02-03
tags: [attack.t1098, attack.persistence]
logsource: {product: aws, service: cloudtrail, definition: management events}
detection: {sel: {eventName: A}, condition: sel}
falsepositives: Admins
fields: [eventName, userIdentity.arn]
related:
    - id: 0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2
      type: similar
license: DRL-1.1
level: critical
x-custom: kept
");
    let r = &s.rules[0];
    assert_eq!(r.name.as_deref(), Some("meta_rule"));
    assert_eq!(r.status, Some(r53guard_sigma::Status::Experimental));
    assert_eq!(r.author.as_deref(), Some("A. Author, B. Author"));
    assert_eq!(r.date.as_deref(), Some("2024-01-02"));
    assert_eq!(r.modified.as_deref(), Some("2024-02-03"));
    assert_eq!(r.tags, ["attack.t1098", "attack.persistence"]);
    assert_eq!(r.logsource.definition.as_deref(), Some("management events"));
    assert_eq!(r.falsepositives, ["Admins"]);
    assert_eq!(r.fields, ["eventName", "userIdentity.arn"]);
    assert_eq!(r.related[0].kind, "similar");
    assert_eq!(r.license.as_deref(), Some("DRL-1.1"));
    assert_eq!(r.severity(), r53guard_alert::Severity::Critical);
    assert_eq!(r.custom.len(), 1);
    assert_eq!(r.custom[0].0, "x-custom");
    assert_eq!(r.origin.document, 1);
}

proptest::proptest! {
    /// Whatever the text, loading reports problems instead of panicking, and each diagnostic
    /// points at a line of the input (the `sigma_parse` fuzz target checks the same on bytes).
    #[test]
    fn loading_arbitrary_text_never_panics(
        text in "(title: x\n|logsource: \\{product: aws\\}\n|detection:\n|    sel:\n|        [a-z|.*]{1,12}: ['a-z*?\\\\%]{0,6}\n|    condition: [a-z0-9 ()|*]{0,20}\n|---\n|correlation: \\{type: event_count\\}\n|- \n|: \n|\\[|\\{|'|\"|&a |\\*a |!!binary |\t){0,40}"
    ) {
        let s = SigmaSet::load([("any.yml", text.as_str())]);
        let lines = text.lines().count().max(1);
        for d in &s.diagnostics {
            proptest::prop_assert!(d.origin.document >= 1 && d.origin.line >= 1 && d.origin.line <= lines, "{d}");
        }
        let m = mapping();
        for r in &s.rules {
            let _ = r53guard_sigma::CompiledSigma::compile(r, &m, &mut r53guard_event::Schema::new());
        }
    }
}
