//! The Resolver query-log scenarios, one function per detection. Each runs on
//! its own host and writes records in the same shape as the background.

use std::collections::HashSet;

use crate::attack::Attack;
use crate::manifest::Scenario;
use crate::names;
use crate::resolver::{self, Firewall, Query, Source};
use crate::rng::Rng;
use crate::world::World;

use super::{HostRef, Planted, entry};

/// Renders the queries of one scenario host.
struct Emitter<'a> {
    world: &'a World,
    at: HostRef,
    q: Query,
    out: Vec<Planted>,
}

impl<'a> Emitter<'a> {
    fn new(world: &'a World, at: HostRef) -> Self {
        Emitter {
            world,
            at,
            q: Query::new(),
            out: Vec::new(),
        }
    }

    fn region(&self) -> &'static str {
        self.world.vpc_region(self.at.vpc)
    }

    /// Writes one query at `ts`, filled in by `fill`.
    fn emit(&mut self, rng: &mut Rng, ts: i64, fill: impl FnOnce(&mut Query, &mut Rng)) {
        self.q.reset(ts, rng.range(1024, 65_536) as u16);
        fill(&mut self.q, rng);
        let vpc = &self.world.vpcs[self.at.vpc];
        let src = Source {
            account_id: &self.world.accounts[vpc.account].id,
            region: self.world.regions[vpc.region],
            vpc,
            host: &vpc.hosts[self.at.host],
        };
        let mut bytes = Vec::with_capacity(400);
        resolver::write(&mut bytes, &src, &self.q);
        self.out.push(Planted {
            ts,
            target: self.at.vpc,
            bytes,
        });
    }

    /// The manifest entry and records, naming the host.
    fn finish(self, attack: Attack, note: &str, domains: &[&str]) -> (Scenario, Vec<Planted>) {
        let vpc = &self.world.vpcs[self.at.vpc];
        let host = &vpc.hosts[self.at.host];
        let mut s = entry(
            attack,
            &self.world.accounts[vpc.account].id,
            self.world.regions[vpc.region],
            note,
        );
        s.vpc_id = Some(vpc.id.clone());
        s.srcaddr = Some(host.addr.clone());
        s.instance = host.instance.clone();
        s.domain = domains.first().map(|d| d.to_string());
        s.domains = domains.iter().map(|d| d.to_string()).collect();
        (s, self.out)
    }
}

fn within(rng: &mut Rng, t0: i64, span: i64) -> i64 {
    t0 + rng.below(span as u64) as i64
}

/// ≥ 400 distinct random registrable domains answered NXDOMAIN in 8 minutes.
pub fn high_nxdomain(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let mut seen = HashSet::new();
    while seen.len() < 420 {
        let mut name = String::new();
        names::push_random_domain(&mut name, rng);
        if !seen.insert(name.clone()) {
            continue;
        }
        let ts = within(rng, t0, 470);
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(&name);
            q.name.push('.');
            q.qtype = if rng.chance(1, 10) { "AAAA" } else { "A" };
            q.rcode = "NXDOMAIN";
        });
    }
    e.finish(
        Attack::HighNxdomainRate,
        "420 distinct random registrable domains answered NXDOMAIN within 8 minutes from 10.0.1.15; the same address is a benign host in another account's VPC.",
        &[],
    )
}

/// About 60 DGA-looking names over 10 minutes, mostly NXDOMAIN.
pub fn dga(rng: &mut Rng, world: &World, at: HostRef, t0: i64) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let mut seen = HashSet::new();
    while seen.len() < 60 {
        let mut name = String::new();
        names::push_dga_domain(&mut name, rng);
        if !seen.insert(name.clone()) {
            continue;
        }
        let resolved = seen.len() % 5 == 0;
        let ts = within(rng, t0, 590);
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(&name);
            q.name.push('.');
            if resolved {
                names::push_ipv4_in(q.answers.push("A"), rng, [185, 141]);
            } else {
                q.rcode = "NXDOMAIN";
            }
        });
    }
    e.finish(
        Attack::DgaActivity,
        "60 DGA-looking registrable domains over 10 minutes: 48 NXDOMAIN, 12 resolved.",
        &[],
    )
}

