//! Shared helpers for the integration tests: scratch directories, running the
//! simulator, and reading its output back in either layout.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::read::MultiGzDecoder;
use r53guard_sim::{AttackSet, Layout, SimOptions, SimSummary, simulate};
use serde_json::Value;

/// A directory under the system temp dir, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("r53guard-sim-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs the simulator into a fresh scratch directory.
pub fn run(tag: &str, seed: u64, attacks: &str, layout: Layout) -> (Scratch, SimSummary) {
    let dir = Scratch::new(tag);
    let mut opts = SimOptions::new(&dir.0);
    opts.seed = seed;
    opts.attacks = attacks.parse::<AttackSet>().expect("attack set");
    opts.layout = layout;
    let summary = simulate(&opts).expect("simulate");
    (dir, summary)
}

/// Every file under `root`, as paths relative to it, sorted.
pub fn files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("prefix");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Decompresses a gzip file.
pub fn gunzip(path: &Path) -> Vec<u8> {
    let raw = fs::read(path).expect("read");
    assert_eq!(&raw[..2], &[0x1f, 0x8b], "{} is not gzip", path.display());
    assert_eq!(&raw[4..8], &[0, 0, 0, 0], "{} has an mtime", path.display());
    assert_eq!(raw[3] & 0x08, 0, "{} stores a file name", path.display());
    let mut out = Vec::new();
    MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// All CloudTrail and Resolver records of a run, in file order.
pub struct Records {
    pub cloudtrail: Vec<Value>,
    pub resolver: Vec<Value>,
}

/// Reads every record back, whatever the layout.
pub fn read_records(root: &Path, layout: Layout) -> Records {
    let mut records = Records {
        cloudtrail: Vec::new(),
        resolver: Vec::new(),
    };
    match layout {
        Layout::Ndjson => {
            for (name, out) in [
                ("cloudtrail.ndjson", &mut records.cloudtrail),
                ("resolver.ndjson", &mut records.resolver),
            ] {
                let text = fs::read_to_string(root.join(name)).expect("ndjson");
                for line in text.lines() {
                    out.push(serde_json::from_str(line).expect("ndjson line"));
                }
            }
        }
        Layout::S3 => {
            for rel in files(root) {
                let path = root.join(&rel);
                if rel.contains("/CloudTrail/") {
                    let doc: Value = serde_json::from_slice(&gunzip(&path)).expect("json");
                    let list = doc["Records"].as_array().expect("Records array");
                    assert!(!list.is_empty(), "{rel} is empty");
                    records.cloudtrail.extend(list.iter().cloned());
                } else if rel.contains("/vpcdnsquerylogs/") {
                    let body = String::from_utf8(gunzip(&path)).expect("utf-8");
                    for line in body.lines() {
                        records
                            .resolver
                            .push(serde_json::from_str(line).expect("json line"));
                    }
                }
            }
        }
    }
    records
}

/// The parsed `manifest.json`.
pub fn manifest(root: &Path) -> Value {
    serde_json::from_slice(&fs::read(root.join("manifest.json")).expect("manifest")).expect("json")
}

/// The registrable-ish domain of a normalised name: its last two labels.
pub fn last_two_labels(name: &str) -> String {
    let labels: Vec<&str> = name.split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

/// `query_name` lower-cased without its trailing dot.
pub fn normalised(record: &Value) -> String {
    record["query_name"]
        .as_str()
        .expect("query_name")
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The detection key `(account_id, vpc_id, srcaddr)` of a Resolver record.
pub fn host_key(record: &Value) -> (String, String, String) {
    let s = |k: &str| record[k].as_str().expect(k).to_string();
    (s("account_id"), s("vpc_id"), s("srcaddr"))
}
