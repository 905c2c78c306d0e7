//! Contract tests of the Firehose endpoint: a real listener on 127.0.0.1, requests shaped as
//! Firehose sends them, and the answers AWS's HTTP endpoint delivery specification expects.

mod auth;
mod client;
mod deadline;
mod dedupe;
mod delivery;
mod limits;
mod malformed;
mod recorder;
mod server;
mod store_backed;
mod store_dedupe;
