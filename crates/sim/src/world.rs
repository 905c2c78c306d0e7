//! The simulated organisation: accounts, regions, VPCs, hosts and the
//! long-lived resources (buckets, CDN ids, zones, firewall lists) that the
//! background and the scenarios refer to.
//!
//! Three accounts, two regions (us-east-1 and one chosen by seed) and four
//! VPCs. VPC 0 (account 0, us-east-1) and VPC 2 (account 1, us-east-1) share
//! the 10.0.0.0/16 range and both contain a host at 10.0.1.15, so any
//! detection that keys on `srcaddr` alone merges two different machines.
//! The number of hosts grows with `scale`, so per-host query rates stay
//! bounded however large the run is.

use std::collections::HashSet;

use crate::rng::{Rng, cumulative};

/// The home region: Route 53, Route 53 Domains and IAM events are recorded here.
pub const HOME_REGION: &str = "us-east-1";

/// The private address two VPCs in different accounts both use.
pub const SHARED_IP: &str = "10.0.1.15";

const OTHER_REGIONS: [&str; 4] = ["us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

/// An AWS account of the organisation.
pub struct Account {
    pub id: String,
    /// What the account is for (`prod`, `shared-services`, `data`).
    pub alias: &'static str,
}

/// How a host's queries are attributed in `srcids`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// An EC2 instance: `{"instance":"i-…"}`.
    Ec2,
    /// An EKS worker node (also an instance), which leaks cluster lookups.
    EksNode,
    /// A Lambda or Fargate ENI: `{}`.
    Serverless,
    /// An on-premises client arriving through the inbound endpoint.
    OnPrem,
}

/// A query source inside (or forwarded into) a VPC.
pub struct Host {
    pub addr: String,
    pub kind: HostKind,
    pub instance: Option<String>,
    /// Inbound endpoint network interface, for [`HostKind::OnPrem`].
    pub rni: Option<String>,
}

/// A VPC with Resolver query logging enabled.
pub struct Vpc {
    pub id: String,
    pub account: usize,
    pub region: usize,
    /// First two octets of the VPC CIDR.
    pub net: [u8; 2],
    pub hosts: Vec<Host>,
    /// Running totals of the hosts' query weights.
    pub host_weights: Vec<u32>,
    /// Outbound endpoint used by forwarding rules to the on-premises zone.
    pub outbound: Option<String>,
    /// Inbound endpoint on-premises clients use.
    pub inbound: Option<String>,
    /// The query log configuration associated with the VPC.
    pub query_log_config: String,
}

/// A DNS Firewall domain list.
pub struct FirewallList {
    pub id: String,
    /// The managed-list test label (`botnetlist`, …), or `None` for a custom list.
    pub managed_label: Option<&'static str>,
}

