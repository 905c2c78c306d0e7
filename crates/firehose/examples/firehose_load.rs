//! Firehose load test: starts `r53guard run` with a Firehose source on 127.0.0.1 (a fresh data
//! directory per run), posts log lines in Firehose-sized batches from N concurrent senders
//! for a fixed time, and prints the sustained records/s and the p50/p99 acknowledgement
//! latency of each run and their medians. `scripts/firehose-load.sh` builds everything and
//! runs it on simulated Resolver logs.
//!
//! ```text
//! firehose_load --bin PATH --input FILE [--senders N] [--seconds S] [--runs R]
//!               [--records-per-request K] [--gzip] [--keep]
//! ```
//!
//! Each line of `--input` is one record. Lines are sent in order, each at most once per run, so
//! event times move forward as a real stream's do; a run that uses them all up stops early and
//! says so. Only 200 answers count; any other status is reported.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const KEY: &str = "firehose-load-test-key";

struct Options {
    bin: PathBuf,
    input: PathBuf,
    senders: usize,
    seconds: u64,
    runs: usize,
    per_request: usize,
    gzip: bool,
    keep: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        bin: PathBuf::new(),
        input: PathBuf::new(),
        senders: 4,
        seconds: 10,
        runs: 3,
        per_request: 500,
        gzip: false,
        keep: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match arg.as_str() {
            "--bin" => o.bin = value()?.into(),
            "--input" => o.input = value()?.into(),
            "--senders" => o.senders = number(value()?)?.max(1),
            "--seconds" => o.seconds = number(value()?)? as u64,
            "--runs" => o.runs = number(value()?)?.max(1),
            "--records-per-request" => o.per_request = number(value()?)?.max(1),
            "--gzip" => o.gzip = true,
            "--keep" => o.keep = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.bin.as_os_str().is_empty() || o.input.as_os_str().is_empty() {
        return Err("--bin and --input are required".to_owned());
    }
    Ok(o)
}

/// One run's figures.
struct RunResult {
    records: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
    refused: usize,
    exhausted: bool,
}

impl RunResult {
    fn rate(&self) -> f64 {
        self.records as f64 / self.seconds
    }

