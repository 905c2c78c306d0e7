//! The built-in rule pack: the repository's `rules/**/*.toml` and `lists/*.txt`, embedded at
//! build time by `build.rs`.
//!
//! Built-in files are named `builtin:<path>` in diagnostics and [`crate::Rule::source`]
//! (`builtin:rules/route53/domain_transfer.toml`). To let rules on disk override built-in
//! ones with the same `rule_id`, load them separately and [`RuleSet::overlay`] them on
//! the built-in set.

use crate::diagnostics::Diagnostics;
use crate::lists::ValueList;
use crate::load::RuleSet;
use crate::model::Source;

include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// The built-in rules, shared exceptions and value lists, checked as a set (list references
/// resolve). Fails only if the embedded pack itself is broken.
pub fn builtin() -> Result<RuleSet, Diagnostics> {
    let mut set = RuleSet::from_files(
        RULE_FILES
            .iter()
            .map(|&(path, text)| (Source::Builtin(path.to_string()), text)),
    )?;
    let mut errors = Diagnostics::new();
    for &(path, text) in LIST_FILES {
        let id = path
            .rsplit('/')
            .next()
            .and_then(|name| name.strip_suffix(".txt"))
            .unwrap_or(path);
        let added = ValueList::parse(id, text, Source::Builtin(path.to_string()))
            .and_then(|list| set.add_list(list).map_err(|d| Diagnostics(vec![d])));
        if let Err(diags) = added {
            errors.extend(diags);
        }
    }
    let checked = set.check();
    errors.extend(checked.errors().cloned());
    set.warnings.extend(checked.warnings().cloned());
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}
