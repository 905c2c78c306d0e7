//! Behaviour of the rule engine.

mod common;
mod matcher_differential;
mod query_rules;
