//! The `limit` query parameter of the list endpoints.

use crate::error::ApiError;
use r53guard_store::MAX_PAGE;

/// Items a page holds when the request does not say.
pub const DEFAULT_LIMIT: usize = 100;

/// `limit`'s value: absent means [`DEFAULT_LIMIT`]; otherwise a number from 1 to
/// [`MAX_PAGE`], or a 400.
pub(crate) fn parse_limit(value: Option<String>) -> Result<usize, ApiError> {
    let Some(v) = value else {
        return Ok(DEFAULT_LIMIT);
    };
    v.parse()
        .ok()
        .filter(|n| (1..=MAX_PAGE).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!("limit: {v:?} is not a number from 1 to {MAX_PAGE}"))
        })
}
