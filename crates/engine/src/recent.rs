//! Recent answers of a domain-list lookup, by name.
//!
//! A list condition walks the query name's label suffixes through the list's hash set on every
//! record; Resolver logs ask about the same names over and over, so the last answer for each
//! name is kept in a table: a repeat costs one hash and one comparison. The table is fixed in
//! size and four-way set-associative (a new name displaces the least recently used of its set,
//! see [`crate::ways`]), and the hash is seeded per process, since names come from the logs.

use crate::ways::{Place, Ways};
use std::cell::RefCell;
use std::hash::BuildHasher;

/// Entries in the table (a power of two).
const SLOTS: usize = 4096;

/// The table: where each name is, and each entry's name and the answer given for it.
#[derive(Clone, Default)]
struct Table {
    ways: Ways,
    entries: Vec<(Box<str>, bool)>,
}

/// See the module documentation.
#[derive(Clone, Default)]
pub(crate) struct Recent {
    /// Allocated at first use.
    table: RefCell<Table>,
    seed: foldhash::fast::RandomState,
}

impl std::fmt::Debug for Recent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recent").finish_non_exhaustive()
    }
}

impl Recent {
    /// The answer for `name`: remembered, or `decide(name)` (then remembered).
    pub(crate) fn answer(&self, name: &str, decide: impl FnOnce(&str) -> bool) -> bool {
        let mut table = self.table.borrow_mut();
        let Table { ways, entries } = &mut *table;
        if ways.is_empty() {
            *ways = Ways::new(SLOTS);
            entries.resize(SLOTS, (Box::default(), false));
        }
        match ways.place(self.seed.hash_one(name), |e| *entries[e].0 == *name) {
            Place::Found(e) => entries[e].1,
            Place::Taken(e) => {
                let answer = decide(name);
                entries[e] = (name.into(), answer);
                answer
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn decides_once_per_name_until_displaced() {
        let recent = Recent::default();
        let calls = Cell::new(0);
        let decide = |name: &str| {
            calls.set(calls.get() + 1);
            name.ends_with(".pool")
        };
        for _ in 0..3 {
            assert!(recent.answer("x.pool", decide));
            assert!(!recent.answer("x.example", decide));
        }
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn every_name_gets_its_own_answer() {
        let recent = Recent::default();
        for round in 0..2 {
            for i in 0..3 * SLOTS {
                let name = format!("n{i}.example");
                assert_eq!(
                    recent.answer(&name, |n| n.len() % 2 == 0),
                    name.len() % 2 == 0,
                    "{round}"
                );
            }
        }
    }
}
