//! `r53guard-sim`: a deterministic generator of realistic AWS CloudTrail and
//! Route 53 Resolver query logs, with attack scenarios planted at known times.
//!
//! # Data model
//!
//! A run simulates an organisation of three AWS accounts, two
//! regions (us-east-1 and one more chosen by seed) and four VPCs with Resolver
//! query logging. Two VPCs in different accounts both use 10.0.0.0/16 and both
//! contain a host at 10.0.1.15, so per-host state must be keyed by
//! `(account_id, vpc_id, srcaddr)`. Hosts are EC2 instances, EKS nodes,
//! serverless ENIs (`srcids: {}`) and on-premises clients behind an inbound
//! endpoint; queries to the on-premises zone leave through an outbound
//! endpoint. Their number grows with `scale`, so per-host rates stay bounded.
//!
//! The run covers `[start, start + hours)` in 5-minute slots. Each slot gets
//! background traffic — about 4,000 CloudTrail events and 20,000 Resolver
//! queries per hour per unit of `scale` — plus the records of the scenarios
//! that fall inside it. CloudTrail events follow the real record shapes
//! (identity variants, `tlsDetails`, null `requestParameters`, ~7% failures);
//! Route 53 and Route 53 Domains events are recorded in us-east-1 and Route 53
//! Resolver events in the VPC's region. Resolver records use the observed
//! shape (`version` `"1.100000"`, string `srcport`, trailing dots, answer
//! arrays with CNAME chains, four `srcids` variants, occasional key-order
//! changes). The background is built so that it triggers none of the
//! detections (see [`Attack`]); it does contain decoys such as
//! `notpastebin.com`, `pastebin.com.example.org`, `instance-data.ec2.internal`
//! answered with 169.254.169.254, CloudFront ids, EKS endpoint ids and ACM
//! validation labels.
//!
//! # Layouts
//!
//! * [`Layout::S3`] (default) writes objects where AWS would:
//!   `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 alnum>.json.gz`
//!   (gzip of one `{"Records":[…]}` document, one per slot, account and region,
//!   named after the delivery time), hourly
//!   `AWSLogs/<acct>/CloudTrail-Digest/<region>/…/<acct>_CloudTrail-Digest_<region>_<trail>_us-east-1_YYYYMMDDTHHMMSSZ.json.gz`
//!   digest files (which readers must skip), and
//!   `AWSLogs/<acct>/vpcdnsquerylogs/<vpc>/YYYY/MM/DD/<vpc>_vpcdnsquerylogs_<acct>_YYYYMMDDTHHmmZ_<8 hex>.log.gz`
//!   (gzip of one JSON object per line, one per slot and VPC). gzip headers
//!   carry mtime 0 and no file name. Empty files are not written.
//! * [`Layout::Ndjson`] writes `cloudtrail.ndjson` and `resolver.ndjson`, one
//!   record per line, with the same records in the same order and no digests.
//!
//! Output is byte-for-byte deterministic for given options: all randomness
//! comes from ChaCha8 streams derived from the seed, nothing reads the clock.
//!
//! # Scenarios
//!
//! One scenario per detection id ([`Attack::ALL`]), selected by [`AttackSet`]
//! (`all`, `none`, or `id1,id2`). Scenario *i* of *n* is placed in the *i*-th
//! slice of the run and lies fully inside it (runs need at least one hour).
//! DNS scenarios each use their own host; CloudTrail scenarios their own
//! principal.
//!
//! # Manifest
//!
//! `DIR/manifest.json` is the ground truth for tests:
//!
//! ```json
//! {
//!   "generator": "r53guard-sim", "generator_version": "0.1.0",
//!   "options": {"hours": 1, "scale": 1, "seed": 7, "start": "2026-11-01T00:00:00Z",
//!               "end": "2026-11-01T01:00:00Z", "attacks": ["dns-over-tcp"], "layout": "s3"},
//!   "counts": {"cloudtrail_records": 4012, "resolver_records": 20110, "cloudtrail_files": 72,
//!              "resolver_files": 48, "digest_files": 6, "bytes": 3145728},
//!   "accounts": [{"account_id": "…", "alias": "prod"}, …],
//!   "regions": ["us-east-1", "eu-west-1"],
//!   "vpcs": [{"vpc_id": "vpc-0…", "account_id": "…", "region": "us-east-1", "cidr": "10.0.0.0/16", "hosts": 28}, …],
//!   "scenarios": [{"detection": "dns-over-tcp", "kind": "resolver", "account_id": "…",
//!                  "region": "us-east-1", "vpc_id": "vpc-0…", "srcaddr": "10.0.12.40",
//!                  "instance": "i-0…", "domain": "updates-mirror.net", "domains": ["updates-mirror.net"],
//!                  "first": "2026-11-01T00:31:02Z", "last": "2026-11-01T00:32:40Z",
//!                  "records": 6, "note": "…"}]
//! }
//! ```
//!
//! Scenario entries ([`Scenario`]) always have `detection`, `kind`
//! (`cloudtrail` | `resolver`), `account_id`, `region`, `first`, `last`,
//! `records` and `note`; optional keys are `vpc_id`, `srcaddr`, `instance`,
//! `principal_arn`, `domain`, `domains`, `target` (transfer destination
//! account, hosted zone id, query log config id or firewall rule group) and
//! `failed_records` (planted failures that must not alert).

