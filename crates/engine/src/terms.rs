//! Keys read from events: the values of a rule's key fields (threshold group-by, sequence
//! `by`, new-terms fields) and their combinations.
//!
//! Each field contributes its non-null values as text (strings as they are, numbers as
//! written, booleans as `true`/`false`, objects as their JSON text), sorted and deduplicated.
//! An event missing any field has no key. An array yields one key per combination of values
//! (the cartesian product in sorted order), at most `cap` of them, as Elastic's terms
//! aggregations do.

use r53guard_event::{Event, FieldId};

/// The keys of an event over `fields`: empty when a field has no value.
pub fn keys(ev: &Event<'_>, fields: &[(String, FieldId)], cap: usize) -> Vec<Vec<String>> {
    let mut per_field = Vec::with_capacity(fields.len());
    for (_, id) in fields {
        let mut values: Vec<String> = ev
            .values(*id)
            .filter(|v| !v.is_null())
            .map(|v| v.to_string())
            .collect();
        if values.is_empty() {
            return Vec::new();
        }
        if values.len() > 1 {
            values.sort_unstable();
            values.dedup();
        }
        per_field.push(values);
    }
    if per_field.iter().all(|v| v.len() == 1) {
        return vec![per_field.into_iter().flatten().collect()];
    }
    let mut out: Vec<Vec<String>> = vec![Vec::with_capacity(fields.len())];
    for values in per_field {
        let mut next = Vec::new();
        'outer: for prefix in &out {
            for v in &values {
                if next.len() >= cap.max(1) {
                    break 'outer;
                }
                let mut key = prefix.clone();
                key.push(v.clone());
                next.push(key);
            }
        }
        out = next;
    }
    out
}

/// Key values paired with their field names, for an alert's `group`.
pub fn group_map(
    fields: &[(String, FieldId)],
    values: &[String],
) -> std::collections::BTreeMap<String, String> {
    fields
        .iter()
        .zip(values)
        .map(|((name, _), v)| (name.clone(), v.clone()))
        .collect()
}
