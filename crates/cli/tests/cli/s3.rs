//! `hunt s3://…` and the service's `s3` and `sqs` sources against a moto server on 127.0.0.1
//! (one per test binary; `scripts/moto.sh` installs moto). Fixtures are simulated logs in the
//! AWS S3 layout (gzip `{"Records":…}` CloudTrail objects, Resolver `.log.gz`, digests), with
//! one object under a key with spaces, `+` and non-ASCII letters.

use crate::{alert_ids, r53guard, stderr, stdout, tempdir};
use r53guard_s3::Aws;
use r53guard_s3::testing::Moto;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The key given to one simulated object, to test key encoding end to end.
pub const ODD_NAME: &str = "ünï côde+plus space.log.gz";

/// Simulates an hour of logs (seed `seed`) in the S3 layout into `dir`, renames the first
/// Resolver object to [`ODD_NAME`], and returns every file's key (its path under `dir`).
pub fn simulate(dir: &Path, seed: &str) -> Vec<String> {
    let o = r53guard(
        &[
            "simulate",
            "--out",
            dir.to_str().unwrap(),
            "--layout",
            "s3",
            "--hours",
            "1",
            "--seed",
            seed,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let mut keys = files(dir, dir);
    keys.sort();
    let first = keys
        .iter()
        .position(|k| k.ends_with(".log.gz"))
        .expect("a Resolver object");
    let odd = Path::new(&keys[first]).with_file_name(ODD_NAME);
    std::fs::rename(dir.join(&keys[first]), dir.join(&odd)).unwrap();
    keys[first] = odd.to_str().unwrap().to_owned();
    keys
}

fn files(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(root, &path));
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    out
}

pub fn upload(aws: &Aws, bucket: &str, dir: &Path, keys: &[String]) {
    for key in keys {
        aws.put_object(bucket, key, std::fs::read(dir.join(key)).unwrap())
            .unwrap();
    }
}

/// `r53guard` with the environment that reaches moto and nothing else.
fn r53guard_aws(moto: &Moto, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_r53guard"))
        .args(args)
        .envs(moto.env())
        .stdin(Stdio::null())
        .output()
        .expect("spawn r53guard")
}

#[test]
fn hunt_s3_finds_what_hunt_finds_locally() {
    let moto = Moto::shared();
    let aws = moto.aws();
    let root = tempdir("s3-hunt");
    let sim = root.join("sim");
    let keys = simulate(&sim, "11");
    aws.create_bucket("hunt-same").unwrap();
    upload(&aws, "hunt-same", &sim, &keys);

    let local = r53guard(&["hunt", sim.to_str().unwrap(), "--format", "jsonl"], None);
    let expected = alert_ids(&local);
    assert!(expected.len() >= 5, "hunt found {} alerts", expected.len());
    for threads in ["1", "2"] {
        let o = r53guard_aws(
            moto,
            &[
                "hunt",
                "s3://hunt-same/AWSLogs/",
                "--format",
                "jsonl",
                "--threads",
                threads,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(alert_ids(&o), expected);
        // Evidence names the objects by URL, the odd key decoded.
        assert!(
            stdout(&o).contains("\"s3://hunt-same/AWSLogs/"),
            "{}",
            stdout(&o)
        );
    }
    // The same records, as seen by `events`, name the odd key.
    let o = r53guard_aws(moto, &["events", "s3://hunt-same/", "--fields", "@source"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(ODD_NAME), "no record from the odd key");
}

#[test]
fn hunt_s3_reports_bad_objects_and_reads_the_rest() {
    let moto = Moto::shared();
    let aws = moto.aws();
    aws.create_bucket("hunt-bad").unwrap();
    let fixture =
        crate::fixture("cloudtrail/stratus-red-team/aws.defense-evasion.dns-delete-logs.json");
    let good = std::fs::read(&fixture).unwrap();
    aws.put_object("hunt-bad", "logs/a-good.json", good.clone())
        .unwrap();
    let mut big = good.clone();
    big.extend(std::iter::repeat_n(b' ', 4096));
    aws.put_object("hunt-bad", "logs/b-big.json", big.clone())
        .unwrap();
    aws.put_object("hunt-bad", "logs/notes.txt", b"not a log".to_vec())
        .unwrap();
    let cap = (good.len() + 100).to_string();
    let o = r53guard_aws(
        moto,
        &[
            "hunt",
            "s3://hunt-bad/logs/",
            "s3://no-such-bucket-here/x",
            "--max-object-bytes",
            &cap,
            "--format",
            "jsonl",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "s3://hunt-bad/logs/b-big.json: cannot open: {} bytes is more than the {cap}-byte cap",
            big.len()
        )),
        "{err}"
    );
    assert!(
        err.contains("s3://no-such-bucket-here/x: cannot list: NoSuchBucket"),
        "{err}"
    );
    assert!(
        err.contains("skipped s3://hunt-bad/logs/notes.txt (not a log file)"),
        "{err}"
    );
    let local = r53guard(&["hunt", &fixture, "--format", "jsonl"], None);
    assert!(!alert_ids(&local).is_empty());
    assert_eq!(alert_ids(&o), alert_ids(&local));
    // A malformed URL is an input error too.
    let o = r53guard_aws(moto, &["hunt", "s3://Bad_Bucket/x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("\"s3://Bad_Bucket/x\" is not an s3://bucket/prefix URL"),
        "{}",
        stderr(&o)
    );
}
