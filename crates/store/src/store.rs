//! Opening the store: the database file, its connection settings and its schema.

use crate::error::StoreError;
use crate::schema::migrate;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database's file name inside the data directory.
pub const DB_FILE: &str = "r53guard.db";

/// How long a statement waits for another connection's write lock before failing with
/// "database is locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The durable state of `r53guard run`: one SQLite connection to `<dir>/r53guard.db`.
///
/// Writes take `&mut self` and each is one transaction; reads take `&self`. A process may open
/// several stores on the same directory (say, one for the pipeline's commits, one for the
/// notifier, one for the HTTP API): WAL mode lets readers run beside the one writer, and
/// writers queue for up to [`BUSY_TIMEOUT`].
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if need be) the store in `dir`, which is created too, and brings its
    /// schema up to [`crate::SCHEMA_VERSION`].
    ///
    /// The connection uses WAL journaling with `synchronous=FULL`: a commit returns only once
    /// the WAL is on stable storage, so what was committed survives a power loss as well as a
    /// `kill -9`. (`NORMAL` would survive a process crash too, but could lose the last commits
    /// on a power loss, after the service had acknowledged a Firehose request or deleted an
    /// SQS message for them.) Foreign keys are enforced.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }
}
