//! The r53guard rule engine.

pub mod matcher;
