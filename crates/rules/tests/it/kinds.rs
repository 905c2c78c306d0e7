//! Threshold, new-terms, sequence and suppression rules parse into the model with the right
//! values; `fields_read` is complete; index patterns map to data kinds.

use crate::{fixture, load, rule_text};
use r53guard_rules::{
    DataKind, Expectation, MissingFields, Rule, RuleKind, Severity, Source, load_file,
};
use std::time::Duration;

fn rule(path: &str) -> Rule {
    let loaded = load_file(&fixture(path)).unwrap_or_else(|d| panic!("{d}"));
    assert!(loaded.warnings.is_empty(), "{}", loaded.warnings);
    loaded.rule
}

fn fields(rule: &Rule) -> Vec<String> {
    rule.fields_read().into_iter().collect()
}

#[test]
fn threshold_rule() {
    let rule = rule("kinds/threshold_root_login_failures.toml");
    let RuleKind::Threshold {
        query,
        text,
        group_by,
        value,
        cardinality,
        window,
    } = &rule.kind
    else {
        panic!("{:?}", rule.kind)
    };
    assert_eq!(*query, r53guard_kql::parse(text).unwrap());
    assert_eq!(group_by, &["recipientAccountId", "awsRegion"]);
    assert_eq!(*value, 10);
    assert_eq!(cardinality, &Some(("sourceIPAddress".to_string(), 5)));
    assert_eq!(*window, Duration::from_secs(600));
    assert_eq!(rule.kind.type_name(), "threshold");
    let suppression = rule.suppression.as_ref().unwrap();
    assert!(suppression.group_by.is_empty());
    assert_eq!(suppression.duration, Some(Duration::from_secs(1800)));
    assert_eq!(rule.severity, Severity::Medium);
    assert_eq!(
        fields(&rule),
        [
            "awsRegion",
            "event.ingested",
            "eventName",
            "recipientAccountId",
            "responseElements.ConsoleLogin",
            "sourceIPAddress",
            "userIdentity.type",
        ]
    );
}

#[test]
fn threshold_window_defaults_to_the_look_back() {
    let text = rule_text(
        &[
            ("type", "\"threshold\""),
            ("from", "\"now-20m\""),
            ("to", "\"now-5m\""),
        ],
        "[rule.threshold]\nvalue = 3\n",
    );
    let rule = load(&text).unwrap().rule;
    let RuleKind::Threshold {
        window,
        group_by,
        cardinality,
        ..
    } = rule.kind
    else {
        panic!()
    };
    assert_eq!(window, Duration::from_secs(15 * 60));
    assert!(group_by.is_empty());
    assert_eq!(cardinality, None);
    let text = rule_text(
        &[("type", "\"threshold\"")],
        "[rule.threshold]\nvalue = 3\n[[rule.threshold.cardinality]]\nfield = \"a\"\nvalue = 2\n[[rule.threshold.cardinality]]\nfield = \"b\"\nvalue = 2\n",
    );
    let loaded = load(&text).unwrap();
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("only the first"))
    );
}

#[test]
fn new_terms_rule() {
    let rule = rule("kinds/new_terms_first_transfer.toml");
    let RuleKind::NewTerms {
        fields: terms,
        history_window,
        ..
    } = &rule.kind
    else {
        panic!("{:?}", rule.kind)
    };
    assert_eq!(terms, &["userIdentity.arn", "recipientAccountId"]);
    assert_eq!(*history_window, Duration::from_secs(10 * 86_400));
    assert_eq!(rule.data, [DataKind::CloudTrail]);
    assert!(rule.is_case_insensitive("eventName"));
    assert!(!rule.is_case_insensitive("eventSource"));
    assert_eq!(
        fields(&rule),
        [
            "eventName",
            "eventSource",
            "recipientAccountId",
            "userIdentity.arn"
        ]
    );
}

