//! r53guard rule files: the model, loading and validation.
//!
//! A rule file is TOML in the layout of Elastic's detection-rules repository, so an Elastic
//! `query` rule loads without edits, plus a few r53guard extensions. This crate parses rule
//! files, shared exception files and value lists into a typed, validated [`Rule`] model that
//! the engine compiles; it does no detection itself.
//!
//! ```
//! use r53guard_rules::{load_str, RuleKind, Severity, Source};
//!
//! let text = r#"
//! [rule]
//! rule_id = "r53g-example"
//! name = "Route 53 domain transfer lock disabled"
//! description = "A domain's transfer lock was turned off."
//! author = ["r53guard"]
//! type = "query"
//! data = ["cloudtrail"]
//! severity = "high"
//! risk_score = 73
//! query = "eventSource:route53domains.amazonaws.com and eventName:DisableDomainTransferLock"
//! case_insensitive_fields = ["eventName"]
//! summary = "{userIdentity.arn} unlocked {requestParameters.domainName}"
//! "#;
//! let loaded = load_str(text, Source::Builtin("example.toml".into())).map_err(|d| d.to_string())?;
//! assert_eq!(loaded.rule.severity, Severity::High);
//! assert!(matches!(loaded.rule.kind, RuleKind::Query { .. }));
//! assert!(loaded.rule.fields_read().contains("requestParameters.domainName"));
//! assert!(loaded.warnings.is_empty());
//! # Ok::<(), String>(())
//! ```
//!
//! # File layout
//!
//! A rule file has up to three top-level tables, and nothing else:
//!
//! * `[metadata]` (optional): bookkeeping, as in detection-rules.
//! * `[rule]` (required): the rule.
//! * `[transform]` (optional): Elastic's investigation-guide transforms; accepted and ignored.
//!
//! Unknown keys anywhere are errors naming the key and its line (with a "did you mean"
//! hint for near misses). Keys Elastic uses that r53guard does not act on are accepted and
//! ignored; they are listed as *accepted, not used* below.
//!
//! ## `[metadata]`
//!
//! | key | value |
//! |---|---|
//! | `creation_date`, `updated_date` | `YYYY/MM/DD`; both required when `[metadata]` is present |
//! | `deprecation_date` | `YYYY/MM/DD` |
//! | `maturity` | `development`, `experimental`, `beta`, `production` or `deprecated` |
//! | `integration` | a string or a list of strings |
//! | `min_stack_version`, `comments` | strings |
//!
//! Accepted, not used: `min_stack_comments`, `bypass_bbr_timing`, `os_type_list`,
//! `query_schema_validation`, `related_endpoint_rules`, `promotion`.
//!
//! ## `[rule]`: common keys
//!
//! | key | value | default / check |
//! |---|---|---|
//! | `rule_id` | string | required; non-empty, no whitespace (Elastic uses UUIDs) |
//! | `name`, `description` | strings | required, non-empty |
//! | `author` | list of strings | required, at least one |
//! | `type` | `query`, `threshold`, `new_terms`, `sequence`, `eql` | required; see [Rule types](#rule-types) |
//! | `language` | `kuery` (or `eql`, see below) | optional; `kuery` assumed |
//! | `query` | KQL | required for `query`, `threshold`, `new_terms`, `eql` |
//! | `index` | list of index patterns | this **or** `data`; mapped to record kinds, see [Index patterns](#index-patterns) |
//! | `data` | `["cloudtrail"]`, `["resolver"]` or both | r53guard extension: this **or** `index` |
//! | `severity` | `low`, `medium`, `high`, `critical` | required |
//! | `risk_score` | integer 0–100 | required; a value outside the severity's band is a warning |
//! | `interval` | duration | `5m` |
//! | `from` | look-back | `now-6m`; must be earlier than `to` |
//! | `to` | look-back | `now` |
//! | `max_signals` | integer ≥ 1 | 100 |
//! | `timestamp_override` | field name | none (`@timestamp`) |
//! | `timestamp_override_fallback_disabled` | bool | false |
//! | `tags`, `references`, `false_positives` | lists of strings | empty |
//! | `license`, `note`, `setup` | strings | none |
//! | `version` | integer ≥ 1 | 1 (Elastic assigns it from a version lock; write it to keep it) |
//! | `enabled` | bool | true |
//! | `[[rule.threat]]` | MITRE ATT&CK mapping | see [MITRE ATT&CK](#mitre-attck) |
//! | `[rule.alert_suppression]` | suppression | see [Alert suppression](#alert-suppression) |
//!
//! Accepted, not used: `building_block_type`, `rule_name_override`, `risk_score_mapping`,
//! `severity_mapping`, `investigation_fields`, `related_integrations`, `required_fields`,
//! `exceptions_list` (Kibana exception containers; use `[[rule.exceptions]]`), `actions`,
//! `throttle`, `timeline_id`, `timeline_title`, `filters`, `meta`.
//!
//! ## r53guard extensions in `[rule]`
//!
//! | key | meaning |
//! |---|---|
//! | `summary` | A one-line alert summary template, such as `"{user.name} transferred {requestParameters.domainName} to account {requestParameters.accountId}"`. `{field}` placeholders name a raw AWS path or an ECS alias (dot-separated names of letters, digits, `_`, `-`, `@`); `{{` and `}}` are literal braces. A placeholder whose field is absent from the event renders as `?`. See [`Template`]. |
//! | `case_insensitive_fields` | Fields whose comparisons ignore case, in the query and in exceptions (`["eventName"]`). |
//! | `[[rule.lists]]` | Value-list conditions ANDed with the query: `field`, `list` (a list id), `match` (`"exact"` or `"domain"`: the value is an item or a name under one, on label boundaries, ignoring case and one trailing dot), `negate` (the value must not be in the list; an absent field passes). |
//! | `window` | Threshold rules only: the sliding window's length (a duration). Default: the look-back, `from` − `to`. |
//! | `[rule.sequence]` | Sequence rules: `query = "sequence …"`, see [Rule types](#rule-types). |
//! | `data` | `["cloudtrail"]` / `["resolver"]`, instead of `index`. |
//! | `[[rule.tests]]` | Embedded tests, see [Embedded tests](#embedded-tests). |
//! | `[[rule.exceptions]]` | Inline exception items, see [Exceptions](#exceptions). |
//!
//! There is deliberately no `[rule.defaults]` or parameter table: thresholds are plain keys,
//! and a user changes one by copying the rule and editing it.
//!
//! ## Rule types
//!
//! * `query`: every event matching the KQL `query` alerts.
//! * `threshold`: `[rule.threshold]` with `field` (a string or a list of 0–5 group-by
//!   fields), `value` (minimum event count, ≥ 1) and optional
//!   `[[rule.threshold.cardinality]]` with `field` and `value` ≥ 1 (minimum distinct values;
//!   only the first entry is used, a second one is a warning). r53guard evaluates a sliding
//!   event-time `window` instead of Elastic's per-run window.
//! * `new_terms`: `[rule.new_terms]` with `field = "new_terms_fields"`, `value = [...]` (1–3
//!   fields) and one `[[rule.new_terms.history_window_start]]` with
//!   `field = "history_window_start"` and `value = "now-<n><unit>"`.
//! * `sequence` (r53guard): `[rule.sequence]` with `query`, in an EQL-like form whose steps
//!   are KQL (`language` may be omitted, `kuery` or `eql`):
//!
//!   ```text
//!   sequence [by <field>, …] [with maxspan=<duration>] [<KQL>] [<KQL>] … [until [<KQL>]]
//!   ```
//!
//!   Two or more steps must match in order, sharing the `by` fields' values, within
//!   `maxspan` of the first; an event matching `until` ends a partial sequence. See
//!   [`Sequence`].
//! * `eql` with `language = "eql"` is accepted when its `query` is in the sequence form
//!   above; other EQL is rejected as not supported.
//! * `esql`, `threat_match`, `machine_learning`, `saved_query`, and `language = "lucene"`
//!   are rejected with a "not supported" error.
//!
//! `[rule.threshold]` and `window`, `[rule.new_terms]` and `[rule.sequence]` are errors on
//! rules of another type.
//!
//! ## Durations and look-backs
//!
//! Durations (`interval`, `window`, `maxspan`) are `^\d+[smhd]$`, positive. Look-backs
//! (`from`, `to`, `history_window_start`) are `now` or `now-<n><unit>` with unit `y`, `M`,
//! `w`, `d`, `h`/`H`, `m` or `s`, as detection-rules requires; they are kept in milliseconds
//! (a month counting 30 days and a year 365) and can be resolved with calendar arithmetic
//! ([`Lookback::resolve`]). Errors name the key and the value.
//!
//! ## Index patterns
//!
//! `index` patterns map to the record kinds the rule runs on ([`DataKind`]), taking the
//! union over the patterns:
//!
//! | pattern | kinds |
//! |---|---|
//! | `logs-aws.cloudtrail*`, anything containing `cloudtrail` | CloudTrail |
//! | `logs-aws.route53_resolver_logs*`, anything matching `*route53*resolver*` | Resolver |
//! | `filebeat-*`, `logs-*`, `logs-aws*`, `logs-aws.*` | both |
//! | anything else | both, with a warning |
//!
//! ## MITRE ATT&CK
//!
//! `[[rule.threat]]` has `framework = "MITRE ATT&CK"`, a `[rule.threat.tactic]` with `id`
//! (`TA` + 4 digits), `name` and `reference`, and any number of `[[rule.threat.technique]]`
//! (`T` + 4 digits) each with optional `[[rule.threat.technique.subtechnique]]`
//! (`T` + 4 digits + `.` + 3 digits, starting with its technique's id). Every `reference`
//! must be an `https://attack.mitre.org/…` URL.
//!
//! ## Alert suppression
//!
//! `[rule.alert_suppression]` as in Elastic: `group_by` (1–5 fields), optional
//! `[rule.alert_suppression.duration]` with `value` ≥ 1 and `unit` `s`, `m` or `h` (without
//! it, suppression is per rule run), and `missing_fields_strategy` `"suppress"` (default) or
//! `"doNotSuppress"`. Threshold rules take only `duration`; they suppress per threshold
//! group. See [`Suppression`].
//!
//! ## Embedded tests
//!
//! `[[rule.tests]]` has a `name` (unique in the rule), either `expect = "match"` or
//! `"no_match"` (query rules only: every event must match / none may) or `alerts = N`
//! (any rule type: exactly N alerts over the events), and `events = ["""{json}""", …]`,
//! records in real AWS format written as JSON text. Each event must parse as JSON; a broken
//! one is reported with its test's name and position. See [`RuleTest`].
//!
//! ## Exceptions
//!
//! Inline items: `[[rule.exceptions]]` with `description`, optional `expire_time` (an RFC
//! 3339 date-time with offset, quoted or as a TOML date-time) and one or more
//! `[[rule.exceptions.entries]]` with `field`, `operator` and the value the operator needs:
//!
//! | operator | takes | holds when |
//! |---|---|---|
//! | `is` / `is_not` | `value` (string) | a value of the field equals it / none does |
//! | `is_one_of` / `is_not_one_of` | `values` (list) | a value is in the list / none is |
//! | `exists` / `does_not_exist` | nothing | the field has a value / has none |
//! | `matches` / `does_not_match` | `value` (pattern) | a value matches the wildcard pattern / none does |
//! | `is_in_list` / `is_not_in_list` | `list` (a value-list id) | a value is an item of the list / none is |
//! | `cidr` / `not_cidr` | `value` or `values` (IPv4/IPv6 CIDRs or addresses) | a value is an IP inside one of them / none is |
//!
//! Semantics: entries of one item are ANDed, items are ORed, and an event matching any
//! item that has not expired is dropped (an item expires at its `expire_time`; see
//! [`ExceptionItem::is_active`]). Matching is case-sensitive unless the field is in the
//! rule's `case_insensitive_fields`. Patterns use `*` for any run of characters and `?` for
//! exactly one; `\*`, `\?` and `\\` are literal, and any other backslash is an error.
//!
//! Shared exception files are TOML files of `[[exception]]` items, each with the same keys
//! plus `rule_ids`: a list of rule ids, or the string `"*"` for every rule
//! (`[[exception.entries]]` for the entries). They sit among the rule files and are told
//! apart by their top-level `[[exception]]` tables. See [`SharedException`].
//!
//! ## Value lists
//!
//! A directory of `lists/*.txt` files, the file stem being the list id. Header lines start
//! with `#`; `# key: value` headers are metadata (`source`, `licence`, `date`, …), others
//! free text. Then one item per line, trimmed; blank lines are ignored, and so are `#` lines
//! after the first item. An exception naming a list that is not loaded is an error from
//! [`RuleSet::check`]. See [`ValueList`].
//!
//! # Loading
//!
//! * [`load_str`] / [`load_file`]: one rule file → [`LoadedRule`] (the rule and its
//!   warnings), or every error and warning found, sorted by line.
//! * [`load_exceptions_str`] / [`load_exceptions_file`]: one shared exception file.
//! * [`load_dir`]: every `*.toml` under a directory, recursively, in sorted path order, as a
//!   [`RuleSet`]; duplicate rule ids are errors.
//! * [`load_lists`] / [`load_list_file`]: value lists.
//! * [`builtin`]: the rule pack embedded at build time from the repository's top-level
//!   `rules/**/*.toml` and `lists/*.txt` (either may be absent), named `builtin:<path>`.
//! * A rule loaded from disk with the same `rule_id` as a built-in one **overrides** it:
//!   [`RuleSet::overlay`] the disk set on the built-in set. Call [`RuleSet::check`] once the
//!   set is complete to resolve value-list references.
//!
//! # Diagnostics
//!
//! Every problem is a [`Diagnostic`] with a file, a line, the dotted key, a message, and for
//! errors inside a query, sequence or template a caret rendering of the offending line
//! (from [`r53guard_kql::ParseError::render`]). `Display` prints
//! `file:line: error: message` and the caret block. Errors: TOML syntax, unknown keys,
//! missing required keys, wrong value types, bad KQL, bad sequences, bad templates,
//! severity names, `risk_score` outside 0–100, bad durations and date math, malformed MITRE
//! ids and URLs, threshold/cardinality values below 1, `max_signals` below 1, invalid test
//! events, bad exception operators, values, CIDRs, patterns and expiry dates, unknown
//! lists, unsupported types and languages, duplicate rule ids.
//!
//! Warnings (the rule still loads):
//!
//! * a `risk_score` outside Elastic's band for the severity (low 0–21, medium 22–47,
//!   high 48–73, critical 74–100);
//! * an index pattern that names neither CloudTrail nor Resolver data;
//! * the provider lint: a query pairing a Route 53 action with an `event.provider` /
//!   `eventSource` that does not log it (for example `TransferDomainToAnotherAwsAccount`
//!   with `route53.amazonaws.com`, where AWS logs it under
//!   `route53domains.amazonaws.com`: the v207 bug). The service ↔ action table is
//!   [`service_actions::SERVICES`];
//! * a second threshold cardinality entry; a shared exception naming a rule that is not
//!   loaded.
//!
//! # Fields read
//!
//! [`Rule::fields_read`] lists every field a rule reads, so the engine can project only
//! those; [`RuleSet::fields_read`] adds shared exceptions' fields.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builtin;
mod diagnostics;
mod duration;
mod exceptions;
mod fields;
mod index;
mod kinds;
pub mod lint;
mod list_match;
mod lists;
mod load;
mod model;
mod query_errors;
mod rule_file;
mod rule_tests;
mod sequence;
pub mod service_actions;
mod suppression;
mod template;
mod threat;
mod toml_schema;
mod validate;
mod wildcard;

