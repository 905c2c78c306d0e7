//! `[[rule.lists]]` conditions, compiled: each field's values looked up in a value list, exactly
//! or as domain names on label boundaries (a hash set walk over the name's suffixes, its answer
//! remembered per name: [`crate::recent`]), ANDed with the rule's query. A negated condition
//! holds when no value is in the list (or the field is absent).

use crate::recent::Recent;
use r53guard_dns::DomainSet;
use r53guard_event::{Event, FieldId, Schema};
use r53guard_rules::{ListMatch, ListMode, ValueList};
use std::collections::{BTreeMap, HashSet};

/// One rule's list conditions.
#[derive(Debug, Clone, Default)]
pub struct ListConditions {
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone)]
struct Condition {
    field: FieldId,
    negate: bool,
    lookup: Lookup,
}

#[derive(Debug, Clone)]
enum Lookup {
    Exact(HashSet<String>),
    Domain(DomainSet, Recent),
}

impl ListConditions {
    /// Compiles a rule's conditions; `Err` names a list that is not loaded.
    pub fn compile(
        matches: &[ListMatch],
        lists: &BTreeMap<String, ValueList>,
        schema: &mut Schema,
    ) -> Result<ListConditions, String> {
        let mut conditions = Vec::new();
        for m in matches {
            let list = lists.get(&m.list).ok_or_else(|| m.list.clone())?;
            let lookup = match m.mode {
                ListMode::Exact => Lookup::Exact(list.items.iter().cloned().collect()),
                ListMode::Domain => Lookup::Domain(DomainSet::new(&list.items), Recent::default()),
            };
            conditions.push(Condition {
                field: schema.add(&m.field),
                negate: m.negate,
                lookup,
            });
        }
        Ok(ListConditions { conditions })
    }

    /// The fields the conditions read.
    pub fn fields(&self) -> Vec<FieldId> {
        self.conditions.iter().map(|c| c.field).collect()
    }

    /// Whether the event meets every condition.
    pub fn hold(&self, ev: &Event<'_>) -> bool {
        self.conditions.iter().all(|c| {
            let found = ev.values(c.field).any(|v| {
                v.as_text().is_some_and(|t| match &c.lookup {
                    Lookup::Exact(set) => set.contains(t),
                    Lookup::Domain(set, recent) => recent.answer(t, |t| set.contains(t)),
                })
            });
            found != c.negate
        })
    }
}
