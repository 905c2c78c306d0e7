//! One test per diagnostic class: what is reported, on which line, about which key.

use crate::{INLINE, errors, line_of, load, only_error, rule_text};
use r53guard_rules::{Level, RuleSet, Source};

#[test]
fn unknown_keys_name_the_key_and_line() {
    let text = rule_text(&[("risk_scor", "5")], "");
    let err = only_error(&text);
    assert_eq!(err.line, Some(line_of(&text, "risk_scor =")));
    assert_eq!(err.key.as_deref(), Some("rule.risk_scor"));
    assert!(
        err.message.contains("unknown key `risk_scor` in `[rule]`"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("did you mean `risk_score`?"),
        "{}",
        err.message
    );
    assert_eq!(
        err.to_string(),
        format!("{INLINE}:{}: error: {}", err.line.unwrap(), err.message)
    );

    let text = rule_text(
        &[],
        "\n[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[rule.threat.tactic]\nid = \"TA0003\"\nname = \"Persistence\"\nreference = \"https://attack.mitre.org/tactics/TA0003/\"\nurl = \"x\"\n",
    );
    let err = only_error(&text);
    assert_eq!(err.line, Some(line_of(&text, "url =")));
    assert_eq!(err.key.as_deref(), Some("rule.threat[0].tactic.url"));

    let text = format!("[rules]\nx = 1\n{}", rule_text(&[], ""));
    let err = only_error(&text);
    assert_eq!(err.line, Some(1));
    assert!(
        err.message
            .contains("unknown key `rules` at the top level (did you mean `rule`?)"),
        "{}",
        err.message
    );
}

#[test]
fn toml_syntax_errors_have_a_line() {
    let err = only_error("[rule]\nname = \"x\"\nrisk_score = \n");
    assert_eq!(err.line, Some(3));
    assert!(err.message.starts_with("invalid TOML:"), "{}", err.message);
}

#[test]
fn missing_required_keys() {
    let text = rule_text(&[("name", ""), ("severity", ""), ("data", "")], "");
    let errs = errors(&text);
    let keys: Vec<_> = errs.iter().filter_map(|e| e.key.as_deref()).collect();
    for key in ["rule.name", "rule.severity", "rule.index"] {
        assert!(keys.contains(&key), "{key} not reported: {errs:#?}");
    }
    assert!(
        errs.iter()
            .all(|e| e.message.starts_with("missing required key"))
    );
    assert!(
        errs.iter().all(|e| e.line == Some(1)),
        "reported at the [rule] header"
    );
    let err =
        only_error("[metadata]\ncreation_date = \"2024/01/01\"\nupdated_date = \"2024/01/01\"\n");
    assert_eq!(err.key.as_deref(), Some("rule"));
}

#[test]
fn wrong_value_types() {
    let text = rule_text(&[("risk_score", "\"21\""), ("tags", "\"one\"")], "");
    let errs = errors(&text);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs.iter()
            .any(|e| e.message == "`rule.risk_score` must be an integer, not string")
    );
    assert!(
        errs.iter()
            .any(|e| e.message == "`rule.tags` must be a list of strings, not string")
    );
}

#[test]
fn bad_kql_has_a_caret_on_the_file_line() {
    let text = rule_text(
        &[(
            "query",
            "'''\neventSource:route53.amazonaws.com and\n  (eventName:A or eventName:B\n'''",
        )],
        "",
    );
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.query"));
    assert_eq!(err.line, Some(line_of(&text, "  (eventName")));
    assert!(
        err.message
            .starts_with("invalid KQL in `rule.query`: unclosed `(`"),
        "{}",
        err.message
    );
    assert!(err.message.ends_with("(column 3)"), "{}", err.message);
    assert_eq!(
        err.rendered.as_deref(),
        Some("  (eventName:A or eventName:B\n  ^\n")
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "{INLINE}:{}: error: invalid KQL",
            err.line.unwrap()
        )),
        "{shown}"
    );
    assert!(
        shown.ends_with("\n  (eventName:A or eventName:B\n  ^"),
        "{shown}"
    );

    // A basic string with escapes cannot be mapped byte for byte; the line is still right.
    let text = rule_text(&[("query", "\"a:\\\"b\\\" and\"")], "");
    let err = only_error(&text);
    assert_eq!(err.line, Some(line_of(&text, "query =")));
    assert!(
        err.message.contains("`and` must be followed"),
        "{}",
        err.message
    );
    assert!(err.rendered.as_deref().unwrap().contains('^'));
}

