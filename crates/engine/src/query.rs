//! Query rules: every matching event is an alert, keyed by the event's identity
//! (`recipientAccountId` + `eventID` for CloudTrail, a content hash for Resolver lines) so
//! re-reading the same event never alerts twice. With `alert_suppression`, matches are grouped
//! by the chosen fields into fixed event-time buckets of the suppression duration: one alert
//! per group and bucket, counting what it folded in. A group's alert is final once its bucket
//! has ended (at the end of the run, or when a flush watermark passes the bucket's end).

use crate::acc::Acc;
use crate::cap::HeldAlert;
use crate::draft::{self, Draft};
use crate::keyed::Keyed;
use crate::render::Render;
use crate::sample::{Sampler, content_key128};
use crate::template::Summary;
use r53guard_alert::{AlertRule, id_hex};
use r53guard_event::{Event, FieldId, FieldValue, Kind};
use r53guard_rules::MissingFields;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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

/// A suppression group: its values (null for a missing field) and bucket start.
type GroupKey = (Vec<Option<String>>, i64);

/// What a query rule keeps while reading: open suppression groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryState {
    groups: Keyed<GroupKey, Acc>,
}

/// The digest of the id of the alert a query rule raises for one event: the parts `query`,
/// the rule id, its version and the event's identity (`cloudtrail:{recipientAccountId}:{eventID}`
/// for CloudTrail, `content:{content key in hex}` otherwise), hashed without building them.
pub fn alert_digest(meta: &AlertRule, ev: &Event<'_>, account: FieldId, event_id: FieldId) -> u128 {
    let digest = |identity: &[&[u8]]| draft::digest("query", meta, [identity]);
    if ev.kind == Kind::CloudTrail {
        let (a, id) = (ev.first(account), ev.first(event_id));
        if let (Some(a), Some(id)) = (
            a.as_ref().and_then(FieldValue::as_str),
            id.as_ref().and_then(FieldValue::as_str),
        ) {
            return digest(&[b"cloudtrail:", a.as_bytes(), b":", id.as_bytes()]);
        }
    }
    digest(&[b"content:", &id_hex(content_key128(ev.raw))])
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
    /// No open groups; at most `max_keys` of them at a time.
    pub fn new(max_keys: usize) -> QueryState {
        QueryState {
            groups: Keyed::new(max_keys),
        }
    }

    /// The open groups, leaving none.
    pub fn take(&mut self) -> QueryState {
        QueryState {
            groups: self.groups.take(),
        }
    }

    /// Folds a suppressed match in.
    pub fn add(
        &mut self,
        group: Vec<Option<String>>,
        bucket: i64,
        cap: usize,
        ev: &Event<'_>,
        sampler: &Sampler<'_>,
    ) {
        self.groups
            .entry((group, bucket), Acc::default)
            .add(ev, sampler, cap);
    }

    /// Groups evicted to stay under the cap.
    pub fn evicted(&self) -> u64 {
        self.groups.evicted()
    }

    /// Folds in the state of another engine fed other events.
    pub fn merge(&mut self, other: QueryState, cap: usize) {
        self.groups.merge(other.groups, |a, b| a.merge(b, cap));
    }

    /// The alerts of the groups whose bucket ends at or before `watermark_ms`, with their
    /// detection times; those groups are closed.
    pub fn flush(
        &mut self,
        watermark_ms: i64,
        s: &Suppress,
        meta: &Arc<AlertRule>,
        summary: Option<&Summary>,
        render: &mut Render<'_>,
    ) -> Vec<(i64, HeldAlert)> {
        let mut done = Vec::new();
        self.groups.retain(|(group, bucket), acc| {
            if bucket.saturating_add(s.bucket_ms) > watermark_ms {
                return true;
            }
            done.push((group.clone(), *bucket, std::mem::take(acc)));
            false
        });
        done.into_iter()
            .map(|(group, bucket, acc)| {
                let alert = grouped_alert(meta, s, summary, &group, bucket, &acc, render);
                (acc.first_ms, alert)
            })
            .collect()
    }
}

fn grouped_alert(
    meta: &Arc<AlertRule>,
    s: &Suppress,
    summary: Option<&Summary>,
    group: &[Option<String>],
    bucket: i64,
    acc: &Acc,
    render: &mut Render<'_>,
) -> HeldAlert {
    let mut id_parts = vec![bucket.to_string().into_bytes()];
    id_parts.extend(
        group
            .iter()
            .map(|g| g.as_deref().unwrap_or("\u{0}null").as_bytes().to_vec()),
    );
    Draft {
        id_parts,
        detected_ms: acc.first_ms,
        seen_ms: (acc.first_ms, acc.last_ms),
        group: s
            .fields
            .iter()
            .zip(group)
            .filter_map(|((name, _), v)| v.clone().map(|v| (name.clone(), v)))
            .collect(),
        count: acc.count,
        distinct_count: None,
        window: Some((bucket, bucket + s.bucket_ms)),
        suppressed: acc.count - 1,
    }
    .build(
        "suppressed",
        meta,
        summary,
        acc.samples(),
        acc.earliest(),
        render,
    )
}
