//! The projector's JSON walk: a path trie of the fields wanted, and a single serde pass over a
//! record that records where each wanted value sits, skipping everything else unparsed into
//! values. No DOM is built; captures are byte spans into the record, reused across records.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Index of a captured physical path.
pub type SlotId = u16;

/// A trie of dotted physical paths (`userIdentity.sessionContext.sessionIssuer.arn`).
#[derive(Debug, Clone, Default)]
pub struct PathTrie {
    nodes: Vec<Node>,
    paths: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    children: Vec<Child>,
    slot: Option<SlotId>,
}

/// A child edge. Keys are compared by a cheap tag (length, first and last byte) before their
/// bytes, so a key that is not wanted rarely costs a string comparison.
#[derive(Debug, Clone)]
struct Child {
    tag: u32,
    key: Box<str>,
    node: u32,
}

fn tag(key: &str) -> u32 {
    let b = key.as_bytes();
    let first = b.first().copied().unwrap_or(0) as u32;
    let last = b.last().copied().unwrap_or(0) as u32;
    ((b.len() as u32) << 16) | (first << 8) | last
}

impl Node {
    fn child(&self, key: &str) -> Option<usize> {
        let t = tag(key);
        self.children
            .iter()
            .find(|c| c.tag == t && &*c.key == key)
            .map(|c| c.node as usize)
    }
}

impl PathTrie {
    /// Adds a path (or finds it) and returns its slot.
    pub fn insert(&mut self, path: &str) -> SlotId {
        if self.nodes.is_empty() {
            self.nodes.push(Node::default());
        }
        let mut at = 0usize;
        for seg in path.split('.') {
            at = match self.nodes[at].child(seg) {
                Some(i) => i,
                None => {
                    self.nodes.push(Node::default());
                    let i = self.nodes.len() - 1;
                    self.nodes[at].children.push(Child {
                        tag: tag(seg),
                        key: seg.into(),
                        node: i as u32,
                    });
                    i
                }
            };
        }
        if let Some(slot) = self.nodes[at].slot {
            return slot;
        }
        let slot = self.paths.len() as SlotId;
        self.paths.push(path.to_owned());
        self.nodes[at].slot = Some(slot);
        slot
    }

    /// Walks `record` (a JSON text) and fills `caps` with the spans of every wanted value.
    /// Array values are captured element by element (arrays nested in arrays are flattened).
    pub fn walk(&self, record: &str, caps: &mut Captures) -> Result<(), serde_json::Error> {
        caps.reset(self.paths.len());
        if self.nodes.is_empty() {
            return serde_json::from_str::<IgnoredAny>(record).map(drop);
        }
        let mut de = serde_json::Deserializer::from_str(record);
        NodeSeed {
            trie: self,
            node: 0,
            base: record.as_ptr() as usize,
            caps,
        }
        .deserialize(&mut de)?;
        de.end()
    }
}

/// Captured spans per slot, in document order. Reused across records without reallocating.
#[derive(Debug, Default, Clone)]
pub struct Captures {
    first: Vec<u32>,
    last: Vec<u32>,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    end: u32,
    next: u32,
}

const NONE: u32 = u32::MAX;

impl Captures {
    fn reset(&mut self, slots: usize) {
        self.first.clear();
        self.first.resize(slots, NONE);
        self.last.clear();
        self.last.resize(slots, NONE);
        self.entries.clear();
    }

    fn push(&mut self, slot: SlotId, start: usize, end: usize) {
        let idx = self.entries.len() as u32;
        self.entries.push(Entry {
            start: start as u32,
            end: end as u32,
            next: NONE,
        });
        let s = slot as usize;
        match self.last[s] {
            NONE => self.first[s] = idx,
            prev => self.entries[prev as usize].next = idx,
        }
        self.last[s] = idx;
    }

    /// Whether the slot captured at least one value.
    pub fn has(&self, slot: SlotId) -> bool {
        self.first.get(slot as usize).is_some_and(|&f| f != NONE)
    }

    /// The byte ranges captured for a slot, in document order.
    pub fn ranges(&self, slot: SlotId) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let mut at = self.first.get(slot as usize).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            let e = *self.entries.get(at as usize)?;
            at = e.next;
            Some(e.start as usize..e.end as usize)
        })
    }

    /// The raw JSON texts captured for a slot, in document order.
    pub fn spans<'r>(&'r self, slot: SlotId, record: &'r str) -> Spans<'r> {
        Spans {
            caps: self,
            record,
            at: self.first.get(slot as usize).copied().unwrap_or(NONE),
        }
    }
}

/// Iterator over the raw texts of one slot.
#[derive(Clone)]
pub struct Spans<'r> {
    caps: &'r Captures,
    record: &'r str,
    at: u32,
}

impl<'r> Iterator for Spans<'r> {
    type Item = &'r str;
    fn next(&mut self) -> Option<&'r str> {
        let e = *self.caps.entries.get(self.at as usize)?;
        self.at = e.next;
        self.record.get(e.start as usize..e.end as usize)
    }
}

