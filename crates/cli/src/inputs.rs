//! Shared input options and the loop that reads every input of a run into a sink.

use crate::diagnostics::Diagnostics;
use clap::Args;
use r53guard_event::{Event, Projector};
use r53guard_formats::paths::{self, Input, Passed};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, SkipClass, Stats, read_input};
use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;

/// Options every command that reads logs takes.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files or directories to read (`-` for stdin). Directories are walked recursively.
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
}

/// Reads every input named by `args`, handing events to `on_event`. Bad records and passed-over
/// files are reported through `diag` and counted in the returned stats.
pub fn read_all(
    args: &InputArgs,
    projector: &mut Projector<'_>,
    diag: &mut Diagnostics,
    progress: &indicatif::ProgressBar,
    on_event: &mut dyn FnMut(&Event<'_>, &Location<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<Stats> {
    let opts = ReadOptions {
        max_record_bytes: args.max_record_bytes,
        max_decompressed_bytes: args.max_decompressed_bytes,
    };
    let (inputs, passed) = paths::plan(&args.paths);
    let mut stats = Stats::default();
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
    progress.set_length(inputs.len() as u64);
    let mut sink = CallbackSink {
        on_event,
        diag,
        strict: args.strict,
        failed: None,
    };
    for input in inputs {
        let name = input.name();
        let raw: Box<dyn Read + Send> = match &input {
            Input::Stdin => Box::new(std::io::stdin()),
            Input::File(path) => match File::open(path) {
                Ok(f) => Box::new(f),
                Err(e) => {
                    *stats.bad.entry(r53guard_formats::BadClass::Io).or_default() += 1;
                    sink.diag.bad_line(&format!("{name}: cannot open: {e}"));
                    if args.strict {
                        break;
                    }
                    continue;
                }
            },
        };
        let flow = read_input(&name, raw, projector, &opts, &mut stats, &mut sink);
        progress.inc(1);
        if let Some(e) = sink.failed.take() {
            return Err(e);
        }
        if flow.is_break() {
            break;
        }
    }
    progress.finish_and_clear();
    Ok(stats)
}

struct CallbackSink<'f, 'd> {
    on_event: &'f mut dyn FnMut(&Event<'_>, &Location<'_>) -> anyhow::Result<()>,
    diag: &'d mut Diagnostics,
    strict: bool,
    failed: Option<anyhow::Error>,
}

impl Sink for CallbackSink<'_, '_> {
    fn event(&mut self, event: &Event<'_>, location: &Location<'_>) -> ControlFlow<()> {
        match (self.on_event)(event, location) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.failed = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        self.diag.bad_line(&bad.to_string());
        if self.strict {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}
