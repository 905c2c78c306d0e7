//! `s3://bucket/prefix` URLs as given on the command line and in the configuration.

use std::fmt;

/// A bucket and a key prefix (possibly empty: the whole bucket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    /// The bucket.
    pub bucket: String,
    /// The key prefix, as written (no leading `/`).
    pub prefix: String,
}

/// Why a string is not an `s3://bucket/prefix` URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url:?} is not an s3://bucket/prefix URL: {why}")]
pub struct UrlError {
    /// The text given.
    pub url: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl S3Url {
    /// Whether `arg` is meant as an S3 URL (it starts with `s3://`).
    pub fn is_s3(arg: &str) -> bool {
        arg.get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("s3://"))
    }

    /// Parses `s3://bucket[/prefix]`. The bucket must follow S3's naming rules (3 to 63
    /// characters of lower-case letters, digits, `.` and `-`, starting and ending with a letter
    /// or digit); the prefix is taken as written.
    pub fn parse(url: &str) -> Result<S3Url, UrlError> {
        let fail = |why| UrlError {
            url: url.to_owned(),
            why,
        };
        if !S3Url::is_s3(url) {
            return Err(fail("it does not start with s3://"));
        }
        let rest = &url[5..];
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(fail("the bucket name is missing"));
        }
        if !(3..=63).contains(&bucket.len()) {
            return Err(fail("a bucket name has 3 to 63 characters"));
        }
        if !bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            return Err(fail(
                "a bucket name has only lower-case letters, digits, '.' and '-'",
            ));
        }
        let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !edge(bucket.as_bytes()[0]) || !edge(bucket.as_bytes()[bucket.len() - 1]) {
            return Err(fail(
                "a bucket name starts and ends with a letter or a digit",
            ));
        }
        Ok(S3Url {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// The URL of one object of the bucket.
    pub fn object(bucket: &str, key: &str) -> String {
        format!("s3://{bucket}/{key}")
    }
}

impl fmt::Display for S3Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_and_prefix() {
        let u = S3Url::parse("s3://my-logs/AWSLogs/123/").unwrap();
        assert_eq!(u.bucket, "my-logs");
        assert_eq!(u.prefix, "AWSLogs/123/");
        assert_eq!(u.to_string(), "s3://my-logs/AWSLogs/123/");
        let whole = S3Url::parse("S3://my.logs").unwrap();
        assert_eq!(
            (whole.bucket.as_str(), whole.prefix.as_str()),
            ("my.logs", "")
        );
        assert_eq!(S3Url::parse("s3://abc/").unwrap().prefix, "");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for (url, why) in [
            ("/tmp/logs", "does not start with s3://"),
            ("s3://", "bucket name is missing"),
            ("s3:///key", "bucket name is missing"),
            ("s3://ab/x", "3 to 63"),
            ("s3://My-Bucket/x", "lower-case"),
            ("s3://bucket_1", "lower-case"),
            ("s3://-bucket", "starts and ends"),
        ] {
            let e = S3Url::parse(url).unwrap_err();
            assert!(e.to_string().contains(why), "{url}: {e}");
            assert!(e.to_string().contains(url), "{url}: {e}");
        }
    }

    #[test]
    fn is_s3_only_for_the_scheme() {
        assert!(S3Url::is_s3("s3://b"));
        assert!(!S3Url::is_s3("s3:/b"));
        assert!(!S3Url::is_s3("logs/s3://b"));
        assert!(!S3Url::is_s3("é"));
    }
}
