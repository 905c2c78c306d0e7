//! `r53guard hunt`: every rule over the input in one pass, alerts out (deduplicated, capped,
//! deterministic order), a summary on stderr; or `--kql` for an ad-hoc search.

use crate::diagnostics::Diagnostics;
use crate::inputs::{InputArgs, Order, Parallel, origin, read_all, read_parallel};
use crate::output::write_record;
use crate::ruleset::{RuleArgs, assemble};
use crate::sigma_input::{SigmaArgs, load, mapping, print_problems};
use crate::{Outcome, UsageError, hunt_stream, summary};
use anyhow::Context;
use clap::Args;
use r53guard_alert::{AlertFormat, AlertWriter};
use r53guard_engine::matcher::{CompileOptions, Matcher};
use r53guard_engine::{Engine, EngineOptions, Limits, RuleReport, RunResult, SigmaRules};
use r53guard_event::{Projector, Schema};
use r53guard_formats::Stats;
use r53guard_kql::datemath::DateMath;
use r53guard_rules::parse_duration;
use r53guard_sigma::{Mapping, SigmaSet};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// Arguments of `r53guard hunt`.
#[derive(Args, Debug)]
pub struct HuntArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    sigma: SigmaArgs,
    /// Instead of running rules, print the records matching this KQL query.
    #[arg(long, value_name = "QUERY")]
    kql: Option<String>,
    /// Alert format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<AlertFormat>,
    /// Write alerts (or --kql matches) to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only events at or after this time (RFC 3339, or date math such as now-7d).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only events before this time (RFC 3339, or date math).
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Exit with status 4 when any alert is raised (for CI).
    #[arg(long)]
    fail_on_alert: bool,
    /// The most triggering events an alert carries.
    #[arg(long, default_value_t = 10, value_name = "N")]
    max_events_per_alert: usize,
    /// Threads reading and evaluating (default: the machine's cores). Files are read in
    /// parallel and large NDJSON files in ranges; the alerts are the same at any count.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Evaluate windows as event time passes, as `r53guard run` does, so that memory stays
    /// flat however much is read (e.g. `15m`): a matching record more than this behind the
    /// newest record of its kind before it is counted as late and not evaluated. Inputs are
    /// read in time order: AWS log objects by the time in their names, other inputs first.
    #[arg(long, value_name = "DURATION")]
    lateness: Option<String>,
    /// The smallest range of an NDJSON file given to one thread (for tests).
    #[arg(long, hide = true, default_value_t = crate::split::MIN_RANGE_BYTES)]
    split_min_bytes: u64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn time_bound(text: &Option<String>, now: i64, round_up: bool) -> anyhow::Result<Option<i64>> {
    let Some(t) = text else { return Ok(None) };
    DateMath::parse(t)
        .and_then(|m| m.resolve(now, round_up))
        .map(Some)
        .ok_or_else(|| UsageError(format!("{t:?} is not an RFC 3339 time or date math")).into())
}

fn writer(output: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write + Send>> {
    Ok(match output {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout())),
    })
}

