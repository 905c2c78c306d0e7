//! The benign Resolver query mix.
//!
//! Each query picks a category with weights that depend on the host kind (EKS
//! nodes leak cluster lookups and search-suffix expansions, on-premises clients
//! mostly ask for private zones), then a name and realistic answers: AWS
//! endpoints and S3 CNAME chains, SaaS and CDN names, CloudFront and API
//! Gateway ids, ELB names, private hosted zones, RDS and ElastiCache endpoints,
//! the forwarded on-premises zone, instance boot probes, search-suffix
//! NXDOMAIN noise, Kubernetes lookups, PTR, a little TXT/SRV/MX, ACM
//! validation CNAMEs, a few SERVFAILs and some decoys.
//!
//! By construction none of it matches a detection: no TCP, no REFUSED, TXT far
//! below 50 per host-minute, NXDOMAIN only under a handful of registrable
//! domains or internal suffixes, 169.254.169.254 only for `instance-data`
//! names, no abused TLDs, paste sites, mining pools, base64 labels, firewall
//! matches or wildcard cluster lookups, and a bounded set of sub-labels per
//! domain.

use crate::dns_catalog::{
    AWS, CORP_HOSTS, ENVS, K8S_NAMESPACES, K8S_SERVICES, SAAS, SERVFAIL_NAMES, SERVICES, Site,
    TXT_RECORDS,
};
use crate::names::{self, Vars};
use crate::resolver::Query;
use crate::rng::{Rng, cumulative};
use crate::world::{HostKind, Vpc, World};

#[derive(Clone, Copy)]
enum Cat {
    Aws,
    Saas,
    CloudFront,
    ApiGateway,
    Elb,
    Internal,
    Database,
    OnPremZone,
    Boot,
    SearchSuffix,
    Kube,
    Ptr,
    Txt,
    Srv,
    Mx,
    Acm,
    ServFail,
    Decoy,
}

const CATS: [Cat; 18] = [
    Cat::Aws,
    Cat::Saas,
    Cat::CloudFront,
    Cat::ApiGateway,
    Cat::Elb,
    Cat::Internal,
    Cat::Database,
    Cat::OnPremZone,
    Cat::Boot,
    Cat::SearchSuffix,
    Cat::Kube,
    Cat::Ptr,
    Cat::Txt,
    Cat::Srv,
    Cat::Mx,
    Cat::Acm,
    Cat::ServFail,
    Cat::Decoy,
];

/// Category weights (per mille, in [`CATS`] order) for a host kind.
fn weights(kind: HostKind) -> [u32; 18] {
    match kind {
        HostKind::Ec2 => [
            300, 190, 50, 25, 40, 110, 45, 30, 8, 40, 0, 30, 10, 8, 4, 4, 3, 3,
        ],
        HostKind::EksNode => [
            260, 160, 30, 20, 50, 90, 40, 10, 6, 120, 80, 20, 5, 4, 0, 0, 2, 3,
        ],
        HostKind::Serverless => [
            420, 250, 40, 60, 40, 80, 60, 0, 0, 0, 0, 0, 5, 0, 0, 0, 2, 3,
        ],
        HostKind::OnPrem => [
            150, 0, 0, 30, 100, 450, 150, 0, 0, 0, 0, 80, 10, 20, 0, 0, 5, 0,
        ],
    }
}

/// The benign query generator of one run.
pub struct Background<'w> {
    world: &'w World,
    /// Cumulative category weights per [`HostKind`] (Ec2, EksNode, Serverless, OnPrem).
    tables: [Vec<u32>; 4],
}

fn kind_index(kind: HostKind) -> usize {
    match kind {
        HostKind::Ec2 => 0,
        HostKind::EksNode => 1,
        HostKind::Serverless => 2,
        HostKind::OnPrem => 3,
    }
}

impl<'w> Background<'w> {
    /// Prepares the weight tables.
    pub fn new(world: &'w World) -> Self {
        let tables = [
            HostKind::Ec2,
            HostKind::EksNode,
            HostKind::Serverless,
            HostKind::OnPrem,
        ]
        .map(|k| cumulative(weights(k)));
        Background { world, tables }
    }

