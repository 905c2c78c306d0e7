//! Record keys: the captured text of the physical paths a set of fields is read from.
//!
//! Every value [`Event::values`] yields is a function of the record's kind and encoding and of
//! the raw text captured at the physical paths behind the field (aliases, OCSF spellings and
//! derived DNS fields included). Two records with the same key therefore read the same values
//! for those fields, and anything computed from those fields alone (a rule's verdict) can be
//! remembered per key.

use crate::event::Event;
use crate::kind::{Encoding, Kind};
use crate::schema::{FieldId, Getter, Phys, Schema};
use crate::walk::SlotId;

/// The physical paths a set of fields reads, per record kind and encoding (see
/// [`Schema::key_slots`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySlots {
    /// `slots[kind][encoding]`, sorted and without repeats.
    slots: [[Box<[SlotId]>; 2]; 2],
}

impl Schema {
    /// The physical paths `fields` are read from on records of `kinds`, for building keys
    /// with [`Event::write_key`] (records of other kinds all get the same key).
    pub fn key_slots(&self, fields: &[FieldId], kinds: &[Kind]) -> KeySlots {
        let slots = Kind::ALL.map(|kind| {
            [Encoding::Native, Encoding::Ocsf].map(|enc| {
                if !kinds.contains(&kind) {
                    return Box::default();
                }
                let mut slots: Vec<SlotId> = fields
                    .iter()
                    .flat_map(|&f| getter_slots(self.getter(f, kind, enc)))
                    .collect();
                slots.sort_unstable();
                slots.dedup();
                slots.into_boxed_slice()
            })
        });
        KeySlots { slots }
    }
}

impl KeySlots {
    /// Whether every path of `other` is one of these, on every kind and encoding: a key
    /// built from these then determines the key built from `other`.
    pub fn covers(&self, other: &KeySlots) -> bool {
        self.slots
            .iter()
            .flatten()
            .zip(other.slots.iter().flatten())
            .all(|(mine, theirs)| theirs.iter().all(|s| mine.binary_search(s).is_ok()))
    }
}

fn getter_slots(getter: &Getter) -> Vec<SlotId> {
    let slots = |alts: &[Phys]| alts.iter().map(|p| p.slot).collect::<Vec<_>>();
    match getter {
        Getter::Const(_) => Vec::new(),
        Getter::First(alts, _) => slots(alts),
        Getter::Outcome {
            code,
            message,
            console,
        } => [code, message, console]
            .into_iter()
            .flat_map(|alts| slots(alts))
            .collect(),
    }
}

/// Ends the texts of one path in a key (no text is `u32::MAX` bytes long: captures are
/// addressed with `u32` offsets).
const END: [u8; 4] = u32::MAX.to_le_bytes();