#[test]
fn new_terms_errors() {
    let base = |table: &str| rule_text(&[("type", "\"new_terms\"")], table);
    let cases = [
        (
            "[rule.new_terms]\nfield = \"terms\"\nvalue = [\"a\"]\n[[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-1d\"\n",
            "must be \"new_terms_fields\"",
        ),
        (
            "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"a\", \"b\", \"c\", \"d\"]\n[[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-1d\"\n",
            "must list 1 to 3 fields, got 4",
        ),
        (
            "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"a\"]\n[[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"10d\"\n",
            "is not a look-back",
        ),
        (
            "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"a\"]\n",
            "missing required key `rule.new_terms.history_window_start`",
        ),
    ];
    for (table, fragment) in cases {
        let err = crate::only_error(&base(table));
        assert!(
            err.message.contains(fragment),
            "{fragment}: {}",
            err.message
        );
    }
}

#[test]
fn sequence_rule() {
    let rule = rule("kinds/sequence_unlock_then_transfer.toml");
    let RuleKind::Sequence(sequence) = &rule.kind else {
        panic!("{:?}", rule.kind)
    };
    assert_eq!(
        sequence.by,
        ["requestParameters.domainName", "recipientAccountId"]
    );
    assert_eq!(sequence.maxspan, Some(Duration::from_secs(3600)));
    assert_eq!(sequence.steps.len(), 2);
    assert_eq!(
        sequence.steps[1],
        r53guard_kql::parse("eventSource:route53domains.amazonaws.com and eventName:TransferDomainToAnotherAwsAccount").unwrap()
    );
    assert!(sequence.until.is_some());
    assert_eq!(rule.tests.len(), 1);
    assert_eq!(rule.tests[0].expect, Expectation::Alerts(1));
    assert_eq!(rule.tests[0].events.len(), 2);
    let second: serde_json::Value = serde_json::from_str(&rule.tests[0].events[1]).unwrap();
    assert_eq!(second["requestParameters"]["accountId"], "444455556666");
    assert_eq!(
        fields(&rule),
        [
            "eventName",
            "eventSource",
            "recipientAccountId",
            "requestParameters.accountId",
            "requestParameters.domainName",
        ]
    );
}

#[test]
fn eql_rules_in_the_sequence_form() {
    let text = rule_text(
        &[
            ("type", "\"eql\""),
            ("language", "\"eql\""),
            (
                "query",
                "\"sequence by user.name [event.action:A] [event.action:B]\"",
            ),
        ],
        "",
    );
    let rule = load(&text).unwrap().rule;
    let RuleKind::Sequence(sequence) = &rule.kind else {
        panic!()
    };
    assert_eq!(sequence.by, ["user.name"]);
    assert_eq!(sequence.maxspan, None);
    assert_eq!(rule.kind.type_name(), "sequence");
    let text = rule_text(
        &[("type", "\"eql\""), ("query", "\"sequence [a:1] [b:2]\"")],
        "",
    );
    assert!(
        crate::only_error(&text)
            .message
            .contains("missing required key `rule.language`")
    );
}

#[test]
fn query_rule_with_suppression_tests_and_exceptions() {
    let rule = rule("kinds/query_with_suppression.toml");
    let suppression = rule.suppression.as_ref().unwrap();
    assert_eq!(
        suppression.group_by,
        [
            "recipientAccountId",
            "requestParameters.hostedZoneId",
            "requestParameters.vPC.vPCId"
        ]
    );
    assert_eq!(suppression.duration, Some(Duration::from_secs(3600)));
    assert_eq!(suppression.missing_fields, MissingFields::DoNotSuppress);
    assert_eq!(
        rule.tests.iter().map(|t| t.expect).collect::<Vec<_>>(),
        [Expectation::Match, Expectation::NoMatch]
    );
    assert_eq!(rule.exceptions.len(), 1);
    let summary = rule.summary.as_ref().unwrap();
    assert_eq!(
        summary.render(|f| (f == "userIdentity.arn").then(|| "arn:aws:iam::1:user/a".into())),
        "arn:aws:iam::1:user/a attached ? to ?"
    );
    assert_eq!(
        fields(&rule),
        [
            "errorCode",
            "eventName",
            "eventSource",
            "recipientAccountId",
            "requestParameters.hostedZoneId",
            "requestParameters.vPC.vPCId",
            "sourceIPAddress",
            "userIdentity.arn",
        ]
    );
}