pub use builtin::builtin;
pub use diagnostics::{Diagnostic, Diagnostics, Level};
pub use duration::{Lookback, format_duration, parse_duration};
pub use exceptions::{
    Condition, ExceptionEntry, ExceptionItem, Expiry, Operator, RuleScope, SharedException,
    parse_rfc3339,
};
pub use fields::ALL_FIELDS;
pub use index::{data_kinds_for_index, data_kinds_for_indices};
pub use lists::{ValueList, load_list_file, load_lists};
pub use load::{
    LoadedRule, RuleSet, load_dir, load_exceptions_file, load_exceptions_str, load_file, load_path,
    load_str,
};
pub use model::{
    DataKind, Date, Expectation, ListMatch, ListMode, Maturity, Metadata, MissingFields, MitreRef,
    Rule, RuleKind, RuleTest, Severity, Source, Suppression, Technique, Threat,
};
pub use r53guard_kql::Query;
pub use sequence::Sequence;
pub use template::{MISSING, Piece, Template};
pub use wildcard::Wildcard;

#[cfg(test)]
mod tests {
    use crate::toml_schema::*;

    /// Every key the loader knows is documented in the crate docs above.
    #[test]
    fn every_key_is_documented() {
        let docs = include_str!("lib.rs");
        let docs: String = docs
            .lines()
            .filter_map(|line| line.strip_prefix("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        let lists: &[&[&str]] = &[
            TOP_KEYS,
            EXCEPTION_FILE_KEYS,
            METADATA_KEYS,
            METADATA_UNUSED,
            RULE_KEYS,
            RULE_UNUSED,
            THREAT_KEYS,
            TACTIC_KEYS,
            TECHNIQUE_KEYS,
            THRESHOLD_KEYS,
            FIELD_VALUE_KEYS,
            NEW_TERMS_KEYS,
            SEQUENCE_KEYS,
            SUPPRESSION_KEYS,
            SUPPRESSION_DURATION_KEYS,
            TEST_KEYS,
            EXCEPTION_ITEM_KEYS,
            SHARED_EXCEPTION_KEYS,
            ENTRY_KEYS,
        ];
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        for key in lists.iter().flat_map(|list| list.iter()) {
            let documented = docs.match_indices(key).any(|(at, _)| {
                !is_word(docs[..at].chars().next_back())
                    && !is_word(docs[at + key.len()..].chars().next())
            });
            assert!(documented, "`{key}` is not documented");
        }
    }
}