pub fn run(args: HuntArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let now = now_ms();
    let since = time_bound(&args.since, now, false)?;
    let until = time_bound(&args.until, now, false)?;
    let in_range = |t: i64| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u);
    let mut diag = Diagnostics::new(false);
    let bar = crate::progress::files_bar();
    if let Some(q) = &args.kql {
        return search(&args, q, now, &mut diag, &bar, started, &in_range);
    }
    let lateness_ms = match &args.lateness {
        Some(text) => {
            let d = parse_duration(text).map_err(|e| UsageError(format!("--lateness: {e}")))?;
            Some(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        }
        None => None,
    };
    let set = assemble(&args.rules)?;
    let opts = EngineOptions {
        now_ms: now,
        max_events_per_alert: args.max_events_per_alert,
    };
    let (first, sigma) = if args.sigma.sigma.is_empty() {
        let engine = Engine::new(&set, opts).map_err(|e| UsageError(e.to_string()))?;
        (engine, None)
    } else {
        let (engine, loaded) = with_sigma(&set, &args.sigma, opts)?;
        (engine, Some(loaded))
    };
    let sigma_line = sigma
        .as_ref()
        .map(|s| s.summary(first.sigma_skipped().len()));
    // The engine built here (its problems printed) is the first thread's; the others compile
    // their own from the same rules.
    let first = Mutex::new(Some(first));
    let no_spill = std::sync::Once::new();
    let make = || -> anyhow::Result<Engine> {
        let taken = first
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .take();
        let mut engine = match (taken, &sigma) {
            (Some(engine), _) => engine,
            (None, None) => Engine::new(&set, opts)?,
            (None, Some(s)) => Engine::with_sigma(&set, s.rules(), opts, Limits::default())?,
        };
        match tempfile::tempfile() {
            Ok(file) => engine.spill_records(file),
            Err(e) => no_spill.call_once(|| {
                eprintln!(
                    "r53guard hunt: cannot create a temporary file ({e}); the records kept for alerts stay in memory"
                )
            }),
        }
        Ok(engine)
    };
    let format = args.format.unwrap_or(
        if args.output.is_none() && std::io::stdout().is_terminal() {
            AlertFormat::Table
        } else {
            AlertFormat::Jsonl
        },
    );
    let color = args.output.is_none() && std::io::stdout().is_terminal();
    let w = AlertWriter::new(writer(&args.output)?, format, color);
    let Hunted {
        stats,
        alerts: alerted,
        reports,
        out: w,
    } = match lateness_ms {
        Some(lateness_ms) => {
            let how = hunt_stream::Stream {
                threads: threads(&args),
                min_range: args.split_min_bytes.max(1),
                lateness_ms,
                in_range: &in_range,
                make: &make,
            };
            hunt_stream::hunt(&args.input, &how, &bar, w)?
        }
        None => in_parallel(&args, &make, &in_range, &bar, w)?,
    };
    w.finish()?.flush()?;
    eprint!("{}", summary::render("hunt", &stats, started.elapsed()));
    eprint!(
        "{}",
        rule_summary(alerted, &reports, args.lateness.as_deref())
    );
    if let Some(line) = sigma_line {
        eprintln!("{line}");
    }
    Ok(outcome(args.fail_on_alert && alerted > 0, &stats))
}

/// The outcome: alerted (exit status 4) when `--fail-on-alert` found something, else bad input
/// (1) when a record or input was bad, else clean.
fn outcome(failed: bool, stats: &Stats) -> Outcome {
    if failed {
        Outcome::Alerted
    } else if stats.total_bad() > 0 {
        Outcome::BadInput
    } else {
        Outcome::Clean
    }
}

/// `--threads`, or the machine's cores.
fn threads(args: &HuntArgs) -> usize {
    args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    })
}

/// What a hunt read and wrote.
pub struct Hunted<W: Write> {
    /// The inputs' stats.
    pub stats: Stats,
    /// Alerts written.
    pub alerts: usize,
    /// The rules' reports.
    pub reports: Vec<RuleReport>,
    /// The alert writer, to finish.
    pub out: AlertWriter<W>,
}

/// The ordinary hunt: the inputs read in parallel, every window's state kept to the end of the
/// run (so the order of files and records does not matter), then every alert written.
fn in_parallel<W: Write>(
    args: &HuntArgs,
    make: &(dyn Fn() -> anyhow::Result<Engine> + Sync),
    in_range: &(dyn Fn(i64) -> bool + Sync),
    bar: &indicatif::ProgressBar,
    mut out: AlertWriter<W>,
) -> anyhow::Result<Hunted<W>> {
    let threads = threads(args);
    let how = Parallel {
        threads,
        order: Order::Given,
        ranges: threads,
        min_range: args.split_min_bytes.max(1),
    };
    let (engines, stats) = read_parallel(
        &args.input,
        how,
        bar,
        make,
        &|engine: &Engine| engine.schema(),
        &|engine: &mut Engine, ev, loc| {
            if in_range(ev.time_ms) {
                engine.process(ev, &origin(loc));
            }
            Ok(())
        },
        &|_, _| Ok(()),
    )?;
    let mut engines = engines.into_iter();
    let mut engine = engines
        .next()
        .ok_or_else(|| anyhow::anyhow!("no reader thread ran"))?;
    for other in engines {
        engine.merge(other)?;
    }
    let RunResult {
        alerts,
        rules: reports,
    } = engine.finish_held();
    // The process ends soon after: freeing the engine's state piece by piece (the threshold
    // rules' buckets and samples) would only cost time, about 20 ms for 500 MB of Resolver
    // logs.
    std::mem::forget(engine);
    // Each alert's evidence is read back as it is written, so the records of all alerts are
    // never in memory at once.
    let written = alerts.len();
    for held in alerts {
        out.write(&held.release())?;
    }
    Ok(Hunted {
        stats,
        alerts: written,
        reports,
        out,
    })
}

