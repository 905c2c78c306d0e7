//! The ground truth written to `DIR/manifest.json`: options, topology, record
//! and file counts, and one [`Scenario`] entry per planted scenario.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::clock;
use crate::world::World;

/// One planted scenario, as listed in the manifest's `scenarios` array.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// The detection id the scenario should trigger.
    pub detection: String,
    /// `cloudtrail` or `resolver`.
    pub kind: String,
    /// CloudTrail: `recipientAccountId`; Resolver: the VPC owner.
    pub account_id: String,
    /// CloudTrail: `awsRegion`; Resolver: the VPC's region.
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The querying host (Resolver scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srcaddr: Option<String>,
    /// `srcids.instance` of the querying host, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// `userIdentity.arn` of the acting principal (CloudTrail scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
    /// The main domain: the registered domain (audit scenarios) or the
    /// registrable domain queried (DNS scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Every registrable domain the scenario queries, when there are few.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// The object acted on: destination account of a transfer, hosted zone id,
    /// or query log configuration id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Time of the first planted record (RFC 3339).
    pub first: String,
    /// Time of the last planted record (RFC 3339).
    pub last: String,
    /// Records planted, including `failed_records`.
    pub records: u64,
    /// Planted records that failed (`errorCode` set) and must not alert.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_records: u64,
    /// What was planted, for people reading the manifest.
    pub note: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Counts of what a run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub cloudtrail_records: u64,
    pub resolver_records: u64,
    /// CloudTrail log files (S3) or 1 (`cloudtrail.ndjson`).
    pub cloudtrail_files: u64,
    /// Resolver log files (S3) or 1 (`resolver.ndjson`).
    pub resolver_files: u64,
    /// CloudTrail digest files (S3 layout only).
    pub digest_files: u64,
    /// Bytes of all log and digest files (compressed in the S3 layout).
    pub bytes: u64,
}

#[derive(Serialize)]
struct Options<'a> {
    hours: u32,
    scale: u32,
    seed: u64,
    start: String,
    end: String,
    attacks: Vec<&'static str>,
    layout: &'a str,
}

#[derive(Serialize)]
struct AccountEntry<'a> {
    account_id: &'a str,
    alias: &'a str,
}

#[derive(Serialize)]
struct VpcEntry<'a> {
    vpc_id: &'a str,
    account_id: &'a str,
    region: &'a str,
    cidr: String,
    hosts: usize,
}

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    generator_version: &'static str,
    options: Options<'a>,
    counts: &'a Counts,
    accounts: Vec<AccountEntry<'a>>,
    regions: &'a [&'static str; 2],
    vpcs: Vec<VpcEntry<'a>>,
    scenarios: &'a [Scenario],
}

/// What the manifest records about the run's options.
pub struct RunInfo<'a> {
    pub hours: u32,
    pub scale: u32,
    pub seed: u64,
    pub start: i64,
    pub end: i64,
    pub attacks: Vec<&'static str>,
    pub layout: &'a str,
}

/// Writes `dir/manifest.json` (pretty-printed, trailing newline).
pub fn write(
    dir: &Path,
    run: RunInfo<'_>,
    world: &World,
    counts: &Counts,
    scenarios: &[Scenario],
) -> io::Result<()> {
    let manifest = Manifest {
        generator: "r53guard-sim",
        generator_version: env!("CARGO_PKG_VERSION"),
        options: Options {
            hours: run.hours,
            scale: run.scale,
            seed: run.seed,
            start: clock::rfc3339(run.start),
            end: clock::rfc3339(run.end),
            attacks: run.attacks,
            layout: run.layout,
        },
        counts,
        accounts: world
            .accounts
            .iter()
            .map(|a| AccountEntry {
                account_id: &a.id,
                alias: a.alias,
            })
            .collect(),
        regions: &world.regions,
        vpcs: world
            .vpcs
            .iter()
            .map(|v| VpcEntry {
                vpc_id: &v.id,
                account_id: &world.accounts[v.account].id,
                region: world.regions[v.region],
                cidr: format!("{}.{}.0.0/16", v.net[0], v.net[1]),
                hosts: v.hosts.len(),
            })
            .collect(),
        scenarios,
    };
    let mut json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    json.push(b'\n');
    std::fs::write(dir.join("manifest.json"), json)
}
