//! The API's tests: each module drives the router in-process (or, for `serve`, over a real
//! listener on 127.0.0.1) against a store in a temporary directory.

mod alerts;
mod auth;
mod concurrency;
mod fixture;
mod health;
mod metrics;
mod serve;
mod status;