#[test]
fn bad_severity() {
    let text = rule_text(&[("severity", "\"urgent\"")], "");
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.severity"));
    assert_eq!(err.line, Some(line_of(&text, "severity =")));
    assert!(
        err.message
            .contains("one of low, medium, high, critical, not \"urgent\""),
        "{}",
        err.message
    );
}

#[test]
fn risk_score_out_of_range() {
    for value in ["101", "-1", "1000"] {
        let text = rule_text(&[("risk_score", value)], "");
        let err = only_error(&text);
        assert_eq!(err.key.as_deref(), Some("rule.risk_score"));
        assert_eq!(
            err.message,
            format!("`rule.risk_score` must be between 0 and 100, got {value}")
        );
    }
}

#[test]
fn severity_band_mismatch_is_a_warning() {
    let text = rule_text(&[("severity", "\"low\""), ("risk_score", "50")], "");
    let loaded = load(&text).unwrap();
    let warnings: Vec<_> = loaded.warnings.iter().collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].severity, Level::Warning);
    assert_eq!(warnings[0].line, Some(line_of(&text, "risk_score =")));
    assert!(
        warnings[0].message.contains("outside the low band 0–21"),
        "{}",
        warnings[0].message
    );
    for (severity, risk) in [("medium", "22"), ("high", "73"), ("critical", "74")] {
        let text = rule_text(
            &[
                ("severity", &format!("\"{severity}\"")),
                ("risk_score", risk),
            ],
            "",
        );
        assert!(
            load(&text).unwrap().warnings.is_empty(),
            "{severity} {risk}"
        );
    }
}

#[test]
fn bad_durations() {
    for (key, value) in [
        ("interval", "\"10 minutes\""),
        ("interval", "\"0m\""),
        ("interval", "\"5M\""),
    ] {
        let text = rule_text(&[(key, value)], "");
        let err = only_error(&text);
        assert_eq!(err.key.as_deref(), Some("rule.interval"));
        assert_eq!(err.line, Some(line_of(&text, "interval =")));
        assert!(
            err.message.contains(value.trim_matches('"')),
            "{}",
            err.message
        );
    }
    let text = rule_text(
        &[("type", "\"threshold\""), ("window", "\"1w\"")],
        "[rule.threshold]\nvalue = 3\n",
    );
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.window"));
    assert!(
        err.message.contains("`1w` is not a duration"),
        "{}",
        err.message
    );
}

#[test]
fn bad_date_math() {
    for value in ["now-6x", "now+6m", "-6m", "now-6m/d"] {
        let text = rule_text(&[("from", &format!("\"{value}\""))], "");
        let err = only_error(&text);
        assert_eq!(err.key.as_deref(), Some("rule.from"), "{value}");
        assert!(
            err.message
                .contains(&format!("`{value}` is not a look-back")),
            "{}",
            err.message
        );
    }
    let text = rule_text(&[("from", "\"now\"")], "");
    let err = only_error(&text);
    assert!(
        err.message.contains("must be earlier than `rule.to`"),
        "{}",
        err.message
    );
    let text = rule_text(&[("from", "\"now-5m\""), ("to", "\"now-10m\"")], "");
    assert!(only_error(&text).message.contains("must be earlier"));
}