    /// Fills in name, type, rcode and answers of a benign query by `host` of
    /// `vpc`. Time and port must already be set.
    pub fn fill(&self, rng: &mut Rng, vpc: usize, host: usize, q: &mut Query) {
        let w = self.world;
        let v = &w.vpcs[vpc];
        let kind = v.hosts[host].kind;
        let region = w.regions[v.region];
        let vars = Vars {
            region,
            account: &w.accounts[v.account].id,
            bucket: rng.pick(&w.buckets).as_str(),
        };
        let suffix_is_ec2 = region == "us-east-1";
        let cat = CATS[rng.weighted(&self.tables[kind_index(kind)])];
        match cat {
            Cat::Aws => {
                let (template, chain, v4) = rng.pick(AWS);
                names::expand(&mut q.name, template, &vars);
                q.name.push('.');
                if rng.chance(1, 12) {
                    q.qtype = "AAAA";
                    return;
                }
                for target in *chain {
                    names::expand(q.answers.push("CNAME"), target, &vars);
                }
                for _ in 0..1 + rng.below(2) {
                    names::push_ipv4_in(q.answers.push("A"), rng, *v4);
                }
            }
            Cat::Saas => {
                let s = rng.pick(SAAS);
                q.name.push_str(s.name);
                q.name.push('.');
                site_answers(rng, s, q);
            }
            Cat::CloudFront => {
                q.name.push_str(rng.pick(&w.cloudfront_ids).as_str());
                q.name.push_str(".cloudfront.net.");
                if rng.chance(1, 6) {
                    q.qtype = "AAAA";
                    for _ in 0..4 {
                        names::push_ipv6_in(
                            q.answers.push("AAAA"),
                            rng,
                            "2600:9000:2489:7e00:1f:d4e3:e0c0:",
                        );
                    }
                } else {
                    let net = if rng.chance(1, 2) {
                        [18, 155]
                    } else {
                        [13, 33]
                    };
                    for _ in 0..4 {
                        names::push_ipv4_in(q.answers.push("A"), rng, net);
                    }
                }
            }
            Cat::ApiGateway => {
                q.name.push_str(rng.pick(&w.apigw_ids).as_str());
                q.name.push_str(".execute-api.");
                q.name.push_str(region);
                q.name.push_str(".amazonaws.com.");
                for _ in 0..3 {
                    names::push_ipv4_in(q.answers.push("A"), rng, [3, 210]);
                }
            }
            Cat::Elb => self.elb(rng, v, region, q),
            Cat::Internal => internal(rng, v, q),
            Cat::Database => {
                if rng.chance(2, 3) {
                    q.name
                        .push_str(rng.pick_str(&["orders", "payments", "analytics"]));
                    q.name.push_str(if rng.chance(1, 3) {
                        ".cluster-ro-"
                    } else {
                        ".cluster-"
                    });
                    q.name.push_str(&w.rds_cluster_id);
                    q.name.push('.');
                    q.name.push_str(region);
                    q.name.push_str(".rds.amazonaws.com.");
                } else {
                    q.name
                        .push_str(rng.pick_str(&["sessions", "cache", "ratelimit"]));
                    q.name.push('.');
                    q.name.push_str(&w.cache_id);
                    q.name.push_str(".ng.0001.");
                    q.name.push_str(names::short_region(region));
                    q.name.push_str(".cache.amazonaws.com.");
                }
                names::push_ipv4_in(q.answers.push("A"), rng, v.net);
            }
            Cat::OnPremZone => {
                if v.outbound.is_none() {
                    internal(rng, v, q);
                    return;
                }
                q.via_outbound = true;
                q.name.push_str(rng.pick_str(&CORP_HOSTS));
                q.name.push_str(".corp.northwindlabs.com.");
                names::push_ipv4_in(q.answers.push("A"), rng, [192, 168]);
            }
            Cat::Boot => match rng.below(20) {
                0..8 => {
                    q.name.push_str("__cloud_init_expected_not_found__.");
                    q.rcode = "NXDOMAIN";
                }
                8..15 => {
                    q.name.push_str("instance-data.");
                    if suffix_is_ec2 {
                        q.name.push_str("ec2.internal.");
                    } else {
                        q.name.push_str(region);
                        q.name.push_str(".compute.internal.");
                    }
                    q.answers.push("A").push_str("169.254.169.254");
                }
                15..18 => {
                    q.name.push_str("example.invalid.");
                    q.rcode = "NXDOMAIN";
                }
                _ => {
                    q.name.push_str("instance-data.");
                    q.rcode = "NXDOMAIN";
                }
            },
            Cat::SearchSuffix => {
                match rng.below(20) {
                    0..8 => {
                        q.name.push_str(rng.pick_str(&K8S_SERVICES));
                        q.name.push('.');
                        q.name.push_str(rng.pick_str(&K8S_NAMESPACES));
                        q.name.push_str(".svc.cluster.local.");
                    }
                    8..12 => {
                        q.name.push_str(rng.pick_str(&K8S_SERVICES));
                        q.name.push_str(".svc.cluster.local.");
                    }
                    12..17 => {
                        q.name.push_str(rng.pick(SAAS).name);
                        q.name.push('.');
                    }
                    _ => {
                        q.name.push_str("api.internal.");
                    }
                }
                if suffix_is_ec2 && !q.name.starts_with("api.internal.") {
                    q.name.push_str("ec2.internal.");
                } else {
                    q.name.push_str(region);
                    q.name.push_str(".compute.internal.");
                }
                q.rcode = "NXDOMAIN";
                if rng.chance(1, 3) {
                    q.qtype = "AAAA";
                }
            }
            Cat::Kube => {
                if rng.chance(1, 3) {
                    q.name.push_str(rng.pick(&w.eks_endpoint_ids).as_str());
                    q.name.push_str(".gr7.");
                    q.name.push_str(region);
                    q.name.push_str(".eks.amazonaws.com.");
                    for _ in 0..2 {
                        names::push_ipv4_in(q.answers.push("A"), rng, v.net);
                    }
                } else {
                    match rng.below(3) {
                        0 => q.name.push_str("kube-dns.kube-system"),
                        1 => q.name.push_str("kubernetes.default"),
                        _ => {
                            q.name.push_str(rng.pick_str(&K8S_SERVICES));
                            q.name.push('.');
                            q.name.push_str(rng.pick_str(&K8S_NAMESPACES));
                        }
                    }
                    q.name.push_str(".svc.cluster.local.");
                    q.rcode = "NXDOMAIN";
                }
            }
            Cat::Ptr => {
                let target = &v.hosts[rng.index(v.hosts.len())];
                let octets: Vec<&str> = target.addr.split('.').collect();
                if target.kind == HostKind::OnPrem || octets.len() != 4 {
                    internal(rng, v, q);
                    return;
                }
                for o in octets.iter().rev() {
                    q.name.push_str(o);
                    q.name.push('.');
                }
                q.name.push_str("in-addr.arpa.");
                q.qtype = "PTR";
                let ptr = q.answers.push("PTR");
                ptr.push_str("ip-");
                ptr.push_str(&octets.join("-"));
                if suffix_is_ec2 {
                    ptr.push_str(".ec2.internal.");
                } else {
                    ptr.push('.');
                    ptr.push_str(region);
                    ptr.push_str(".compute.internal.");
                }
            }
            Cat::Txt => {
                let (name, rdata) = rng.pick(&TXT_RECORDS);
                q.name.push_str(name);
                q.qtype = "TXT";
                q.answers.push("TXT").push_str(rdata);
            }
            Cat::Srv => {
                q.qtype = "SRV";
                if v.outbound.is_some() {
                    q.via_outbound = true;
                    q.name.push_str(rng.pick_str(&[
                        "_ldap._tcp.corp.northwindlabs.com.",
                        "_kerberos._udp.corp.northwindlabs.com.",
                    ]));
                    for dc in ["dc01", "dc02"] {
                        let srv = q.answers.push("SRV");
                        srv.push_str("0 100 389 ");
                        srv.push_str(dc);
                        srv.push_str(".corp.northwindlabs.com.");
                    }
                } else {
                    q.name
                        .push_str("_etcd-server-ssl._tcp.shared.northwind.internal.");
                    for i in 0..3 {
                        let srv = q.answers.push("SRV");
                        srv.push_str("0 10 2380 etcd-");
                        names::push_num(srv, i);
                        srv.push_str(".shared.northwind.internal.");
                    }
                }
            }
            Cat::Mx => {
                q.name.push_str("northwindlabs.com.");
                q.qtype = "MX";
                let mx = q.answers.push("MX");
                mx.push_str("10 inbound-smtp.");
                mx.push_str(region);
                mx.push_str(".amazonaws.com.");
            }
            Cat::Acm => {
                let i = rng.index(w.acm_records.len());
                let (label, target) = &w.acm_records[i];
                q.name.push_str(label);
                q.name.push('.');
                q.name
                    .push_str(w.registered_domains[i % w.registered_domains.len()]);
                q.name.push('.');
                q.qtype = "CNAME";
                q.answers.push("CNAME").push_str(target);
            }
            Cat::ServFail => {
                q.name.push_str(rng.pick_str(&SERVFAIL_NAMES));
                q.rcode = "SERVFAIL";
            }
            Cat::Decoy => match rng.below(4) {
                0 => {
                    q.name.push_str("notpastebin.com.");
                    q.rcode = "NXDOMAIN";
                }
                1 => {
                    q.name.push_str("pastebin.com.example.org.");
                    q.rcode = "NXDOMAIN";
                }
                2 => {
                    q.name.push_str("top.northwindlabs.com.");
                    names::push_ipv4_in(q.answers.push("A"), rng, [52, 4]);
                }
                _ => {
                    q.name.push_str("cloud.northwindlabs.com.");
                    let cname = q.answers.push("CNAME");
                    cname.push_str(&w.cloudfront_ids[0]);
                    cname.push_str(".cloudfront.net.");
                    names::push_ipv4_in(q.answers.push("A"), rng, [18, 155]);
                }
            },
        }
    }

