//! The projector's JSON walk: a path trie of the fields wanted (hashed child tables, so a key
//! costs one probe), and a single pass over a record that records where each wanted value sits,
//! skipping everything else unparsed into values. No DOM is built; captures are byte spans into
//! the record, reused across records. The pass is the hand-written scanner of `scan`; the serde
//! walk below is the reference it falls back to (and is tested against).

use crate::key_order::KeyOrder;
use crate::name_cache::NameCache;
use crate::scan::Scanner;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Index of a captured physical path.
pub type SlotId = u16;

/// A trie of dotted physical paths (`userIdentity.sessionContext.sessionIssuer.arn`).
#[derive(Debug, Clone, Default)]
pub struct PathTrie {
    nodes: Vec<Node>,
    paths: Vec<String>,
    /// Changes with every path added, so what the scanner remembers of a trie's children
    /// ([`KeyOrder`]) is never used with another trie.
    id: u64,
}

/// The source of [`PathTrie::id`]s.
static TRIE_IDS: AtomicU64 = AtomicU64::new(1);

#[derive(Debug, Clone, Default)]
struct Node {
    children: Vec<Child>,
    slot: Option<SlotId>,
    /// Open-addressing table over `children` (index + 1; 0 is empty), a power of two in size.
    table: Vec<u32>,
}

/// A child edge. Keys of up to 16 bytes are compared by their first and last eight bytes
/// (which then hold the whole key), longer ones by their bytes too.
#[derive(Debug, Clone)]
struct Child {
    head: u64,
    tail: u64,
    len: usize,
    key: Box<str>,
    node: u32,
}

/// A key's first and last eight bytes (zero-padded when shorter).
#[inline(always)]
fn key_words(k: &[u8]) -> (u64, u64) {
    let n = k.len();
    if n >= 8 {
        (
            u64::from_le_bytes(k[..8].try_into().unwrap_or_default()),
            u64::from_le_bytes(k[n - 8..].try_into().unwrap_or_default()),
        )
    } else {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(k);
        (u64::from_le_bytes(b), 0)
    }
}

/// [`key_words`] of `buf[start..start + n]`, loading short keys with one read when the buffer
/// goes on far enough (in a record it always does: a key is followed by its closing quote).
#[inline(always)]
pub(crate) fn key_words_at(buf: &[u8], start: usize, n: usize) -> (u64, u64) {
    if n < 8 && n > 0 && start + 8 <= buf.len() {
        let w = u64::from_le_bytes(buf[start..start + 8].try_into().unwrap_or_default());
        (w & (u64::MAX >> (64 - 8 * n as u32)), 0)
    } else {
        key_words(&buf[start..start + n])
    }
}

/// Whether two keys of the same length over 16 bytes, whose first and last eight bytes are
/// known to be equal, are equal (compared eight bytes at a time, without a call).
#[inline(always)]
fn middle_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    let mut i = 8;
    while i + 8 <= n - 8 {
        if a[i..i + 8] != b[i..i + 8] {
            return false;
        }
        i += 8;
    }
    a[i..n - 8] == b[i..n - 8]
}

