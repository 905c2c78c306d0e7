//! The scanner's memory of key order: the keys of the last object read at each node of the path
//! trie, in order, with what the trie said about each. Records of one log list the same keys
//! in the same order nearly every time, so at the `n`th key of an object the scanner first
//! checks whether the record holds the key that came `n`th last time; when it does, the key's
//! end and its trie child are known without scanning the key or looking it up.
//!
//! A key is expected only when it is at most 16 bytes long (held whole in its first and last
//! eight bytes) and had no escape; it matches when the record's bytes equal it and a quote
//! follows. Such bytes can only be that key, unescaped, so the answer is the lookup's.

use crate::walk::key_words_at;

/// Keys remembered per node: objects with more keys go on being looked up past this.
const MAX_KEYS: usize = 64;

/// Longest key remembered (its first and last eight bytes then hold all of it).
const MAX_KEY_BYTES: usize = 16;

/// [`Expected::child`] for a key the trie does not hold.
const NO_CHILD: u32 = u32::MAX;

/// The last key order seen at each trie node.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyOrder {
    /// The trie the children are of ([`crate::walk::PathTrie`]'s id).
    trie: u64,
    nodes: Vec<Vec<Expected>>,
}

/// A key expected at one position of an object.
#[derive(Debug, Clone, Copy)]
struct Expected {
    /// The key's first and last eight bytes ([`key_words_at`]).
    head: u64,
    tail: u64,
    len: usize,
    /// Its child in the trie, or [`NO_CHILD`].
    child: u32,
}

impl KeyOrder {
    /// Forgets everything when `trie` is not the trie the memory is of.
    #[inline]
    pub(crate) fn use_trie(&mut self, trie: u64, nodes: usize) {
        if self.trie != trie {
            self.trie = trie;
            self.nodes.clear();
            self.nodes.resize_with(nodes, Vec::new);
        }
    }

    /// When the key starting at `b[start]` (after its opening quote) is the one expected at
    /// position `pos` of an object at `node`: its length and its child in the trie.
    #[inline(always)]
    pub(crate) fn expected(
        &self,
        node: usize,
        pos: usize,
        b: &[u8],
        start: usize,
    ) -> Option<(usize, Option<usize>)> {
        let e = self.nodes.get(node)?.get(pos)?;
        if e.len > MAX_KEY_BYTES || b.get(start + e.len) != Some(&b'"') {
            return None;
        }
        let (head, tail) = key_words_at(b, start, e.len);
        (head == e.head && tail == e.tail)
            .then(|| (e.len, (e.child != NO_CHILD).then_some(e.child as usize)))
    }

    /// Remembers the key read at position `pos` of an object at `node`: its words
    /// ([`key_words_at`]), length (a longer key than 16 bytes is kept only to hold its place)
    /// and trie child. Keys with escapes never come here (the scanner leaves them to serde).
    #[inline]
    pub(crate) fn learn(
        &mut self,
        node: usize,
        pos: usize,
        (head, tail): (u64, u64),
        len: usize,
        child: Option<usize>,
    ) {
        let Some(keys) = self.nodes.get_mut(node) else {
            return;
        };
        if pos >= MAX_KEYS || pos > keys.len() {
            return;
        }
        let e = Expected {
            head,
            tail,
            len,
            child: child.map_or(NO_CHILD, |c| c as u32),
        };
        if pos == keys.len() {
            keys.push(e);
        } else {
            keys[pos] = e;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A memory of one trie with `keys` learned in order at node 0 (children 10, 11, …).
    fn learned(keys: &[&str]) -> KeyOrder {
        let mut order = KeyOrder::default();
        order.use_trie(7, 3);
        for (pos, k) in keys.iter().enumerate() {
            let words = key_words_at(k.as_bytes(), 0, k.len());
            order.learn(0, pos, words, k.len(), Some(10 + pos));
        }
        order
    }

    /// What is expected at `pos` for the record text `text` (the key starts at byte 1).
    fn at(order: &KeyOrder, pos: usize, text: &str) -> Option<(usize, Option<usize>)> {
        order.expected(0, pos, text.as_bytes(), 1)
    }

    #[test]
    fn the_key_expected_is_found_only_when_its_bytes_and_quote_are_there() {
        let keys = ["a", "query_name", "query_timestamp", "sixteen_bytes_ok"];
        let order = learned(&keys);
        assert_eq!(at(&order, 0, r#""a":1}"#), Some((1, Some(10))));
        assert_eq!(at(&order, 1, r#""query_name":1}"#), Some((10, Some(11))));
        assert_eq!(at(&order, 2, r#""query_timestamp":"#), Some((15, Some(12))));
        assert_eq!(
            at(&order, 3, r#""sixteen_bytes_ok":"#),
            Some((16, Some(13)))
        );
        // A longer key starting the same, another key of the same length, an escaped form.
        assert_eq!(at(&order, 0, r#""ab":1}"#), None);
        assert_eq!(at(&order, 1, r#""query_type":1}"#), None);
        assert_eq!(at(&order, 1, r#""query_nam\u0065":1}"#), None);
        assert_eq!(at(&order, 2, r#""query_timestamq":"#), None);
        // The right key at another position, a position never learned, another node.
        assert_eq!(at(&order, 0, r#""query_name":1}"#), None);
        assert_eq!(at(&order, 4, r#""a":1}"#), None);
        assert_eq!(order.expected(1, 0, br#""a":1}"#, 1), None);
    }

    #[test]
    fn long_keys_hold_their_place_but_are_never_expected() {
        let order = learned(&["seventeen_bytes_x", "b"]);
        assert_eq!(at(&order, 0, r#""seventeen_bytes_x":1}"#), None);
        assert_eq!(at(&order, 1, r#""b":1}"#), Some((1, Some(11))));
    }

    #[test]
    fn a_key_the_trie_lacks_is_expected_without_a_child() {
        let mut order = learned(&[]);
        order.learn(0, 0, key_words_at(b"zz", 0, 2), 2, None);
        assert_eq!(at(&order, 0, r#""zz":1}"#), Some((2, None)));
    }

    #[test]
    fn another_trie_starts_from_nothing_and_gaps_are_not_learned() {
        let mut order = learned(&["a"]);
        order.use_trie(7, 3);
        assert!(at(&order, 0, r#""a":1}"#).is_some());
        order.use_trie(8, 3);
        assert_eq!(at(&order, 0, r#""a":1}"#), None);
        // Position 2 before 0 and 1: nothing to hold its place, so nothing is kept.
        order.learn(0, 2, key_words_at(b"a", 0, 1), 1, Some(1));
        assert_eq!(at(&order, 2, r#""a":1}"#), None);
    }
}