    fn elb(&self, rng: &mut Rng, v: &Vpc, region: &str, q: &mut Query) {
        let w = self.world;
        let i = rng.index(w.elb_names.len());
        let elb = &w.elb_names[i];
        let public = elb.starts_with("k8s-ingress-public");
        if public {
            // The company's public API is an alias chain to an internet-facing ALB.
            q.name.push_str("api.northwindlabs.com.");
            let target = q.answers.push("CNAME");
            target.push_str(elb);
            target.push('.');
            target.push_str(region);
            target.push_str(".elb.amazonaws.com.");
            for _ in 0..2 {
                names::push_ipv4_in(q.answers.push("A"), rng, [52, 1]);
            }
            return;
        }
        q.name.push_str(elb);
        if elb.starts_with("internal-") {
            q.name.push('.');
            q.name.push_str(region);
            q.name.push_str(".elb.amazonaws.com.");
        } else {
            q.name.push_str(".elb.");
            q.name.push_str(region);
            q.name.push_str(".amazonaws.com.");
        }
        for _ in 0..2 {
            names::push_ipv4_in(q.answers.push("A"), rng, v.net);
        }
    }
}

fn site_answers(rng: &mut Rng, s: &Site, q: &mut Query) {
    let aaaa = rng.chance(1, 12);
    if aaaa {
        q.qtype = "AAAA";
    }
    for target in s.chain {
        q.answers.push("CNAME").push_str(target);
    }
    if aaaa {
        if let Some(prefix) = s.v6 {
            for _ in 0..s.count.min(2) {
                names::push_ipv6_in(q.answers.push("AAAA"), rng, prefix);
            }
        }
        return;
    }
    for _ in 0..s.count {
        names::push_ipv4_in(q.answers.push("A"), rng, s.v4);
    }
}

/// A private hosted zone lookup; a few miss (typos, retired names).
fn internal(rng: &mut Rng, v: &Vpc, q: &mut Query) {
    q.name.push_str(rng.pick_str(&SERVICES));
    let miss = rng.chance(1, 40);
    if miss {
        q.name.push_str("-v2");
    }
    q.name.push('.');
    q.name.push_str(rng.pick_str(&ENVS));
    q.name.push_str(".northwind.internal.");
    if miss {
        q.rcode = "NXDOMAIN";
    } else {
        names::push_ipv4_in(q.answers.push("A"), rng, v.net);
    }
}
