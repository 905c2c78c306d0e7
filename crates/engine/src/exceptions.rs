//! Exceptions, compiled: an event matching any active item (all of its entries) is dropped
//! before it can alert. Items come from the rule and from shared exception files.

use r53guard_event::{Event, FieldId, FieldValue, Schema};
use r53guard_kql::ip::parse_ip;
use r53guard_rules::{Condition, ExceptionItem, ValueList};
use std::collections::{BTreeMap, HashSet};

/// One rule's exceptions.
#[derive(Debug, Clone, Default)]
pub struct Exceptions {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
struct Item {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    field: FieldId,
    negated: bool,
    ci: bool,
    test: Test,
}

#[derive(Debug, Clone)]
enum Test {
    OneOf(HashSet<String>),
    Exists,
    Matches(r53guard_rules::Wildcard),
    Cidr(Vec<r53guard_kql::ip::Cidr>),
}

/// A list id an exception names that was not loaded.
#[derive(Debug, thiserror::Error)]
#[error("exception refers to value list {0:?}, which is not loaded")]
pub struct MissingList(pub String);

impl Exceptions {
    /// Compiles the active items (expired ones are left out as of `now_ms`).
    pub fn compile<'a>(
        items: impl IntoIterator<Item = &'a ExceptionItem>,
        ci_fields: &[String],
        lists: &BTreeMap<String, ValueList>,
        schema: &mut Schema,
        now_ms: i64,
    ) -> Result<Exceptions, MissingList> {
        let mut out = Vec::new();
        for item in items.into_iter().filter(|i| i.is_active(now_ms)) {
            let mut entries = Vec::new();
            for e in &item.entries {
                let ci = ci_fields.iter().any(|f| f == &e.field);
                let fold = |s: &str| if ci { s.to_lowercase() } else { s.to_owned() };
                let test = match &e.condition {
                    Condition::Is(v) => Test::OneOf(std::iter::once(fold(v)).collect()),
                    Condition::IsOneOf(vs) => Test::OneOf(vs.iter().map(|v| fold(v)).collect()),
                    Condition::InList(id) => {
                        let list = lists.get(id).ok_or_else(|| MissingList(id.clone()))?;
                        Test::OneOf(list.items.iter().map(|v| fold(v)).collect())
                    }
                    Condition::Exists => Test::Exists,
                    Condition::Matches(w) => Test::Matches(w.clone()),
                    Condition::Cidr(c) => Test::Cidr(c.clone()),
                };
                entries.push(Entry {
                    field: schema.add(&e.field),
                    negated: e.negated,
                    ci,
                    test,
                });
            }
            out.push(Item { entries });
        }
        Ok(Exceptions { items: out })
    }

    /// Whether the event is excepted.
    pub fn excepts(&self, ev: &Event<'_>) -> bool {
        self.items
            .iter()
            .any(|item| item.entries.iter().all(|e| e.holds(ev)))
    }
}

impl Entry {
    fn holds(&self, ev: &Event<'_>) -> bool {
        let positive = match &self.test {
            Test::Exists => ev.values(self.field).any(|v| !v.is_null()),
            test => ev.values(self.field).any(|v| test.matches(&v, self.ci)),
        };
        positive != self.negated
    }
}

impl Test {
    fn matches(&self, v: &FieldValue<'_>, ci: bool) -> bool {
        let Some(text) = v.as_text() else {
            return false;
        };
        match self {
            Test::OneOf(set) => {
                if ci {
                    set.contains(&text.to_lowercase())
                } else {
                    set.contains(text)
                }
            }
            Test::Exists => true,
            Test::Matches(w) => w.matches(text, ci),
            Test::Cidr(nets) => {
                parse_ip(text).is_some_and(|ip| nets.iter().any(|n| n.contains(ip)))
            }
        }
    }
}
