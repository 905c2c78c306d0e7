//! DNS analytics remembered across records.
//!
//! Resolver query logs repeat themselves: the same few thousand names are looked up again and
//! again (1,766 distinct names in the first million records of the benchmark data; real
//! resolvers see the same skew, which is why they cache). The derived DNS fields — registrable
//! domain, DGA score, base64 and tunnel labels — are pure functions of the logged text, so each
//! is computed once per distinct name and lent to every later record that carries it.
//!
//! The cache is bounded: when it holds [`CAPACITY`] names it is emptied and refilled, so a
//! stream of unique names (a tunnel, a DGA sweep) costs one computation per record, as without
//! the cache, and memory stays flat. Keys are hashed with a per-process random seed: names
//! come from the logs, so an attacker must not be able to pick colliding ones.

use crate::walk::SlotId;
use std::collections::HashMap;
use std::rc::Rc;

/// Distinct captured texts kept before the cache is emptied.
pub(crate) const CAPACITY: usize = 1 << 14;

/// One derived value: the physical path it was read from and the result (`None`: the analytic
/// has nothing to say, e.g. no base64 label).
type Remembered = Option<(SlotId, Option<Rc<str>>)>;

/// Derived values by captured text (JSON as written, quotes included), one place per memo slot.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameCache {
    names: HashMap<Box<str>, Box<[Remembered]>, foldhash::fast::RandomState>,
}

impl NameCache {
    /// The value of memo slot `slot` (of `slots`) for the text `raw` read from physical path
    /// `phys`, computed by `compute` unless remembered.
    pub(crate) fn get_or_compute(
        &mut self,
        raw: &str,
        phys: SlotId,
        slot: usize,
        slots: usize,
        compute: impl FnOnce() -> Option<Box<str>>,
    ) -> Option<Rc<str>> {
        if let Some(places) = self.names.get_mut(raw) {
            return remember(places, phys, slot, compute);
        }
        if self.names.len() >= CAPACITY {
            self.names.clear();
        }
        let places = self
            .names
            .entry(raw.into())
            .or_insert_with(|| vec![None; slots].into_boxed_slice());
        remember(places, phys, slot, compute)
    }

    /// Number of distinct texts remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// The value in `places[slot]` when it was read from `phys`, else `compute`'s (then kept).
fn remember(
    places: &mut [Remembered],
    phys: SlotId,
    slot: usize,
    compute: impl FnOnce() -> Option<Box<str>>,
) -> Option<Rc<str>> {
    let place = places.get_mut(slot)?;
    match place {
        Some((from, value)) if *from == phys => value.clone(),
        _ => {
            let value: Option<Rc<str>> = compute().map(Rc::from);
            *place = Some((phys, value.clone()));
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn computes_once_per_text_and_slot() {
        let mut cache = NameCache::default();
        let calls = Cell::new(0);
        let compute = |v: &str| {
            calls.set(calls.get() + 1);
            Some(Box::from(v))
        };
        for _ in 0..3 {
            let got = cache.get_or_compute("\"a.example.com.\"", 1, 0, 2, || compute("x"));
            assert_eq!(got.as_deref(), Some("x"));
        }
        assert_eq!(calls.get(), 1);
        let other_slot = cache.get_or_compute("\"a.example.com.\"", 1, 1, 2, || compute("y"));
        assert_eq!(other_slot.as_deref(), Some("y"));
        assert_eq!(calls.get(), 2);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_text_read_from_another_path_is_recomputed() {
        let mut cache = NameCache::default();
        let first = cache.get_or_compute("\"x\"", 1, 0, 1, || Some("native".into()));
        let second = cache.get_or_compute("\"x\"", 2, 0, 1, || Some("ocsf".into()));
        assert_eq!(first.as_deref(), Some("native"));
        assert_eq!(second.as_deref(), Some("ocsf"));
    }

    #[test]
    fn nothing_to_say_is_remembered_too() {
        let mut cache = NameCache::default();
        assert_eq!(cache.get_or_compute("\"n\"", 0, 0, 1, || None), None);
        let again = cache.get_or_compute("\"n\"", 0, 0, 1, || panic!("recomputed"));
        assert_eq!(again, None);
    }

    #[test]
    fn emptied_when_full_and_refilled() {
        let mut cache = NameCache::default();
        for i in 0..CAPACITY + 10 {
            let raw = format!("\"{i}.example\"");
            let got = cache.get_or_compute(&raw, 0, 0, 1, || Some(raw.clone().into()));
            assert_eq!(got.as_deref(), Some(raw.as_str()));
        }
        assert_eq!(cache.len(), 10);
    }
}
