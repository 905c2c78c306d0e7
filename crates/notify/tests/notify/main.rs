//! The notifier against local HTTP receivers on 127.0.0.1 standing in for Slack, PagerDuty and
//! a webhook, and against the local sinks. No test sends anything off the machine.

mod delivery;
mod pagerduty;
mod server;
mod setup;
mod sinks;
mod slack;
mod webhook;