/// A handful of queries over TCP, including TXT.
pub fn over_tcp(rng: &mut Rng, world: &World, at: HostRef, t0: i64) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let queries = [
        ("cfg.updates-mirror.net.", "TXT"),
        ("dl.updates-mirror.net.", "A"),
        ("_sync.updates-mirror.net.", "TXT"),
        ("cfg.updates-mirror.net.", "TXT"),
        ("api.updates-mirror.net.", "AAAA"),
        ("dl.updates-mirror.net.", "A"),
    ];
    for (i, (name, qtype)) in queries.into_iter().enumerate() {
        let ts = t0 + 18 * i as i64 + rng.below(15) as i64;
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(name);
            q.qtype = qtype;
            q.transport = "TCP";
            match qtype {
                "TXT" => {
                    let txt = q.answers.push("TXT");
                    txt.push('"');
                    rng.push_mixed_alnum(txt, 220);
                    txt.push('"');
                }
                "AAAA" => names::push_ipv6_in(q.answers.push("AAAA"), rng, "2a0b:4140:2d0::"),
                _ => names::push_ipv4_in(q.answers.push("A"), rng, [45, 137]),
            }
        });
    }
    e.finish(
        Attack::DnsOverTcp,
        "Six queries over TCP (three TXT with large answers).",
        &["updates-mirror.net"],
    )
}

/// ≥ 80 REFUSED answers within 4 minutes through the outbound endpoint.
pub fn excessive_refused(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    for _ in 0..90 {
        let ts = within(rng, t0, 230);
        e.emit(rng, ts, |q, rng| {
            q.name
                .push_str(rng.pick_str(&["ws", "srv", "db", "fs", "app", "vpn"]));
            q.name.push('-');
            names::push_num(&mut q.name, rng.range(1, 40));
            q.name.push_str(".branch.corp.northwindlabs.com.");
            q.qtype = *rng.pick(&["A", "A", "A", "AAAA", "ANY"]);
            q.rcode = "REFUSED";
            q.via_outbound = true;
        });
    }
    e.finish(
        Attack::ExcessiveRefused,
        "90 REFUSED answers in 4 minutes for hosts of a forwarded zone (probing through the outbound endpoint).",
        &["northwindlabs.com"],
    )
}

/// Names answered with the instance metadata address (IPv4 through a CNAME, and IPv6).
pub fn metadata_answer(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let ts = t0 + rng.below(10) as i64;
    e.emit(rng, ts, |q, _| {
        q.name.push_str("metadata.attacker-rebind.net.");
        q.answers
            .push("CNAME")
            .push_str("imds.attacker-rebind.net.");
        q.answers.push("A").push_str("169.254.169.254");
    });
    let ts = t0 + 20 + rng.below(10) as i64;
    e.emit(rng, ts, |q, _| {
        q.name.push_str("v6.attacker-rebind.net.");
        q.qtype = "AAAA";
        q.answers.push("AAAA").push_str("fd00:ec2::254");
    });
    let ts = t0 + 40 + rng.below(10) as i64;
    e.emit(rng, ts, |q, _| {
        q.name.push_str("a9fea9fe.attacker-rebind.net.");
        q.answers.push("A").push_str("169.254.169.254");
    });
    e.finish(
        Attack::MetadataAnswer,
        "Attacker names resolving to 169.254.169.254 (via a CNAME and directly) and to fd00:ec2::254.",
        &["attacker-rebind.net"],
    )
}

/// ≥ 70 TXT queries in one minute to random subdomains of one domain, plus NULL.
pub fn uncommon_types(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    for i in 0..79 {
        let ts = within(rng, t0, 55);
        let null = i >= 75;
        e.emit(rng, ts, |q, rng| {
            let len = rng.range(8, 13) as usize;
            rng.push_lower_alnum(&mut q.name, len);
            q.name.push_str(".txt-relay-cdn.com.");
            if null {
                q.qtype = "NULL";
            } else {
                q.qtype = "TXT";
                let txt = q.answers.push("TXT");
                txt.push('"');
                rng.push_mixed_alnum(txt, 24);
                txt.push('"');
            }
        });
    }
    e.finish(
        Attack::UncommonRecordTypes,
        "75 TXT and 4 NULL queries within one minute to random subdomains of one domain.",
        &["txt-relay-cdn.com"],
    )
}

