//! Loading directories, duplicate rule ids, overriding built-in rules, and the built-in pack.

use crate::{fixture, rule_text};
use r53guard_rules::{RuleSet, Source, builtin, load_dir};

#[test]
fn load_dir_is_recursive_and_sorted() {
    let set = load_dir(&fixture("pack/rules")).unwrap_or_else(|d| panic!("{d}"));
    let ids: Vec<_> = set.rules.iter().map(|r| r.rule_id.as_str()).collect();
    // resolver_logging.toml sorts before route53/domain_transfer.toml.
    assert_eq!(ids, ["r53g-pack-a4", "r53g-pack-a1"]);
    assert_eq!(set.exceptions.len(), 2);
    assert!(set.lists.is_empty());
    assert!(set.warnings.is_empty(), "{}", set.warnings);
    assert_eq!(
        set.rules[1].source,
        Source::Path(fixture("pack/rules/route53/domain_transfer.toml"))
    );
}

#[test]
fn a_directory_without_rule_files_warns() {
    let set = load_dir(&fixture("sigma_only")).unwrap_or_else(|d| panic!("{d}"));
    assert!(set.rules.is_empty());
    let warnings: Vec<String> = set.warnings.warnings().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("no rule files"), "{}", warnings[0]);
    assert!(warnings[0].contains("--sigma"), "{}", warnings[0]);
}

#[test]
fn duplicate_rule_ids_are_errors() {
    let err = load_dir(&fixture("duplicate")).unwrap_err();
    let errors: Vec<_> = err.errors().collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].source.ends_with("two.toml"));
    assert!(
        errors[0]
            .message
            .starts_with("duplicate rule_id `r53g-pack-a4`: already used by "),
        "{}",
        errors[0].message
    );
    assert!(errors[0].message.contains("one.toml"));
}

#[test]
fn missing_directories_are_errors() {
    let err = load_dir(&fixture("no_such_dir")).unwrap_err();
    assert!(err.to_string().contains("cannot read rule directory"));
}

#[test]
fn rules_on_disk_override_built_in_ones() {
    let builtin_text = rule_text(
        &[
            ("rule_id", "\"shared-id\""),
            ("name", "\"Built-in\""),
            ("severity", "\"low\""),
            ("risk_score", "50"),
        ],
        "",
    );
    let other_text = rule_text(&[("rule_id", "\"builtin-only\"")], "");
    let mut set = RuleSet::from_files([
        (
            Source::Builtin("rules/a.toml".into()),
            builtin_text.as_str(),
        ),
        (Source::Builtin("rules/b.toml".into()), other_text.as_str()),
    ])
    .unwrap();
    assert_eq!(set.warnings.len(), 1, "the built-in rule's band warning");

    let disk_text = rule_text(
        &[("rule_id", "\"shared-id\""), ("name", "\"From disk\"")],
        "",
    );
    let new_text = rule_text(&[("rule_id", "\"disk-only\"")], "");
    let disk = RuleSet::from_files([
        (Source::Path("my-rules/a.toml".into()), disk_text.as_str()),
        (Source::Path("my-rules/c.toml".into()), new_text.as_str()),
    ])
    .unwrap();
    set.overlay(disk);
    let names: Vec<_> = set
        .rules
        .iter()
        .map(|r| (r.rule_id.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("shared-id", "From disk"),
            ("builtin-only", "Test rule"),
            ("disk-only", "Test rule")
        ]
    );
    assert_eq!(
        set.get("shared-id").unwrap().source,
        Source::Path("my-rules/a.toml".into())
    );
    assert!(
        set.warnings.is_empty(),
        "the replaced rule's warning is dropped: {}",
        set.warnings
    );
}

#[test]
fn builtin_pack_loads() {
    // Today the repository's rules/ and lists/ may be absent or empty; either way the
    // embedded pack must load, and everything in it is named builtin:<path>.
    let set = builtin().unwrap_or_else(|d| panic!("{d}"));
    assert!(set.rules.iter().all(|r| r.source.is_builtin()));
    assert!(set.lists.values().all(|l| l.origin.is_builtin()));
    assert!(set.check().errors().next().is_none());
}
