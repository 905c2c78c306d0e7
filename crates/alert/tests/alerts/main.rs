//! Behaviour of r53guard-alert: the model's JSON, alert ids, every renderer, the JSON Schema,
//! and arbitrary text through every format.

mod common;
mod formats;
mod id;
mod model;
mod properties;
mod schema;
