//! Query rules: every matching event is an alert, keyed by the event's identity
//! (`recipientAccountId` + `eventID` for CloudTrail, a content hash for Resolver lines) so
//! re-reading the same event never alerts twice. With `alert_suppression`, matches are grouped
//! by the chosen fields into fixed event-time buckets of the suppression duration: one alert
//! per group and bucket, counting what it folded in.

use crate::acc::Acc;
use crate::evidence::Origin;
use r53guard_event::{Event, FieldId, Kind};
use r53guard_rules::MissingFields;
use std::collections::HashMap;

/// Suppression settings, compiled.
#[derive(Debug, Clone)]
pub struct Suppress {
    /// Group-by fields, with their names.
    pub fields: Vec<(String, FieldId)>,
    /// Bucket length (the suppression duration, or the rule interval when none is set).
    pub bucket_ms: i64,
    /// Events missing a group-by field: grouped under null, or alerted one by one.
    pub missing: MissingFields,
}

/// What a query rule keeps while reading.
#[derive(Debug, Default)]
pub struct QueryState {
    /// Suppressed groups: (group values, bucket start) → accumulator.
    pub groups: HashMap<(Vec<Option<String>>, i64), Acc>,
}

/// The identity of an event for alert ids.
pub fn event_key(ev: &Event<'_>, account: FieldId, event_id: FieldId) -> String {
    if ev.kind == Kind::CloudTrail {
        let text = |f| ev.first(f).and_then(|v| v.as_str().map(str::to_owned));
        if let (Some(a), Some(id)) = (text(account), text(event_id)) {
            return format!("cloudtrail:{a}:{id}");
        }
    }
    format!("content:{}", crate::evidence::content_key(ev.raw))
}

impl Suppress {
    /// The group of an event, or `None` when it must alert on its own (a missing field under
    /// `doNotSuppress`).
    pub fn group(&self, ev: &Event<'_>) -> Option<Vec<Option<String>>> {
        let values: Vec<Option<String>> = self
            .fields
            .iter()
            .map(|(_, f)| {
                let vs: Vec<String> = ev
                    .values(*f)
                    .filter(|v| !v.is_null())
                    .map(|v| v.to_string())
                    .collect();
                (!vs.is_empty()).then(|| vs.join(","))
            })
            .collect();
        if self.missing == MissingFields::DoNotSuppress && values.iter().any(Option::is_none) {
            return None;
        }
        Some(values)
    }

    /// The bucket start of an event time.
    pub fn bucket(&self, time_ms: i64) -> i64 {
        time_ms.div_euclid(self.bucket_ms) * self.bucket_ms
    }
}

impl QueryState {
    /// Folds a suppressed match in.
    pub fn add(
        &mut self,
        group: Vec<Option<String>>,
        bucket: i64,
        cap: usize,
        ev: &Event<'_>,
        origin: &Origin<'_>,
        derive: impl FnOnce(&Event<'_>) -> (r53guard_alert::Entity, String),
    ) {
        self.groups
            .entry((group, bucket))
            .or_insert_with(|| Acc::new(cap))
            .add(ev, origin, derive);
    }
}
