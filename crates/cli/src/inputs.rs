//! Shared input options and the loop that reads every input of a run into a sink.

use crate::diagnostics::Diagnostics;
use crate::name_time::name_time;
use crate::s3_input::Lister;
use crate::split::{self, Counts, Piece};
use clap::Args;
use r53guard_engine::Origin;
use r53guard_event::Schema;
use r53guard_event::{Event, Projector};
use r53guard_formats::paths::{self, Input, Passed};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, SkipClass, Stats, read_input};
use r53guard_s3::S3Url;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Options every command that reads logs takes.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files or directories to read (`-` for stdin), or `s3://bucket/prefix` for every object
    /// under the prefix. Directories are walked recursively.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Stop at the first bad record (exit status 1).
    #[arg(long)]
    pub strict: bool,
    /// Records or lines longer than this many bytes are reported and skipped.
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES")]
    pub max_record_bytes: usize,
    /// A gzip input decompressing to more than this many bytes is stopped (decompression bomb).
    #[arg(long, default_value_t = 16 << 30, value_name = "BYTES")]
    pub max_decompressed_bytes: u64,
    /// An S3 object larger than this many bytes (as stored) is reported and skipped.
    #[arg(long, default_value_t = 512 << 20, value_name = "BYTES")]
    pub max_object_bytes: u64,
}

/// Where the reader found a record, as the engine's evidence gives it.
pub fn origin<'a>(loc: &Location<'a>) -> Origin<'a> {
    Origin {
        path: loc.source,
        line: loc.line,
        record: loc.record,
        part: loc.part,
    }
}

/// The order [`read_parallel`] takes inputs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As named: the arguments in order, directories walked in name order.
    Given,
    /// By the time in AWS log objects' names ([`name_time`]), so that the logs of several
    /// accounts, regions and VPCs are read together; inputs without one come first, as given.
    NameTime,
}

/// Reads every input named by `args`, in the order given, handing events to `on_event`. Bad
/// records and passed-over files are reported through `diag` and counted in the returned stats.
pub fn read_all(
    args: &InputArgs,
    projector: &mut Projector<'_>,
    diag: &mut Diagnostics,
    progress: &indicatif::ProgressBar,
    on_event: &mut dyn FnMut(&Event<'_>, &Location<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<Stats> {
    let mut stats = Stats::default();
    let inputs = plan(args, Order::Given, diag, &mut stats);
    progress.set_length(inputs.len() as u64);
    for piece in inputs {
        let flow = read_piece(&piece, args, projector, diag, &mut stats, on_event)?;
        progress.inc(1);
        if flow.is_break() {
            break;
        }
    }
    progress.finish_and_clear();
    Ok(stats)
}

/// How [`read_parallel`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Parallel {
    /// Threads (`--strict`: one, so the first bad record stops the run).
    pub threads: usize,
    /// The order pieces are taken in.
    pub order: Order,
    /// The most ranges a large NDJSON file is cut into ([`split::pieces`]; 1: none).
    pub ranges: usize,
    /// The fewest bytes in a range.
    pub min_range: u64,
}

/// Where a thread is in its pieces, for [`read_parallel`]'s `on_piece`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceStep {
    /// It takes up the piece with this index (pieces are taken in order).
    Start(usize),
    /// It has read the piece it took up last.
    End,
}

/// Reads every input named by `args` with `how.threads` threads, each with its own state from
/// `make` (and a projector over `schema(state)`), cutting large NDJSON files into ranges
/// ([`crate::split`]). Events go to `on_event` with the state of the thread that read them,
/// and each piece's start and end to `on_piece`; an error from either stops the run. The
/// states are returned in thread order with the merged stats.
pub fn read_parallel<S: Send>(
    args: &InputArgs,
    how: Parallel,
    progress: &indicatif::ProgressBar,
    make: &(dyn Fn() -> anyhow::Result<S> + Sync),
    schema: &(dyn Fn(&S) -> Arc<Schema> + Sync),
    on_event: &(dyn Fn(&mut S, &Event<'_>, &Location<'_>) -> anyhow::Result<()> + Sync),
    on_piece: &(dyn Fn(&mut S, PieceStep) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<(Vec<S>, Stats)> {
    let threads = if args.strict { 1 } else { how.threads.max(1) };
    let mut diag = Diagnostics::new(false);
    let mut stats = Stats::default();
    let ranges = if threads > 1 { how.ranges } else { 1 };
    let pieces = split::pieces(
        plan(args, how.order, &mut diag, &mut stats),
        ranges,
        how.min_range,
    );
    progress.set_length(pieces.len() as u64);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let worker = || -> anyhow::Result<(S, Stats)> {
        let mut state = make()?;
        let schema = schema(&state);
        let mut projector = Projector::new(&schema);
        let mut stats = Stats::default();
        let mut diag = Diagnostics::new(false);
        while !stop.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(piece) = pieces.get(index) else {
                break;
            };
            let mut read = || -> anyhow::Result<ControlFlow<()>> {
                on_piece(&mut state, PieceStep::Start(index))?;
                let mut feed = |ev: &Event<'_>, loc: &Location<'_>| on_event(&mut state, ev, loc);
                let flow = read_piece(
                    piece,
                    args,
                    &mut projector,
                    &mut diag,
                    &mut stats,
                    &mut feed,
                )?;
                on_piece(&mut state, PieceStep::End)?;
                Ok(flow)
            };
            let flow = read().inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
            progress.inc(1);
            if flow.is_break() {
                stop.store(true, Ordering::Relaxed);
            }
        }
        Ok((state, stats))
    };
    let results: Vec<anyhow::Result<(S, Stats)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(pieces.len()).max(1))
            .map(|_| scope.spawn(worker))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a reader thread panicked")))
            })
            .collect()
    });
    progress.finish_and_clear();
    let mut states = Vec::with_capacity(results.len());
    for r in results {
        let (state, s) = r?;
        stats.merge(&s);
        states.push(state);
    }
    Ok((states, stats))
}

