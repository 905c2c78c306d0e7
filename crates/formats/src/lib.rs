//! r53guard input formats.
//!
//! Detects and splits what AWS delivers: gzip (by magic bytes, multi-member, size-capped),
//! CloudTrail S3 objects `{"Records":[…]}` streamed record by record, JSON arrays of records,
//! NDJSON, concatenated JSON, EventBridge events, CloudWatch Logs subscription payloads and
//! OCSF records — each handed to a [`Sink`] as an [`r53guard_event::Event`] with its location,
//! and every bad input reported with file, line and record index, counted, and passed over.

pub mod paths;
mod reader;
mod source;
mod split;
mod stats;

pub use reader::{Bad, Location, ReadOptions, Sink, read_input};
pub use source::ReadFailure;
pub use split::{Piece, Splitter};
pub use stats::{BadClass, SkipClass, Stats};
