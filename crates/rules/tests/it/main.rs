//! Integration tests for r53guard-rules: one binary, one module per area.

mod diagnostics;
mod elastic;
mod exceptions;
mod kinds;
mod loading;
mod props;

use r53guard_rules::{Diagnostic, Diagnostics, LoadedRule, Source, load_str};
use std::path::{Path, PathBuf};

/// A file under `tests/fixtures`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// The source name used for inline test files.
pub const INLINE: &str = "inline.toml";

/// The keys of a minimal valid query rule, in file order.
const BASE: &[(&str, &str)] = &[
    ("rule_id", "\"t-1\""),
    ("name", "\"Test rule\""),
    ("description", "\"A rule for tests.\""),
    ("author", "[\"tests\"]"),
    ("type", "\"query\""),
    ("data", "[\"cloudtrail\"]"),
    ("severity", "\"low\""),
    ("risk_score", "10"),
    ("query", "\"eventName:X\""),
];

/// A rule file: the base `[rule]` keys with `set` applied (a value replaces the base key's
/// value, or is appended; an empty value removes the key), then `tables`.
pub fn rule_text(set: &[(&str, &str)], tables: &str) -> String {
    let mut keys: Vec<(String, String)> = BASE
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (key, value) in set {
        match keys.iter().position(|(k, _)| k == key) {
            Some(i) if value.is_empty() => {
                keys.remove(i);
            }
            Some(i) => keys[i].1 = value.to_string(),
            None => keys.push((key.to_string(), value.to_string())),
        }
    }
    let mut text = String::from("[rule]\n");
    for (key, value) in keys {
        text.push_str(&format!("{key} = {value}\n"));
    }
    text.push_str(tables);
    text
}

/// Loads inline text.
pub fn load(text: &str) -> Result<LoadedRule, Diagnostics> {
    load_str(text, Source::Path(INLINE.into()))
}

/// The errors of a file that must fail to load.
pub fn errors(text: &str) -> Vec<Diagnostic> {
    match load(text) {
        Ok(_) => panic!("expected errors, the file loaded:\n{text}"),
        Err(diags) => diags.errors().cloned().collect(),
    }
}

/// The single error of a file that must fail with exactly one.
pub fn only_error(text: &str) -> Diagnostic {
    let errors = errors(text);
    assert_eq!(
        errors.len(),
        1,
        "expected one error, got:\n{errors:#?}\nin:\n{text}"
    );
    errors.into_iter().next().unwrap()
}

/// The 1-based line of the first occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..at].matches('\n').count() + 1
}
