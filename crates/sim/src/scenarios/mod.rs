//! Planting attack scenarios: when each one happens, which host or principal
//! performs it, and the pre-rendered records it contributes.
//!
//! Scenario *i* of *n* selected is placed in the *i*-th of *n* equal slices of
//! the run (minus its own duration), with a seeded jitter, so every scenario
//! lies fully inside `[start, end)`. Each DNS scenario uses its own host, fixed
//! per seed whatever the selection: `dns-high-nxdomain-rate` uses 10.0.1.15 in
//! the first VPC (the same address is a benign host in another account's VPC),
//! Kubernetes enumeration uses an EKS node and excessive REFUSED uses a host
//! behind the outbound endpoint.

mod audit;
mod dns;

use crate::attack::{Attack, LogKind};
use crate::clock;
use crate::manifest::Scenario;
use crate::rng::Rng;
use crate::world::{HostKind, SHARED_IP, World};

/// A pre-rendered record to merge into the output.
pub struct Planted {
    pub ts: i64,
    /// CloudTrail: `account * 2 + region`; Resolver: the VPC index.
    pub target: usize,
    pub bytes: Vec<u8>,
}

/// Everything the selected scenarios contribute.
pub struct Plan {
    pub scenarios: Vec<Scenario>,
    pub cloudtrail: Vec<Planted>,
    pub resolver: Vec<Planted>,
}

/// A host of a VPC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostRef {
    pub vpc: usize,
    pub host: usize,
}

/// How long a scenario lasts, in seconds.
fn span(attack: Attack) -> i64 {
    match attack {
        Attack::DomainTransferred => 180,
        Attack::TransferLockDisabled | Attack::PrivateZoneAssociated => 30,
        Attack::QueryLoggingDisabled => 300,
        Attack::DomainHijackSequence => 1320,
        Attack::DomainContactChanged => 240,
        Attack::HighNxdomainRate => 480,
        Attack::DgaActivity | Attack::Tunneling => 600,
        Attack::DnsOverTcp | Attack::SuspiciousTld | Attack::MoneroPool => 120,
        Attack::FirewallMatch => 120,
        Attack::ExcessiveRefused => 240,
        Attack::MetadataAnswer | Attack::PasteSite | Attack::KubernetesEnumeration => 60,
        Attack::UncommonRecordTypes => 60,
        Attack::Base64Label => 180,
    }
}

/// The longest scenario; runs must be at least this long.
pub const MAX_SPAN: i64 = 1320;

/// Start time of scenario `i` of `n`, lasting `span` seconds, in `[start, end)`.
fn place(rng: &mut Rng, i: usize, n: usize, span: i64, start: i64, end: i64) -> i64 {
    let room = (end - start - span).max(0);
    let slice = room / n.max(1) as i64;
    let jitter = rng.below(slice as u64 / 2 + 1) as i64;
    start + slice * i as i64 + slice / 4 + jitter
}

/// Chooses the host of every DNS scenario (independently of the selection).
fn assign_hosts(world: &World, seed: u64) -> Vec<(Attack, HostRef)> {
    let mut candidates: Vec<HostRef> = world
        .vpcs
        .iter()
        .enumerate()
        .flat_map(|(vpc, v)| {
            v.hosts.iter().enumerate().filter_map(move |(host, h)| {
                (matches!(h.kind, HostKind::Ec2 | HostKind::EksNode) && h.addr != SHARED_IP)
                    .then_some(HostRef { vpc, host })
            })
        })
        .collect();
    Rng::derive(seed, "scenario-hosts", 0).shuffle(&mut candidates);
    let mut used = vec![false; candidates.len()];
    let mut take = |pred: &dyn Fn(HostRef) -> bool| -> HostRef {
        let found = (0..candidates.len())
            .find(|&i| !used[i] && pred(candidates[i]))
            .or_else(|| (0..candidates.len()).find(|&i| !used[i]));
        match found {
            Some(i) => {
                used[i] = true;
                candidates[i]
            }
            None => HostRef { vpc: 0, host: 0 },
        }
    };
    Attack::ALL
        .into_iter()
        .filter(|a| a.kind() == LogKind::Resolver)
        .map(|a| {
            let host = match a {
                Attack::HighNxdomainRate => HostRef { vpc: 0, host: 0 },
                Attack::KubernetesEnumeration => {
                    take(&|h: HostRef| world.vpcs[h.vpc].hosts[h.host].kind == HostKind::EksNode)
                }
                Attack::ExcessiveRefused => take(&|h: HostRef| {
                    world.vpcs[h.vpc].outbound.is_some()
                        && world.vpcs[h.vpc].hosts[h.host].kind == HostKind::Ec2
                }),
                _ => take(&|_| true),
            };
            (a, host)
        })
        .collect()
}