/// The table position of a key.
#[inline(always)]
fn key_hash(head: u64, tail: u64, n: usize) -> u64 {
    (head ^ tail.rotate_left(29) ^ (n as u64).rotate_left(57)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Node {
    #[inline]
    fn child(&self, key: &[u8]) -> Option<usize> {
        let (head, tail) = key_words(key);
        self.child_words(key, head, tail)
    }

    /// [`Node::child`] with the key's words already computed.
    #[inline(always)]
    fn child_words(&self, key: &[u8], head: u64, tail: u64) -> Option<usize> {
        if self.table.is_empty() {
            return None;
        }
        let n = key.len();
        let mask = self.table.len() - 1;
        let mut at = (key_hash(head, tail, n) >> 40) as usize & mask;
        loop {
            let e = self.table[at];
            if e == 0 {
                return None;
            }
            let c = &self.children[e as usize - 1];
            if c.head == head
                && c.tail == tail
                && c.len == n
                && (n <= 16 || middle_eq(c.key.as_bytes(), key))
            {
                return Some(c.node as usize);
            }
            at = (at + 1) & mask;
        }
    }

    fn rebuild_table(&mut self) {
        let size = (self.children.len() * 2).next_power_of_two().max(4);
        let mask = size - 1;
        self.table = vec![0; size];
        for (i, c) in self.children.iter().enumerate() {
            let mut at = (key_hash(c.head, c.tail, c.len) >> 40) as usize & mask;
            while self.table[at] != 0 {
                at = (at + 1) & mask;
            }
            self.table[at] = i as u32 + 1;
        }
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
            at = match self.nodes[at].child(seg.as_bytes()) {
                Some(i) => i,
                None => {
                    self.nodes.push(Node::default());
                    let i = self.nodes.len() - 1;
                    let parent = &mut self.nodes[at];
                    let (head, tail) = key_words(seg.as_bytes());
                    parent.children.push(Child {
                        head,
                        tail,
                        len: seg.len(),
                        key: seg.into(),
                        node: i as u32,
                    });
                    parent.rebuild_table();
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
        self.id = TRIE_IDS.fetch_add(1, Ordering::Relaxed);
        slot
    }

    /// The child of `node` under `key`, whose words ([`key_words_at`]) are given.
    #[inline]
    pub(crate) fn child_words(
        &self,
        node: usize,
        key: &[u8],
        head: u64,
        tail: u64,
    ) -> Option<usize> {
        self.nodes[node].child_words(key, head, tail)
    }

    /// The slot of `node`, when its value is wanted.
    #[inline]
    pub(crate) fn slot(&self, node: usize) -> Option<SlotId> {
        self.nodes[node].slot
    }

    /// Whether anything below `node` is wanted.
    #[inline]
    pub(crate) fn has_children(&self, node: usize) -> bool {
        !self.nodes[node].children.is_empty()
    }

    /// Walks `record` (a JSON text) and fills `caps` with the spans of every wanted value.
    /// Array values are captured element by element (arrays nested in arrays are flattened).
    ///
    /// The hand-written scanner in `scan` does the work; a record it leaves undecided
    /// (malformed, or with an escaped key, a surrogate escape or deep nesting) is walked again
    /// with serde_json, whose captures or error are then the answer.
    pub fn walk(&self, record: &str, caps: &mut Captures) -> Result<(), serde_json::Error> {
        caps.reset(self.paths.len());
        if self.nodes.is_empty() {
            return serde_json::from_str::<IgnoredAny>(record).map(drop);
        }
        caps.order.use_trie(self.id, self.nodes.len());
        if Scanner::new(record, self, caps).run().is_ok() {
            return Ok(());
        }
        self.walk_serde(record, caps)
    }

    /// The reference walk: one serde pass (used when the scanner gives up, and by the tests
    /// that check the scanner against it).
    pub(crate) fn walk_serde(
        &self,
        record: &str,
        caps: &mut Captures,
    ) -> Result<(), serde_json::Error> {
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
    /// The DNS analytics computed for the current record, by memo slot (see
    /// [`crate::Schema`]): each is computed at most once per record, however many rules read
    /// it.
    pub(crate) memo: Vec<OnceCell<Option<Rc<str>>>>,
    /// The same analytics remembered across records, by captured text.
    pub(crate) names: RefCell<NameCache>,
    /// The key order of the objects of the last record, for the scanner.
    pub(crate) order: KeyOrder,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    end: u32,
    next: u32,
    /// The value is a string known to hold no escape (set by the scanner only).
    plain: bool,
}

const NONE: u32 = u32::MAX;

impl Captures {
    /// Forgets the memory of the previous record's DNS analytics.
    pub(crate) fn reset_memo(&mut self, count: usize) {
        self.memo.truncate(count);
        for cell in &mut self.memo {
            cell.take();
        }
        self.memo.resize_with(count, OnceCell::new);
    }

    fn reset(&mut self, slots: usize) {
        self.first.clear();
        self.first.resize(slots, NONE);
        self.last.clear();
        self.last.resize(slots, NONE);
        self.entries.clear();
    }

    fn push(&mut self, slot: SlotId, start: usize, end: usize) {
        self.push_flagged(slot, start, end, true);
    }

    /// Appends a span; `esc` false says a string value holds no escape.
    #[inline]
    pub(crate) fn push_flagged(&mut self, slot: SlotId, start: usize, end: usize, esc: bool) {
        let idx = self.entries.len() as u32;
        self.entries.push(Entry {
            start: start as u32,
            end: end as u32,
            next: NONE,
            plain: !esc,
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

impl<'r> Spans<'r> {
    /// The next raw text, and whether it is known to hold no escape.
    #[inline]
    pub(crate) fn next_plain(&mut self) -> Option<(&'r str, bool)> {
        let e = *self.caps.entries.get(self.at as usize)?;
        self.at = e.next;
        Some((self.record.get(e.start as usize..e.end as usize)?, e.plain))
    }
}

impl<'r> Iterator for Spans<'r> {
    type Item = &'r str;
    #[inline]
    fn next(&mut self) -> Option<&'r str> {
        self.next_plain().map(|(s, _)| s)
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
            match node.child(key.0.as_bytes()) {
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
    use proptest::prelude::*;

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

    /// The captures of one walk, per slot: (start, end) pairs in document order.
    fn snapshot(caps: &Captures, slots: usize) -> Vec<Vec<(usize, usize)>> {
        (0..slots as SlotId)
            .map(|s| caps.ranges(s).map(|r| (r.start, r.end)).collect())
            .collect()
    }

    const PATHS: &[&str] = &[
        "a", "a.b", "a.c", "b.c.d", "arr", "arr.x", "arr.x.y", "key", "n", "e\u{1}", "s", "o.p",
        "o",
    ];

    fn trie() -> PathTrie {
        let mut t = PathTrie::default();
        for p in PATHS {
            t.insert(p);
        }
        t
    }

    /// The scanner either gives up or agrees with the serde walk: same captures, and it never
    /// accepts what serde rejects. Strings it marks plain hold no backslash.
    fn check(t: &PathTrie, record: &str) -> Result<(), TestCaseError> {
        let mut fast = Captures::default();
        fast.reset(t.paths.len());
        let scanned = Scanner::new(record, t, &mut fast).run();
        let mut slow = Captures::default();
        let reference = t.walk_serde(record, &mut slow);
        if scanned.is_ok() {
            prop_assert!(
                reference.is_ok(),
                "scanner accepted {record:?}: {reference:?}"
            );
            prop_assert_eq!(
                snapshot(&fast, t.paths.len()),
                snapshot(&slow, t.paths.len()),
                "{:?}",
                record
            );
            for e in &fast.entries {
                if e.plain {
                    let text = &record[e.start as usize..e.end as usize];
                    prop_assert!(!text.contains('\\'), "{:?}", text);
                }
            }
        }
        // Whatever the path taken, `walk` answers as the serde walk does.
        let mut both = Captures::default();
        let walked = t.walk(record, &mut both);
        prop_assert_eq!(walked.is_ok(), reference.is_ok(), "{:?}", record);
        match (walked, reference) {
            (Ok(()), Ok(())) => prop_assert_eq!(
                snapshot(&both, t.paths.len()),
                snapshot(&slow, t.paths.len())
            ),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            _ => unreachable!("checked above"),
        }
        Ok(())
    }

    fn ws() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", "", " ", "\n", "\t ", "\r\n", "\u{0b}"])
    }

    fn string_lit() -> impl Strategy<Value = String> {
        let good = prop::sample::select(vec![
            "a",
            "Zq",
            " ",
            "é",
            "日本",
            "\\\"",
            "\\\\",
            "\\/",
            "\\n",
            "\\u0041",
            "\\u00e9",
            "\u{7f}",
            "0123456789abcdef",
            ".",
            "\\b\\f\\r\\t",
        ]);
        let odd = prop::sample::select(vec![
            "\\uD83D\\uDE00",
            "\\ud800",
            "\\udc00x",
            "\\x",
            "\\u12",
            "\\u12G4",
            "\u{1}",
            "\u{1f}",
            "\\",
        ]);
        let piece = prop_oneof![12 => good, 1 => odd];
        prop::collection::vec(piece, 0..6).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => prop::sample::select(vec![
                "a", "b", "c", "d", "arr", "x", "y", "key", "n", "s", "o", "p", "zz", "ab", "ba",
            ])
            .prop_map(|k| format!("\"{k}\"")),
            1 => prop::sample::select(vec!["k\\u0065y", "e\\u0001", "a\\\""])
                .prop_map(|k| format!("\"{k}\"")),
            1 => string_lit(),
        ]
    }

    fn leaf() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "true", "false", "null", "0", "-0", "-1.5E+3", "2.50", "1e-7", "1E5", "-12", "7",
                "123456789012345678901234567890", "0.000000000000000000000000001",
            ])
            .prop_map(str::to_owned),
            1 => prop::sample::select(vec![
                "tru", "nul", "falsey", "01", "1.", "-", "1e", "1e400", "", "}", "]", ",", ":",
            ])
            .prop_map(str::to_owned),
            4 => "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,3})?",
            8 => string_lit(),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        leaf().prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                (
                    prop::collection::vec((ws(), inner.clone(), ws()), 0..5),
                    ws()
                )
                    .prop_map(|(items, w)| {
                        let parts: Vec<String> =
                            items.iter().map(|(a, v, b)| format!("{a}{v}{b}")).collect();
                        format!("[{w}{}]", parts.join(","))
                    }),
                (
                    prop::collection::vec((key(), ws(), ws(), inner, ws()), 0..6),
                    ws()
                )
                    .prop_map(|(members, w)| {
                        let parts: Vec<String> = members
                            .iter()
                            .map(|(k, a, b, v, c)| format!("{a}{k}{b}:{c}{v}"))
                            .collect();
                        format!("{{{w}{}}}", parts.join(","))
                    }),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn scanner_agrees_with_serde(v in value(), a in ws(), b in ws()) {
            check(&trie(), &format!("{a}{v}{b}"))?;
        }

        #[test]
        fn scanner_agrees_with_serde_on_mutations(
            v in value(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, prop::sample::select(
                b"{}[]\":,\\ -0.1eE+tfnu\x01az".to_vec())), 1..4),
        ) {
            let mut bytes = v.into_bytes();
            for (at, op, c) in edits {
                let i = at.index(bytes.len() + 1);
                match op {
                    0 => bytes.insert(i, c),
                    1 if i < bytes.len() => { bytes.remove(i); }
                    2 if i < bytes.len() => bytes[i] = c,
                    _ => bytes.truncate(i),
                }
            }
            if let Ok(text) = String::from_utf8(bytes) {
                check(&trie(), &text)?;
            }
        }
    }

    /// A second trie over some of the same keys, so its nodes are numbered differently.
    fn other_trie() -> PathTrie {
        let mut t = PathTrie::default();
        for p in ["o.p", "arr.x", "zz", "a.c", "s"] {
            t.insert(p);
        }
        t
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// Records walked one after another with the same captures, so the scanner expects
        /// the key orders of the records before (repeated records, shared key names, two
        /// tries taking turns), are captured exactly as the serde walk captures them.
        #[test]
        fn learned_key_orders_change_nothing(
            pool in prop::collection::vec(value(), 1..4),
            picks in prop::collection::vec((0usize..4, any::<bool>()), 1..12),
        ) {
            let tries = [trie(), other_trie()];
            let mut warm = Captures::default();
            for (pick, second) in picks {
                let t = &tries[usize::from(second)];
                let record = &pool[pick % pool.len()];
                let mut slow = Captures::default();
                let reference = t.walk_serde(record, &mut slow);
                let walked = t.walk(record, &mut warm);
                prop_assert_eq!(walked.is_ok(), reference.is_ok(), "{:?}", record);
                if walked.is_ok() {
                    prop_assert_eq!(
                        snapshot(&warm, t.paths.len()),
                        snapshot(&slow, t.paths.len()),
                        "{:?}",
                        record
                    );
                }
            }
        }
    }

    #[test]
    fn keys_of_every_length_are_told_apart() {
        let mut t = PathTrie::default();
        let keys: Vec<String> = (0..40)
            .flat_map(|n| {
                let base: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
                let mut twin = base.clone().into_bytes();
                if let Some(m) = twin.get_mut(n / 2) {
                    *m = b'Z';
                }
                [base, String::from_utf8(twin).unwrap()]
            })
            .collect();
        let slots: Vec<SlotId> = keys.iter().map(|k| t.insert(k)).collect();
        for (k, &slot) in keys.iter().zip(&slots) {
            let rec = format!(r#"{{"{k}":1,"x{k}":2}}"#);
            let mut caps = Captures::default();
            t.walk(&rec, &mut caps).unwrap();
            assert_eq!(
                caps.spans(slot, &rec).collect::<Vec<_>>(),
                vec!["1"],
                "{k:?}"
            );
            check(&t, &rec).unwrap();
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde() {
        let t = trie();
        for depth in [99, 100, 101, 127, 128, 129, 200] {
            let arr = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            for rec in [
                arr.clone(),
                format!(r#"{{"zz":{arr}}}"#),
                format!(r#"{{"a":{arr}}}"#),
                format!(r#"{{"arr":{arr}}}"#),
                format!(r#"{{"b":{{"c":{arr}}}}}"#),
            ] {
                check(&t, &rec).unwrap();
            }
        }
    }

    #[test]
    fn duplicate_keys_are_all_captured() {
        let t = trie();
        let rec = r#"{"a":1,"a":{"b":"x"},"arr":[{"x":1},{"x":[2,[3]]}],"arr":5}"#;
        check(&t, rec).unwrap();
        let mut caps = Captures::default();
        t.walk(rec, &mut caps).unwrap();
        assert_eq!(
            caps.spans(0, rec).collect::<Vec<_>>(),
            vec!["1", r#"{"b":"x"}"#]
        );
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