mod attack;
mod clock;
mod cloudtrail;
mod ct_background;
mod ct_catalog;
mod ct_params;
mod digest;
mod dns_background;
mod dns_catalog;
mod generate;
mod json;
mod layout;
mod manifest;
mod names;
mod principals;
mod resolver;
mod rng;
mod scenarios;
mod world;

use std::io;
use std::path::PathBuf;

use serde::Serialize;

pub use attack::{Attack, AttackSet, LogKind, ParseAttackError};
pub use clock::{DEFAULT_START, TimeParseError, parse_rfc3339};
pub use layout::{Layout, ParseLayoutError};
pub use manifest::{Counts, Scenario};

/// The largest accepted `scale`.
pub const MAX_SCALE: u32 = 1_000;

/// What to generate and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// Output directory (created if missing). Files of the same name are
    /// overwritten and nothing is deleted, so use an empty directory.
    pub out: PathBuf,
    /// Length of the run in hours (at least 1).
    pub hours: u32,
    /// Volume multiplier: 1 ≈ 4,000 CloudTrail and 20,000 Resolver records per
    /// hour; 0 writes the planted scenarios only.
    pub scale: u32,
    pub seed: u64,
    /// Start of the run, epoch seconds (default 2026-11-01T00:00:00Z).
    pub start: i64,
    pub attacks: AttackSet,
    pub layout: Layout,
}

impl SimOptions {
    /// Default options writing to `out`: one hour at scale 1, seed 0, every
    /// attack, S3 layout, starting at [`DEFAULT_START`].
    pub fn new(out: impl Into<PathBuf>) -> SimOptions {
        SimOptions {
            out: out.into(),
            hours: 1,
            scale: 1,
            seed: 0,
            start: DEFAULT_START,
            attacks: AttackSet::All,
            layout: Layout::S3,
        }
    }
}

/// What [`simulate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimSummary {
    /// Files written, including `manifest.json`.
    pub files: u64,
    /// Records, files and bytes per kind.
    pub counts: Counts,
    /// Run start and end (exclusive), epoch seconds.
    pub start: i64,
    pub end: i64,
    /// The planted scenarios, as in the manifest.
    pub scenarios: Vec<Scenario>,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Generates the logs and `manifest.json` described by `opts`.
///
/// Errors are I/O errors; invalid options (`hours` 0, `scale` above
/// [`MAX_SCALE`], a time range outside years 1970–9999) are reported as
/// [`io::ErrorKind::InvalidInput`].
pub fn simulate(opts: &SimOptions) -> io::Result<SimSummary> {
    if opts.hours == 0 {
        return Err(invalid("hours must be at least 1".into()));
    }
    if opts.scale > MAX_SCALE {
        return Err(invalid(format!(
            "scale {} is above the maximum of {MAX_SCALE}",
            opts.scale
        )));
    }
    let start = opts.start;
    let end = start
        .checked_add(i64::from(opts.hours) * 3600)
        .filter(|&end| start >= 0 && end <= clock::MAX_TS)
        .ok_or_else(|| invalid("the run must lie between 1970 and 9999".into()))?;
    std::fs::create_dir_all(&opts.out)?;

    let world = world::World::new(opts.seed, opts.scale);
    let principals = principals::Principals::new(&world, opts.seed);
    let attacks = opts.attacks.attacks();
    debug_assert!(end - start >= scenarios::MAX_SPAN);
    let plan = scenarios::plan(&world, opts.seed, &attacks, start, end);
    let job = generate::Job {
        world: &world,
        root: &opts.out,
        layout: opts.layout,
        seed: opts.seed,
        scale: opts.scale,
        start,
        slots: (opts.hours as usize) * 12,
    };
    let (ct, dns) = std::thread::scope(|s| {
        let ct = s.spawn(|| generate::cloudtrail(&job, &principals, &plan.cloudtrail));
        let dns = generate::resolver(&job, &plan.resolver);
        let ct = ct
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("CloudTrail generator panicked")));
        (ct, dns)
    });
    let (ct_sink, ct_files) = ct?;
    let dns_sink = dns?;
    let digests = match opts.layout {
        Layout::S3 => {
            digest::write_all(&opts.out, &world, opts.seed, &ct_files, start, opts.hours)?
        }
        Layout::Ndjson => digest::DigestStats { files: 0, bytes: 0 },
    };
    let counts = Counts {
        cloudtrail_records: ct_sink.records,
        resolver_records: dns_sink.records,
        cloudtrail_files: ct_sink.files,
        resolver_files: dns_sink.files,
        digest_files: digests.files,
        bytes: ct_sink.bytes + dns_sink.bytes + digests.bytes,
    };
    manifest::write(
        &opts.out,
        manifest::RunInfo {
            hours: opts.hours,
            scale: opts.scale,
            seed: opts.seed,
            start,
            end,
            attacks: attacks.iter().map(Attack::id).collect(),
            layout: opts.layout.as_str(),
        },
        &world,
        &counts,
        &plan.scenarios,
    )?;
    Ok(SimSummary {
        files: counts.cloudtrail_files + counts.resolver_files + counts.digest_files + 1,
        counts,
        start,
        end,
        scenarios: plan.scenarios,
    })
}
