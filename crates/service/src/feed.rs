//! Feeding bytes of one input into the engine: the same reader, projector and engine as
//! `r53guard hunt`, with locations shifted to where the bytes sit in their input, records and
//! bad records counted in the metrics, and the newest event time kept for the watermark.
//! Per source, records older than the last flushed watermark are counted as late, and a jump
//! of the source's newest event time past the gap threshold is counted and logged as a gap.

use r53guard_api::Metrics;
use r53guard_engine::{Engine, Origin};
use r53guard_event::time::format_rfc3339;
use r53guard_event::{Event, Projector, Schema};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, Stats, read_input};
use std::collections::HashMap;
use std::io::Cursor;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The engine and what every source feeds it through.
pub struct Feeder {
    /// The engine.
    pub engine: Engine,
    schema: Arc<Schema>,
    metrics: Arc<Metrics>,
    /// Records fed since the last commit.
    pub records_since_commit: u64,
    /// The watermark of the last flush: records older than it are late.
    pub watermark_ms: Option<i64>,
    /// A source's newest event time jumping forward by more than this is a gap.
    pub gap_threshold_ms: i64,
    /// The source being read, set by [`Feeder::enter`].
    source: String,
    /// The newest event time of each source since start.
    newest: HashMap<String, i64>,
}

/// Where a piece of an input starts in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Start {
    /// Lines before it.
    pub lines: u64,
    /// Records before it.
    pub records: u64,
}

/// What one piece held.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fed {
    /// Records (events and bad records) the reader found, to add to the position.
    pub records: u64,
    /// The newest event time, Unix milliseconds.
    pub newest_ms: Option<i64>,
}

impl Feeder {
    /// A feeder around `engine`.
    pub fn new(engine: Engine, metrics: Arc<Metrics>) -> Feeder {
        Feeder {
            schema: engine.schema(),
            engine,
            metrics,
            records_since_commit: 0,
            watermark_ms: None,
            gap_threshold_ms: i64::MAX,
            source: String::new(),
            newest: HashMap::new(),
        }
    }

    /// Names the source whose inputs the next feeds read (for its late and gap counts).
    pub fn enter(&mut self, source: &str) {
        if self.source != source {
            source.clone_into(&mut self.source);
        }
    }

    /// Reads `bytes` (complete lines, or a whole file) of the input `name`, which start at
    /// `start` in it.
    pub fn feed(&mut self, name: &str, bytes: Vec<u8>, start: Start) -> Fed {
        let mut projector = Projector::new(&self.schema);
        let mut stats = Stats::default();
        let mut sink = EngineSink {
            engine: &mut self.engine,
            metrics: &self.metrics,
            start,
            pieces: 0,
            newest_ms: None,
            clock: SourceClock {
                source: &self.source,
                newest_ms: self.newest.get(&self.source).copied(),
                watermark_ms: self.watermark_ms,
                gap_ms: self.gap_threshold_ms,
                late: 0,
            },
        };
        let _ = read_input(
            name,
            Box::new(Cursor::new(bytes)),
            &mut projector,
            &ReadOptions::default(),
            &mut stats,
            &mut sink,
        );
        let fed = Fed {
            records: sink.pieces,
            newest_ms: sink.newest_ms,
        };
        let clock = sink.clock;
        if clock.late > 0 {
            self.metrics
                .source_late_records()
                .with(&[&self.source])
                .add(clock.late);
        }
        if let Some(t) = clock.newest_ms {
            self.newest.insert(self.source.clone(), t);
        }
        self.records_since_commit += stats.total_records();
        fed
    }
}

struct EngineSink<'a> {
    engine: &'a mut Engine,
    metrics: &'a Metrics,
    start: Start,
    pieces: u64,
    newest_ms: Option<i64>,
    clock: SourceClock<'a>,
}

/// One source's event time while its input is read.
struct SourceClock<'a> {
    source: &'a str,
    newest_ms: Option<i64>,
    watermark_ms: Option<i64>,
    gap_ms: i64,
    late: u64,
}

impl SourceClock<'_> {
    fn tick(&mut self, time_ms: i64, metrics: &Metrics) {
        if self.watermark_ms.is_some_and(|w| time_ms < w) {
            self.late += 1;
        }
        match self.newest_ms {
            Some(newest) if time_ms > newest => {
                if time_ms - newest > self.gap_ms {
                    metrics.source_gaps().with(&[self.source]).inc();
                    tracing::warn!(
                        source = self.source,
                        from = %format_rfc3339(newest),
                        to = %format_rfc3339(time_ms),
                        gap_seconds = (time_ms - newest) / 1000,
                        "gap in the source's event time"
                    );
                }
                self.newest_ms = Some(time_ms);
            }
            Some(_) => {}
            None => self.newest_ms = Some(time_ms),
        }
    }
}

impl EngineSink<'_> {
    fn saw(&mut self, record: u64) {
        self.pieces = self.pieces.max(record + 1);
    }
}

impl Sink for EngineSink<'_> {
    fn event(&mut self, ev: &Event<'_>, loc: &Location<'_>) -> ControlFlow<()> {
        self.saw(loc.record);
        self.newest_ms = Some(self.newest_ms.map_or(ev.time_ms, |t| t.max(ev.time_ms)));
        self.clock.tick(ev.time_ms, self.metrics);
        self.metrics.records_in().with(&[ev.kind.name()]).inc();
        self.engine.process(
            ev,
            &Origin {
                path: loc.source,
                line: loc.line + self.start.lines,
                record: loc.record + self.start.records,
                part: loc.part,
            },
        );
        ControlFlow::Continue(())
    }

    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        self.saw(bad.location.record);
        self.metrics.bad_records().with(&[bad.class.name()]).inc();
        tracing::warn!(
            input = bad.location.source,
            line = bad.location.line + self.start.lines,
            class = bad.class.name(),
            message = %bad.message,
            "bad record skipped"
        );
        ControlFlow::Continue(())
    }
}
