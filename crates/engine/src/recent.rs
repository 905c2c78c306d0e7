//! Recent answers of a domain-list lookup, by name.
//!
//! A list condition walks the query name's label suffixes through the list's hash set on every
//! record; Resolver logs ask about the same names over and over, so the last answer for each
//! name is kept in a direct-mapped table: a repeat costs one hash and one comparison. The table
//! is fixed in size (a name displaces whatever shared its slot), and the hash is seeded per
//! process, since names come from the logs.

use std::cell::RefCell;
use std::hash::BuildHasher;

/// Slots in the table (a power of two).
const SLOTS: usize = 4096;

/// A name and the answer given for it.
type Slot = Option<(Box<str>, bool)>;

/// See the module documentation.
#[derive(Clone, Default)]
pub(crate) struct Recent {
    /// Allocated at first use.
    slots: RefCell<Vec<Slot>>,
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
        let at = self.seed.hash_one(name) as usize & (SLOTS - 1);
        let mut slots = self.slots.borrow_mut();
        if slots.is_empty() {
            slots.resize(SLOTS, None);
        }
        if let Some((known, answer)) = &slots[at]
            && **known == *name
        {
            return *answer;
        }
        let answer = decide(name);
        slots[at] = Some((name.into(), answer));
        answer
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
