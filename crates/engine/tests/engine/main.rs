//! Behaviour of the rule engine.

mod matcher_differential;
