//! Firehose request ids: a retried delivery is acknowledged without processing its records
//! again. Ids are recorded by [`Store::commit`] with the records' results.

use crate::error::StoreError;
use crate::store::Store;
use rusqlite::OptionalExtension;

impl Store {
    /// Whether a Firehose request with this id was committed (and not yet pruned).
    pub fn seen_request(&self, request_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM firehose_requests WHERE request_id = ?1",
                [request_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Forgets the request ids committed before `before_ms` (Unix milliseconds), and returns
    /// how many. Keep them for longer than Firehose retries a delivery (its retry duration,
    /// at most 7,200 s).
    pub fn prune_requests(&mut self, before_ms: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM firehose_requests WHERE received_ms < ?1",
            [before_ms],
        )?)
    }
}