#[test]
fn bad_mitre_ids_and_urls() {
    let threat = |tactic: &str, technique: &str, sub: &str, url: &str| {
        format!(
            "\n[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[rule.threat.tactic]\nid = \"{tactic}\"\nname = \"Persistence\"\nreference = \"https://attack.mitre.org/tactics/TA0003/\"\n[[rule.threat.technique]]\nid = \"{technique}\"\nname = \"Account Manipulation\"\nreference = \"{url}\"\n[[rule.threat.technique.subtechnique]]\nid = \"{sub}\"\nname = \"Additional Cloud Credentials\"\nreference = \"https://attack.mitre.org/techniques/T1098/001/\"\n"
        )
    };
    let good_url = "https://attack.mitre.org/techniques/T1098/";
    assert!(
        load(&rule_text(
            &[],
            &threat("TA0003", "T1098", "T1098.001", good_url)
        ))
        .is_ok()
    );
    let cases = [
        (
            threat("TA03", "T1098", "T1098.001", good_url),
            "rule.threat[0].tactic.id",
            "malformed MITRE ATT&CK tactic id `TA03`",
        ),
        (
            threat("TA0003", "T10980", "T1098.001", good_url),
            "rule.threat[0].technique[0].id",
            "technique id `T10980`",
        ),
        (
            threat("TA0003", "T1098", "T1098.1", good_url),
            "rule.threat[0].technique[0].subtechnique[0].id",
            "sub-technique id `T1098.1`",
        ),
        (
            threat("TA0003", "T1098", "T1099.001", good_url),
            "rule.threat[0].technique[0].subtechnique[0].id",
            "does not belong to technique `T1098`",
        ),
        (
            threat(
                "TA0003",
                "T1098",
                "T1098.001",
                "http://attack.mitre.org/techniques/T1098/",
            ),
            "rule.threat[0].technique[0].reference",
            "https://attack.mitre.org/",
        ),
    ];
    for (tables, key, fragment) in cases {
        let text = rule_text(&[], &tables);
        let err = only_error(&text);
        assert_eq!(err.key.as_deref(), Some(key));
        assert!(err.message.contains(fragment), "{}", err.message);
    }
    let text = rule_text(
        &[],
        &threat("TA0003", "T1098", "T1098.001", good_url).replace("MITRE ATT&CK", "ATT&CK"),
    );
    assert!(
        only_error(&text)
            .message
            .contains("must be \"MITRE ATT&CK\"")
    );
}

#[test]
fn bad_template() {
    let text = rule_text(&[("summary", "\"{user name} did {event.action}\"")], "");
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.summary"));
    assert_eq!(err.line, Some(line_of(&text, "summary =")));
    assert!(
        err.message
            .starts_with("invalid template in `rule.summary`: placeholder `{user name}`"),
        "{}",
        err.message
    );
    assert_eq!(
        err.rendered.as_deref(),
        Some("summary = \"{user name} did {event.action}\"\n           ^^^^^^^^^^^\n")
    );
    for bad in ["\"{unclosed\"", "\"stray } brace\"", "\"{}\""] {
        let text = rule_text(&[("summary", bad)], "");
        assert_eq!(
            only_error(&text).key.as_deref(),
            Some("rule.summary"),
            "{bad}"
        );
    }
}

#[test]
fn bad_test_event_json() {
    let tests = "\n[[rule.tests]]\nname = \"good\"\nexpect = \"match\"\nevents = ['{\"eventName\":\"X\"}']\n\n[[rule.tests]]\nname = \"broken\"\nexpect = \"no_match\"\nevents = [\n  '{\"eventName\":\"Y\"}',\n  '{\"eventName\": Y}',\n]\n";
    let text = rule_text(&[], tests);
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.tests[1].events[1]"));
    assert_eq!(err.line, Some(line_of(&text, "'{\"eventName\": Y}'")));
    assert!(
        err.message
            .starts_with("test `broken`: event 2 is not valid JSON: "),
        "{}",
        err.message
    );
    assert!(err.message.contains("line 1 column"), "{}", err.message);
    let text = rule_text(
        &[],
        "[[rule.tests]]\nname = \"t\"\nalerts = 0\nevents = ['[1, 2]']\n",
    );
    assert!(
        only_error(&text)
            .message
            .contains("event 1 is JSON but not an object")
    );

    let text = rule_text(
        &[("type", "\"sequence\""), ("query", "")],
        "[rule.sequence]\nquery = \"sequence [a:1] [b:2]\"\n[[rule.tests]]\nname = \"t\"\nexpect = \"match\"\nevents = ['{}']\n",
    );
    assert!(
        only_error(&text)
            .message
            .contains("`expect` is only for query rules")
    );
    let text = rule_text(
        &[],
        "[[rule.tests]]\nname = \"t\"\nexpect = \"match\"\nalerts = 1\nevents = ['{}']\n",
    );
    assert!(
        only_error(&text)
            .message
            .contains("give `expect` or `alerts`, not both")
    );
}

