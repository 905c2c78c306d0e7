//! The command line end to end: the real binary on fixtures and on simulated logs.

mod crash;
mod events;
mod firehose;
mod hunt;
mod pack;
mod receivers;
mod reports;
mod run;
mod s3;
mod s3_run;
mod service;
mod sigma;
mod simulate;

use std::process::{Command, Output, Stdio};

/// Runs `r53guard` with `args` (and `stdin`, if given).
pub fn r53guard(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_r53guard"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn r53guard");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn fixture(rel: &str) -> String {
    format!("{}/../../tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The alert ids in `--format jsonl` output.
pub fn alert_ids(o: &Output) -> std::collections::BTreeSet<String> {
    stdout(o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A fresh temporary directory for one test, removed when the test is done with it.
pub fn tempdir(name: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("r53guard-cli-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

/// A temporary directory, read as its path.
pub struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        self.0.path()
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        self.0.path()
    }
}
