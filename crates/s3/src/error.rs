//! Errors of S3 and SQS calls, each naming the object, bucket or queue it concerns.

/// A failed S3 or SQS operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runtime that drives the SDK could not start.
    #[error("cannot start the AWS client runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// An AWS call failed (access denied, no such bucket or key, network, credentials…).
    #[error("{target}: {message}")]
    Call {
        /// What the call was about: `s3://bucket/key`, `s3://bucket/prefix`, a queue URL.
        target: String,
        /// The service's error code and message, or the client-side cause.
        message: String,
        /// The service's error code (`AccessDenied`, `NoSuchKey`, …), when it gave one.
        code: Option<String>,
    },
    /// An object is larger than the cap.
    #[error("{url}: {size} bytes is more than the {max}-byte cap on one object")]
    TooLarge {
        /// `s3://bucket/key`.
        url: String,
        /// Its size (or the bytes read before the cap was passed).
        size: u64,
        /// The cap.
        max: u64,
    },
}

impl Error {
    /// The service's error code, when the failure was the service's answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Call { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// What went wrong, without naming the target (for messages that already name it).
    pub fn reason(&self) -> String {
        match self {
            Error::Runtime(e) => format!("cannot start the AWS client runtime: {e}"),
            Error::Call { message, .. } => message.clone(),
            Error::TooLarge { size, max, .. } => {
                format!("{size} bytes is more than the {max}-byte cap on one object")
            }
        }
    }
}
