//! Counters for a run: files, records by kind, bytes, skipped and bad records by class.

use r53guard_event::Kind;
use std::collections::BTreeMap;
use std::fmt;

/// Classes of bad input, each counted in the run summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BadClass {
    /// Not valid JSON.
    Json,
    /// Not valid UTF-8.
    Utf8,
    /// Valid JSON of the wrong shape.
    Shape,
    /// No usable event time.
    Time,
    /// Longer than the record cap.
    TooLong,
    /// The input ended inside a record or a `Records` array.
    Truncated,
    /// A corrupt or truncated gzip stream.
    Gzip,
    /// The decompressed size passed the cap.
    Bomb,
    /// The input could not be opened or read.
    Io,
}

impl BadClass {
    /// A short name for summaries (`json`, `utf8`, …).
    pub fn name(self) -> &'static str {
        match self {
            BadClass::Json => "json",
            BadClass::Utf8 => "utf8",
            BadClass::Shape => "shape",
            BadClass::Time => "time",
            BadClass::TooLong => "too_long",
            BadClass::Truncated => "truncated",
            BadClass::Gzip => "gzip",
            BadClass::Bomb => "bomb",
            BadClass::Io => "io",
        }
    }
}

impl fmt::Display for BadClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a file or record was passed over on purpose (not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipClass {
    /// A CloudTrail digest file or document.
    Digest,
    /// A file in a walked directory that is not a log file (by name).
    NotLog,
    /// A CloudWatch Logs control message.
    Control,
}

impl SkipClass {
    /// A short name for summaries.
    pub fn name(self) -> &'static str {
        match self {
            SkipClass::Digest => "cloudtrail_digest",
            SkipClass::NotLog => "not_a_log_file",
            SkipClass::Control => "cloudwatch_control_message",
        }
    }
}

/// Counters for one run (or one input; they add up with [`Stats::merge`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs opened.
    pub files: u64,
    /// Bytes read from inputs (compressed size for gzip).
    pub bytes_in: u64,
    /// Bytes after decompression.
    pub bytes_decoded: u64,
    /// Gzip inputs.
    pub gzip_files: u64,
    /// Events by kind: `[cloudtrail, resolver]`.
    pub records: [u64; 2],
    /// Events that arrived in OCSF.
    pub ocsf_records: u64,
    /// Envelopes unwrapped (EventBridge events, CloudWatch Logs payloads).
    pub envelopes: u64,
    /// Files and records passed over, by reason.
    pub skipped: BTreeMap<SkipClass, u64>,
    /// Bad inputs, by class.
    pub bad: BTreeMap<BadClass, u64>,
}

impl Stats {
    /// Counts one event.
    pub fn count_event(&mut self, kind: Kind, ocsf: bool) {
        self.records[kind.index()] += 1;
        self.ocsf_records += u64::from(ocsf);
    }

    /// All events.
    pub fn total_records(&self) -> u64 {
        self.records.iter().sum()
    }

    /// All bad inputs.
    pub fn total_bad(&self) -> u64 {
        self.bad.values().sum()
    }

    /// Adds another set of counters.
    pub fn merge(&mut self, other: &Stats) {
        self.files += other.files;
        self.bytes_in += other.bytes_in;
        self.bytes_decoded += other.bytes_decoded;
        self.gzip_files += other.gzip_files;
        for (a, b) in self.records.iter_mut().zip(other.records) {
            *a += b;
        }
        self.ocsf_records += other.ocsf_records;
        self.envelopes += other.envelopes;
        for (k, v) in &other.skipped {
            *self.skipped.entry(*k).or_default() += v;
        }
        for (k, v) in &other.bad {
            *self.bad.entry(*k).or_default() += v;
        }
    }
}