impl Event<'_> {
    /// Writes into `out` (cleared first) the key of this record for the fields `slots` was
    /// built from: the kind, the encoding, and for each path every captured text with its
    /// length. Records with equal keys read equal values for those fields.
    pub fn write_key(&self, slots: &KeySlots, out: &mut Vec<u8>) {
        out.clear();
        out.push(self.kind.index() as u8);
        out.push(self.encoding.index() as u8);
        for &slot in &*slots.slots[self.kind.index()][self.encoding.index()] {
            for text in self.caps.spans(slot, self.raw) {
                out.extend_from_slice(&(text.len() as u32).to_le_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            out.extend_from_slice(&END);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Classified, Projector};

    fn key(schema: &Schema, slots: &KeySlots, record: &str) -> Vec<u8> {
        let mut p = Projector::new(schema);
        let Ok(Classified::Event(ev)) = p.project(record) else {
            panic!("not an event: {record}");
        };
        let mut out = vec![9; 3];
        ev.write_key(slots, &mut out);
        out
    }

    /// A schema with `fields` and the slots of all of them on every kind.
    fn slots_of(fields: &[&str]) -> (Schema, KeySlots) {
        let mut schema = Schema::new();
        let ids: Vec<FieldId> = fields.iter().map(|f| schema.add(f)).collect();
        let slots = schema.key_slots(&ids, &Kind::ALL);
        (schema, slots)
    }

    const A: &str = r#"{"query_timestamp":"2026-11-01T00:00:00Z","query_name":"a.example.com.","srcaddr":"10.0.0.1","rcode":"NOERROR"}"#;

    #[test]
    fn equal_for_equal_fields_whatever_else_differs() {
        let (schema, slots) = slots_of(&["dns.question.name", "r53guard.dns.dga_score"]);
        let other_time = A
            .replace("00:00:00", "01:02:03")
            .replace("10.0.0.1", "10.9.9.9");
        assert_eq!(key(&schema, &slots, A), key(&schema, &slots, &other_time));
        let other_name = A.replace("a.example", "b.example");
        assert_ne!(key(&schema, &slots, A), key(&schema, &slots, &other_name));
    }

    #[test]
    fn told_apart_by_text_type_presence_and_boundaries() {
        let (schema, slots) = slots_of(&["dns.response_code", "srcaddr"]);
        let base = key(&schema, &slots, A);
        let variants = [
            A.replace(r#""rcode":"NOERROR""#, r#""rcode":"NOERRO""#),
            A.replace(r#","rcode":"NOERROR""#, ""),
            A.replace(r#""srcaddr":"10.0.0.1""#, r#""srcaddr":"10""#),
            A.replace(r#""srcaddr":"10.0.0.1""#, r#""srcaddr":["10.0.0.1","x"]"#),
            A.replace(
                r#""srcaddr":"10.0.0.1""#,
                r#""srcaddr":"10.0.0.1","srcaddr":"""#,
            ),
        ];
        for v in &variants {
            assert_ne!(base, key(&schema, &slots, v), "{v}");
        }
        // A string and a number with the same digits.
        let text = A.replace(r#""srcaddr":"10.0.0.1""#, r#""srcaddr":"10""#);
        let number = A.replace(r#""srcaddr":"10.0.0.1""#, r#""srcaddr":10"#);
        assert_ne!(key(&schema, &slots, &text), key(&schema, &slots, &number));
        // The same bytes split differently between the two paths.
        let split = |rcode: &str, src: &str| {
            A.replace(r#""rcode":"NOERROR""#, &format!(r#""rcode":"{rcode}""#))
                .replace(r#""srcaddr":"10.0.0.1""#, &format!(r#""srcaddr":"{src}""#))
        };
        assert_ne!(
            key(&schema, &slots, &split("ab", "c")),
            key(&schema, &slots, &split("a", "bc"))
        );
    }

    #[test]
    fn covers_subsets_on_every_kind() {
        let mut schema = Schema::new();
        let [name, rcode, src] =
            ["dns.question.name", "dns.response_code", "srcaddr"].map(|f| schema.add(f));
        let all = Kind::ALL;
        let both = schema.key_slots(&[rcode, src], &all);
        assert!(both.covers(&schema.key_slots(&[rcode], &all)));
        assert!(both.covers(&schema.key_slots(&[src, rcode], &all)));
        assert!(both.covers(&schema.key_slots(&[], &all)));
        assert!(!both.covers(&schema.key_slots(&[name], &all)));
        assert!(!schema.key_slots(&[rcode], &all).covers(&both));
        // Paths on a kind the covering set leaves out are not covered.
        let resolver = schema.key_slots(&[rcode, src], &[Kind::Resolver]);
        assert!(resolver.covers(&schema.key_slots(&[rcode], &[Kind::Resolver])));
        assert!(!resolver.covers(&schema.key_slots(&[src], &all)));
    }

    #[test]
    fn no_fields_or_another_kind_is_kind_and_encoding_alone() {
        let mut schema = Schema::new();
        let name = schema.add("dns.question.name");
        let resolver = vec![Kind::Resolver.index() as u8, 0];
        assert_eq!(
            key(&schema, &schema.key_slots(&[], &Kind::ALL), A),
            resolver
        );
        let cloudtrail_only = schema.key_slots(&[name], &[Kind::CloudTrail]);
        assert_eq!(key(&schema, &cloudtrail_only, A), resolver);
        assert_ne!(
            key(&schema, &schema.key_slots(&[name], &[Kind::Resolver]), A),
            resolver
        );
    }
}
