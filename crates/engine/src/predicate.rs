//! What decides whether an event counts for a rule: a compiled KQL query, or one or more
//! compiled Sigma rules (a correlation counts an event matched by any of the rules it
//! references, and temporal correlations need to know which).

use crate::matcher::Matcher;
use r53guard_event::{Event, FieldId};
use r53guard_sigma::CompiledSigma;

/// Most Sigma rules one correlation can reference (one bit each in a hit mask).
pub const MAX_SIGMA_RULES: usize = 64;

/// A rule's event test.
#[derive(Debug, Clone)]
pub enum Predicate {
    /// A KQL query.
    Kql(Matcher),
    /// Sigma rules: the event counts when any of them matches.
    Sigma(Vec<CompiledSigma>),
}

impl Predicate {
    /// Whether the event counts.
    pub fn matches(&self, ev: &Event<'_>, document: Option<&serde_json::Value>) -> bool {
        match self {
            Predicate::Kql(m) => m.matches(ev, document),
            Predicate::Sigma(rules) => rules.iter().any(|r| r.matches(ev)),
        }
    }

    /// Which parts match: bit `i` for the `i`-th Sigma rule; bit 0 for a KQL query.
    pub fn hits(&self, ev: &Event<'_>, document: Option<&serde_json::Value>) -> u64 {
        match self {
            Predicate::Kql(m) => u64::from(m.matches(ev, document)),
            Predicate::Sigma(rules) => rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.matches(ev))
                .fold(0, |mask, (i, _)| mask | 1 << i),
        }
    }

    /// The fields the test reads, when its verdict depends on nothing else but the record's
    /// kind and encoding (`None` when it reads the record itself).
    pub fn fields(&self) -> Option<Vec<FieldId>> {
        match self {
            Predicate::Kql(m) => m.fields(),
            Predicate::Sigma(rules) => {
                let mut all = Vec::new();
                for r in rules {
                    all.extend(r.fields()?);
                }
                Some(all)
            }
        }
    }

    /// Values (lower-cased) one of which some field of `fields` must hold as a string for the
    /// event to count; `None` when not known.
    pub fn required_values(&self, fields: &[FieldId]) -> Option<Vec<String>> {
        match self {
            Predicate::Kql(m) => m.required_values(fields),
            Predicate::Sigma(rules) => {
                let mut all = Vec::new();
                for r in rules {
                    all.extend(r.required_values(fields)?);
                }
                Some(all)
            }
        }
    }

    /// Whether matching needs the whole record parsed (KQL free text or wildcard field
    /// names; Sigma keywords search the raw text instead).
    pub fn needs_document(&self) -> bool {
        match self {
            Predicate::Kql(m) => m.needs_document(),
            Predicate::Sigma(_) => false,
        }
    }
}
