//! The r53guard event view.
//!
//! A [`Schema`] lists the fields a run reads — by raw AWS path (`eventSource`,
//! `userIdentity.sessionContext.sessionIssuer.arn`, `answers.Rdata`), by ECS alias
//! (`event.provider`, `dns.question.name`; see [`aliases`]) or by OCSF path. A [`Projector`]
//! walks each record once, captures only those fields as byte spans (no DOM), and classifies
//! the record: a CloudTrail or Resolver [`Event`] (native or OCSF), an envelope to unwrap
//! (EventBridge, CloudWatch Logs), or something to skip (control messages, digests).
//!
//! Field lookups follow arrays at any depth (any-element semantics), so `answers.Rdata` yields
//! every answer's data.

pub mod aliases;
mod event;
mod key;
mod key_order;
mod kind;
mod name_cache;
mod scan;
mod schema;
pub mod time;
mod value;
mod walk;

pub use event::{Classified, Event, Projector, RecordError, Values};
pub use key::KeySlots;
pub use kind::{Encoding, Kind};
pub use schema::{FieldId, Schema};
pub use value::{FieldValue, unescape, write_json_string};