    fn percentile(&self, p: f64) -> f64 {
        percentile(&self.latencies_ms, p)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(&values, 50.0)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// `r53guard run` with a Firehose source, in `dir`.
struct Service {
    child: Child,
    firehose: u16,
}

impl Service {
    fn start(bin: &Path, dir: &Path) -> Service {
        std::fs::create_dir_all(dir).expect("the run's directory");
        let (api, firehose) = (free_port(), free_port());
        std::fs::write(dir.join("key"), KEY).expect("the key file");
        let config = dir.join("r53guard.toml");
        std::fs::write(
            &config,
            format!(
                r#"data_dir = "{d}/data"
[[source]]
type = "firehose"
name = "load"
listen = "127.0.0.1:{firehose}"
access_keys = ["file:{d}/key"]
[api]
listen = "127.0.0.1:{api}"
[[receiver]]
type = "jsonl"
name = "file"
path = "{d}/alerts.jsonl"
"#,
                d = dir.display()
            ),
        )
        .expect("the configuration");
        let log = std::fs::File::create(dir.join("run.log")).expect("the log file");
        let child = Command::new(bin)
            .args(["run", "--config"])
            .arg(&config)
            .env("R53GUARD_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting r53guard run");
        let service = Service { child, firehose };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", api)).is_err() {
            assert!(Instant::now() < deadline, "r53guard run did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        service
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The records of each request, already base64-encoded as a JSON array.
fn batches(input: &Path, per_request: usize) -> (Vec<String>, usize) {
    let text = std::fs::read_to_string(input).expect("reading --input");
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let batches = lines
        .chunks(per_request)
        .map(|chunk| {
            let records: Vec<String> = chunk
                .iter()
                .map(|l| format!(r#"{{"data":"{}"}}"#, STANDARD.encode(format!("{l}\n"))))
                .collect();
            format!("[{}]", records.join(","))
        })
        .collect();
    (batches, lines.len())
}

async fn run_once(
    o: &Options,
    firehose: u16,
    batches: Arc<Vec<String>>,
    per_batch: Vec<usize>,
) -> RunResult {
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{firehose}/firehose");
    let next = Arc::new(AtomicUsize::new(0));
    let per_batch = Arc::new(per_batch);
    let started = Instant::now();
    let stop_at = started + Duration::from_secs(o.seconds);
    let mut tasks = Vec::new();
    for _ in 0..o.senders {
        let (client, url, next, batches, per_batch) = (
            client.clone(),
            url.clone(),
            Arc::clone(&next),
            Arc::clone(&batches),
            Arc::clone(&per_batch),
        );
        let gzip = o.gzip;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut records, mut refused, mut exhausted) = (0, 0, false);
            while Instant::now() < stop_at {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(batch) = batches.get(i) else {
                    exhausted = true;
                    break;
                };
                let id = format!("load-{i}");
                let body = format!(
                    r#"{{"requestId":"{id}","timestamp":1700000000000,"records":{batch}}}"#
                );
                let mut request = client
                    .post(&url)
                    .header("X-Amz-Firehose-Request-Id", &id)
                    .header("X-Amz-Firehose-Access-Key", KEY)
                    .header("Content-Type", "application/json");
                let sent = Instant::now();
                request = if gzip {
                    let mut enc =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                    enc.write_all(body.as_bytes()).expect("gzip in memory");
                    request
                        .header("Content-Encoding", "gzip")
                        .body(enc.finish().expect("gzip in memory"))
                } else {
                    request.body(body)
                };
                match request.send().await {
                    Ok(answer) if answer.status() == 200 => {
                        let _ = answer.bytes().await;
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        records += per_batch[i];
                    }
                    Ok(answer) => {
                        eprintln!("request {id}: HTTP {}", answer.status());
                        refused += 1;
                    }
                    Err(e) => {
                        eprintln!("request {id}: {e}");
                        refused += 1;
                    }
                }
            }
            (latencies, records, refused, exhausted)
        }));
    }
    let mut result = RunResult {
        records: 0,
        seconds: 0.0,
        latencies_ms: Vec::new(),
        refused: 0,
        exhausted: false,
    };
    for task in tasks {
        let (latencies, records, refused, exhausted) = task.await.expect("a sender panicked");
        result.latencies_ms.extend(latencies);
        result.records += records;
        result.refused += refused;
        result.exhausted |= exhausted;
    }
    result.seconds = started.elapsed().as_secs_f64();
    result.latencies_ms.sort_by(f64::total_cmp);
    result
}

#[tokio::main]
async fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("firehose_load: {e}");
            std::process::exit(2);
        }
    };
    let (batches, lines) = batches(&o.input, o.per_request);
    let per_batch: Vec<usize> = (0..batches.len())
        .map(|i| o.per_request.min(lines - i * o.per_request))
        .collect();
    let batches = Arc::new(batches);
    println!(
        "{} lines in {} requests of up to {} records; {} senders, {} s per run, {} run(s){}",
        lines,
        batches.len(),
        o.per_request,
        o.senders,
        o.seconds,
        o.runs,
        if o.gzip { ", gzip bodies" } else { "" }
    );
    let base = std::env::temp_dir().join(format!("r53guard-firehose-load-{}", std::process::id()));
    let mut results = Vec::new();
    for run in 1..=o.runs {
        let dir = base.join(format!("run{run}"));
        let service = Service::start(&o.bin, &dir);
        let result = run_once(
            &o,
            service.firehose,
            Arc::clone(&batches),
            per_batch.clone(),
        )
        .await;
        drop(service);
        println!(
            "run {run}: {} records in {:.2} s = {:.0} records/s; {} requests acknowledged, p50 {:.1} ms, p99 {:.1} ms; {} not acknowledged{}",
            result.records,
            result.seconds,
            result.rate(),
            result.latencies_ms.len(),
            result.percentile(50.0),
            result.percentile(99.0),
            result.refused,
            if result.exhausted {
                "; the input ran out before the time"
            } else {
                ""
            }
        );
        results.push(result);
    }
    println!(
        "median of {} run(s): {:.0} records/s, ack latency p50 {:.1} ms, p99 {:.1} ms",
        results.len(),
        median(results.iter().map(RunResult::rate).collect()),
        median(results.iter().map(|r| r.percentile(50.0)).collect()),
        median(results.iter().map(|r| r.percentile(99.0)).collect()),
    );
    if o.keep {
        println!("run directories kept under {}", base.display());
    } else {
        let _ = std::fs::remove_dir_all(&base);
    }
    if results.iter().any(|r| r.refused > 0) {
        std::process::exit(1);
    }
}
