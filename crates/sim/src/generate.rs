//! The time loop: for every 5-minute slot, every CloudTrail (account, region)
//! and every VPC gets its background records plus the planted records that
//! fall in the slot, written as one file.
//!
//! Volumes per hour at scale 1: 4,000 CloudTrail events split 40/15, 20/5,
//! 10/10 % over (account, us-east-1 / other region), and 20,000 Resolver
//! queries split 35/20/30/15 % over the four VPCs; each slot varies by ±10%.
//! Every (slot, target) draws from its own random stream, so the CloudTrail
//! and Resolver halves can run on separate threads and still be identical from
//! run to run. CloudTrail files are named after their delivery time (the end of
//! the slot) and hold their events slightly out of order; Resolver files are
//! named after the start of their slot and are in time order.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use crate::ct_background;
use crate::ct_params::Scratch;
use crate::dns_background;
use crate::layout::{self, Framing, Layout, Sink};
use crate::principals::Principals;
use crate::resolver::{self, Query, Source};
use crate::rng::Rng;
use crate::scenarios::Planted;
use crate::world::World;

/// Length of a delivery slot in seconds.
pub const SLOT: i64 = 300;

const CLOUDTRAIL_PER_HOUR: u64 = 4_000;
const RESOLVER_PER_HOUR: u64 = 20_000;
/// Percent of CloudTrail volume per (account, region index).
const CLOUDTRAIL_SHARE: [[u64; 2]; 3] = [[40, 15], [20, 5], [10, 10]];
/// Percent of Resolver volume per VPC.
const RESOLVER_SHARE: [u64; 4] = [35, 20, 30, 15];
/// Marks a background entry in a slot's merge list.
const BACKGROUND: u32 = u32::MAX;

/// The parameters shared by both generators.
pub struct Job<'a> {
    pub world: &'a World,
    pub root: &'a Path,
    pub layout: Layout,
    pub seed: u64,
    pub scale: u32,
    pub start: i64,
    pub slots: usize,
}

/// A written CloudTrail log object, for the digest files.
pub struct CtFile {
    pub account: usize,
    pub region: usize,
    pub key: String,
    pub sha256: String,
    pub delivered: i64,
    pub oldest: i64,
    pub newest: i64,
}

/// Number of background records in one slot: its share of the hourly volume, ±10%.
fn background_count(rng: &mut Rng, per_hour: u64, scale: u32, share: u64) -> usize {
    let expected = per_hour * u64::from(scale) * share / 100 / 12;
    (expected * rng.range(90, 111) / 100) as usize
}

/// Indices of `planted` per `slot * targets + target` (sparse: scenarios are few).
fn bucket(planted: &[Planted], job: &Job<'_>, targets: usize) -> BTreeMap<usize, Vec<u32>> {
    let mut index: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for (i, p) in planted.iter().enumerate() {
        let slot = ((p.ts - job.start) / SLOT) as usize;
        if p.ts >= job.start && slot < job.slots && p.target < targets {
            index
                .entry(slot * targets + p.target)
                .or_default()
                .push(i as u32);
        }
    }
    index
}

/// Merges background timestamps and planted entries in time order.
fn merge(
    rng: &mut Rng,
    entries: &mut Vec<(i64, u32)>,
    slot_start: i64,
    count: usize,
    planted: &[Planted],
    here: &[u32],
) {
    entries.clear();
    for _ in 0..count {
        entries.push((slot_start + rng.below(SLOT as u64) as i64, BACKGROUND));
    }
    entries.extend(here.iter().map(|&i| (planted[i as usize].ts, i)));
    entries.sort_unstable();
}