#[test]
fn bad_exceptions() {
    let item = |entry: &str| {
        format!(
            "\n[[rule.exceptions]]\ndescription = \"x\"\n[[rule.exceptions.entries]]\nfield = \"sourceIPAddress\"\n{entry}\n"
        )
    };
    let cases = [
        (
            "operator = \"equals\"\nvalue = \"x\"",
            "rule.exceptions[0].entries[0].operator",
            "unknown exception operator `equals`",
        ),
        (
            "operator = \"cidr\"\nvalue = \"10.0.0.0/33\"",
            "rule.exceptions[0].entries[0].value",
            "`10.0.0.0/33` is not an IPv4 or IPv6 address or CIDR network",
        ),
        (
            "operator = \"not_cidr\"\nvalues = [\"10.0.0.0/8\", \"2001:db8::/129\"]",
            "rule.exceptions[0].entries[0].values",
            "`2001:db8::/129`",
        ),
        (
            "operator = \"is\"",
            "rule.exceptions[0].entries[0].value",
            "missing required key",
        ),
        (
            "operator = \"exists\"\nvalue = \"x\"",
            "rule.exceptions[0].entries[0].value",
            "operator `exists` takes no value",
        ),
        (
            "operator = \"is_one_of\"\nvalue = \"x\"",
            "rule.exceptions[0].entries[0].value",
            "takes `values`",
        ),
        (
            "operator = \"is_one_of\"\nvalues = []",
            "rule.exceptions[0].entries[0].values",
            "`values` is empty",
        ),
        (
            "operator = \"matches\"\nvalue = \"10.\\\\d\"",
            "rule.exceptions[0].entries[0].value",
            "a backslash may only escape",
        ),
        (
            "operator = \"is_in_list\"\nvalue = \"admins\"",
            "rule.exceptions[0].entries[0].value",
            "takes `list`",
        ),
    ];
    for (entry, key, fragment) in cases {
        let text = rule_text(&[], &item(entry));
        let err = only_error(&text);
        assert_eq!(err.key.as_deref(), Some(key), "{entry}");
        assert!(err.message.contains(fragment), "{entry}: {}", err.message);
    }
    let text = rule_text(
        &[],
        &item("operator = \"exists\"").replace(
            "description = \"x\"",
            "description = \"x\"\nexpire_time = \"2026-01-01\"",
        ),
    );
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.exceptions[0].expire_time"));
    assert!(err.message.contains("RFC 3339"), "{}", err.message);

    // Unknown list ids are found when the set is checked.
    let text = rule_text(&[], &item("operator = \"is_in_list\"\nlist = \"admins\""));
    let set = RuleSet::from_files([(Source::Path(INLINE.into()), text.as_str())]).unwrap();
    let checked = set.check();
    let errs: Vec<_> = checked.errors().collect();
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].message.starts_with("unknown value list `admins`"),
        "{}",
        errs[0].message
    );
}