/// Queries under abused TLDs (.sx, .cm).
pub fn suspicious_tld(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    for (i, name) in [
        "update-check.sx.",
        "cdn-assets.cm.",
        "update-check.sx.",
        "cdn-assets.cm.",
    ]
    .into_iter()
    .enumerate()
    {
        let ts = t0 + 25 * i as i64 + rng.below(20) as i64;
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(name);
            names::push_ipv4_in(q.answers.push("A"), rng, [194, 58]);
        });
    }
    e.finish(
        Attack::SuspiciousTld,
        "Resolved names under the .sx and .cm TLDs.",
        &["update-check.sx", "cdn-assets.cm"],
    )
}

/// Queries for a paste site.
pub fn paste_site(rng: &mut Rng, world: &World, at: HostRef, t0: i64) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    for (i, (name, qtype)) in [
        ("pastebin.com.", "A"),
        ("raw.pastebin.com.", "A"),
        ("raw.pastebin.com.", "AAAA"),
    ]
    .into_iter()
    .enumerate()
    {
        let ts = t0 + 15 * i as i64 + rng.below(10) as i64;
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(name);
            q.qtype = qtype;
            if qtype == "AAAA" {
                names::push_ipv6_in(q.answers.push("AAAA"), rng, "2606:4700:10::ac43:");
            } else {
                names::push_ipv4_in(q.answers.push("A"), rng, [104, 20]);
                names::push_ipv4_in(q.answers.push("A"), rng, [172, 67]);
            }
        });
    }
    e.finish(
        Attack::PasteSite,
        "pastebin.com and raw.pastebin.com resolved.",
        &["pastebin.com"],
    )
}

/// Queries for Monero mining pools.
pub fn monero_pool(rng: &mut Rng, world: &World, at: HostRef, t0: i64) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    for (i, (name, net)) in [
        ("pool.supportxmr.com.", [141, 94]),
        ("xmr.2miners.com.", [162, 19]),
        ("pool.supportxmr.com.", [141, 94]),
        ("xmr.2miners.com.", [162, 19]),
    ]
    .into_iter()
    .enumerate()
    {
        let ts = t0 + 28 * i as i64 + rng.below(20) as i64;
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(name);
            names::push_ipv4_in(q.answers.push("A"), rng, net);
        });
    }
    e.finish(
        Attack::MoneroPool,
        "Monero pools pool.supportxmr.com and xmr.2miners.com resolved.",
        &["supportxmr.com", "2miners.com"],
    )
}

/// Printable secrets exfiltrated as base64url labels (28–63 characters).
pub const BASE64_SECRETS: [&str; 6] = [
    "user=admin;pass=Winter2026!",
    "host=ip-10-0-2-41;uid=0(root)",
    "AWS_ACCESS_KEY_ID=AKIAQX3N7LBZ5EXAMPLE",
    "db=orders;user=app_rw;pw=Tr0ub4dor&3",
    "ssh-key:/home/ec2-user/.ssh/id_ed25519",
    "card=4111111111111111;exp=12/29",
];

/// Names whose first label is base64url of printable text.
pub fn base64_label(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    for (i, secret) in BASE64_SECRETS.iter().enumerate() {
        let ts = t0 + 28 * i as i64 + rng.below(20) as i64;
        e.emit(rng, ts, |q, _| {
            q.name.push_str(&names::base64url(secret.as_bytes()));
            q.name.push_str(".exfil-sync.net.");
            q.rcode = "NXDOMAIN";
        });
    }
    e.finish(
        Attack::Base64Label,
        "Six queries whose first label is base64url of printable credentials, under one attacker domain.",
        &["exfil-sync.net"],
    )
}

/// Wildcard cluster lookups from a node, one leaked with a search suffix.
pub fn kubernetes_enumeration(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let region = e.region();
    let suffix = if region == "us-east-1" {
        "ec2.internal.".to_string()
    } else {
        format!("{region}.compute.internal.")
    };
    for (i, qtype) in ["SRV", "A", "A"].into_iter().enumerate() {
        let ts = t0 + 15 * i as i64 + rng.below(10) as i64;
        e.emit(rng, ts, |q, _| {
            q.name.push_str("any.any.svc.cluster.local.");
            if i == 2 {
                q.name.push_str(&suffix);
            }
            q.qtype = qtype;
            q.rcode = "NXDOMAIN";
        });
    }
    e.finish(
        Attack::KubernetesEnumeration,
        "any.any.svc.cluster.local (SRV and A) from a node, plus the same name leaked with the VPC search suffix.",
        &[],
    )
}

