//! Rules' verdicts remembered per distinct record key.
//!
//! Most rules read a handful of fields, and on real logs those fields repeat: a Resolver rule
//! that reads the query name sees the same few thousand names all day, a CloudTrail rule that
//! reads `eventSource`, `eventName` and `userIdentity.type` sees a few hundred combinations.
//! A query's verdict, with the rule's list conditions, is a pure function of the raw text of
//! the fields they read (see [`r53guard_event::KeySlots`]), so it is computed once per distinct
//! key and looked up after that.
//!
//! Rules reading the same paths form a group (seven rules of the built-in pack read only the
//! query name) with one table: per record, the group's key is built, hashed and compared once,
//! and each member rule then reads its verdict from the entry by index.
//!
//! A group whose table holds few keys (nearly every lookup of a period hit) takes in the rules of
//! every group whose paths are a subset of its own, unless its table missed clearly more often
//! than theirs: their verdicts are functions of its key too, and one lookup per record serves
//! them all (in the built-in pack, the rules reading the query name, the response code, the
//! query type or the firewall action join the NXDOMAIN rule, which reads all four).
//!
//! A table is fixed in size and four-way set-associative (a new key displaces the least recently
//! used of the four entries its hash picks, see [`crate::ways`]), and keys are hashed with a
//! per-process seed, since they come from the logs. Where keys do not repeat (a rule reading
//! answers, a request id or a user agent), the table would only cost: after a period with few
//! hits it is dropped and its rules evaluated directly for a while, then it is tried again.

use crate::predicate::Predicate;
use crate::ways::{Place, Ways};
use r53guard_event::{Event, FieldId, KeySlots, Kind, Schema};
use std::hash::BuildHasher;

/// Entries in a group's table (a power of two, in sets of [`crate::ways::WAYS`]).
const SLOTS: usize = 2048;
/// Records between two checks of a table's hit rate.
const PERIOD: u32 = 1024;
/// Fewer hits than this in a period set the table aside.
const MIN_HITS: u32 = PERIOD / 8;
/// A verdict not yet decided. A verdict is a mask of matching parts; one where all 64 match
/// reads as undecided and is decided again each time, which costs time, not correctness.
const UNDECIDED: u64 = u64::MAX;
/// At least this many hits in a period show a table holding few keys.
const SETTLED: u32 = PERIOD - PERIOD / 8;
/// A settled table takes in another group's rules only if it missed at most this many more
/// lookups than that group's table in their last periods.
const MORE_MISSES: u32 = PERIOD / 64;
/// Records evaluated directly once a table is set aside, before it is tried again.
const REST: u32 = 16 * PERIOD;

/// The verdict tables of all rules, one per group, and the current record's number.
#[derive(Default)]
pub(crate) struct VerdictTables {
    groups: Vec<Group>,
    /// Each rule's group and its index among the group's members (a rule moves when another
    /// group takes in its group's rules).
    places: Vec<(usize, usize)>,
    seed: foldhash::fast::RandomState,
    /// Counts records; a group entered for an earlier record is entered again.
    record: u64,
}

/// The rules that read the same paths, and their verdicts by key.
struct Group {
    slots: KeySlots,
    /// Rules in the group (none once another group took them in).
    members: usize,
    /// Where each key is (no entries while the table is set aside).
    ways: Ways,
    /// The key of each entry (empty: free; every key holds the kind and encoding).
    keys: Vec<Vec<u8>>,
    /// `verdicts[entry * members + member]`, [`UNDECIDED`] until decided.
    verdicts: Vec<u64>,
    /// Scratch space for the current record's key.
    key: Vec<u8>,
    /// The record the group was last entered for, and the entry holding its key (`None`:
    /// the table is set aside).
    record: u64,
    entry: Option<usize>,
    lookups: u32,
    hits: u32,
    /// Lookups that missed in the last full period (all of them before one ended).
    misses: u32,
    /// Records still to evaluate directly.
    rest: u32,
}