#[test]
fn suppression_defaults_and_errors() {
    let text = rule_text(&[], "[rule.alert_suppression]\ngroup_by = [\"a\"]\n");
    let s = load(&text).unwrap().rule.suppression.unwrap();
    assert_eq!(
        (s.duration, s.missing_fields),
        (None, MissingFields::Suppress)
    );
    let cases = [
        (
            "[rule.alert_suppression]\ngroup_by = []\n",
            "must list 1 to 5 fields, got 0",
        ),
        (
            "[rule.alert_suppression]\ngroup_by = [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]\n",
            "got 6",
        ),
        (
            "[rule.alert_suppression]\ngroup_by = [\"a\"]\nmissing_fields_strategy = \"drop\"\n",
            "\"suppress\" or \"doNotSuppress\"",
        ),
        (
            "[rule.alert_suppression]\ngroup_by = [\"a\"]\n[rule.alert_suppression.duration]\nvalue = 5\nunit = \"d\"\n",
            "\"s\", \"m\" or \"h\"",
        ),
        (
            "[rule.alert_suppression]\nduration = { value = 5, unit = \"m\" }\n",
            "missing required key `rule.alert_suppression.group_by`",
        ),
    ];
    for (table, fragment) in cases {
        let err = crate::only_error(&rule_text(&[], table));
        assert!(
            err.message.contains(fragment),
            "{fragment}: {}",
            err.message
        );
    }
    let text = rule_text(
        &[("type", "\"threshold\"")],
        "[rule.threshold]\nvalue = 2\n[rule.alert_suppression]\ngroup_by = [\"a\"]\n",
    );
    assert!(
        crate::only_error(&text)
            .message
            .contains("take only `duration`")
    );
}

#[test]
fn index_patterns_map_to_data_kinds() {
    let kinds = |index: &str| {
        let text = rule_text(&[("data", ""), ("index", index)], "");
        let loaded = load(&text).unwrap();
        (loaded.rule.data, loaded.warnings.len())
    };
    use DataKind::{CloudTrail as Ct, Resolver as Rs};
    assert_eq!(kinds("[\"logs-aws.cloudtrail-*\"]"), (vec![Ct], 0));
    assert_eq!(
        kinds("[\"logs-aws.route53_resolver_logs-*\"]"),
        (vec![Rs], 0)
    );
    assert_eq!(kinds("[\"filebeat-*\"]"), (vec![Ct, Rs], 0));
    assert_eq!(kinds("[\"logs-*\"]"), (vec![Ct, Rs], 0));
    assert_eq!(kinds("[\"logs-aws*\"]"), (vec![Ct, Rs], 0));
    assert_eq!(kinds("[\"winlogbeat-*\"]"), (vec![Ct, Rs], 1));
    assert_eq!(
        kinds("[\"*cloudtrail*\", \"*route53*resolver*\"]"),
        (vec![Ct, Rs], 0)
    );

    let text = rule_text(&[("data", "[\"resolver\", \"resolver\"]")], "");
    assert_eq!(load(&text).unwrap().rule.data, [Rs]);
    let text = rule_text(&[("index", "[\"logs-*\"]")], "");
    assert!(
        crate::only_error(&text)
            .message
            .contains("give `rule.data` or `rule.index`, not both")
    );
    let text = rule_text(&[("data", "[\"vpcflow\"]")], "");
    assert!(
        crate::only_error(&text)
            .message
            .contains("unknown data kind \"vpcflow\"")
    );
}

#[test]
fn fields_read_covers_nested_and_wildcard_queries() {
    let text = rule_text(
        &[
            (
                "query",
                "\"answers:{ Rdata:1.2.3.4 and Type:A } and user.*:bob and not query_name:*.example.com\"",
            ),
            ("case_insensitive_fields", "[\"query_name\"]"),
        ],
        "",
    );
    let rule = load(&text).unwrap().rule;
    assert_eq!(
        fields(&rule),
        ["answers.Rdata", "answers.Type", "query_name", "user.*"]
    );
    assert_eq!(rule.source, Source::Path(crate::INLINE.into()));
}
