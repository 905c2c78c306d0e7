//! The store's tests: each module exercises one part of the API against a store in a
//! temporary directory.

mod commit;
mod crash;
mod fixture;
mod outbox;
mod queries;
mod schema;
