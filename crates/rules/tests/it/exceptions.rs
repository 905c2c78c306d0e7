//! Exceptions: inline items, shared exception files, value lists and expiry.

use crate::{INLINE, fixture, load, rule_text};
use r53guard_rules::{
    Condition, Operator, RuleScope, RuleSet, Source, ValueList, Wildcard, load_exceptions_file,
    load_exceptions_str, load_file, load_list_file, load_lists, parse_rfc3339,
};

#[test]
fn inline_items_parse_every_operator() {
    let entries = [
        ("is", "value = \"a\""),
        ("is_not", "value = \"a\""),
        ("is_one_of", "values = [\"a\", \"b\"]"),
        ("is_not_one_of", "values = [\"a\"]"),
        ("exists", ""),
        ("does_not_exist", ""),
        ("matches", "value = \"a*b?\""),
        ("does_not_match", "value = \"\\\\*\""),
        ("is_in_list", "list = \"admins\""),
        ("is_not_in_list", "list = \"admins\""),
        ("cidr", "value = \"10.0.0.0/8\""),
        (
            "not_cidr",
            "values = [\"192.168.0.0/16\", \"2001:db8::/32\"]",
        ),
    ];
    let mut tables = String::from("[[rule.exceptions]]\ndescription = \"every operator\"\n");
    for (operator, value) in entries {
        tables.push_str(&format!(
            "[[rule.exceptions.entries]]\nfield = \"f\"\noperator = \"{operator}\"\n{value}\n"
        ));
    }
    let rule = load(&rule_text(&[], &tables))
        .unwrap_or_else(|d| panic!("{d}"))
        .rule;
    let item = &rule.exceptions[0];
    assert_eq!(item.entries.len(), 12);
    let operators: Vec<_> = item.entries.iter().map(|e| e.operator()).collect();
    assert_eq!(operators, Operator::ALL);
    assert_eq!(
        item.entries[2].condition,
        Condition::IsOneOf(vec!["a".into(), "b".into()])
    );
    assert!(item.entries[1].negated && !item.entries[0].negated);
    let Condition::Matches(pattern) = &item.entries[6].condition else {
        panic!()
    };
    assert!(pattern.matches("aXXbZ", false));
    let Condition::Cidr(networks) = &item.entries[11].condition else {
        panic!()
    };
    assert_eq!(networks.len(), 2);
    assert_eq!(item.list_ids().collect::<Vec<_>>(), ["admins", "admins"]);
}

#[test]
fn expiry() {
    let tables = "[[rule.exceptions]]\ndescription = \"temporary\"\nexpire_time = \"2030-01-01T00:00:00Z\"\n[[rule.exceptions.entries]]\nfield = \"f\"\noperator = \"exists\"\n\n[[rule.exceptions]]\ndescription = \"TOML date-time\"\nexpire_time = 2030-01-01T01:00:00+01:00\n[[rule.exceptions.entries]]\nfield = \"f\"\noperator = \"exists\"\n";
    let rule = load(&rule_text(&[], tables))
        .unwrap_or_else(|d| panic!("{d}"))
        .rule;
    let at = parse_rfc3339("2030-01-01T00:00:00Z").unwrap();
    for item in &rule.exceptions {
        assert_eq!(item.expire_time.as_ref().unwrap().at_ms, at);
        assert!(item.is_active(at - 1));
        assert!(!item.is_active(at));
        assert!(!item.is_active(at + 1));
    }
    let permanent = load(&rule_text(&[], "[[rule.exceptions]]\ndescription = \"p\"\n[[rule.exceptions.entries]]\nfield = \"f\"\noperator = \"exists\"\n")).unwrap().rule;
    assert!(permanent.exceptions[0].is_active(i64::MAX));
}

#[test]
fn case_insensitive_wildcards() {
    let pattern = Wildcard::parse("Transfer*").unwrap();
    assert!(!pattern.matches("transferDomainToAnotherAwsAccount", false));
    assert!(pattern.matches("transferDomainToAnotherAwsAccount", true));
    assert_eq!(pattern.as_str(), "Transfer*");
}

#[test]
fn shared_exception_file() {
    let items = load_exceptions_file(&fixture("pack/rules/exceptions.toml"))
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].rule_ids, RuleScope::All);
    assert!(items[0].rule_ids.includes("anything"));
    assert_eq!(items[0].line, 2);
    assert_eq!(
        items[1].rule_ids,
        RuleScope::Ids(vec!["r53g-pack-a4".into()])
    );
    assert!(!items[1].rule_ids.includes("r53g-pack-a1"));
    assert_eq!(items[1].item.entries.len(), 2);
    assert!(items[1].item.expire_time.is_some());

    let bad = "[[exception]]\nrule_ids = []\ndescription = \"x\"\n[[exception.entries]]\nfield = \"f\"\noperator = \"exists\"\n";
    let err = load_exceptions_str(bad, Source::Path(INLINE.into())).unwrap_err();
    assert!(
        err.to_string().contains("`rule_ids` must list rule ids"),
        "{err}"
    );
    let bad = "[[exception]]\nrule_ids = \"*\"\ndescription = \"x\"\nentries = []\nscope = 1\n";
    let err = load_exceptions_str(bad, Source::Path(INLINE.into())).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown key `scope` in `[exception[0]]`"),
        "{err}"
    );
    assert!(load_exceptions_str(&rule_text(&[], ""), Source::Path(INLINE.into())).is_err());
    assert!(load_file(&fixture("pack/rules/exceptions.toml")).is_err());
}

