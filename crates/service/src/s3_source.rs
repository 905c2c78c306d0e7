//! The `s3` source: a bucket prefix listed every poll interval; each object not read before
//! (by URL and ETag, so an object written again under the same key is read again) is read
//! whole, and its position — the object's identity, size and records — is committed with the
//! alerts it raised, so a restart neither reads an object twice nor skips one.
//!
//! Objects that cannot be read (access denied, over the size cap) or are passed over by key
//! are reported once and not tried again until the object changes or the service restarts.

use crate::feed::Feeder;
use crate::object_reader::{ObjectReader, Outcome};
use r53guard_s3::{ObjectRef, S3Url};
use r53guard_store::Position;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The most objects read in one poll, so that commits come regularly while a large backlog is
/// read.
const MAX_OBJECTS_PER_POLL: usize = 64;

/// A polled bucket prefix.
pub struct S3Source {
    name: String,
    url: S3Url,
    reader: ObjectReader,
    every: Duration,
    next_poll: Instant,
    /// Identities of the objects read (committed or in the current batch).
    done: HashSet<String>,
    /// Identities of objects reported as unreadable or passed over.
    ignored: HashSet<String>,
}

impl S3Source {
    /// The source `name` over `url`, polled `every`, continuing from `positions`.
    pub fn new(
        name: &str,
        url: S3Url,
        every: Duration,
        reader: ObjectReader,
        positions: Vec<Position>,
    ) -> S3Source {
        S3Source {
            name: name.to_owned(),
            url,
            reader,
            every,
            next_poll: Instant::now(),
            done: positions.into_iter().map(|p| p.file).collect(),
            ignored: HashSet::new(),
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lists the prefix when due and reads the new objects into `feeder`; returns their
    /// positions and the newest event time seen.
    pub fn poll(&mut self, feeder: &mut Feeder) -> (Vec<Position>, Option<i64>) {
        let mut positions = Vec::new();
        let mut newest = None;
        if Instant::now() < self.next_poll {
            return (positions, newest);
        }
        self.next_poll = Instant::now() + self.every;
        let listed = match self.reader.aws().and_then(|aws| aws.list(&self.url, None)) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(source = %self.name, prefix = %self.url, error = %e.reason(), "cannot list");
                return (positions, newest);
            }
        };
        for info in listed {
            let object = ObjectRef {
                bucket: self.url.bucket.clone(),
                key: info.key,
                size: Some(info.size),
                etag: info.etag,
                sequencer: None,
            };
            let identity = object.identity();
            if self.done.contains(&identity) || self.ignored.contains(&identity) {
                continue;
            }
            if positions.len() == MAX_OBJECTS_PER_POLL {
                // More to read: list again at the next poll rather than after the interval.
                self.next_poll = Instant::now();
                break;
            }
            match self.reader.read(&object, feeder) {
                Ok(Outcome::Read(position, t)) => {
                    newest = newest.max(t);
                    positions.push(position);
                    self.done.insert(identity);
                }
                Ok(Outcome::Skipped) | Err(_) => {
                    self.ignored.insert(identity);
                }
            }
        }
        (positions, newest)
    }
}
