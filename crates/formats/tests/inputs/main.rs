//! Behaviour of the input layer: every delivery format, every quirk, every kind of bad input,
//! and independence from how the stream is cut into reads.

mod bad_input;
mod chunking;
mod cloudtrail;
mod common;
mod resolver;