#[test]
fn sequence_errors_have_carets_into_the_step() {
    let text = rule_text(
        &[("type", "\"sequence\""), ("query", "")],
        "[rule.sequence]\nquery = '''\nsequence by requestParameters.domainName with maxspan=1h\n  [eventName:DisableDomainTransferLock]\n  [eventName:(TransferDomainToAnotherAwsAccount]\n'''\n",
    );
    let err = only_error(&text);
    assert_eq!(err.key.as_deref(), Some("rule.sequence.query"));
    assert_eq!(err.line, Some(line_of(&text, "  [eventName:(Transfer")));
    assert!(
        err.message
            .starts_with("invalid sequence in `rule.sequence.query`: unclosed `(`"),
        "{}",
        err.message
    );
    assert!(err.message.ends_with("(column 14)"), "{}", err.message);
    assert_eq!(
        err.rendered.as_deref(),
        Some("  [eventName:(TransferDomainToAnotherAwsAccount]\n             ^\n")
    );

    let cases = [
        ("sequence [a:1]", "at least two steps, found 1"),
        ("sequence with maxspan=1 [a:1] [b:2]", "maxspan"),
        ("sequence [a:1] [b:2] until", "after `until`"),
        (
            "sequence [any where event.action == \\\"x\\\"] [b:2]",
            "EQL event queries are not supported",
        ),
    ];
    for (query, fragment) in cases {
        let text = rule_text(
            &[("type", "\"sequence\""), ("query", "")],
            &format!("[rule.sequence]\nquery = \"{query}\"\n"),
        );
        let err = only_error(&text);
        assert!(err.message.contains(fragment), "{query}: {}", err.message);
        assert!(
            err.rendered.as_deref().is_some_and(|r| r.contains('^')),
            "{query}"
        );
    }
    let text = rule_text(
        &[("type", "\"sequence\"")],
        "[rule.sequence]\nquery = \"sequence [a:1] [b:2]\"\n",
    );
    assert!(
        only_error(&text)
            .message
            .contains("takes its query in `[rule.sequence]`")
    );
}

#[test]
fn unsupported_types_and_languages() {
    for ty in ["esql", "threat_match", "machine_learning", "saved_query"] {
        let text = rule_text(&[("type", &format!("\"{ty}\""))], "");
        let err = only_error(&text);
        assert_eq!(err.key.as_deref(), Some("rule.type"));
        assert!(
            err.message
                .contains(&format!("rule type `{ty}` is not supported")),
            "{}",
            err.message
        );
    }
    let text = rule_text(&[("language", "\"lucene\"")], "");
    assert!(
        only_error(&text)
            .message
            .contains("query language `lucene` is not supported")
    );
    let text = rule_text(
        &[
            ("type", "\"eql\""),
            ("language", "\"eql\""),
            ("query", "\"process where process.name == \\\"x\\\"\""),
        ],
        "",
    );
    assert!(
        only_error(&text)
            .message
            .contains("only the sequence form of EQL is supported")
    );
    let text = rule_text(&[("type", "\"graph\"")], "");
    assert!(
        only_error(&text)
            .message
            .contains("unknown rule type `graph`")
    );
}

#[test]
fn bad_counts() {
    let text = rule_text(&[("max_signals", "0")], "");
    assert_eq!(
        only_error(&text).message,
        "`rule.max_signals` must be at least 1, got 0"
    );
    let text = rule_text(
        &[("type", "\"threshold\"")],
        "[rule.threshold]\nfield = \"a\"\nvalue = 0\n",
    );
    assert_eq!(
        only_error(&text).message,
        "`rule.threshold.value` must be at least 1, got 0"
    );
    let text = rule_text(
        &[("type", "\"threshold\"")],
        "[rule.threshold]\nvalue = 2\n[[rule.threshold.cardinality]]\nfield = \"b\"\nvalue = 0\n",
    );
    assert_eq!(
        only_error(&text).message,
        "`rule.threshold.cardinality[0].value` must be at least 1, got 0"
    );
    let text = rule_text(&[("window", "\"5m\"")], "");
    assert!(
        only_error(&text)
            .message
            .contains("`rule.window` is only for threshold rules")
    );
}

#[test]
fn all_errors_are_reported_at_once_sorted_by_line() {
    let text = rule_text(
        &[
            ("severity", "\"urgent\""),
            ("risk_score", "200"),
            ("interval", "\"x\""),
            ("bogus", "1"),
        ],
        "",
    );
    let diags = crate::load(&text).unwrap_err();
    let lines: Vec<_> = diags.iter().map(|d| d.line.unwrap()).collect();
    assert_eq!(diags.len(), 4, "{diags}");
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}
