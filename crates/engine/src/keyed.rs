//! Bounded per-key state: a map from a rule's key (group, join key or term) to its state, that
//! never holds more than `max` keys. Inserting a key into a full map first evicts a batch of
//! the keys whose last activity (latest event time) is oldest, ties broken by key, and counts
//! them; batches of `max / 16 + 1` keys keep the cost of eviction constant per insertion.
//!
//! Eviction loses state, so a run that evicted nothing is the only kind whose results are
//! guaranteed independent of input order; the count says whether that happened.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// State that knows when it was last active.
pub trait Activity {
    /// The latest event time folded into the state, epoch ms.
    fn last_ms(&self) -> i64;
}

/// A capped map of per-key state.
#[derive(Debug, Clone)]
pub struct Keyed<K, V> {
    map: HashMap<K, V>,
    max: usize,
    evicted: u64,
}

impl<K: Hash + Eq + Ord + Clone, V: Activity> Keyed<K, V> {
    /// An empty map holding at most `max` keys (at least one).
    pub fn new(max: usize) -> Self {
        Keyed {
            map: HashMap::new(),
            max: max.max(1),
            evicted: 0,
        }
    }

    /// The keys held and the eviction count, leaving the map empty with the same cap.
    pub fn take(&mut self) -> Self {
        std::mem::replace(self, Keyed::new(self.max))
    }

    /// Keys evicted so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// The state of `key`, created with `make` when absent (evicting first if full).
    pub fn entry(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        if self.map.len() >= self.max && !self.map.contains_key(&key) {
            self.evict_to(self.max - (self.max / 16 + 1).min(self.max));
        }
        self.map.entry(key).or_insert_with(make)
    }

    /// Every key and its state, in no particular order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.map.iter_mut()
    }

    /// Keeps the keys for which `keep` holds.
    pub fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.map.retain(keep);
    }

    /// Folds in another map: keys present in both are combined with `combine`; then keys over
    /// the cap are evicted.
    pub fn merge(&mut self, other: Keyed<K, V>, mut combine: impl FnMut(&mut V, V)) {
        self.evicted += other.evicted;
        for (k, v) in other.map {
            match self.map.get_mut(&k) {
                Some(mine) => combine(mine, v),
                None => {
                    self.map.insert(k, v);
                }
            }
        }
        if self.map.len() > self.max {
            self.evict_to(self.max);
        }
    }

    /// Evicts the least recently active keys until `target` remain.
    fn evict_to(&mut self, target: usize) {
        let excess = self.map.len().saturating_sub(target);
        if excess == 0 {
            return;
        }
        let mut order: Vec<(i64, &K)> = self.map.iter().map(|(k, v)| (v.last_ms(), k)).collect();
        if excess < order.len() {
            order.select_nth_unstable(excess - 1);
            order.truncate(excess);
        }
        let victims: Vec<K> = order.into_iter().map(|(_, k)| k.clone()).collect();
        for k in &victims {
            self.map.remove(k);
        }
        self.evicted += victims.len() as u64;
    }
}

/// The serialised form: the cap, the eviction count and the entries sorted by key, so the
/// same state always serialises to the same bytes.
#[derive(Serialize)]
struct KeyedRef<'a, K, V> {
    max: usize,
    evicted: u64,
    entries: Vec<(&'a K, &'a V)>,
}

#[derive(Deserialize)]
struct KeyedOwned<K, V> {
    max: usize,
    evicted: u64,
    entries: Vec<(K, V)>,
}

impl<K: Serialize + Ord, V: Serialize> Serialize for Keyed<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<(&K, &V)> = self.map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        KeyedRef {
            max: self.max,
            evicted: self.evicted,
            entries,
        }
        .serialize(s)
    }
}

impl<'de, K: Deserialize<'de> + Hash + Eq, V: Deserialize<'de>> Deserialize<'de> for Keyed<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let owned = KeyedOwned::<K, V>::deserialize(d)?;
        Ok(Keyed {
            map: owned.entries.into_iter().collect(),
            max: owned.max.max(1),
            evicted: owned.evicted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct At(i64);

    impl Activity for At {
        fn last_ms(&self) -> i64 {
            self.0
        }
    }

    #[test]
    fn a_full_map_evicts_the_least_recently_active_keys_first() {
        let mut m: Keyed<u32, At> = Keyed::new(4);
        for (k, t) in [(1, 40), (2, 10), (3, 30), (4, 10)] {
            m.entry(k, || At(t));
        }
        // Full: a batch of max / 16 + 1 = 1 key goes, the oldest (10), ties by key.
        m.entry(5, || At(50));
        let mut keys: Vec<u32> = m.iter_mut().map(|(k, _)| *k).collect();
        keys.sort();
        assert_eq!(keys, [1, 3, 4, 5]);
        assert_eq!(m.evicted(), 1);
        // An existing key never evicts.
        m.entry(1, || At(0)).0 = 60;
        assert_eq!(m.evicted(), 1);
        // Merging over the cap evicts down to it.
        let mut other: Keyed<u32, At> = Keyed::new(4);
        other.entry(6, || At(5));
        other.entry(7, || At(70));
        m.merge(other, |a, b| a.0 = a.0.max(b.0));
        let mut keys: Vec<u32> = m.iter_mut().map(|(k, _)| *k).collect();
        keys.sort();
        assert_eq!(keys, [1, 3, 5, 7]);
        assert_eq!(m.evicted(), 3);
    }

    #[test]
    fn serialisation_is_sorted_and_round_trips() {
        let m: Keyed<u32, i64> = Keyed {
            map: [3, 1, 2]
                .map(|k| (k, i64::from(k) * 10))
                .into_iter()
                .collect(),
            max: 10,
            evicted: 0,
        };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(
            text,
            r#"{"max":10,"evicted":0,"entries":[[1,10],[2,20],[3,30]]}"#
        );
        let back: Keyed<u32, i64> = serde_json::from_str(&text).unwrap();
        assert_eq!(back.map, m.map);
    }
}
