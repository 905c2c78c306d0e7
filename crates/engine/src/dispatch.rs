//! Rule dispatch by event name: most CloudTrail rules name the API calls they look at
//! (`eventName: DeleteTrail`, `event.action:(A or B)`), so a CloudTrail record is offered only
//! to the rules that could match its `eventName`, plus the rules that pin none. The index is a
//! superset filter (names lower-cased; the rule still decides), so results are unchanged.
//! New-terms rules see every record of their kind (their learning period starts at the
//! earliest record), and OCSF-encoded records go to every rule.

use r53guard_event::{Encoding, Event, FieldId, Kind, Schema};
use std::collections::HashMap;

/// The dispatch index of the CloudTrail rules.
pub(crate) struct Dispatch {
    /// The field read for dispatch (`eventName`).
    event_name: FieldId,
    /// Rules that pin no event name, in rule order.
    always: Vec<usize>,
    /// Lower-cased event name → the rules that name it, in rule order.
    by_name: HashMap<String, Vec<usize>>,
    /// Every CloudTrail rule, in rule order (for records without a string `eventName`).
    all: Vec<usize>,
    scratch: String,
}

impl Dispatch {
    /// The fields whose values name the event (`eventName` and its ECS alias), registered in
    /// `schema`.
    pub(crate) fn name_fields(schema: &mut Schema) -> [FieldId; 2] {
        [schema.add("eventName"), schema.add("event.action")]
    }

    /// Builds the index over the CloudTrail rules `rules` (index, the names it needs).
    pub(crate) fn new(
        event_name: FieldId,
        rules: impl IntoIterator<Item = (usize, Option<Vec<String>>)>,
    ) -> Dispatch {
        let mut d = Dispatch {
            event_name,
            always: Vec::new(),
            by_name: HashMap::new(),
            all: Vec::new(),
            scratch: String::new(),
        };
        for (i, names) in rules {
            d.all.push(i);
            match names {
                None => d.always.push(i),
                Some(mut names) => {
                    names.sort();
                    names.dedup();
                    for n in names {
                        d.by_name.entry(n).or_default().push(i);
                    }
                }
            }
        }
        d
    }

    /// The rules `ev` (a CloudTrail record) is offered to: `(always, named)`.
    pub(crate) fn rules_for(&mut self, ev: &Event<'_>) -> (&[usize], &[usize]) {
        debug_assert_eq!(ev.kind, Kind::CloudTrail);
        let name = match ev.encoding {
            Encoding::Native => ev.first(self.event_name),
            Encoding::Ocsf => None,
        };
        let Some(name) = name.as_ref().and_then(|v| v.as_str()) else {
            return (&self.all, &[]);
        };
        self.scratch.clear();
        if name.is_ascii() {
            self.scratch.push_str(name);
            self.scratch.make_ascii_lowercase();
        } else {
            self.scratch.push_str(&name.to_lowercase());
        }
        let named = self
            .by_name
            .get(&self.scratch)
            .map_or(&[][..], Vec::as_slice);
        (&self.always, named)
    }
}
