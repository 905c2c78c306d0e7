//! Behaviour of the Sigma crate: the SigmaHQ rules, conformance of every modifier, condition
//! form and semantic rule, documents and diagnostics, real CloudTrail records, the Route 53
//! provider mistake, and the compiled matcher against the reference evaluator.

mod cloudtrail_data;
mod common;
mod conditions;
mod differential;
mod documents;
mod modifiers;
mod provider;
mod semantics;
mod sigmahq;