/// The inputs named by `args`, in `order`; passed-over paths are reported and counted.
fn plan(args: &InputArgs, order: Order, diag: &mut Diagnostics, stats: &mut Stats) -> Vec<Piece> {
    let mut pieces = plan_given(args, diag, stats);
    if order == Order::NameTime {
        pieces.sort_by_cached_key(|p| name_time(&p.name()).map(str::to_owned));
    }
    pieces
}

/// The inputs named by `args`, in the order given.
fn plan_given(args: &InputArgs, diag: &mut Diagnostics, stats: &mut Stats) -> Vec<Piece> {
    let s3 = Lister::new(args.max_object_bytes);
    let mut out = Vec::new();
    for arg in &args.paths {
        if S3Url::is_s3(arg) {
            out.extend(s3.objects(arg, diag, stats).into_iter().map(Piece::S3));
        } else {
            let local = plan_local(std::slice::from_ref(arg), diag, stats);
            out.extend(local.into_iter().map(Piece::Whole));
        }
    }
    out
}

/// The local inputs named by `args`; passed-over paths are reported and counted.
fn plan_local(args: &[String], diag: &mut Diagnostics, stats: &mut Stats) -> Vec<Input> {
    let (inputs, passed) = paths::plan(args);
    for p in &passed {
        match p {
            // Digest files sit beside every trail's logs: counted in the summary, not listed.
            Passed::Digest(_) => *stats.skipped.entry(SkipClass::Digest).or_default() += 1,
            Passed::NotLog(path) => {
                *stats.skipped.entry(SkipClass::NotLog).or_default() += 1;
                diag.notice(&format!("skipped {} (not a log file)", path.display()));
            }
            Passed::Unreadable(path, why) => {
                *stats.bad.entry(r53guard_formats::BadClass::Io).or_default() += 1;
                diag.bad_line(&format!("{}: cannot read: {why}", path.display()));
            }
        }
    }
    inputs
}

/// Reads one piece into `on_event`; a piece that cannot be opened is reported and counted.
/// Locations are those of the whole input, whatever range the piece is.
fn read_piece(
    piece: &Piece,
    args: &InputArgs,
    projector: &mut Projector<'_>,
    diag: &mut Diagnostics,
    stats: &mut Stats,
    on_event: &mut dyn FnMut(&Event<'_>, &Location<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<ControlFlow<()>> {
    let opts = ReadOptions {
        max_record_bytes: args.max_record_bytes,
        max_decompressed_bytes: args.max_decompressed_bytes,
    };
    let name = piece.name();
    // First, before anything can fail: the next range of the file waits for these counts.
    let opened = piece
        .offsets()
        .map_err(|e| format!("cannot count the lines before this part: {e}"))
        .and_then(|before| {
            let raw = piece.open().map_err(|e| format!("cannot open: {e}"))?;
            Ok((before, raw))
        });
    let (before, raw) = match opened {
        Ok(opened) => opened,
        Err(why) => {
            *stats.bad.entry(r53guard_formats::BadClass::Io).or_default() += 1;
            diag.bad_line(&format!("{name}: {why}"));
            return Ok(if args.strict {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            });
        }
    };
    let mut sink = CallbackSink {
        on_event,
        diag,
        strict: args.strict,
        failed: None,
        before,
    };
    let files = stats.files;
    let flow = read_input(&name, raw, projector, &opts, stats, &mut sink);
    if !piece.starts_input() {
        stats.files = files;
    }
    match sink.failed.take() {
        Some(e) => Err(e),
        None => Ok(flow),
    }
}

struct CallbackSink<'f, 'd> {
    on_event: &'f mut dyn FnMut(&Event<'_>, &Location<'_>) -> anyhow::Result<()>,
    diag: &'d mut Diagnostics,
    strict: bool,
    failed: Option<anyhow::Error>,
    /// Where the piece starts in its input.
    before: Counts,
}

impl CallbackSink<'_, '_> {
    fn shift<'a>(&self, loc: &Location<'a>) -> Location<'a> {
        Location {
            line: loc.line + self.before.lines,
            record: loc.record + self.before.records,
            ..*loc
        }
    }
}

impl Sink for CallbackSink<'_, '_> {
    fn event(&mut self, event: &Event<'_>, location: &Location<'_>) -> ControlFlow<()> {
        let location = self.shift(location);
        match (self.on_event)(event, &location) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.failed = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        let bad = Bad {
            location: self.shift(&bad.location),
            class: bad.class,
            message: bad.message.clone(),
        };
        self.diag.bad_line(&bad.to_string());
        if self.strict {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}
