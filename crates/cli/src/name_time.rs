//! The time AWS writes into the names of the log objects it delivers to S3:
//! `111122223333_CloudTrail_us-east-1_20261101T0005Z_a1b2c3.json.gz` for CloudTrail,
//! `vpc-0abc_vpcdnsquerylogs_111122223333_20261101T0020Z_05f308a8.log.gz` for Resolver query
//! logs. Reading objects in this order reads the logs of several accounts, regions and VPCs
//! together in time, where a walk in name order reads one folder after another.

/// The `YYYYMMDDTHHMM` of the last `_YYYYMMDDTHHMM[SS]Z` in the file name of `path`.
pub fn name_time(path: &str) -> Option<&str> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let b = name.as_bytes();
    (0..b.len()).rev().find_map(|at| {
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
        };
        let shape = b[at] == b'_'
            && digits(at + 1..at + 9)
            && b.get(at + 9) == Some(&b'T')
            && digits(at + 10..at + 14)
            && (b.get(at + 14) == Some(&b'Z')
                || (digits(at + 14..at + 16) && b.get(at + 16) == Some(&b'Z')));
        shape.then(|| &name[at + 1..at + 14])
    })
}

#[cfg(test)]
mod tests {
    use super::name_time;

    #[test]
    fn times_in_cloudtrail_and_resolver_object_names() {
        let cases = [
            (
                "AWSLogs/1/CloudTrail/us-east-1/2026/11/01/1_CloudTrail_us-east-1_20261101T0005Z_a1b2.json.gz",
                Some("20261101T0005"),
            ),
            (
                "logs/vpc-0abc_vpcdnsquerylogs_111122223333_20261101T2320Z_05f308a8.log.gz",
                Some("20261101T2320"),
            ),
            ("x_20261101T010000Z.json.gz", Some("20261101T0100")),
            // In a folder name only, or not the whole shape: no time.
            ("AWSLogs/_20261101T0005Z/cloudtrail.ndjson", None),
            ("1_CloudTrail_us-east-1_20261101T005Z_a.json.gz", None),
            ("1_CloudTrail_us-east-1_20261101T0005_a.json.gz", None),
            ("resolver.ndjson", None),
            ("_", None),
        ];
        for (path, want) in cases {
            assert_eq!(name_time(path), want, "{path}");
        }
    }
}
