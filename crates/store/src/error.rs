//! What can go wrong with the store.

use std::path::PathBuf;

/// A store operation that failed. A failed [`crate::Store::commit`] changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite reported an error (including "database is locked" after the busy timeout).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database has a schema version this build does not know (a newer r53guard wrote it).
    #[error(
        "{path} has schema version {found}; this build knows 0 to {supported} (was it written by a newer r53guard?)"
    )]
    UnknownSchemaVersion {
        /// The database file.
        path: PathBuf,
        /// Its `PRAGMA user_version`.
        found: i64,
        /// [`crate::SCHEMA_VERSION`].
        supported: i64,
    },
    /// An alert to store has a `detected_at` that is not an RFC 3339 time.
    #[error("alert {id}: detected_at {detected_at:?} is not an RFC 3339 time")]
    BadDetectedAt {
        /// The alert id.
        id: String,
        /// The bad value.
        detected_at: String,
    },
    /// An alert could not be written as or read from JSON.
    #[error("alert JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A Firehose request id in the batch was committed before: the batch would process the
    /// same records twice.
    #[error("Firehose request {0:?} was already committed")]
    DuplicateRequest(String),
    /// A number is too large for SQLite's 64-bit signed integers.
    #[error("{what} {value} is too large to store")]
    TooLarge {
        /// Which number.
        what: &'static str,
        /// Its value.
        value: u64,
    },
}

/// Converts an unsigned count or offset to SQLite's integer type.
pub(crate) fn to_sql_int(what: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::TooLarge { what, value })
}