/// The whole simulated environment.
pub struct World {
    pub accounts: Vec<Account>,
    pub regions: [&'static str; 2],
    pub vpcs: Vec<Vpc>,
    /// Domains registered with Route 53 Domains by account 0.
    pub registered_domains: Vec<&'static str>,
    /// Private hosted zone ids owned by account 0.
    pub hosted_zones: Vec<String>,
    pub buckets: Vec<String>,
    pub cloudfront_ids: Vec<String>,
    pub apigw_ids: Vec<String>,
    pub elb_names: Vec<String>,
    /// EKS private API endpoint ids (32 upper-case hex).
    pub eks_endpoint_ids: Vec<String>,
    /// ACM DNS-validation (label, target) pairs.
    pub acm_records: Vec<(String, String)>,
    pub rds_cluster_id: String,
    pub cache_id: String,
    pub firewall_rule_group: String,
    pub firewall_lists: Vec<FirewallList>,
    pub trail_bucket: String,
    pub trail_name: &'static str,
}

impl World {
    /// Builds the environment for `seed`; host counts depend on `scale`.
    pub fn new(seed: u64, scale: u32) -> World {
        let mut rng = Rng::derive(seed, "world", 0);
        let mut accounts = Vec::new();
        let mut used = HashSet::new();
        for alias in ["prod", "shared-services", "data"] {
            let id = loop {
                let id = rng.account_id();
                if used.insert(id.clone()) {
                    break id;
                }
            };
            accounts.push(Account { id, alias });
        }
        let regions = [HOME_REGION, *rng.pick(&OTHER_REGIONS)];
        let hosts_per_vpc = 20 + 8 * scale as usize;
        let layout: [(usize, usize, [u8; 2], bool); 4] = [
            (0, 0, [10, 0], true),
            (0, 1, [10, 1], false),
            (1, 0, [10, 0], false),
            (2, 1, [172, 31], false),
        ];
        let vpcs = layout
            .iter()
            .enumerate()
            .map(|(i, &(account, region, net, endpoints))| {
                let mut rng = Rng::derive(seed, "vpc", i as u64);
                build_vpc(&mut rng, account, region, net, endpoints, hosts_per_vpc)
            })
            .collect();
        let hosted_zones = (0..3)
            .map(|_| {
                let mut s = "Z0".to_string();
                rng.push_upper_alnum(&mut s, 19);
                s
            })
            .collect();
        let buckets = [
            "northwind-prod-assets",
            "northwind-data-lake-raw",
            "northwind-build-artifacts",
            "northwind-backups",
        ]
        .iter()
        .map(|b| format!("{b}-{}", &accounts[0].id[8..]))
        .collect();
        let cloudfront_ids = (0..16)
            .map(|_| {
                let mut s = "d".to_string();
                rng.push_lower_alnum(&mut s, 13);
                s
            })
            .collect();
        let apigw_ids = (0..6)
            .map(|_| {
                let mut s = String::new();
                rng.push_lower_alnum(&mut s, 10);
                s
            })
            .collect();
        let mut elb_names = Vec::new();
        for name in [
            "internal-orders-api-alb",
            "internal-payments-alb",
            "k8s-ingress-public",
        ] {
            elb_names.push(format!(
                "{name}-{}",
                1_000_000_000 + rng.below(8_999_999_999)
            ));
        }
        for _ in 0..3 {
            let mut s = "k8s-default-web-".to_string();
            rng.push_hex(&mut s, 10);
            s.push('-');
            rng.push_hex(&mut s, 16);
            elb_names.push(s);
        }
        let eks_endpoint_ids = (0..2)
            .map(|_| {
                let mut s = String::new();
                rng.push_hex(&mut s, 32);
                s.to_ascii_uppercase()
            })
            .collect();
        let acm_records = (0..4)
            .map(|_| {
                let mut label = "_".to_string();
                rng.push_hex(&mut label, 32);
                let mut target = "_".to_string();
                rng.push_hex(&mut target, 32);
                target.push('.');
                rng.push_alphabet(&mut target, b"abcdefghijklmnopqrstuvwxyz", 10);
                target.push_str(".acm-validations.aws.");
                (label, target)
            })
            .collect();
        let mut lower = |n: usize| {
            let mut s = String::new();
            rng.push_lower_alnum(&mut s, n);
            s
        };
        let rds_cluster_id = lower(12);
        let cache_id = lower(6);
        let firewall_lists = [
            Some("botnetlist"),
            Some("malwarelist"),
            Some("aggregatelist"),
            None,
        ]
        .into_iter()
        .map(|managed_label| FirewallList {
            id: {
                let mut s = "rslvr-fdl-".to_string();
                rng.push_hex(&mut s, 16);
                s
            },
            managed_label,
        })
        .collect();
        let firewall_rule_group = {
            let mut s = "rslvr-frg-".to_string();
            rng.push_hex(&mut s, 15);
            s
        };
        let trail_bucket = format!("aws-cloudtrail-logs-{}-{}", accounts[0].id, rng.hex(8));
        World {
            accounts,
            regions,
            vpcs,
            registered_domains: vec![
                "northwindlabs.com",
                "northwindlabs.io",
                "northwind-status.com",
                "getnorthwind.com",
                "northwind-shop.com",
                "northwindcdn.net",
            ],
            hosted_zones,
            buckets,
            cloudfront_ids,
            apigw_ids,
            elb_names,
            eks_endpoint_ids,
            acm_records,
            rds_cluster_id,
            cache_id,
            firewall_rule_group,
            firewall_lists,
            trail_bucket,
            trail_name: "org-management-trail",
        }
    }