impl VerdictTables {
    /// Moves on to the next record.
    pub(crate) fn next_record(&mut self) {
        self.record += 1;
    }

    /// A place for one more rule reading `slots`: its index in `places`.
    fn join(&mut self, slots: KeySlots) -> usize {
        let g = match self.groups.iter().position(|g| g.slots == slots) {
            Some(g) => g,
            None => {
                self.groups.push(Group {
                    slots,
                    members: 0,
                    ways: Ways::default(),
                    keys: Vec::new(),
                    verdicts: Vec::new(),
                    key: Vec::new(),
                    record: 0,
                    entry: None,
                    lookups: 0,
                    hits: 0,
                    misses: PERIOD,
                    rest: 0,
                });
                self.groups.len() - 1
            }
        };
        self.groups[g].members += 1;
        self.places.push((g, self.groups[g].members - 1));
        self.places.len() - 1
    }

    /// Enters group `g` for the current record; when its table has settled, it first takes in
    /// the rules of the groups it covers.
    fn enter(&mut self, g: usize, ev: &Event<'_>) {
        let settled = self.groups[g].enter(ev, &self.seed, self.record);
        if settled && self.take_in(g) {
            self.groups[g].enter(ev, &self.seed, self.record);
        }
    }

    /// Moves into group `g` the rules of every other group whose paths are a subset of its
    /// own and whose table did not miss clearly less often. Returns whether any moved: `g`'s
    /// table is then cleared, since its entries have room for its old members only.
    fn take_in(&mut self, g: usize) -> bool {
        let mut moved = false;
        for other in 0..self.groups.len() {
            let (big, small) = (&self.groups[g], &self.groups[other]);
            if other == g
                || small.members == 0
                || big.misses > small.misses + MORE_MISSES
                || !big.slots.covers(&small.slots)
            {
                continue;
            }
            let base = self.groups[g].members;
            for place in &mut self.places {
                if place.0 == other {
                    *place = (g, base + place.1);
                }
            }
            self.groups[g].members += self.groups[other].members;
            self.groups[other].members = 0;
            self.groups[other].clear();
            moved = true;
        }
        if moved {
            self.groups[g].clear();
        }
        moved
    }
}

impl Group {
    /// Drops the table and what it counted.
    fn clear(&mut self) {
        self.ways = Ways::default();
        self.keys = Vec::new();
        self.verdicts = Vec::new();
        self.entry = None;
        self.lookups = 0;
        self.hits = 0;
    }

    /// Finds (or makes) the entry for `ev`'s key, once per record. Returns whether a period
    /// ended with nearly every lookup a hit.
    fn enter(&mut self, ev: &Event<'_>, seed: &foldhash::fast::RandomState, record: u64) -> bool {
        self.record = record;
        if self.rest > 0 {
            self.rest -= 1;
            self.entry = None;
            return false;
        }
        if self.ways.is_empty() {
            self.ways = Ways::new(SLOTS);
            self.keys.resize_with(SLOTS, Vec::new);
            self.verdicts = vec![UNDECIDED; SLOTS * self.members];
        }
        ev.write_key(&self.slots, &mut self.key);
        let (keys, key) = (&self.keys, &self.key);
        let at = match self
            .ways
            .place(seed.hash_one(key.as_slice()), |e| keys[e] == *key)
        {
            Place::Found(at) => {
                self.hits += 1;
                at
            }
            Place::Taken(at) => {
                // Copied, not swapped: a swap would hand the scratch key the evicted key's
                // buffer, often too short for the next record's key.
                self.keys[at].clone_from(&self.key);
                self.verdicts[at * self.members..(at + 1) * self.members].fill(UNDECIDED);
                at
            }
        };
        self.entry = Some(at);
        self.lookups += 1;
        if self.lookups < PERIOD {
            return false;
        }
        let hits = self.hits;
        self.misses = PERIOD - hits;
        self.lookups = 0;
        self.hits = 0;
        if hits < MIN_HITS {
            self.rest = REST;
            self.clear();
        }
        hits >= SETTLED
    }
}

