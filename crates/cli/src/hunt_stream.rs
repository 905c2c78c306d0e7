//! `hunt --lateness`: windows evaluated as event time passes, as `r53guard run` does, so a
//! hunt holds the state of the last stretch of event time only, however much it reads.
//!
//! Pieces are taken in time order: AWS log objects by the time in their names
//! ([`crate::name_time`]), so that the folders of several accounts, regions and VPCs are read
//! together, and large NDJSON files in ranges, one after another; other inputs come first, in
//! the order given. Each thread reads its piece into an engine of its own, which a central
//! engine absorbs at the piece's end, every [`SYNC_RECORDS`] records and whenever the records'
//! time has moved on by [`SYNC_MS`], then flushes.
//!
//! Each record kind (CloudTrail, Resolver) has its own clock: for a piece, the newest event
//! time of that kind absorbed from it and the pieces before it. A matching record more than
//! the lateness behind its piece's clock is late: counted in the rule's report and not
//! evaluated. The central engine is flushed no further than the late bound of any piece still
//! being read, so what the threads absorb never falls in a window already evaluated, and when
//! every record is at most the lateness behind the newest of its kind before it, the alerts
//! are those of an ordinary hunt at any thread count. Alerts are written once no earlier one
//! can come from the records read so far, so they keep an ordinary hunt's order within each
//! kind.

use crate::cmd_hunt::Hunted;
use crate::inputs::{InputArgs, Order, Parallel, PieceStep, origin, read_parallel};
use r53guard_alert::{Alert, AlertWriter};
use r53guard_engine::{Engine, HeldAlert};
use r53guard_event::time::format_rfc3339;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;

/// The most records a thread reads between two syncs with the central engine.
const SYNC_RECORDS: u64 = 1 << 18;

/// The most event time a thread's records move on between two syncs: the clocks, and so the
/// late bounds, move on at least this often.
const SYNC_MS: i64 = 300_000;

/// A reading thread's engine, and what it has read since it last synced.
struct Worker {
    engine: Engine,
    /// The piece being read.
    piece: usize,
    /// The newest event time of each kind read since the last sync (`i64::MIN`: none).
    newest: [i64; 2],
    /// Records evaluated since the last sync.
    unsynced: u64,
    /// The event time of the first record since the last sync (`i64::MIN`: none yet).
    since_ms: i64,
}

/// The central engine, the clocks, and the alerts waiting to be written.
struct Central<W: Write> {
    engine: Engine,
    lateness_ms: i64,
    /// Per piece from `folded_until` on that has absorbed records, the newest event time of
    /// each kind absorbed from it.
    newest: BTreeMap<usize, [i64; 2]>,
    /// The newest event time of each kind in the pieces before `folded_until`, all read.
    folded: [i64; 2],
    /// The first piece not folded into `folded`.
    folded_until: usize,
    /// The late bound of each piece being read.
    reading: BTreeMap<usize, [i64; 2]>,
    out: Ordered<W>,
}

impl<W: Write> Central<W> {
    /// The late bound of piece `piece`: per kind, the newest event time absorbed from it and
    /// the pieces before it, less the lateness (`i64::MIN`: none of that kind yet).
    fn bound(&self, piece: usize) -> [i64; 2] {
        let mut newest = self.folded;
        for n in self.newest.range(..=piece).map(|(_, n)| n) {
            newest = later(newest, *n);
        }
        newest.map(|t| match t {
            i64::MIN => t,
            t => t.saturating_sub(self.lateness_ms),
        })
    }

    /// Folds the pieces read from `folded_until` on into `folded`, so that a bound costs the
    /// pieces in flight, not every piece of the run.
    fn fold(&mut self) {
        while let Some(entry) = self.newest.first_entry() {
            let piece = *entry.key();
            if piece != self.folded_until || self.reading.contains_key(&piece) {
                break;
            }
            self.folded = later(self.folded, entry.remove());
            self.folded_until += 1;
        }
    }

    fn start(&mut self, w: &mut Worker, piece: usize) {
        w.piece = piece;
        self.hold(w);
    }

    /// Gives the worker its piece's late bound, and notes it as the furthest the central engine
    /// may be flushed while the piece is read.
    fn hold(&mut self, w: &mut Worker) {
        let bound = self.bound(w.piece);
        self.reading.insert(w.piece, bound);
        w.engine.late_before(bound);
    }

