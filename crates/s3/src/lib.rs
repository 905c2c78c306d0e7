//! Amazon S3 and SQS access for r53guard.
//!
//! - [`S3Url`]: `s3://bucket/prefix` arguments, with errors that say what is wrong;
//! - [`Aws`]: S3 and SQS clients built from the standard AWS chain (environment, profile,
//!   SSO, container and instance credentials) with optional `region` and `endpoint_url`
//!   overrides (S3-compatible stores, local test servers; path-style addressing whenever an
//!   endpoint is given), driven from blocking code on a small runtime of its own: listing every
//!   object under a prefix, reading one object whole under a size cap, and receiving and
//!   deleting SQS messages;
//! - [`parse_body`]: SQS message bodies (S3 event notifications, raw or wrapped by SNS, and
//!   CloudTrail's own per-file SNS notices) into the objects they name; a pure function.
//!
//! The clients are the default feature `client`; without it only URLs and the parser remain.

#[cfg(feature = "client")]
mod aws;
#[cfg(feature = "client")]
mod error;
mod notification;
#[cfg(feature = "client")]
mod sqs;
#[cfg(feature = "test-util")]
pub mod testing;
mod url;
mod urldecode;

#[cfg(feature = "client")]
pub use aws::{Aws, ObjectInfo, Options, StaticCredentials};
#[cfg(feature = "client")]
pub use error::Error;
pub use notification::{BodyError, Notification, ObjectRef, parse_body};
#[cfg(feature = "client")]
pub use sqs::{Message, ReceiveOptions};
pub use url::{S3Url, UrlError};
pub use urldecode::form_decode;
