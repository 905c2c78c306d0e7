//! Evidence an alert carries: the triggering records verbatim with where they came from.

use r53guard_alert::{EvidenceEvent, SourceRef};
use r53guard_event::Event;
use serde_json::value::RawValue;

/// Where an event was read: the input's name, the line the record starts on, its record index,
/// and its index inside an envelope that carries several records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The input's name (a path, `-`, or an object key).
    pub path: &'a str,
    /// The line the record starts on (1-based).
    pub line: u64,
    /// The record's index in the input.
    pub record: u64,
    /// The index in an envelope (CloudWatch Logs `logEvents`).
    pub part: Option<u32>,
}

/// The evidence entry for one event.
pub fn evidence(ev: &Event<'_>, origin: &Origin<'_>) -> EvidenceEvent {
    EvidenceEvent {
        source: SourceRef {
            path: origin.path.into(),
            line: origin.line,
            record: origin.record,
            part: origin.part,
        },
        kind: ev.kind.name().to_owned(),
        event: raw_value(ev.raw),
    }
}

/// A record's text as a raw JSON value.
pub fn raw_value(raw: &str) -> Box<RawValue> {
    // The projector only hands out records that parsed; keep a valid placeholder anyway.
    RawValue::from_string(raw.to_owned()).unwrap_or_default()
}