/// Builds the records and manifest entries of `attacks` for a run over
/// `[start, end)`.
pub fn plan(world: &World, seed: u64, attacks: &[Attack], start: i64, end: i64) -> Plan {
    let hosts = assign_hosts(world, seed);
    let mut plan = Plan {
        scenarios: Vec::new(),
        cloudtrail: Vec::new(),
        resolver: Vec::new(),
    };
    for (i, &attack) in attacks.iter().enumerate() {
        let index = Attack::ALL.iter().position(|a| *a == attack).unwrap_or(0);
        let mut rng = Rng::derive(seed, "scenario", index as u64);
        let t0 = place(&mut rng, i, attacks.len(), span(attack), start, end);
        let host = hosts
            .iter()
            .find(|(a, _)| *a == attack)
            .map_or(HostRef { vpc: 0, host: 0 }, |(_, h)| *h);
        let r = &mut rng;
        let (mut scenario, records) = match attack {
            Attack::DomainTransferred => audit::domain_transferred(r, world, t0),
            Attack::TransferLockDisabled => audit::transfer_lock_disabled(r, world, t0),
            Attack::PrivateZoneAssociated => audit::private_zone_associated(r, world, t0),
            Attack::QueryLoggingDisabled => audit::query_logging_disabled(r, world, t0),
            Attack::DomainHijackSequence => audit::hijack_sequence(r, world, t0),
            Attack::DomainContactChanged => audit::contact_changed(r, world, t0),
            Attack::HighNxdomainRate => dns::high_nxdomain(r, world, host, t0),
            Attack::DgaActivity => dns::dga(r, world, host, t0),
            Attack::DnsOverTcp => dns::over_tcp(r, world, host, t0),
            Attack::ExcessiveRefused => dns::excessive_refused(r, world, host, t0),
            Attack::MetadataAnswer => dns::metadata_answer(r, world, host, t0),
            Attack::UncommonRecordTypes => dns::uncommon_types(r, world, host, t0),
            Attack::SuspiciousTld => dns::suspicious_tld(r, world, host, t0),
            Attack::PasteSite => dns::paste_site(r, world, host, t0),
            Attack::MoneroPool => dns::monero_pool(r, world, host, t0),
            Attack::Base64Label => dns::base64_label(r, world, host, t0),
            Attack::KubernetesEnumeration => dns::kubernetes_enumeration(r, world, host, t0),
            Attack::Tunneling => dns::tunneling(r, world, host, t0),
            Attack::FirewallMatch => dns::firewall_match(r, world, host, t0),
        };
        let first = records.iter().map(|r| r.ts).min().unwrap_or(t0);
        let last = records.iter().map(|r| r.ts).max().unwrap_or(t0);
        debug_assert!(first >= start && last < end, "{attack} outside the run");
        scenario.first = clock::rfc3339(first);
        scenario.last = clock::rfc3339(last);
        scenario.records = records.len() as u64;
        plan.scenarios.push(scenario);
        match attack.kind() {
            LogKind::CloudTrail => plan.cloudtrail.extend(records),
            LogKind::Resolver => plan.resolver.extend(records),
        }
    }
    plan
}

/// A manifest entry with the time and count fields left for [`plan`] to fill.
fn entry(attack: Attack, account_id: &str, region: &str, note: &str) -> Scenario {
    Scenario {
        detection: attack.id().to_string(),
        kind: attack.kind().as_str().to_string(),
        account_id: account_id.to_string(),
        region: region.to_string(),
        vpc_id: None,
        srcaddr: None,
        instance: None,
        principal_arn: None,
        domain: None,
        domains: Vec::new(),
        target: None,
        first: String::new(),
        last: String::new(),
        records: 0,
        failed_records: 0,
        note: note.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_fits_in_one_hour() {
        let world = World::new(3, 0);
        let start = clock::DEFAULT_START;
        let end = start + 3600;
        let plan = plan(&world, 3, &Attack::ALL, start, end);
        assert_eq!(plan.scenarios.len(), Attack::ALL.len());
        for r in plan.cloudtrail.iter().chain(&plan.resolver) {
            assert!(r.ts >= start && r.ts < end);
        }
        for s in &plan.scenarios {
            assert!(s.records > 0, "{}", s.detection);
            assert!(s.first <= s.last);
        }
    }

    #[test]
    fn dns_scenarios_use_distinct_hosts() {
        let world = World::new(11, 0);
        let hosts = assign_hosts(&world, 11);
        let mut seen: Vec<HostRef> = hosts.iter().map(|(_, h)| *h).collect();
        seen.sort_by_key(|h| (h.vpc, h.host));
        seen.dedup();
        assert_eq!(seen.len(), hosts.len());
        let nx = hosts
            .iter()
            .find(|(a, _)| *a == Attack::HighNxdomainRate)
            .unwrap()
            .1;
        assert_eq!(world.vpcs[nx.vpc].hosts[nx.host].addr, SHARED_IP);
    }
}
