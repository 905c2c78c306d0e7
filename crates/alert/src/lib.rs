//! r53guard alerts.
//!
//! The [`Alert`] model that the rule engine builds and the service stores, the deterministic
//! [`alert_id`], and an [`AlertWriter`] that renders alerts as JSON lines, a JSON array, a
//! terminal table, CSV or OCSF 1.1.0 Detection Findings.
//!
//! Everything here is deterministic: an alert carries only event times (never the wall clock),
//! its id is a hash of what the engine chose to identify it by, maps are ordered, and every
//! renderer writes fields in a fixed order, so the same alerts always give the same bytes.
//! `docs/alert-schema.md` is the full contract; `docs/alert.schema.json` is its JSON Schema.

mod evidence;
mod id;
mod model;
mod render;
mod rule;
mod severity;
#[cfg(feature = "test-util")]
pub mod testing;

pub use evidence::{EvidenceEvent, SourceRef};
pub use id::{alert_digest, alert_digest_pieces, alert_id, id_digest, id_hex, id_text};
pub use model::{Alert, Entity, Window};
pub use render::{AlertFormat, AlertWriter};
pub use rule::{AlertRule, MitreRef, Technique, Threat};
pub use severity::{Severity, UnknownSeverity};