struct NodeSeed<'t, 'c> {
    trie: &'t PathTrie,
    node: usize,
    base: usize,
    caps: &'c mut Captures,
}

impl<'t, 'c> NodeSeed<'t, 'c> {
    fn reborrow(&mut self, node: usize) -> NodeSeed<'t, '_> {
        NodeSeed {
            trie: self.trie,
            node,
            base: self.base,
            caps: self.caps,
        }
    }

    /// Handles a value captured as raw text at a node that wants it.
    fn capture(&mut self, raw: &str) -> Result<(), serde_json::Error> {
        let node = &self.trie.nodes[self.node];
        match raw.as_bytes().first() {
            Some(b'[') => {
                let mut de = serde_json::Deserializer::from_str(raw);
                de.deserialize_seq(ElementsVisitor(self.reborrow(self.node)))?;
            }
            Some(b'{') if !node.children.is_empty() => {
                let start = raw.as_ptr() as usize - self.base;
                if let Some(slot) = node.slot {
                    self.caps.push(slot, start, start + raw.len());
                }
                let mut de = serde_json::Deserializer::from_str(raw);
                de.deserialize_map(MapVisitor(self.reborrow(self.node)))?;
            }
            _ => {
                let start = raw.as_ptr() as usize - self.base;
                if let Some(slot) = node.slot {
                    self.caps.push(slot, start, start + raw.len());
                }
            }
        }
        Ok(())
    }
}

impl<'de, 't, 'c> DeserializeSeed<'de> for NodeSeed<'t, 'c> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(mut self, d: D) -> Result<(), D::Error> {
        if self.trie.nodes[self.node].slot.is_some() {
            let raw: &'de RawValue = de::Deserialize::deserialize(d)?;
            self.capture(raw.get()).map_err(de::Error::custom)
        } else {
            d.deserialize_any(AnyVisitor(self))
        }
    }
}

/// Visits a value at an interior node: objects are searched for wanted keys, arrays apply the
/// node to every element, scalars are ignored.
struct AnyVisitor<'t, 'c>(NodeSeed<'t, 'c>);

impl<'de, 't, 'c> Visitor<'de> for AnyVisitor<'t, 'c> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        MapVisitor(self.0).visit_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        ElementsVisitor(self.0).visit_seq(seq)
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

struct MapVisitor<'t, 'c>(NodeSeed<'t, 'c>);

impl<'de, 't, 'c> Visitor<'de> for MapVisitor<'t, 'c> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let trie = self.0.trie;
        let node = &trie.nodes[self.0.node];
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match node.child(&key.0) {
                Some(child) => map.next_value_seed(self.0.reborrow(child))?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct ElementsVisitor<'t, 'c>(NodeSeed<'t, 'c>);

impl<'de, 't, 'c> Visitor<'de> for ElementsVisitor<'t, 'c> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let node = self.0.node;
        while seq.next_element_seed(self.0.reborrow(node))?.is_some() {}
        Ok(())
    }
}

/// An object key, borrowed from the record unless it had escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grab(paths: &[&str], record: &str) -> Vec<Vec<String>> {
        let mut trie = PathTrie::default();
        let slots: Vec<_> = paths.iter().map(|p| trie.insert(p)).collect();
        let mut caps = Captures::default();
        trie.walk(record, &mut caps).unwrap();
        slots
            .iter()
            .map(|&s| caps.spans(s, record).map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn captures_nested_and_array_values() {
        let rec =
            r#"{"a":{"b":"x","c":[1,2]},"answers":[{"Rdata":"1.2.3.4"},{"Rdata":"h."}],"z":null}"#;
        assert_eq!(
            grab(&["a.b", "a.c", "answers.Rdata", "z", "missing", "a"], rec),
            vec![
                vec![r#""x""#.to_owned()],
                vec!["1".to_owned(), "2".to_owned()],
                vec![r#""1.2.3.4""#.to_owned(), r#""h.""#.to_owned()],
                vec!["null".to_owned()],
                vec![],
                vec![r#"{"b":"x","c":[1,2]}"#.to_owned()],
            ]
        );
    }

    #[test]
    fn escaped_keys_and_values_are_found() {
        let rec = r#"{"k\u0065y":"v\"q","other":{"deep":[{"x":1}]}}"#;
        assert_eq!(grab(&["key"], rec), vec![vec![r#""v\"q""#.to_owned()]]);
    }

    #[test]
    fn malformed_json_is_an_error() {
        let mut trie = PathTrie::default();
        trie.insert("a");
        let mut caps = Captures::default();
        for bad in [r#"{"a":}"#, r#"{"a":1"#, r#"{"a":1} x"#, "", "[1,]"] {
            assert!(trie.walk(bad, &mut caps).is_err(), "{bad}");
        }
    }
}
