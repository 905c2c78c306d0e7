//! The run summary on stderr: files, records by kind, bytes, skips, bad input, speed.

use r53guard_formats::Stats;
use std::fmt::Write as _;
use std::time::Duration;

/// Renders the summary of a run.
pub fn render(command: &str, stats: &Stats, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "r53guard {command}: {} files ({} gzip), {} records (cloudtrail {}, resolver {}; {} from OCSF), {} envelopes unwrapped",
        stats.files,
        stats.gzip_files,
        stats.total_records(),
        stats.records[0],
        stats.records[1],
        stats.ocsf_records,
        stats.envelopes,
    );
    let _ = writeln!(
        s,
        "  bytes: {} read, {} decoded; elapsed {:.3} s; {:.1} MB/s decoded, {:.0} records/s",
        stats.bytes_in,
        stats.bytes_decoded,
        secs,
        stats.bytes_decoded as f64 / 1e6 / secs,
        stats.total_records() as f64 / secs,
    );
    if !stats.skipped.is_empty() {
        let parts: Vec<String> = stats
            .skipped
            .iter()
            .map(|(k, v)| format!("{} {v}", k.name()))
            .collect();
        let _ = writeln!(s, "  skipped: {}", parts.join(", "));
    }
    let parts: Vec<String> = stats
        .bad
        .iter()
        .map(|(k, v)| format!("{} {v}", k.name()))
        .collect();
    let _ = writeln!(
        s,
        "  bad input: {}{}",
        stats.total_bad(),
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    );
    s
}