#[test]
fn value_lists() {
    let list = load_list_file(&fixture("pack/lists/admin_roles.txt")).unwrap();
    assert_eq!(list.id, "admin_roles");
    assert_eq!(list.source(), Some("r53guard tests"));
    assert_eq!(list.licence(), Some("CC0-1.0"));
    assert_eq!(list.date(), Some("2025-01-15"));
    assert_eq!(
        list.comments,
        ["Roles allowed to change DNS settings without an alert."]
    );
    assert_eq!(list.items.len(), 2);
    assert!(list.contains("arn:aws:iam::111122223333:role/dns-admin"));

    let lists = load_lists(&fixture("pack/lists")).unwrap();
    let ids: Vec<_> = lists.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["admin_roles", "org_accounts"],
        "README.md is not a list"
    );
    assert!(load_lists(&fixture("no_such_dir")).is_err());
    let parsed = ValueList::parse(
        "x",
        "\n\n# only: a header\n",
        Source::Builtin("lists/x.txt".into()),
    )
    .unwrap();
    assert!(parsed.items.is_empty());
}

#[test]
fn lists_resolve_in_a_checked_set() {
    let mut set =
        r53guard_rules::load_dir(&fixture("pack/rules")).unwrap_or_else(|d| panic!("{d}"));
    let unresolved = set.check();
    let missing: Vec<_> = unresolved.errors().map(|d| d.message.clone()).collect();
    assert_eq!(missing.len(), 2, "{unresolved}");
    assert!(
        missing
            .iter()
            .any(|m| m.starts_with("unknown value list `org_accounts`"))
    );
    assert!(
        missing
            .iter()
            .any(|m| m.starts_with("unknown value list `admin_roles`"))
    );
    for list in load_lists(&fixture("pack/lists")).unwrap() {
        set.add_list(list).unwrap();
    }
    assert!(set.check().is_empty(), "{}", set.check());
    let dup = ValueList::parse(
        "org_accounts",
        "1",
        Source::Builtin("lists/org_accounts.txt".into()),
    )
    .unwrap();
    assert!(
        set.add_list(dup)
            .unwrap_err()
            .message
            .contains("duplicate value list")
    );

    let a4 = set.get("r53g-pack-a4").unwrap();
    let a1 = set.get("r53g-pack-a1").unwrap();
    assert_eq!(
        set.exceptions_for(a4).count(),
        2,
        "the `*` item and its own item"
    );
    assert_eq!(
        set.exceptions_for(a1).count(),
        2,
        "its inline item and the `*` item"
    );
    let fields = set.fields_read(a4);
    for field in [
        "userIdentity.arn",
        "requestParameters.resourceId",
        "recipientAccountId",
    ] {
        assert!(fields.contains(field), "{field}");
    }
    assert!(
        !a4.fields_read().contains("userIdentity.arn"),
        "shared fields come from the set"
    );
}

#[test]
fn shared_exceptions_naming_unknown_rules_warn() {
    let text = "[[exception]]\nrule_ids = [\"nope\"]\ndescription = \"x\"\n[[exception.entries]]\nfield = \"f\"\noperator = \"exists\"\n";
    let set = RuleSet::from_files([(Source::Path(INLINE.into()), text)]).unwrap();
    let checked = set.check();
    assert_eq!(checked.errors().count(), 0);
    let warnings: Vec<_> = checked.warnings().collect();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .message
            .contains("names rule_id `nope`, which is not loaded")
    );
    assert_eq!(warnings[0].line, Some(1));
}

#[test]
fn list_conditions_parse_and_must_name_loaded_lists() {
    let text = rule_text(
        &[],
        "[[rule.lists]]\nfield = \"dns.question.name\"\nlist = \"paste_sites\"\nmatch = \"domain\"\n\n[[rule.lists]]\nfield = \"srcaddr\"\nlist = \"scanners\"\nnegate = true\n",
    );
    let rule = load(&text).unwrap_or_else(|d| panic!("{d}")).rule;
    assert_eq!(
        rule.lists,
        vec![
            r53guard_rules::ListMatch {
                field: "dns.question.name".into(),
                list: "paste_sites".into(),
                mode: r53guard_rules::ListMode::Domain,
                negate: false
            },
            r53guard_rules::ListMatch {
                field: "srcaddr".into(),
                list: "scanners".into(),
                mode: r53guard_rules::ListMode::Exact,
                negate: true
            }
        ]
    );
    assert!(rule.fields_read().contains("srcaddr"));
    let mut set = r53guard_rules::RuleSet::new();
    set.add_rule(load(&text).unwrap()).unwrap();
    let errs: Vec<String> = set.check().errors().map(|d| d.message.clone()).collect();
    assert_eq!(errs.len(), 2, "{errs:?}");
    let bad = crate::only_error(&rule_text(
        &[],
        "[[rule.lists]]\nfield = \"a\"\nlist = \"b\"\nmatch = \"suffix\"\n",
    ));
    assert!(
        bad.message.contains("\"exact\" or \"domain\""),
        "{}",
        bad.message
    );
}