/// Sigma rules loaded for a run, with their mapping.
struct LoadedSigma {
    set: SigmaSet,
    mapping: Mapping,
    not_loaded: usize,
}

impl LoadedSigma {
    fn rules(&self) -> SigmaRules<'_> {
        SigmaRules {
            set: &self.set,
            mapping: &self.mapping,
        }
    }

    fn summary(&self, not_run: usize) -> String {
        format!(
            "  sigma: {} rules and {} correlations loaded, {not_run} not run, {} documents not loaded",
            self.set.rules.len(),
            self.set.correlations.len(),
            self.not_loaded
        )
    }
}

/// The engine with the Sigma rules of `args` beside `set`. Documents that do not load and
/// rules that cannot run are printed with the reason.
fn with_sigma(
    set: &r53guard_rules::RuleSet,
    args: &SigmaArgs,
    opts: EngineOptions,
) -> anyhow::Result<(Engine, LoadedSigma)> {
    let sigma = LoadedSigma {
        set: load(&args.sigma)?,
        mapping: mapping(&args.sigma_mapping)?,
        not_loaded: 0,
    };
    let sigma = LoadedSigma {
        not_loaded: print_problems(&sigma.set),
        ..sigma
    };
    let engine = Engine::with_sigma(set, sigma.rules(), opts, Limits::default())
        .map_err(|e| UsageError(e.to_string()))?;
    for s in engine.sigma_skipped() {
        eprintln!(
            "{}: not run: {} ({}): {}",
            s.origin, s.title, s.id, s.reason
        );
    }
    Ok((engine, sigma))
}

/// The rules' lines of the run summary; with `--lateness`, how many matches came too late.
fn rule_summary(alerts: usize, reports: &[RuleReport], lateness: Option<&str>) -> String {
    let mut s = format!("  rules: {}; alerts: {alerts}\n", reports.len());
    if let Some(lateness) = lateness {
        let late: u64 = reports.iter().map(|r| r.late).sum();
        s.push_str(&format!(
            "  late: {late} matches more than {lateness} behind the newest record of their kind, not evaluated\n"
        ));
    }
    for r in reports.iter().filter(|r| r.matched > 0) {
        let late = match r.late {
            0 => String::new(),
            n => format!(", {n} late"),
        };
        s.push_str(&format!(
            "    {}: {} alerts ({} matched, {} excepted, {} held back by max_signals{late})\n",
            r.rule_id, r.alerts, r.matched, r.excepted, r.held_back
        ));
    }
    s
}

/// `--kql`: print the matching records.
fn search(
    args: &HuntArgs,
    query: &str,
    now: i64,
    diag: &mut Diagnostics,
    bar: &indicatif::ProgressBar,
    started: Instant,
    in_range: &dyn Fn(i64) -> bool,
) -> anyhow::Result<Outcome> {
    let parsed = r53guard_kql::parse(query)
        .map_err(|e| UsageError(format!("bad --kql query:\n{}", e.render(query))))?;
    let mut schema = Schema::new();
    let matcher = Matcher::compile(
        &parsed,
        &mut schema,
        &CompileOptions {
            case_insensitive: &BTreeSet::new(),
            now_ms: now,
        },
    );
    let mut projector = Projector::new(&schema);
    let mut out = writer(&args.output)?;
    let mut line = String::new();
    let mut hits = 0u64;
    let stats = read_all(&args.input, &mut projector, diag, bar, &mut |ev, _| {
        if in_range(ev.time_ms) && matcher.matches(ev, None) {
            hits += 1;
            write_record(&mut out, ev.raw, &mut line)?;
        }
        Ok(())
    })?;
    out.flush()?;
    eprint!(
        "{}",
        summary::render("hunt --kql", &stats, started.elapsed())
    );
    eprintln!("  matching records: {hits}");
    Ok(outcome(args.fail_on_alert && hits > 0, &stats))
}
