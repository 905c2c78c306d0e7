//! Evidence an alert carries: the triggering records verbatim with where they came from.

use crate::spill::Text;
use r53guard_alert::{EvidenceEvent, SourceRef};
use r53guard_event::Kind;
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

/// An evidence entry whose record is held as [`Text`] (in the engine's spill file when it has
/// one) until its alert is emitted: the alerts a `max_signals` cap keeps wait for the end of
/// their interval, which in `hunt` is the end of the run.
#[derive(Debug, Clone)]
pub struct HeldEvidence {
    /// Where the record was read.
    pub source: SourceRef,
    /// The record kind's name.
    pub kind: &'static str,
    /// The record's text.
    pub text: Text,
}

impl HeldEvidence {
    /// A whole evidence entry (from a snapshot), held in memory. Its kind is the name of a
    /// [`Kind`]: the engine built the alert.
    pub fn hold(event: EvidenceEvent) -> HeldEvidence {
        HeldEvidence {
            kind: Kind::ALL
                .iter()
                .map(|k| k.name())
                .find(|name| *name == event.kind)
                .unwrap_or(Kind::CloudTrail.name()),
            text: Text::from(event.event.get()),
            source: event.source,
        }
    }

    /// The evidence entry. Text that cannot be read back from the spill file (which only a
    /// failing disk does) is replaced by a JSON string saying why.
    pub fn entry(&self) -> EvidenceEvent {
        let event = match self.text.read() {
            Ok(text) => raw_value(&text),
            Err(e) => raw_value(
                &serde_json::Value::from(format!(
                    "the record could not be read back from the spill file: {e}"
                ))
                .to_string(),
            ),
        };
        EvidenceEvent {
            source: self.source.clone(),
            kind: self.kind.to_owned(),
            event,
        }
    }
}

/// A record's text as a raw JSON value.
pub fn raw_value(raw: &str) -> Box<RawValue> {
    // The projector only hands out records that parsed; keep a valid placeholder anyway.
    RawValue::from_string(raw.to_owned()).unwrap_or_default()
}
