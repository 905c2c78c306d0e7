//! `/api/alerts`: list with filters and pages, get one with its history, set its status.

mod detail;
mod list;
mod status;
mod view;

pub(crate) use detail::get;
pub(crate) use list::list;
pub use status::MAX_NOTE_BYTES;
pub(crate) use status::set_status;