/// ≥ 300 distinct long high-entropy sub-labels under one domain in 10 minutes.
pub fn tunneling(rng: &mut Rng, world: &World, at: HostRef, t0: i64) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let session = rng.hex(6);
    let mut seen = HashSet::new();
    while seen.len() < 340 {
        let len = rng.range(40, 61) as usize;
        let mut chunk = String::with_capacity(len);
        if rng.chance(1, 2) {
            rng.push_hex(&mut chunk, len);
        } else {
            names::push_base32(&mut chunk, rng, len);
        }
        if !seen.insert(chunk.clone()) {
            continue;
        }
        let ts = within(rng, t0, 590);
        e.emit(rng, ts, |q, rng| {
            q.name.push_str(&chunk);
            q.name.push('.');
            q.name.push_str(&session);
            q.name.push_str(".t.sync-telemetry.net.");
            match rng.below(20) {
                0..12 => names::push_ipv4_in(q.answers.push("A"), rng, [52, 44]),
                12..17 => {
                    q.qtype = "TXT";
                    let txt = q.answers.push("TXT");
                    txt.push('"');
                    names::push_base32(txt, rng, 48);
                    txt.push('"');
                }
                _ => {
                    q.qtype = "CNAME";
                    let target = q.answers.push("CNAME");
                    names::push_base32(target, rng, 30);
                    target.push_str(".sync-telemetry.net.");
                }
            }
        });
    }
    e.finish(
        Attack::Tunneling,
        "340 distinct 40-60 character hex/base32 sub-labels under one domain within 10 minutes (A, TXT, CNAME).",
        &["sync-telemetry.net"],
    )
}

/// DNS Firewall ALERT and BLOCK matches, including managed-list test names.
pub fn firewall_match(
    rng: &mut Rng,
    world: &World,
    at: HostRef,
    t0: i64,
) -> (Scenario, Vec<Planted>) {
    let mut e = Emitter::new(world, at);
    let region = e.region();
    let rule_group = world.firewall_rule_group.clone();
    for (i, list) in world.firewall_lists.iter().enumerate() {
        let ts = t0 + 25 * i as i64 + rng.below(20) as i64;
        let rule_group = rule_group.clone();
        e.emit(rng, ts, |q, rng| {
            match list.managed_label {
                Some(label) => {
                    q.name.push_str("controldomain1.");
                    q.name.push_str(label);
                    q.name.push_str(".firewall.route53resolver.");
                    q.name.push_str(region);
                    q.name.push_str(".amazonaws.com.");
                }
                None => q.name.push_str("login-northwind-secure.com."),
            }
            let action = match i {
                0 | 3 => "ALERT",
                _ => "BLOCK",
            };
            match i {
                1 => q.rcode = "NXDOMAIN",
                2 => {}
                _ => names::push_ipv4_in(q.answers.push("A"), rng, [45, 95]),
            }
            q.firewall = Some(Firewall {
                action,
                rule_group_id: rule_group,
                domain_list_id: list.id.clone(),
            });
        });
    }
    let (mut s, records) = e.finish(
        Attack::FirewallMatch,
        "DNS Firewall matches: ALERT (botnet managed list), BLOCK answering NXDOMAIN (malware list), BLOCK answering NODATA (aggregate list), ALERT (custom list).",
        &["amazonaws.com", "login-northwind-secure.com"],
    );
    s.target = Some(world.firewall_rule_group.clone());
    (s, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_labels_fit_the_heuristic() {
        for secret in BASE64_SECRETS {
            let label = names::base64url(secret.as_bytes());
            assert!((28..=63).contains(&label.len()), "{label}");
            let plain_alnum = label.len() == 32 && label.bytes().all(|b| b.is_ascii_alphanumeric());
            assert!(!plain_alnum, "{label}");
        }
    }
}
