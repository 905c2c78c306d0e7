//! Hourly CloudTrail digest files (S3 layout only).
//!
//! One per account, region and hour, at
//! `AWSLogs/<acct>/CloudTrail-Digest/<region>/…_CloudTrail-Digest_<region>_<trail>_us-east-1_<end>.json.gz`,
//! listing the log objects delivered in that hour with the SHA-256 of their
//! uncompressed content, and chained to the previous digest by its hash.
//! Signatures cannot be real here; they are random hex of the right length.
//! Log readers must skip these objects, which is what they are for in tests.

use std::io;
use std::path::Path;

use crate::generate::CtFile;
use crate::json::Obj;
use crate::layout;
use crate::rng::Rng;
use crate::world::World;

/// Files and bytes written.
pub struct DigestStats {
    pub files: u64,
    pub bytes: u64,
}

/// Writes the digests of `files` for every hour of `[start, start + hours)`.
pub fn write_all(
    root: &Path,
    world: &World,
    seed: u64,
    files: &[CtFile],
    start: i64,
    hours: u32,
) -> io::Result<DigestStats> {
    let mut stats = DigestStats { files: 0, bytes: 0 };
    let mut body = Vec::new();
    let mut fingerprint_rng = Rng::derive(seed, "digest-key", 0);
    let fingerprint = fingerprint_rng.hex(32);
    for (account, acct) in world.accounts.iter().enumerate() {
        for (region, region_name) in world.regions.iter().enumerate() {
            let mut rng = Rng::derive(seed, "digest", (account * 2 + region) as u64);
            let mut previous: Option<(String, String, String)> = None;
            // Files arrive in delivery order; walk them once.
            let mut mine = files
                .iter()
                .filter(|f| f.account == account && f.region == region)
                .peekable();
            let mut logs: Vec<&CtFile> = Vec::new();
            for hour in 0..i64::from(hours) {
                let from = start + hour * 3600;
                let to = from + 3600;
                logs.clear();
                while let Some(f) = mine.next_if(|f| f.delivered <= to) {
                    if f.delivered > from {
                        logs.push(f);
                    }
                }
                let key = layout::digest_key(&acct.id, region_name, world.trail_name, to);
                let signature = rng.hex(512);
                body.clear();
                {
                    let mut o = Obj::new(&mut body);
                    o.str("awsAccountId", &acct.id)
                        .time("digestStartTime", from)
                        .time("digestEndTime", to)
                        .str("digestS3Bucket", &world.trail_bucket)
                        .str("digestS3Object", &key)
                        .str("digestPublicKeyFingerprint", &fingerprint)
                        .str("digestSignatureAlgorithm", "SHA256withRSA");
                    match (
                        logs.iter().map(|f| f.newest).max(),
                        logs.iter().map(|f| f.oldest).min(),
                    ) {
                        (Some(newest), Some(oldest)) => {
                            o.time("newestEventTime", newest)
                                .time("oldestEventTime", oldest);
                        }
                        _ => {
                            o.null("newestEventTime").null("oldestEventTime");
                        }
                    }
                    match &previous {
                        Some((prev_key, prev_hash, prev_sig)) => {
                            o.str("previousDigestS3Bucket", &world.trail_bucket)
                                .str("previousDigestS3Object", prev_key)
                                .str("previousDigestHashValue", prev_hash)
                                .str("previousDigestHashAlgorithm", "SHA-256")
                                .str("previousDigestSignature", prev_sig);
                        }
                        None => {
                            o.null("previousDigestS3Bucket")
                                .null("previousDigestS3Object")
                                .null("previousDigestHashValue")
                                .null("previousDigestHashAlgorithm")
                                .null("previousDigestSignature");
                        }
                    }
                    let mut list = o.arr("logFiles");
                    for f in &logs {
                        list.obj()
                            .str("s3Bucket", &world.trail_bucket)
                            .str("s3Object", &f.key)
                            .str("hashValue", &f.sha256)
                            .str("hashAlgorithm", "SHA-256")
                            .time("newestEventTime", f.newest)
                            .time("oldestEventTime", f.oldest);
                    }
                }
                let hash = layout::sha256_hex(&body);
                let written = layout::write_gzip(root, &key, &body)?;
                stats.files += 1;
                stats.bytes += written;
                previous = Some((key, hash, signature));
            }
        }
    }
    Ok(stats)
}
