//! The reference Elastic rule (v207) in detection-rules' exact layout loads without edits,
//! and the provider lint catches its bug.

use crate::{fixture, load, rule_text};
use r53guard_rules::{DataKind, Level, Lookback, Maturity, RuleKind, Severity, Source, load_file};
use std::time::Duration;

const V207_QUERY: &str = "event.dataset:aws.cloudtrail and event.provider:route53.amazonaws.com and event.action:TransferDomainToAnotherAwsAccount and event.outcome:success";

#[test]
fn v207_loads_without_edits() {
    let path = fixture("elastic/route53_domain_transferred_v207.toml");
    let loaded = load_file(&path).unwrap_or_else(|d| panic!("{d}"));
    let rule = &loaded.rule;
    assert_eq!(rule.rule_id, "2045567e-b0af-444a-8c0b-0b6e2dae9e13");
    assert_eq!(
        rule.name,
        "AWS Route 53 Domain Transferred to Another Account"
    );
    assert_eq!(rule.version, 207);
    assert_eq!(rule.severity, Severity::Low);
    assert_eq!(rule.risk_score, 21);
    assert_eq!(rule.interval, Duration::from_secs(600));
    assert_eq!(rule.from, Lookback::parse("now-60m").unwrap());
    assert_eq!(rule.from.millis(), 3_600_000);
    assert_eq!(rule.to, Lookback::now());
    assert_eq!(rule.max_signals, 100);
    assert_eq!(rule.timestamp_override.as_deref(), Some("event.ingested"));
    assert!(!rule.timestamp_override_fallback_disabled);
    assert_eq!(rule.author, ["Elastic", "Austin Songer"]);
    assert_eq!(rule.license.as_deref(), Some("Elastic License v2"));
    assert!(
        rule.note
            .as_deref()
            .unwrap()
            .starts_with("## Triage and analysis")
    );
    assert_eq!(rule.false_positives.len(), 1);
    assert_eq!(rule.tags.len(), 7);
    assert!(rule.tags.contains(&"Data Source: AWS Route53".to_string()));
    assert!(rule.enabled);
    // filebeat-* covers both kinds; logs-aws.cloudtrail-* only CloudTrail.
    assert_eq!(rule.data, [DataKind::CloudTrail, DataKind::Resolver]);
    assert_eq!(rule.source, Source::Path(path.clone()));

    let RuleKind::Query { query, text } = &rule.kind else {
        panic!("not a query rule: {:?}", rule.kind)
    };
    assert_eq!(text.trim(), V207_QUERY);
    assert_eq!(*query, r53guard_kql::parse(V207_QUERY).unwrap());

    assert_eq!(rule.threat.len(), 2);
    let persistence = &rule.threat[0];
    assert_eq!(persistence.framework, "MITRE ATT&CK");
    assert_eq!(persistence.tactic.id, "TA0003");
    assert_eq!(persistence.tactic.name, "Persistence");
    assert_eq!(
        persistence.tactic.reference,
        "https://attack.mitre.org/tactics/TA0003/"
    );
    assert_eq!(persistence.techniques.len(), 1);
    assert_eq!(persistence.techniques[0].id, "T1098");
    assert_eq!(persistence.techniques[0].name, "Account Manipulation");
    assert!(persistence.techniques[0].subtechniques.is_empty());
    assert_eq!(rule.threat[1].tactic.id, "TA0006");
    assert!(rule.threat[1].techniques.is_empty());

    let meta = &rule.meta;
    assert_eq!(meta.creation_date.unwrap().to_string(), "2021/05/10");
    assert_eq!(meta.updated_date.unwrap().to_string(), "2024/05/21");
    assert_eq!(meta.maturity, Some(Maturity::Production));
    assert_eq!(meta.integration, ["aws"]);
    assert_eq!(meta.min_stack_version.as_deref(), Some("8.13.0"));

    let fields = rule.fields_read();
    let want = [
        "event.action",
        "event.dataset",
        "event.ingested",
        "event.outcome",
        "event.provider",
    ];
    assert_eq!(fields.iter().map(String::as_str).collect::<Vec<_>>(), want);
}

#[test]
fn v207_provider_lint_warns() {
    let path = fixture("elastic/route53_domain_transferred_v207.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = load_file(&path).unwrap();
    let warnings: Vec<_> = loaded.warnings.iter().collect();
    assert_eq!(warnings.len(), 1, "{}", loaded.warnings);
    let warning = warnings[0];
    assert_eq!(warning.severity, Level::Warning);
    assert_eq!(warning.key.as_deref(), Some("rule.query"));
    assert_eq!(
        warning.line,
        Some(crate::line_of(&text, "event.dataset:aws.cloudtrail"))
    );
    assert!(
        warning
            .message
            .contains("TransferDomainToAnotherAwsAccount"),
        "{}",
        warning.message
    );
    assert!(
        warning.message.contains("route53domains.amazonaws.com"),
        "{}",
        warning.message
    );
    assert!(warning.message.contains("v207"), "{}", warning.message);
    let shown = warning.to_string();
    assert!(
        shown.starts_with(&format!("{}:58: warning: ", path.display())),
        "{shown}"
    );
}

#[test]
fn corrected_copy_loads_clean() {
    let loaded = load_file(&fixture("elastic/route53_domain_transferred_fixed.toml"))
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(loaded.warnings.is_empty(), "{}", loaded.warnings);
    assert_eq!(loaded.rule.version, 207);
}

#[test]
fn accepted_unused_keys_and_transform_load() {
    let text = format!(
        "[metadata]\ncreation_date = \"2024/01/02\"\nupdated_date = \"2024/02/03\"\nbypass_bbr_timing = true\nmin_stack_comments = \"x\"\n\n{}",
        rule_text(
            &[
                ("building_block_type", "\"default\""),
                ("rule_name_override", "\"user.name\""),
                (
                    "risk_score_mapping",
                    "[{ field = \"x\", operator = \"equals\", value = \"\" }]"
                ),
                (
                    "severity_mapping",
                    "[{ field = \"x\", operator = \"equals\", value = \"y\", severity = \"high\" }]"
                ),
                ("investigation_fields", "{ field_names = [\"user.name\"] }"),
                (
                    "related_integrations",
                    "[{ package = \"aws\", version = \"^2.0.0\" }]"
                ),
                (
                    "required_fields",
                    "[{ name = \"event.action\", type = \"keyword\", ecs = true }]"
                ),
                ("exceptions_list", "[]"),
                ("actions", "[]"),
                ("throttle", "\"no_actions\""),
                ("timestamp_override_fallback_disabled", "true"),
                ("enabled", "false"),
                ("setup", "\"Enable CloudTrail.\""),
            ],
            "\n[[transform.investigate]]\nlabel = \"Alerts for the user\"\nproviders = []\n",
        )
    );
    let loaded = load(&text).unwrap_or_else(|d| panic!("{d}"));
    assert!(loaded.rule.timestamp_override_fallback_disabled);
    assert!(!loaded.rule.enabled);
    assert_eq!(loaded.rule.setup.as_deref(), Some("Enable CloudTrail."));
    assert_eq!(loaded.rule.version, 1);
}
