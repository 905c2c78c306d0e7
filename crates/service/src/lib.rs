//! `r53guard run`: continuous detection as a service.
//!
//! - [`config`]: the TOML configuration, checked with errors that name the key at fault;
//! - the pipeline: directory, stdin, S3 (prefix listing), SQS (S3 event notification) and
//!   Amazon Data Firehose sources read into the same engine as `r53guard hunt` (Sigma rules
//!   included), an event-time watermark per source, and one store transaction per poll batch
//!   (positions, engine state, routed alerts), so a restart continues exactly where the last
//!   commit left;
//! - the notifier loop draining the store's outbox through `r53guard-notify`;
//! - the HTTP API of `r53guard-api` on its own store connection;
//! - [`run`]: all of it until SIGTERM or SIGINT, then an orderly shutdown (SIGHUP logs that a
//!   configuration change needs a restart).

pub mod config;
pub mod config_s3;
mod directory;
mod feed;
pub mod firehose_config;
mod firehose_endpoint;
mod firehose_source;
mod object_reader;
mod object_sources;
mod outbox;
mod pipeline;
mod receivers;
mod ruleset;
mod s3_source;
pub mod secret_ref;
mod service;
pub mod span;
mod sqs_source;
mod stdin;
mod stream_report;
mod token;

pub use config::{Config, ConfigError, DEFAULT_CONFIG};
pub use service::run;
pub use token::TOKEN_FILE;
