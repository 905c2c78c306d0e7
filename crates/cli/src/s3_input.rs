//! `s3://bucket/prefix` arguments: every object under the prefix becomes an input, read
//! through the same reader as local files and named `s3://bucket/key`.

use crate::diagnostics::Diagnostics;
use r53guard_formats::paths;
use r53guard_formats::{BadClass, SkipClass, Stats};
use r53guard_s3::{Aws, Options, S3Url};
use std::io::{Cursor, Read};
use std::sync::{Arc, OnceLock};

/// One object to read.
#[derive(Clone)]
pub struct S3Object {
    aws: Arc<Aws>,
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    max_bytes: u64,
}

impl S3Object {
    /// `s3://bucket/key`.
    pub fn name(&self) -> String {
        S3Url::object(&self.bucket, &self.key)
    }

    /// Reads the object whole (under the size cap).
    pub fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        let bytes = self
            .aws
            .get(&self.bucket, &self.key, self.max_bytes)
            .map_err(|e| std::io::Error::other(e.reason()))?;
        Ok(Box::new(Cursor::new(bytes)))
    }
}

impl std::fmt::Debug for S3Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl PartialEq for S3Object {
    fn eq(&self, other: &S3Object) -> bool {
        (&self.bucket, &self.key) == (&other.bucket, &other.key)
    }
}

impl Eq for S3Object {}

/// The S3 client of a run, made at the first `s3://` argument from the standard AWS
/// configuration (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_S3`, …).
pub struct Lister {
    aws: OnceLock<Result<Arc<Aws>, String>>,
    max_bytes: u64,
}

impl Lister {
    /// A lister whose objects are read under the cap `max_bytes`.
    pub fn new(max_bytes: u64) -> Lister {
        Lister {
            aws: OnceLock::new(),
            max_bytes,
        }
    }

    /// The objects under `arg` that are log files; digests and other keys are counted as
    /// skipped, and a listing that fails is reported and counted as unreadable input.
    pub fn objects(&self, arg: &str, diag: &mut Diagnostics, stats: &mut Stats) -> Vec<S3Object> {
        let mut fail = |why: String| {
            *stats.bad.entry(BadClass::Io).or_default() += 1;
            diag.bad_line(&why);
            Vec::new()
        };
        let url = match S3Url::parse(arg) {
            Ok(u) => u,
            Err(e) => return fail(e.to_string()),
        };
        let aws = match self.aws.get_or_init(|| {
            Aws::connect(&Options::default())
                .map(Arc::new)
                .map_err(|e| e.to_string())
        }) {
            Ok(a) => Arc::clone(a),
            Err(e) => return fail(e.clone()),
        };
        let listed = match aws.list(&url, None) {
            Ok(l) => l,
            Err(e) => return fail(format!("{url}: cannot list: {}", e.reason())),
        };
        let mut out = Vec::new();
        for object in listed {
            if let Some(class) = paths::skip_class(&object.key) {
                *stats.skipped.entry(class).or_default() += 1;
                if class == SkipClass::NotLog {
                    let name = S3Url::object(&url.bucket, &object.key);
                    diag.notice(&format!("skipped {name} (not a log file)"));
                }
                continue;
            }
            out.push(S3Object {
                aws: Arc::clone(&aws),
                bucket: url.bucket.clone(),
                key: object.key,
                max_bytes: self.max_bytes,
            });
        }
        out
    }
}
