//! `hunt --lateness`: windows evaluated as event time passes, as `r53guard run` does, so a
//! hunt holds the state of the last stretch of event time only, however much it reads.
//!
//! One thread reads the inputs, AWS log objects by the time in their names
//! ([`crate::name_time`]) so that the folders of several accounts, regions and VPCs are read
//! together, other inputs first in the order given. Each record kind (CloudTrail, Resolver) has
//! its own clock, the newest event time read so far, so logs of the two kinds can follow one
//! another. Once a kind's clock has moved a minute, the rules reading it are flushed to the clock
//! less the lateness. A matching record older than that is late: counted in the rule's report
//! and not evaluated. When every record is at most the lateness behind the newest of its kind
//! read before it, the alerts are those of an ordinary hunt. Alerts are written once no earlier
//! one can come from the records read so far, so they keep an ordinary hunt's order within
//! each kind.

use crate::cmd_hunt::Hunted;
use crate::diagnostics::Diagnostics;
use crate::inputs::{InputArgs, Order, origin, read_all};
use r53guard_alert::{Alert, AlertWriter};
use r53guard_engine::{Engine, HeldAlert};
use r53guard_event::time::format_rfc3339;
use r53guard_event::{Kind, Projector};
use std::collections::BTreeMap;
use std::io::Write;

/// How far a kind's clock moves between flushes.
const STEP_MS: i64 = 60_000;

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

/// Reads every input into `engine`, flushing it as each kind's event time passes, and writes
/// the alerts to `out`.
pub fn hunt<W: Write>(
    engine: &mut Engine,
    input: &InputArgs,
    lateness_ms: i64,
    in_range: &dyn Fn(i64) -> bool,
    bar: &indicatif::ProgressBar,
    out: AlertWriter<W>,
) -> anyhow::Result<Hunted<W>> {
    let schema = engine.schema();
    let mut projector = Projector::new(&schema);
    let mut diag = Diagnostics::new(false);
    let mut out = Ordered {
        pending: BTreeMap::new(),
        out,
        written: 0,
    };
    let mut newest = [i64::MIN; 2];
    let mut flushed = [i64::MIN; 2];
    let stats = read_all(
        input,
        Order::NameTime,
        &mut projector,
        &mut diag,
        bar,
        &mut |ev, loc| {
            if !in_range(ev.time_ms) {
                return Ok(());
            }
            engine.process(ev, &origin(loc));
            let k = ev.kind.index();
            if ev.time_ms > newest[k] {
                newest[k] = ev.time_ms;
                if flushed[k] == i64::MIN || newest[k] >= flushed[k].saturating_add(STEP_MS) {
                    flushed[k] = newest[k];
                    let watermarks = Kind::ALL.map(|kind| {
                        let t = flushed[kind.index()];
                        if t == i64::MIN {
                            t
                        } else {
                            t.saturating_sub(lateness_ms)
                        }
                    });
                    out.add(engine.flush_kinds(watermarks));
                    // Counted in the rules' reports; a hunt does not list the intervals.
                    engine.take_held_back();
                    out.write_before(engine.settled_before())?;
                }
            }
            Ok(())
        },
    )?;
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
