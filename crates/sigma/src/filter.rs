//! Sigma filter documents (meta-filters): a `filter` section listing rules by id or name, with
//! its own search identifiers and condition. For each listed rule the effective condition is
//! `rule condition and not filter condition` (the filter describes what to suppress, as in the
//! specification's example of an administrator allow-list). Filter identifiers live in their
//! own namespace, so they never clash with the rule's.

use crate::diagnostics::Origin;
use crate::model::{Detection, LogSource, opt_string, required_string, string_list};
use crate::yaml::Yaml;

/// A filter document.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// `title`
    pub title: String,
    /// `id`
    pub id: Option<String>,
    /// `name`
    pub name: Option<String>,
    /// `description`
    pub description: Option<String>,
    /// `date`
    pub date: Option<String>,
    /// `modified`
    pub modified: Option<String>,
    /// `logsource`
    pub logsource: LogSource,
    /// The rules it applies to (ids or names), as written.
    pub rules: Vec<String>,
    /// The filter's searches and condition.
    pub detection: Detection,
    /// Where it was loaded from.
    pub origin: Origin,
}

/// A filter attached to a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedFilter {
    /// The filter's title.
    pub title: String,
    /// The filter's id.
    pub id: Option<String>,
    /// What the filter suppresses.
    pub detection: Detection,
}

impl Filter {
    /// Reads a filter document.
    pub fn from_yaml(y: &Yaml, origin: Origin) -> Result<Filter, String> {
        let section = y.get("filter").ok_or("missing `filter`")?;
        let rules = string_list(section, "rules")?;
        if rules.is_empty() {
            return Err("`filter.rules` must list at least one rule id or name".into());
        }
        Ok(Filter {
            title: required_string(y, "title")?,
            id: opt_string(y, "id")?,
            name: opt_string(y, "name")?,
            description: opt_string(y, "description")?,
            date: opt_string(y, "date")?,
            modified: opt_string(y, "modified")?,
            logsource: LogSource::from_yaml(y.get("logsource").ok_or("missing `logsource`")?)?,
            rules,
            detection: Detection::from_yaml(section, &["rules"])?,
            origin,
        })
    }

    /// The filter as attached to a rule.
    pub fn applied(&self) -> AppliedFilter {
        AppliedFilter {
            title: self.title.clone(),
            id: self.id.clone(),
            detection: self.detection.clone(),
        }
    }
}
