//! Cursors for paging through alerts: the `(detected_at, id)` of the last alert seen.

use std::fmt;
use std::str::FromStr;

/// Where a page of alerts ended. Pages run newest first, so the next page holds the alerts
/// that sort before this one by `(detected_at, id)`.
///
/// It prints as `<detected_at Unix ms>_<alert id>` for use in a URL, and parses back:
///
/// ```
/// let c: r53guard_store::Cursor = "1714564800000_0123abcd".parse().unwrap();
/// assert_eq!(c.detected_ms, 1_714_564_800_000);
/// assert_eq!(c.to_string(), "1714564800000_0123abcd");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last alert's `detected_at`, Unix milliseconds.
    pub detected_ms: i64,
    /// The last alert's id.
    pub id: String,
}

/// A cursor string that is not `<integer>_<id>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad cursor {0:?}: expected <milliseconds>_<alert id>")]
pub struct BadCursor(pub String);

impl FromStr for Cursor {
    type Err = BadCursor;

    fn from_str(s: &str) -> Result<Cursor, BadCursor> {
        let bad = || BadCursor(s.to_owned());
        let (ms, id) = s.split_once('_').ok_or_else(bad)?;
        if id.is_empty() {
            return Err(bad());
        }
        Ok(Cursor {
            detected_ms: ms.parse().map_err(|_| bad())?,
            id: id.to_owned(),
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.detected_ms, self.id)
    }
}
