//! A schema: the fields a run reads, compiled once into one path trie and, per record kind and
//! encoding, a getter that says where each field's value comes from.

use crate::aliases::{self, NATIVE_SPELLINGS, Transform};
use crate::kind::{Encoding, Kind};
use crate::walk::{PathTrie, SlotId};

/// Handle of a field added to a [`Schema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub(crate) u32);

impl FieldId {
    /// The field's index in its schema (fields are numbered in the order they were added).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where one physical value comes from, and how it is turned back into the native form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Phys {
    pub slot: SlotId,
    pub transform: Transform,
}

/// How a field is read on records of one kind and encoding.
#[derive(Debug, Clone)]
pub(crate) enum Getter {
    /// A constant.
    Const(&'static str),
    /// The first alternative with any value; `transform` applies after the physical one.
    First(Vec<Phys>, Transform),
    /// `event.outcome`: failure when an error code (other than `Success`) or message is present,
    /// or when the console-login result says so.
    Outcome {
        code: Vec<Phys>,
        message: Vec<Phys>,
        console: Vec<Phys>,
    },
}

/// Slots every schema has, used to tell records apart and to read their time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Discriminators {
    pub event_version: SlotId,
    pub event_source: SlotId,
    pub event_name: SlotId,
    pub event_time: SlotId,
    pub query_timestamp: SlotId,
    pub query_name: SlotId,
    pub class_uid: SlotId,
    pub ocsf_time: SlotId,
    pub ocsf_time_dt: SlotId,
    pub detail_type: SlotId,
    pub detail: SlotId,
    pub message_type: SlotId,
    pub log_messages: SlotId,
    pub digest_start: SlotId,
}

/// The compiled set of fields a run reads.
#[derive(Debug, Clone)]
pub struct Schema {
    pub(crate) trie: PathTrie,
    pub(crate) disc: Discriminators,
    names: Vec<String>,
    /// `getters[field][kind][encoding]`.
    getters: Vec<[[Getter; 2]; 2]>,
    /// Per field, its place in the per-record memory of DNS analytics (fields read through a
    /// DNS transform), or `None`.
    memo: Vec<Option<u16>>,
    memo_count: usize,
}

impl Default for Schema {
    fn default() -> Self {
        Self::new()
    }
}

impl Schema {
    /// An empty schema (it still reads what it needs to classify records and find their time).
    pub fn new() -> Schema {
        let mut trie = PathTrie::default();
        let disc = Discriminators {
            event_version: trie.insert("eventVersion"),
            event_source: trie.insert("eventSource"),
            event_name: trie.insert("eventName"),
            event_time: trie.insert("eventTime"),
            query_timestamp: trie.insert("query_timestamp"),
            query_name: trie.insert("query_name"),
            class_uid: trie.insert("class_uid"),
            ocsf_time: trie.insert("time"),
            ocsf_time_dt: trie.insert("time_dt"),
            detail_type: trie.insert("detail-type"),
            detail: trie.insert("detail"),
            message_type: trie.insert("messageType"),
            log_messages: trie.insert("logEvents.message"),
            digest_start: trie.insert("digestStartTime"),
        };
        Schema {
            trie,
            disc,
            names: Vec::new(),
            getters: Vec::new(),
            memo: Vec::new(),
            memo_count: 0,
        }
    }

    /// Adds a field by raw path, ECS alias or OCSF path, and returns its handle. Adding the same
    /// name twice returns the same handle.
    pub fn add(&mut self, name: &str) -> FieldId {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return FieldId(i as u32);
        }
        let getters = Kind::ALL.map(|kind| {
            [Encoding::Native, Encoding::Ocsf].map(|enc| self.compile(name, kind, enc))
        });
        let dns = getters
            .iter()
            .flatten()
            .any(|g| matches!(g, Getter::First(_, t) if t.is_dns()));
        self.memo.push(dns.then(|| {
            self.memo_count += 1;
            (self.memo_count - 1) as u16
        }));
        self.names.push(name.to_owned());
        self.getters.push(getters);
        FieldId(self.names.len() as u32 - 1)
    }

    /// The handle of a field already added.
    pub fn find(&self, name: &str) -> Option<FieldId> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| FieldId(i as u32))
    }

    /// The name a field was added under.
    pub fn name(&self, id: FieldId) -> &str {
        &self.names[id.index()]
    }

    /// Number of fields added.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no field was added.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The field's place in the per-record memory of DNS analytics.
    pub(crate) fn memo_slot(&self, id: FieldId) -> Option<usize> {
        self.memo[id.index()].map(usize::from)
    }

    /// How many fields the per-record memory holds.
    pub(crate) fn memo_count(&self) -> usize {
        self.memo_count
    }

    pub(crate) fn getter(&self, id: FieldId, kind: Kind, enc: Encoding) -> &Getter {
        &self.getters[id.index()][kind.index()][enc.index()]
    }

    fn compile(&mut self, name: &str, kind: Kind, enc: Encoding) -> Getter {
        match aliases::alias(name, kind) {
            Some(a) => match a.transform {
                Transform::Const(c) => Getter::Const(c),
                Transform::Outcome => {
                    let mut phys = a.sources.iter().map(|s| self.raw(s, kind, enc));
                    Getter::Outcome {
                        code: phys.next().unwrap_or_default(),
                        message: phys.next().unwrap_or_default(),
                        console: phys.next().unwrap_or_default(),
                    }
                }
                t => {
                    let alts = a
                        .sources
                        .iter()
                        .flat_map(|s| self.raw(s, kind, enc))
                        .collect();
                    Getter::First(alts, t)
                }
            },
            None => Getter::First(self.raw(name, kind, enc), Transform::None),
        }
    }

    /// The physical alternatives of a raw path on one kind and encoding.
    fn raw(&mut self, raw: &str, kind: Kind, enc: Encoding) -> Vec<Phys> {
        let plain = |trie: &mut PathTrie, p: &str| Phys {
            slot: trie.insert(p),
            transform: Transform::None,
        };
        match enc {
            Encoding::Native => {
                let mut alts = vec![plain(&mut self.trie, raw)];
                for (canon, other) in NATIVE_SPELLINGS {
                    if let Some(rest) = raw.strip_prefix(canon) {
                        alts.push(plain(&mut self.trie, &format!("{other}{rest}")));
                    }
                }
                alts
            }
            Encoding::Ocsf => match aliases::ocsf_field(raw, kind) {
                Some((f, "")) => f
                    .ocsf
                    .iter()
                    .map(|p| Phys {
                        slot: self.trie.insert(p),
                        transform: if *p == "time" {
                            Transform::EpochMillis
                        } else {
                            f.transform
                        },
                    })
                    .collect(),
                Some((f, rest)) => f
                    .ocsf
                    .iter()
                    .map(|p| plain(&mut self.trie, &format!("{p}.{rest}")))
                    .collect(),
                None => vec![plain(&mut self.trie, raw)],
            },
        }
    }
}
