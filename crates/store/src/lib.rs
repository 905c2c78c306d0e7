//! The durable state of `r53guard run`, on SQLite: where each source is, the engine's state,
//! the alerts, their notification outbox, and Firehose request ids.
//!
//! The service's pipeline reads records, feeds the engine, flushes it to a watermark, and then
//! makes **one** [`Store::commit`] of the step: the sources' positions, the engine snapshot,
//! the new alerts with one outbox job per receiver their route names, and the Firehose request
//! ids whose records it processed — one SQLite transaction. Only after that does it
//! acknowledge the input (answer Firehose 200, delete the SQS message). A notifier loop
//! drains the outbox with [`Store::due`] and records each delivery's outcome (the
//! `r53guard-notify` crate's `Outcome`) with [`Store::mark_delivered`] (`Delivered`),
//! [`Store::reschedule`] (`Deferred`, `Retry`) or [`Store::mark_dead`] (`Dead`, `Failed`). The
//! HTTP API reads alerts with [`Store::list`] and [`Store::get`] and triages them with
//! [`Store::set_status`].
//!
//! # Tables
//!
//! | table | one row per | written by |
//! |---|---|---|
//! | `positions` | source and input identity (`dev:inode`, `key#etag`): byte offset and record index reached | [`Store::commit`] (upsert) |
//! | `engine_state` | — (a single row): the last `Engine::snapshot` | [`Store::commit`] (replace) |
//! | `alerts` | alert, unique by id: rule, severity, `detected_at` (text and Unix ms), triage status, the alert JSON | [`Store::commit`] (`ON CONFLICT (id) DO NOTHING`), [`Store::set_status`] |
//! | `alert_status_history` | status change: status, note, time | [`Store::set_status`] |
//! | `outbox` | pending job (alert, receiver), unique: attempt number, due time, last error | [`Store::commit`] (new alerts only), [`Store::reschedule`] |
//! | `sent` | delivered job (alert, receiver): the sent-ledger | [`Store::mark_delivered`] (moves the job) |
//! | `dead_letters` | job given up on, with attempts and error | [`Store::mark_dead`] (moves the job) |
//! | `firehose_requests` | committed Firehose request id, with its time | [`Store::commit`], [`Store::prune_requests`] |
//!
//! A job is in exactly one of `outbox`, `sent` and `dead_letters`: it is created in the
//! outbox, and each move is a delete and an insert in one transaction. The schema is
//! versioned by `PRAGMA user_version` ([`SCHEMA_VERSION`]); [`Store::open`] migrates an older
//! database and refuses a newer one. `docs/store.md` describes the schema.
//!
//! # Exactly once, across `kill -9`
//!
//! * **No alert lost.** An alert is committed in the same transaction as the positions and the
//!   engine state that follow the records it came from, and inputs are acknowledged only after
//!   that commit. A crash before the commit loses the step whole: on restart the engine is
//!   restored from the previous snapshot and the sources resume from the previous positions, so
//!   the records are read again and the alert is raised again. A crash after the commit finds
//!   the alert stored. WAL with `synchronous=FULL` makes a returned commit survive power loss
//!   too.
//! * **No alert duplicated in the store.** Alert ids are deterministic (the same records give
//!   the same id) and unique in `alerts`; a replayed step's alerts hit `ON CONFLICT DO NOTHING`.
//!   A Firehose retry of a committed request is acknowledged at once ([`Store::seen_request`]),
//!   and a batch naming a committed request id fails whole ([`StoreError::DuplicateRequest`]).
//! * **Every alert notified.** Outbox jobs are inserted in the transaction that inserts their
//!   alert, so a stored alert always has its jobs; a job leaves the outbox only for the
//!   sent-ledger or the dead letters, so it is retried until one of those.
//! * **None duplicated at a receiver.** Jobs are created only for newly inserted alerts, so a
//!   replay queues nothing. What remains is a crash after a receiver accepted an alert and
//!   before [`Store::mark_delivered`]: the job is sent again, with the alert id as the key the
//!   receiver dedupes on (PagerDuty's `dedup_key`, the webhook's alert-id header; the JSON-lines
//!   and stdout lines carry it). Slack has no idempotency key, so that one window can repeat a
//!   Slack message. [`Store::was_sent`] answers whether the ledger holds a delivery.
//!
//! # Times
//!
//! Wall-clock times (`now_ms`, `at_ms`, due times) are Unix milliseconds chosen by the caller,
//! so that tests control them. Alert times are event times from the alert itself.

mod alerts;
mod batch;
mod cursor;
mod error;
mod outbox;
mod requests;
mod schema;
mod state;
mod status;
mod store;

pub use alerts::{AlertFilter, MAX_PAGE, Page, StoredAlert};
pub use batch::{Batch, Position, RoutedAlert};
pub use cursor::{BadCursor, Cursor};
pub use error::StoreError;
pub use outbox::{DeadLetter, Job, OutboxCounts};
pub use schema::SCHEMA_VERSION;
pub use status::{Status, StatusChange, UnknownStatus};
pub use store::{BUSY_TIMEOUT, DB_FILE, Store};