/// One rule's place in the verdict tables.
pub(crate) struct Verdicts {
    /// Index in [`VerdictTables::places`].
    rule: usize,
}

impl Verdicts {
    /// A place for the verdicts of `predicate` (with conditions on the fields `also`) on
    /// records of `kinds`, when they depend on those fields alone; rules reading the same
    /// paths share a table in `tables`.
    pub(crate) fn new(
        predicate: &Predicate,
        also: &[FieldId],
        kinds: &[Kind],
        schema: &Schema,
        tables: &mut VerdictTables,
    ) -> Option<Verdicts> {
        let mut fields = predicate.fields()?;
        fields.extend_from_slice(also);
        let rule = tables.join(schema.key_slots(&fields, kinds));
        Some(Verdicts { rule })
    }

    /// The verdict for `ev` (the current record of `tables`): remembered for its key, or
    /// `decide()` (then remembered).
    pub(crate) fn get(
        &self,
        tables: &mut VerdictTables,
        ev: &Event<'_>,
        decide: impl FnOnce() -> u64,
    ) -> u64 {
        let (group, _) = tables.places[self.rule];
        if tables.groups[group].record != tables.record {
            tables.enter(group, ev);
        }
        let (group, member) = tables.places[self.rule];
        let g = &mut tables.groups[group];
        match g.entry {
            Some(at) => {
                let verdict = &mut g.verdicts[at * g.members + member];
                if *verdict == UNDECIDED {
                    *verdict = decide();
                }
                *verdict
            }
            None => decide(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{CompileOptions, Matcher};
    use proptest::prelude::*;
    use r53guard_event::{Classified, Projector};
    use std::collections::BTreeSet;

    fn compile(query: &str, schema: &mut Schema) -> Predicate {
        let ci = BTreeSet::new();
        let opts = CompileOptions {
            case_insensitive: &ci,
            now_ms: 0,
        };
        let q = r53guard_kql::parse(query).expect("query");
        Predicate::Kql(Matcher::compile(&q, schema, &opts))
    }

    /// Rules with their places in shared tables, checked against direct evaluation.
    struct Rules {
        schema: Schema,
        tables: VerdictTables,
        rules: Vec<(Predicate, Verdicts)>,
        /// Verdicts decided (not remembered), per rule.
        decided: Vec<usize>,
    }

    impl Rules {
        fn new(queries: &[&str]) -> Rules {
            let mut schema = Schema::new();
            let predicates: Vec<Predicate> =
                queries.iter().map(|q| compile(q, &mut schema)).collect();
            let mut tables = VerdictTables::default();
            let rules = predicates
                .into_iter()
                .map(|p| {
                    let v = Verdicts::new(&p, &[], &[Kind::Resolver], &schema, &mut tables)
                        .expect("cacheable");
                    (p, v)
                })
                .collect();
            Rules {
                schema,
                tables,
                rules,
                decided: vec![0; queries.len()],
            }
        }

        /// How many rules each group holds.
        fn members(&self) -> Vec<usize> {
            self.tables.groups.iter().map(|g| g.members).collect()
        }

        /// Runs `records` through every rule, checking each verdict.
        fn run(&mut self, records: &[String]) {
            let mut projector = Projector::new(&self.schema);
            for r in records {
                let Ok(Classified::Event(ev)) = projector.project(r) else {
                    panic!("{r}");
                };
                self.tables.next_record();
                for (i, (p, v)) in self.rules.iter().enumerate() {
                    let got = v.get(&mut self.tables, &ev, || {
                        self.decided[i] += 1;
                        p.hits(&ev, None)
                    });
                    assert_eq!(got, p.hits(&ev, None), "rule {i}: {r}");
                }
            }
        }
    }

    fn record(name: &str, src: &str) -> String {
        format!(
            r#"{{"query_timestamp":"2026-11-01T00:00:00Z","query_name":"{name}","srcaddr":"{src}"}}"#
        )
    }

    #[test]
    fn decided_once_per_key_and_rule_whatever_else_differs() {
        let mut rules = Rules::new(&[
            "dns.question.name:*.pool.example.",
            "dns.question.name:x* and not r53guard.dns.dga_score >= 0.7",
            "srcaddr:10.0.0.0/24",
        ]);
        assert_eq!(rules.tables.groups.len(), 2);
        let records: Vec<String> = (0..300)
            .map(|i| {
                let name = ["x.pool.example.", "y.example."][i % 2];
                record(name, &format!("10.0.{}.{}", i / 200, i % 3))
            })
            .collect();
        rules.run(&records);
        assert_eq!(rules.decided, [2, 2, 6]);
    }

    #[test]
    fn long_keys_are_compared_whole() {
        let mut rules = Rules::new(&["dns.question.name:*a.example."]);
        let long = "x".repeat(100);
        let records: Vec<String> = (0..40)
            .map(|i| record(&format!("{long}{}.example.", ['a', 'b'][i % 2]), "10.0.0.1"))
            .collect();
        rules.run(&records);
        assert_eq!(rules.decided, [2]);
    }

    #[test]
    fn right_across_displacement_and_rest() {
        let mut rules = Rules::new(&[
            "srcaddr:10.0.0.0/24 and not dns.question.name:a*",
            "dns.question.name:b*",
        ]);
        // Every key distinct for several periods (the table is set aside), then repeats.
        let unique: Vec<String> = (0..4 * PERIOD as usize)
            .map(|i| record(&format!("{}{i}.example.", ['a', 'b'][i % 2]), "10.0.0.7"))
            .collect();
        rules.run(&unique);
        assert_eq!(rules.decided, [unique.len(); 2]);
        assert!(rules.tables.groups[0].rest > 0);
        let repeats: Vec<String> = (0..(REST as usize + 3 * SLOTS))
            .map(|i| {
                record(
                    &format!("n{}.example.", i % 100),
                    ["10.0.0.7", "10.0.1.7"][i % 3 / 2],
                )
            })
            .collect();
        rules.run(&repeats);
        let after = rules.decided[1] - unique.len();
        assert!(after < REST as usize + 3 * SLOTS / 4, "{after}");
    }

    #[test]
    fn a_working_set_smaller_than_the_table_is_decided_about_once_per_key() {
        let mut rules = Rules::new(&["dns.question.name:a*"]);
        let records: Vec<String> = (0..10 * 300)
            .map(|i| record(&format!("a{}.example.", i % 300), "10.0.0.1"))
            .collect();
        rules.run(&records);
        // A direct-mapped table of the same size decides about 670: keys sharing an entry
        // displace each other on every round.
        assert!(rules.decided[0] < 400, "{:?}", rules.decided);
    }

    /// Records cycling through `names` × `sources`, in an order that is not a plain cycle.
    fn mixed(count: usize, names: &[&str], sources: &[&str]) -> Vec<String> {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        (0..count)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let name = names[(seed % names.len() as u64) as usize];
                record(
                    name,
                    sources[((seed >> 20) % sources.len() as u64) as usize],
                )
            })
            .collect()
    }

    #[test]
    fn a_settled_table_takes_in_the_rules_reading_fewer_paths() {
        let mut rules = Rules::new(&[
            "dns.question.name:a*",
            "srcaddr:10.0.0.0/24",
            "dns.question.name:a* and srcaddr:10.0.1.0/24",
            "dns.question.name:*.example.",
        ]);
        assert_eq!(rules.tables.groups.len(), 3);
        let names = ["a.example.", "b.example.", "a.test.", "c.test."];
        let sources = ["10.0.0.1", "10.0.1.1", "10.0.2.1"];
        // Every verdict is checked against the predicate, before and after the move.
        rules.run(&mixed(3 * PERIOD as usize, &names, &sources));
        assert_eq!(rules.members(), [0, 0, 4]);
        assert!(rules.tables.places.iter().all(|&(g, _)| g == 2));
        let before = rules.decided.clone();
        rules.run(&mixed(2 * PERIOD as usize, &names, &sources));
        // Twelve keys, each decided once per rule after the move at most.
        for (after, before) in rules.decided.iter().zip(&before) {
            assert!(after - before <= 12, "{:?} -> {:?}", before, rules.decided);
        }
    }

    #[test]
    fn a_table_missing_more_often_takes_in_nothing() {
        let mut rules = Rules::new(&[
            "dns.question.name:a*",
            "dns.question.name:a* and srcaddr:10.0.0.0/24",
        ]);
        let names = ["a.example.", "b.example.", "a.test.", "c.test."];
        // 1,300 keys drawn at random for a table of 2,048 entries in sets of four: it settles,
        // missing 70-95 lookups of 1,024 (sets that drew more than four keys keep missing),
        // while the four names never miss.
        let sources: Vec<String> = (0..325)
            .map(|i| format!("10.0.{}.{}", i / 200, i % 200))
            .collect();
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        rules.run(&mixed(12 * PERIOD as usize, &names, &sources));
        let g = &rules.tables.groups;
        assert!(
            g[1].misses > MORE_MISSES && g[1].misses < PERIOD - SETTLED,
            "{}",
            g[1].misses
        );
        assert_eq!(rules.members(), [1, 1]);
    }

    #[test]
    fn a_table_of_keys_that_do_not_repeat_takes_in_nothing() {
        let mut rules = Rules::new(&[
            "dns.question.name:a*",
            "dns.question.name:a* and srcaddr:10.0.0.0/8",
        ]);
        let records: Vec<String> = (0..3 * PERIOD as usize)
            .map(|i| {
                record(
                    ["a.example.", "b.example."][i % 2],
                    &format!("10.0.{}.{}", i / 250, i % 250),
                )
            })
            .collect();
        rules.run(&records);
        assert_eq!(rules.members(), [1, 1]);
    }

    /// A Resolver record with each field drawn from a few texts (strings, numbers, arrays,
    /// null, absent), so that keys repeat and differ in every way a value can.
    fn any_record() -> impl Strategy<Value = String> {
        let value = || {
            prop::sample::select(vec![
                "",
                r#""a.pool.example.""#,
                r#""A.Pool.Example.""#,
                r#""b.example.""#,
                r#""10.0.0.7""#,
                "10",
                r#""10""#,
                "null",
                r#"["10.0.0.7","b.example."]"#,
                r#""NXDOMAIN""#,
                r#""a\\u002epool.example.""#,
                "{}",
            ])
        };
        (value(), value(), value()).prop_map(|(name, rcode, src)| {
            let mut r = String::from(r#"{"query_timestamp":"2026-11-01T00:00:00Z""#);
            for (k, v) in [("query_name", name), ("rcode", rcode), ("srcaddr", src)] {
                if !v.is_empty() {
                    r.push_str(&format!(r#","{k}":{v}"#));
                }
            }
            r.push('}');
            r
        })
    }

    proptest! {
        #[test]
        fn remembered_verdicts_are_the_predicates(
            records in prop::collection::vec(any_record(), 1..60),
        ) {
            let mut rules = Rules::new(&[
                "dns.question.name:*.pool.example.",
                "dns.question.registered_domain:pool.example or srcaddr:10.0.0.0/8",
                "not dns.response_code:NXDOMAIN and srcaddr:*",
                "srcaddr >= 5 or dns.question.name:b*",
                "dns.question.name:(a* or *example.) and not srcaddr:10",
                "dns.question.name:a* or dns.response_code:NXDOMAIN or srcaddr:10.0.0.7",
            ]);
            rules.run(&records);
        }
    }

    #[test]
    fn free_text_is_not_remembered() {
        let mut schema = Schema::new();
        let p = compile("pool", &mut schema);
        assert!(
            Verdicts::new(&p, &[], &Kind::ALL, &schema, &mut VerdictTables::default()).is_none()
        );
    }
}