    /// Absorbs what the worker read since it last synced, flushes, and writes the alerts that
    /// are settled.
    fn sync(&mut self, w: &mut Worker, done: bool) -> anyhow::Result<()> {
        self.engine.absorb(&mut w.engine)?;
        let n = self.newest.entry(w.piece).or_insert([i64::MIN; 2]);
        *n = later(*n, w.newest);
        w.newest = [i64::MIN; 2];
        w.unsynced = 0;
        w.since_ms = i64::MIN;
        if done {
            self.reading.remove(&w.piece);
            self.fold();
        } else {
            self.hold(w);
        }
        // Pieces taken up later get bounds at least as high as those of the pieces before.
        let to = match self
            .reading
            .values()
            .copied()
            .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1])])
        {
            Some(to) => to,
            None => self.bound(usize::MAX),
        };
        self.out.add(self.engine.flush_kinds(to));
        // Counted in the rules' reports; a hunt does not list the intervals.
        self.engine.take_held_back();
        self.out.write_before(self.engine.settled_before())
    }
}

/// The later of two times per kind.
fn later(a: [i64; 2], b: [i64; 2]) -> [i64; 2] {
    [a[0].max(b[0]), a[1].max(b[1])]
}

/// Alerts flushed but not yet written, in (detected_at, rule id, id) order.
struct Ordered<W: Write> {
    pending: BTreeMap<(String, String, String), Alert>,
    out: AlertWriter<W>,
    written: usize,
}

impl<W: Write> Ordered<W> {
    fn add(&mut self, alerts: Vec<Alert>) {
        for a in alerts {
            let key = (a.detected_at.clone(), a.rule.id.clone(), a.id.clone());
            self.pending.insert(key, a);
        }
    }

    /// Writes the alerts detected before `bound_ms`.
    fn write_before(&mut self, bound_ms: i64) -> anyhow::Result<()> {
        let bound = (bound_ms != i64::MAX).then(|| format_rfc3339(bound_ms));
        while let Some(entry) = self.pending.first_entry() {
            if bound.as_ref().is_some_and(|b| entry.key().0 >= *b) {
                break;
            }
            self.out.write(&entry.remove())?;
            self.written += 1;
        }
        Ok(())
    }
}

/// What a streaming hunt needs besides its inputs.
pub struct Stream<'a> {
    /// Reading threads.
    pub threads: usize,
    /// The fewest bytes in a range of an NDJSON file.
    pub min_range: u64,
    /// How far behind its kind's clock a record may be.
    pub lateness_ms: i64,
    /// Whether an event time is in the hunt's range.
    pub in_range: &'a (dyn Fn(i64) -> bool + Sync),
    /// An engine for a thread, or the central one.
    pub make: &'a (dyn Fn() -> anyhow::Result<Engine> + Sync),
}

/// Reads every input in time order, evaluating windows as event time passes, and writes the
/// alerts to `out`.
pub fn hunt<W: Write + Send>(
    input: &InputArgs,
    how: &Stream<'_>,
    bar: &indicatif::ProgressBar,
    out: AlertWriter<W>,
) -> anyhow::Result<Hunted<W>> {
    let central = Mutex::new(Central {
        engine: (how.make)()?,
        lateness_ms: how.lateness_ms,
        newest: BTreeMap::new(),
        folded: [i64::MIN; 2],
        folded_until: 0,
        reading: BTreeMap::new(),
        out: Ordered {
            pending: BTreeMap::new(),
            out,
            written: 0,
        },
    });
    let lock = || {
        central
            .lock()
            .map_err(|_| anyhow::anyhow!("a reader thread panicked"))
    };
    let parallel = Parallel {
        threads: how.threads,
        order: Order::NameTime,
        ranges: usize::MAX,
        min_range: how.min_range,
    };
    let (_, stats) = read_parallel(
        input,
        parallel,
        bar,
        &|| {
            Ok(Worker {
                engine: (how.make)()?,
                piece: 0,
                newest: [i64::MIN; 2],
                unsynced: 0,
                since_ms: i64::MIN,
            })
        },
        &|w: &Worker| w.engine.schema(),
        &|w: &mut Worker, ev, loc| {
            if !(how.in_range)(ev.time_ms) {
                return Ok(());
            }
            w.engine.process(ev, &origin(loc));
            let k = ev.kind.index();
            w.newest[k] = w.newest[k].max(ev.time_ms);
            w.unsynced += 1;
            if w.since_ms == i64::MIN {
                w.since_ms = ev.time_ms;
            }
            if w.unsynced >= SYNC_RECORDS || ev.time_ms >= w.since_ms.saturating_add(SYNC_MS) {
                lock()?.sync(w, false)?;
            }
            Ok(())
        },
        &|w: &mut Worker, step| match step {
            PieceStep::Start(piece) => {
                lock()?.start(w, piece);
                Ok(())
            }
            PieceStep::End => lock()?.sync(w, true),
        },
    )?;
    let Central {
        mut engine,
        mut out,
        ..
    } = central
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a reader thread panicked"))?;
    let rest = engine.finish_held();
    out.add(rest.alerts.into_iter().map(HeldAlert::release).collect());
    out.write_before(i64::MAX)?;
    Ok(Hunted {
        stats,
        alerts: out.written,
        reports: rest.rules,
        out: out.out,
    })
}
