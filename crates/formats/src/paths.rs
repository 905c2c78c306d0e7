//! Turning command-line paths into inputs: files as named, directories walked recursively in a
//! stable order, `-` for stdin, and the AWS S3 key layout understood (CloudTrail, digest and
//! Resolver query-log prefixes) so digests and non-log files are skipped with a counted notice.

use crate::SkipClass;
use std::path::{Path, PathBuf};

/// What the S3 key layout says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Layout {
    /// `AWSLogs/[<org>/]<account>/CloudTrail/<region>/…`
    CloudTrail {
        /// The account the trail delivered for.
        account: String,
        /// The region of the file.
        region: String,
    },
    /// `AWSLogs/[<org>/]<account>/CloudTrail-Digest/<region>/…`
    CloudTrailDigest,
    /// `AWSLogs/[<org>/]<account>/CloudTrail-Insight/<region>/…`
    CloudTrailInsight,
    /// `AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/…`
    ResolverQueryLogs {
        /// The account that owns the VPC.
        account: String,
        /// The VPC.
        vpc: String,
    },
}

/// Reads the AWS S3 key layout out of a path, if it follows one.
pub fn s3_layout(path: &str) -> Option<S3Layout> {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let at = parts.iter().rposition(|p| *p == "AWSLogs")?;
    let rest = &parts[at + 1..];
    // Organization trails put the organization id before the account id.
    let rest = match rest.first() {
        Some(org) if org.starts_with("o-") => &rest[1..],
        _ => rest,
    };
    let (account, product, next) = (rest.first()?, rest.get(1)?, rest.get(2)?);
    Some(match *product {
        "CloudTrail" => S3Layout::CloudTrail {
            account: account.to_string(),
            region: next.to_string(),
        },
        "CloudTrail-Digest" => S3Layout::CloudTrailDigest,
        "CloudTrail-Insight" => S3Layout::CloudTrailInsight,
        "vpcdnsquerylogs" => S3Layout::ResolverQueryLogs {
            account: account.to_string(),
            vpc: next.to_string(),
        },
        _ => return None,
    })
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The name used in messages (`-` for stdin).
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".into(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// A path that was passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passed {
    /// A CloudTrail digest file.
    Digest(PathBuf),
    /// A file in a walked directory that is not a log file.
    NotLog(PathBuf),
    /// A path that could not be listed or does not exist.
    Unreadable(PathBuf, String),
}

/// File names a directory walk reads: JSON, NDJSON and log files, plain or gzip — but not
/// `manifest.json` (S3 inventory, export and `r53guard simulate` manifests describe logs; they
/// are not logs).
fn looks_like_log(name: &str) -> bool {
    if name == "manifest.json" {
        return false;
    }
    let base = name.strip_suffix(".gz").unwrap_or(name);
    [".json", ".jsonl", ".ndjson", ".log"]
        .iter()
        .any(|ext| base.ends_with(ext))
        || (name.ends_with(".gz") && !name.starts_with('.'))
}

/// Why a file found by a walk (or an S3 key found by a listing) is passed over: a CloudTrail
/// digest (by the S3 layout or the file name), or a name that is not a log file's; `None`
/// when it is read.
pub fn skip_class(path: &str) -> Option<SkipClass> {
    if matches!(s3_layout(path), Some(S3Layout::CloudTrailDigest))
        || path.contains("_CloudTrail-Digest_")
    {
        return Some(SkipClass::Digest);
    }
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    (!looks_like_log(name)).then_some(SkipClass::NotLog)
}

/// Expands command-line paths into inputs, in order; directories are walked recursively with
/// entries sorted by name. Named files are read whatever their name, except digest files.
pub fn plan(args: &[String]) -> (Vec<Input>, Vec<Passed>) {
    let mut inputs = Vec::new();
    let mut passed = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(arg);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, &mut inputs, &mut passed),
            Ok(_) => push_file(path, true, &mut inputs, &mut passed),
            Err(e) => passed.push(Passed::Unreadable(path, e.to_string())),
        }
    }
    (inputs, passed)
}

fn push_file(path: PathBuf, named: bool, inputs: &mut Vec<Input>, passed: &mut Vec<Passed>) {
    match skip_class(&path.to_string_lossy()) {
        Some(SkipClass::Digest) => passed.push(Passed::Digest(path)),
        Some(SkipClass::NotLog) if !named => passed.push(Passed::NotLog(path)),
        _ => inputs.push(Input::File(path)),
    }
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, passed: &mut Vec<Passed>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            passed.push(Passed::Unreadable(dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        // Links are not followed inside a walk, so a link loop cannot trap it.
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, inputs, passed),
            Ok(m) if m.is_file() => push_file(path, false, inputs, passed),
            Ok(_) => passed.push(Passed::NotLog(path)),
            Err(e) => passed.push(Passed::Unreadable(path, e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_aws_key_layouts() {
        assert_eq!(
            s3_layout("b/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json.gz"),
            Some(S3Layout::CloudTrail {
                account: "111122223333".into(),
                region: "us-east-1".into()
            })
        );
        assert_eq!(
            s3_layout("AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/x.json.gz"),
            Some(S3Layout::CloudTrail {
                account: "111122223333".into(),
                region: "eu-west-1".into()
            })
        );
        assert_eq!(
            s3_layout("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/x.json.gz"),
            Some(S3Layout::CloudTrailDigest)
        );
        assert_eq!(
            s3_layout("p/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b/2024/05/01/y.log.gz"),
            Some(S3Layout::ResolverQueryLogs {
                account: "111122223333".into(),
                vpc: "vpc-0a1b".into()
            })
        );
        assert_eq!(s3_layout("logs/2024/x.json"), None);
    }

    #[test]
    fn log_file_names() {
        for yes in [
            "a.json",
            "a.json.gz",
            "x.log.gz",
            "y.ndjson",
            "z.jsonl",
            "q.gz",
        ] {
            assert!(looks_like_log(yes), "{yes}");
        }
        for no in [
            "README.md",
            "LICENSE",
            ".DS_Store",
            "a.txt",
            "manifest.csv",
            "manifest.json",
        ] {
            assert!(!looks_like_log(no), "{no}");
        }
    }
}
