//! Reading one input end to end: open (gzip or plain), split into records, check UTF-8,
//! project and classify each record, unwrap envelopes, and hand events and bad records to a
//! sink with their location. Nothing bad stops the rest of the input unless the sink says so.

use crate::source::{self, ReadFailure};
use crate::split::{Piece, Splitter};
use crate::stats::{BadClass, SkipClass, Stats};
use r53guard_event::{Classified, Encoding, Event, Projector, RecordError};
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Limits for reading.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Records (or lines) longer than this are reported and skipped.
    pub max_record_bytes: usize,
    /// A gzip input that decompresses to more than this is stopped as a bomb.
    pub max_decompressed_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_record_bytes: 16 << 20,
            max_decompressed_bytes: 16 << 30,
        }
    }
}

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location<'a> {
    /// The input's name (its path, or `-` for stdin).
    pub source: &'a str,
    /// The line the record starts on (1-based).
    pub line: u64,
    /// The record's index in the input (0-based, counting every piece the splitter found).
    pub record: u64,
    /// The index inside an envelope that carries several records (CloudWatch Logs `logEvents`).
    pub part: Option<u32>,
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} (record {}", self.source, self.line, self.record)?;
        if let Some(p) = self.part {
            write!(f, ", logEvents[{p}]")?;
        }
        f.write_str(")")
    }
}

/// A bad record or input, with where it was found.
#[derive(Debug, Clone)]
pub struct Bad<'a> {
    /// Where.
    pub location: Location<'a>,
    /// What kind of problem.
    pub class: BadClass,
    /// A human-readable description.
    pub message: String,
}

impl std::fmt::Display for Bad<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.location, self.message, self.class)
    }
}

/// Receives what an input holds. Returning `Break` stops reading (as `--strict` does).
pub trait Sink {
    /// An event, with its location.
    fn event(&mut self, event: &Event<'_>, location: &Location<'_>) -> ControlFlow<()>;
    /// A bad record or input.
    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()>;
}

/// A reader that counts the bytes it passes.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one input named `name` from `raw` to the end, feeding `sink` and counting into `stats`.
pub fn read_input(
    name: &str,
    raw: Box<dyn Read + Send>,
    projector: &mut Projector<'_>,
    opts: &ReadOptions,
    stats: &mut Stats,
    sink: &mut dyn Sink,
) -> ControlFlow<()> {
    stats.files += 1;
    let bytes_in = Arc::new(AtomicU64::new(0));
    let counted = Box::new(Counting {
        inner: raw,
        count: bytes_in.clone(),
    });
    let at = |line, record| Location {
        source: name,
        line,
        record,
        part: None,
    };
    let opened = match source::open(counted, opts.max_decompressed_bytes) {
        Ok(o) => o,
        Err(e) => {
            stats.bytes_in += bytes_in.load(Ordering::Relaxed);
            return report(
                stats,
                sink,
                at(0, 0),
                BadClass::Io,
                format!("cannot read: {e}"),
            );
        }
    };
    stats.gzip_files += u64::from(opened.gzip);
    let decoded = Arc::new(AtomicU64::new(0));
    let reader = Counting {
        inner: opened.reader,
        count: decoded.clone(),
    };
    let mut splitter = Splitter::new(reader, opts.max_record_bytes);
    let mut index = 0u64;
    let mut flow = ControlFlow::Continue(());
    while flow.is_continue() {
        let Some(piece) = splitter.next() else { break };
        let record = index;
        index += 1;
        flow = match piece {
            Piece::Record { text, line } => {
                let loc = at(line, record);
                match utf8(text) {
                    Ok(text) => handle_record(text, loc, projector, stats, sink, 0),
                    Err(e) => report(
                        stats,
                        sink,
                        loc,
                        BadClass::Utf8,
                        format!("invalid UTF-8 at byte {} of the record", e.valid_up_to()),
                    ),
                }
            }
            Piece::TooLong { line, len } => report(
                stats,
                sink,
                at(line, record),
                BadClass::TooLong,
                format!(
                    "record of {len} bytes is longer than the cap of {} bytes (--max-record-bytes)",
                    opts.max_record_bytes
                ),
            ),
            Piece::Truncated { line } => {
                // A read error explains a truncation better than the truncation itself.
                match splitter.take_error() {
                    Some(e) => read_failure(stats, sink, at(line, record), e, opened.gzip),
                    None => report(
                        stats,
                        sink,
                        at(line, record),
                        BadClass::Truncated,
                        "input ends inside a record".into(),
                    ),
                }
            }
            Piece::Unexpected { line, found } => report(
                stats,
                sink,
                at(line, record),
                BadClass::Json,
                format!(
                    "expected ',' or ']' between records, found {:?}; skipped to the next line",
                    char::from(found)
                ),
            ),
        };
    }
    if flow.is_continue()
        && let Some(e) = splitter.take_error()
    {
        flow = read_failure(stats, sink, at(splitter.line(), index), e, opened.gzip);
    }
    stats.bytes_in += bytes_in.load(Ordering::Relaxed);
    stats.bytes_decoded += decoded.load(Ordering::Relaxed);
    flow
}

