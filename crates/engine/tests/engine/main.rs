//! Behaviour of the rule engine.

mod common;
mod matcher_differential;
mod new_terms_rules;
mod query_rules;
mod sequence_rules;
mod sigma_rules;
mod state_props;
mod threshold_rules;