/// Writes every CloudTrail file; returns the sink (with counts) and the files.
pub fn cloudtrail(
    job: &Job<'_>,
    principals: &Principals,
    planted: &[Planted],
) -> io::Result<(Sink, Vec<CtFile>)> {
    let w = job.world;
    let bg = ct_background::Background::new(w, principals);
    let mut sink = Sink::new(
        job.root,
        job.layout,
        Framing::RecordsDocument,
        "cloudtrail.ndjson",
    )?;
    let targets = w.accounts.len() * 2;
    let index = bucket(planted, job, targets);
    let mut scratch = Scratch::default();
    let mut entries = Vec::new();
    let mut files = Vec::new();
    for slot in 0..job.slots {
        let slot_start = job.start + slot as i64 * SLOT;
        for account in 0..w.accounts.len() {
            for (region, &share) in CLOUDTRAIL_SHARE[account % 3].iter().enumerate() {
                let target = account * 2 + region;
                let mut rng = Rng::derive(
                    job.seed,
                    "cloudtrail-slot",
                    ((slot as u64) << 8) | target as u64,
                );
                let count = background_count(&mut rng, CLOUDTRAIL_PER_HOUR, job.scale, share);
                let here = index
                    .get(&(slot * targets + target))
                    .map_or(&[][..], Vec::as_slice);
                merge(&mut rng, &mut entries, slot_start, count, planted, here);
                // CloudTrail delivers records in no particular order.
                let len = entries.len();
                for i in 0..len {
                    if rng.chance(1, 4) {
                        let j = (i + 1 + rng.index(3)).min(len - 1);
                        entries.swap(i, j);
                    }
                }
                sink.begin();
                for &(ts, p) in &entries {
                    if p == BACKGROUND {
                        sink.push(|out| {
                            bg.write_event(&mut rng, account, region, ts, &mut scratch, out)
                        })?;
                    } else {
                        sink.push(|out| out.extend_from_slice(&planted[p as usize].bytes))?;
                    }
                }
                let delivered = slot_start + SLOT;
                let acct = &w.accounts[account].id;
                let region_name = w.regions[region];
                let written =
                    sink.finish(|| layout::cloudtrail_key(acct, region_name, delivered, &mut rng))?;
                if let Some(written) = written {
                    files.push(CtFile {
                        account,
                        region,
                        key: written.key,
                        sha256: written.sha256.unwrap_or_default(),
                        delivered,
                        oldest: entries.iter().map(|e| e.0).min().unwrap_or(slot_start),
                        newest: entries.iter().map(|e| e.0).max().unwrap_or(slot_start),
                    });
                }
            }
        }
    }
    Ok((sink, files))
}

/// Writes every Resolver query-log file; returns the sink (with counts).
pub fn resolver(job: &Job<'_>, planted: &[Planted]) -> io::Result<Sink> {
    let w = job.world;
    let bg = dns_background::Background::new(w);
    let mut sink = Sink::new(job.root, job.layout, Framing::Lines, "resolver.ndjson")?;
    let targets = w.vpcs.len();
    let index = bucket(planted, job, targets);
    let mut entries = Vec::new();
    let mut q = Query::new();
    for slot in 0..job.slots {
        let slot_start = job.start + slot as i64 * SLOT;
        for (v, vpc) in w.vpcs.iter().enumerate() {
            let mut rng = Rng::derive(job.seed, "resolver-slot", ((slot as u64) << 8) | v as u64);
            let share = RESOLVER_SHARE[v % RESOLVER_SHARE.len()];
            let count = background_count(&mut rng, RESOLVER_PER_HOUR, job.scale, share);
            let here = index
                .get(&(slot * targets + v))
                .map_or(&[][..], Vec::as_slice);
            merge(&mut rng, &mut entries, slot_start, count, planted, here);
            let account_id = &w.accounts[vpc.account].id;
            let region = w.regions[vpc.region];
            sink.begin();
            for &(ts, p) in &entries {
                if p != BACKGROUND {
                    sink.push(|out| out.extend_from_slice(&planted[p as usize].bytes))?;
                    continue;
                }
                let host = rng.weighted(&vpc.host_weights);
                q.reset(ts, rng.range(1024, 65_536) as u16);
                q.alt_order = rng.chance(1, 256);
                bg.fill(&mut rng, v, host, &mut q);
                let src = Source {
                    account_id,
                    region,
                    vpc,
                    host: &vpc.hosts[host],
                };
                sink.push(|out| resolver::write(out, &src, &q))?;
            }
            sink.finish(|| layout::resolver_key(account_id, &vpc.id, slot_start, &mut rng))?;
        }
    }
    Ok(sink)
}
