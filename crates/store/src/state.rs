//! Reading back, on start, where each source was and the engine's state.

use crate::batch::Position;
use crate::error::StoreError;
use crate::store::Store;
use rusqlite::OptionalExtension;

impl Store {
    /// The positions of `source`'s inputs, by input identity.
    pub fn positions(&self, source: &str) -> Result<Vec<Position>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT file_id, byte_offset, record FROM positions
             WHERE source_id = ?1 ORDER BY file_id",
        )?;
        let rows = stmt.query_map([source], |row| {
            Ok(Position {
                source: source.to_owned(),
                file: row.get(0)?,
                offset: row.get(1)?,
                record: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last committed engine snapshot, for `Engine::restore`; `None` before the first.
    pub fn engine_state(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT snapshot FROM engine_state WHERE id = 1",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }
}
