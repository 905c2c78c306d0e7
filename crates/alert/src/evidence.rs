//! Evidence: the records that triggered an alert, verbatim, with where each was read.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::sync::Arc;

/// One triggering record, kept exactly as it was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceEvent {
    /// Where the record was read.
    pub source: SourceRef,
    /// `cloudtrail` or `resolver`.
    pub kind: String,
    /// The record verbatim (its JSON text is written unchanged, except that the JSON-lines
    /// renderer removes the whitespace between tokens of a record that spans several lines).
    pub event: Box<RawValue>,
}

/// Compares the records by their JSON text, byte for byte.
impl PartialEq for EvidenceEvent {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.kind == other.kind
            && self.event.get() == other.event.get()
    }
}

impl Eq for EvidenceEvent {}

/// Where a record was read: the same coordinates the input layer reports for bad records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The input's name: its path, or `-` for standard input (shared by the records of one
    /// input that an engine keeps).
    pub path: Arc<str>,
    /// The line the record starts on (1-based).
    pub line: u64,
    /// The record's index in the input (0-based).
    pub record: u64,
    /// The index inside an envelope that carries several records, e.g. CloudWatch Logs
    /// `logEvents` (omitted when the record is not inside such an envelope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
}