    /// The region name of a VPC.
    pub fn vpc_region(&self, vpc: usize) -> &'static str {
        self.regions[self.vpcs[vpc].region]
    }
}

fn build_vpc(
    rng: &mut Rng,
    account: usize,
    region: usize,
    net: [u8; 2],
    endpoints: bool,
    count: usize,
) -> Vpc {
    let mut id = "vpc-0".to_string();
    rng.push_hex(&mut id, 16);
    let mut taken = HashSet::new();
    let mut hosts = Vec::with_capacity(count);
    let mut weights = Vec::with_capacity(count);
    let shares_ip = net == [10, 0];
    for i in 0..count {
        let kind = if i == 0 {
            HostKind::Ec2
        } else {
            match rng.below(100) {
                0..60 => HostKind::Ec2,
                60..82 => HostKind::EksNode,
                82..92 => HostKind::Serverless,
                _ if endpoints => HostKind::OnPrem,
                _ => HostKind::Ec2,
            }
        };
        let addr = if i == 0 && shares_ip {
            SHARED_IP.to_string()
        } else {
            loop {
                let (a, b) = if kind == HostKind::OnPrem {
                    (192, 168)
                } else {
                    (net[0], net[1])
                };
                let third = if kind == HostKind::OnPrem {
                    rng.range(10, 40)
                } else {
                    rng.below(64)
                };
                let addr = format!("{a}.{b}.{third}.{}", rng.range(4, 251));
                if addr != SHARED_IP && taken.insert(addr.clone()) {
                    break addr;
                }
            }
        };
        let instance = matches!(kind, HostKind::Ec2 | HostKind::EksNode).then(|| {
            let mut s = "i-0".to_string();
            rng.push_hex(&mut s, 16);
            s
        });
        let rni = (kind == HostKind::OnPrem).then(|| {
            let mut s = "rni-".to_string();
            rng.push_hex(&mut s, 17);
            s
        });
        weights.push(1 + rng.below(4) as u32);
        hosts.push(Host {
            addr,
            kind,
            instance,
            rni,
        });
    }
    let mut endpoint = |prefix: &str| {
        let mut s = prefix.to_string();
        rng.push_hex(&mut s, 17);
        s
    };
    let outbound = endpoints.then(|| endpoint("rslvr-out-"));
    let inbound = endpoints.then(|| endpoint("rslvr-in-"));
    let mut query_log_config = "rqlc-".to_string();
    rng.push_hex(&mut query_log_config, 15);
    Vpc {
        id,
        account,
        region,
        net,
        hosts,
        host_weights: cumulative(weights),
        outbound,
        inbound,
        query_log_config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_ip_in_two_accounts() {
        let w = World::new(42, 1);
        let with_shared: Vec<_> = w
            .vpcs
            .iter()
            .filter(|v| v.hosts.iter().any(|h| h.addr == SHARED_IP))
            .collect();
        assert_eq!(with_shared.len(), 2);
        assert_ne!(with_shared[0].account, with_shared[1].account);
        assert_ne!(with_shared[0].id, with_shared[1].id);
    }

    #[test]
    fn hosts_are_unique_per_vpc() {
        let w = World::new(7, 3);
        for v in &w.vpcs {
            let set: HashSet<_> = v.hosts.iter().map(|h| &h.addr).collect();
            assert_eq!(set.len(), v.hosts.len());
            assert_eq!(v.hosts.len(), 44);
        }
        assert_eq!(w.regions[0], HOME_REGION);
        assert_ne!(w.regions[1], HOME_REGION);
    }
}
