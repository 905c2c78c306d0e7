//! Route 53 Resolver query-log records: the reusable in-memory [`Query`] and
//! its writer, in the shape AWS delivers (log-formats.md §2).
//!
//! `version` is `"1.100000"`, `srcport` is a string, `query_name` keeps its
//! trailing dot, `answers` is an array of `{Rdata,Type,Class}` (CNAME chains
//! appear as several entries), `srcids` is one of the four observed variants,
//! and the `firewall_*` fields appear only on DNS Firewall matches. A few records
//! use a different key order, as real logs do.

use crate::json::Obj;
use crate::world::{Host, HostKind, Vpc};

/// Answer entries, reusing their string buffers between records.
#[derive(Default)]
pub struct Answers {
    items: Vec<(String, &'static str)>,
    len: usize,
}

impl Answers {
    /// Removes every entry, keeping the buffers.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Adds an entry of type `rtype` and returns its (empty) `Rdata` to fill in.
    pub fn push(&mut self, rtype: &'static str) -> &mut String {
        if self.len == self.items.len() {
            self.items.push((String::new(), rtype));
        }
        let item = &mut self.items[self.len];
        self.len += 1;
        item.0.clear();
        item.1 = rtype;
        &mut item.0
    }

    /// The entries as `(Rdata, Type)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.items[..self.len].iter().map(|(r, t)| (r.as_str(), *t))
    }
}

/// A DNS Firewall rule match.
pub struct Firewall {
    /// `ALERT` or `BLOCK`.
    pub action: &'static str,
    pub rule_group_id: String,
    pub domain_list_id: String,
}

/// One query, filled in by the background or a scenario and then written.
pub struct Query {
    pub ts: i64,
    pub name: String,
    pub qtype: &'static str,
    pub rcode: &'static str,
    pub answers: Answers,
    pub srcport: u16,
    pub transport: &'static str,
    /// Forwarded through the VPC's outbound endpoint (adds `resolver_endpoint`).
    pub via_outbound: bool,
    pub firewall: Option<Firewall>,
    /// Write the keys in the alternative order.
    pub alt_order: bool,
}

impl Query {
    /// An empty query.
    pub fn new() -> Query {
        Query {
            ts: 0,
            name: String::with_capacity(96),
            qtype: "A",
            rcode: "NOERROR",
            answers: Answers::default(),
            srcport: 0,
            transport: "UDP",
            via_outbound: false,
            firewall: None,
            alt_order: false,
        }
    }

    /// Clears everything but the buffers, for the next record at `ts`.
    pub fn reset(&mut self, ts: i64, srcport: u16) {
        self.ts = ts;
        self.name.clear();
        self.qtype = "A";
        self.rcode = "NOERROR";
        self.answers.clear();
        self.srcport = srcport;
        self.transport = "UDP";
        self.via_outbound = false;
        self.firewall = None;
        self.alt_order = false;
    }
}

/// Where a query came from.
pub struct Source<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub vpc: &'a Vpc,
    pub host: &'a Host,
}

/// Appends one query-log JSON object (no newline) to `out`.
pub fn write(out: &mut Vec<u8>, src: &Source<'_>, q: &Query) {
    let mut o = Obj::new(out);
    o.str("version", "1.100000")
        .str("account_id", src.account_id);
    if q.alt_order {
        o.str("vpc_id", &src.vpc.id).str("region", src.region);
    } else {
        o.str("region", src.region).str("vpc_id", &src.vpc.id);
    }
    o.time("query_timestamp", q.ts)
        .str("query_name", &q.name)
        .str("query_type", q.qtype)
        .str("query_class", "IN")
        .str("rcode", q.rcode);
    {
        let mut answers = o.arr("answers");
        for (rdata, rtype) in q.answers.iter() {
            answers
                .obj()
                .str("Rdata", rdata)
                .str("Type", rtype)
                .str("Class", "IN");
        }
    }
    o.str("srcaddr", &src.host.addr);
    srcport(&mut o, q.srcport);
    if q.alt_order {
        srcids(&mut o, src, q);
        o.str("transport", q.transport);
    } else {
        o.str("transport", q.transport);
        srcids(&mut o, src, q);
    }
    if let Some(fw) = &q.firewall {
        o.str("firewall_rule_action", fw.action)
            .str("firewall_rule_group_id", &fw.rule_group_id)
            .str("firewall_domain_list_id", &fw.domain_list_id);
    }
}

fn srcport(o: &mut Obj<'_>, port: u16) {
    // A quoted decimal, written without allocating.
    let mut buf = [0u8; 7];
    let mut i = buf.len() - 1;
    buf[i] = b'"';
    let mut n = port;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    i -= 1;
    buf[i] = b'"';
    o.raw("srcport", &buf[i..]);
}

fn srcids(o: &mut Obj<'_>, src: &Source<'_>, q: &Query) {
    let mut ids = o.obj("srcids");
    match src.host.kind {
        HostKind::OnPrem => {
            if let Some(inbound) = &src.vpc.inbound {
                ids.str("resolver_endpoint", inbound);
            }
            if let Some(rni) = &src.host.rni {
                ids.str("resolver_network_interface", rni);
            }
        }
        HostKind::Ec2 | HostKind::EksNode | HostKind::Serverless => {
            if let Some(instance) = &src.host.instance {
                ids.str("instance", instance);
            }
            if q.via_outbound
                && let Some(outbound) = &src.vpc.outbound
            {
                ids.str("resolver_endpoint", outbound);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    #[test]
    fn writes_observed_shape() {
        let world = World::new(1, 1);
        let vpc = &world.vpcs[0];
        let host = vpc.hosts.iter().find(|h| h.instance.is_some()).unwrap();
        let src = Source {
            account_id: &world.accounts[0].id,
            region: "us-east-1",
            vpc,
            host,
        };
        let mut q = Query::new();
        q.reset(crate::clock::DEFAULT_START, 52_785);
        q.name.push_str("www.example.com.");
        q.answers.push("CNAME").push_str("edge.example.net.");
        q.answers.push("A").push_str("192.0.2.10");
        q.via_outbound = true;
        let mut out = Vec::new();
        write(&mut out, &src, &q);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["version"], "1.100000");
        assert_eq!(v["srcport"], "52785");
        assert_eq!(v["query_timestamp"], "2026-11-01T00:00:00Z");
        assert_eq!(v["answers"][0]["Type"], "CNAME");
        assert_eq!(v["answers"][1]["Rdata"], "192.0.2.10");
        assert_eq!(v["srcids"]["instance"], host.instance.as_deref().unwrap());
        assert_eq!(
            v["srcids"]["resolver_endpoint"],
            vpc.outbound.as_deref().unwrap()
        );
        assert!(v.get("firewall_rule_action").is_none());
    }
}