fn read_failure(
    stats: &mut Stats,
    sink: &mut dyn Sink,
    loc: Location<'_>,
    err: io::Error,
    gzip: bool,
) -> ControlFlow<()> {
    let failure = ReadFailure::classify(err, gzip);
    let class = match failure {
        ReadFailure::Bomb { .. } => BadClass::Bomb,
        ReadFailure::Gzip(_) => BadClass::Gzip,
        ReadFailure::Io(_) => BadClass::Io,
    };
    report(
        stats,
        sink,
        loc,
        class,
        format!("{failure}; the rest of this input was not read"),
    )
}

fn report(
    stats: &mut Stats,
    sink: &mut dyn Sink,
    location: Location<'_>,
    class: BadClass,
    message: String,
) -> ControlFlow<()> {
    *stats.bad.entry(class).or_default() += 1;
    sink.bad(&Bad {
        location,
        class,
        message,
    })
}

/// Envelopes nest at most this deep (a CloudWatch payload holding EventBridge events, say).
const MAX_ENVELOPE_DEPTH: u32 = 2;

fn handle_record(
    text: &str,
    loc: Location<'_>,
    projector: &mut Projector<'_>,
    stats: &mut Stats,
    sink: &mut dyn Sink,
    depth: u32,
) -> ControlFlow<()> {
    let (class, message) = match projector.project(text) {
        Ok(Classified::Event(ev)) => {
            stats.count_event(ev.kind, ev.encoding == Encoding::Ocsf);
            return sink.event(&ev, &loc);
        }
        Ok(Classified::Control) => {
            *stats.skipped.entry(SkipClass::Control).or_default() += 1;
            return ControlFlow::Continue(());
        }
        Ok(Classified::Digest) => {
            *stats.skipped.entry(SkipClass::Digest).or_default() += 1;
            return ControlFlow::Continue(());
        }
        Ok(_) if depth >= MAX_ENVELOPE_DEPTH => {
            (BadClass::Shape, "envelopes nested too deep".to_owned())
        }
        Ok(Classified::EventBridge { detail }) => {
            stats.envelopes += 1;
            return handle_record(detail, loc, projector, stats, sink, depth + 1);
        }
        Ok(Classified::CloudWatchLogs { messages }) => {
            stats.envelopes += 1;
            for (i, message) in messages.iter().enumerate() {
                let part = Location {
                    part: Some(i as u32),
                    ..loc
                };
                handle_record(message, part, projector, stats, sink, depth + 1)?;
            }
            return ControlFlow::Continue(());
        }
        Err(RecordError::Json(e)) => (BadClass::Json, format!("malformed JSON: {e}")),
        Err(e @ RecordError::Shape(_)) => (BadClass::Shape, e.to_string()),
        Err(e @ RecordError::Time(_)) => (BadClass::Time, e.to_string()),
    };
    report(stats, sink, loc, class, message)
}

/// A record's bytes as text: checked with SIMD (`simdutf8`), and by the standard library only
/// when that fails, for the position of the first bad byte.
fn utf8(text: &[u8]) -> Result<&str, std::str::Utf8Error> {
    simdutf8::basic::from_utf8(text).or_else(|_| std::str::from_utf8(text))
}

#[cfg(test)]
mod tests {
    use super::utf8;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn utf8_answers_as_the_standard_library(
            text in ".{0,80}",
            cut in any::<prop::sample::Index>(),
            noise in prop::collection::vec(any::<u8>(), 0..4),
        ) {
            // Valid text, the same cut inside a character, and text with stray bytes.
            let mut bytes = text.into_bytes();
            let at = cut.index(bytes.len() + 1);
            for b in [bytes.clone(), bytes[..at].to_vec(), {
                bytes.splice(at..at, noise.iter().copied());
                bytes
            }] {
                prop_assert_eq!(utf8(&b), std::str::from_utf8(&b));
            }
        }
    }
}
