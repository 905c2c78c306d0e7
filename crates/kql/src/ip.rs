//! IP addresses and CIDR networks, for `source.ip:10.0.0.0/8` and IP
//! ranges.
//!
//! IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) are treated as the IPv4
//! address they map, as Elasticsearch's `ip` type does.

use std::net::IpAddr;

/// Parses an IPv4 or IPv6 address (no zone id), canonicalising IPv4-mapped
/// IPv6 addresses to IPv4.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    if !could_be_ip(text) {
        return None;
    }
    text.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// The longest textual address the parser accepts (an IPv6 address with an embedded IPv4 one).
const MAX_IP_TEXT: usize = 45;

/// Whether `text` has the length and characters of an address: hex digits, `.` and `:` only.
/// A quick test that spares the parser most values that are not addresses (host names).
fn could_be_ip(text: &str) -> bool {
    text.len() <= MAX_IP_TEXT
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
}

/// A key ordering all addresses: IPv4 sorts as its IPv4-mapped IPv6 form.
pub fn ordering_key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// An IP network: an address and a prefix length (a single address when
/// written without `/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr/len` or a bare address (`len` = 32 or 128). Host bits
    /// are allowed and ignored (`10.1.2.3/8` is `10.0.0.0/8`). An
    /// IPv4-mapped IPv6 network with a prefix of at least 96 becomes the
    /// IPv4 network.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, len)) => {
                if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (address, Some(len.parse::<u8>().ok()?))
            }
            None => (text, None),
        };
        let raw: IpAddr = address.parse().ok()?;
        let max = if raw.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        let (network, prefix) = match (raw, raw.to_canonical()) {
            (IpAddr::V6(_), v4 @ IpAddr::V4(_)) if prefix >= 96 => (v4, prefix - 96),
            _ => (raw, prefix),
        };
        Some(Cidr { network, prefix })
    }

    /// The network's address.
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` (canonicalised) is inside the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => same_prefix(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(ip)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(net), u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    a & mask == b & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn std_parse(text: &str) -> Option<IpAddr> {
        text.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
    }

    proptest! {
        /// The quick character test never turns away an address the parser accepts.
        #[test]
        fn quick_test_keeps_every_address(text in "[0-9a-fA-F.:]{0,50}|[0-9.]{0,20}|.{0,50}") {
            prop_assert_eq!(parse_ip(&text), std_parse(&text));
        }

        #[test]
        fn written_addresses_parse(v6 in any::<u128>(), v4 in any::<u32>(), n in 0usize..3) {
            let v6 = std::net::Ipv6Addr::from(v6);
            let v4 = std::net::Ipv4Addr::from(v4);
            let texts = [
                v6.to_string(),
                v4.to_string(),
                format!("{}:{v4}", v6.segments()[..6].iter().map(|s| format!("{s:04x}")).collect::<Vec<_>>().join(":")),
            ];
            prop_assert_eq!(parse_ip(&texts[n]), std_parse(&texts[n]));
            prop_assert!(parse_ip(&texts[n]).is_some());
        }
    }

    fn ip(text: &str) -> IpAddr {
        parse_ip(text).expect("an address")
    }

    #[test]
    fn containment() {
        let cases = [
            ("10.0.0.0/8", "10.255.1.2", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("10.1.2.3/8", "10.9.9.9", true),
            ("0.0.0.0/0", "203.0.113.7", true),
            ("0.0.0.0/0", "2001:db8::1", false),
            ("192.168.1.5", "192.168.1.5", true),
            ("192.168.1.5", "192.168.1.6", false),
            ("192.168.1.5/32", "::ffff:192.168.1.5", true),
            ("2001:db8::/32", "2001:db8:ffff::1", true),
            ("2001:db8::/32", "2001:db9::1", false),
            ("::/0", "::1", true),
            ("::ffff:10.0.0.0/104", "10.2.3.4", true),
            ("fe80::/10", "febf::1", true),
            ("fe80::/10", "fec0::1", false),
        ];
        for (net, addr, want) in cases {
            let cidr = Cidr::parse(net).expect("a network");
            assert_eq!(cidr.contains(ip(addr)), want, "{net} contains {addr}");
        }
    }

    #[test]
    fn bad_networks() {
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0/8",
            "x",
            "10.0.0.0/8/8",
            "2001:db8::/0032",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ordering() {
        assert!(ordering_key(ip("10.0.0.2")) > ordering_key(ip("10.0.0.1")));
        assert!(ordering_key(ip("2001:db8::1")) > ordering_key(ip("255.255.255.255")));
        assert_eq!(
            ordering_key(ip("::ffff:1.2.3.4")),
            ordering_key(ip("1.2.3.4"))
        );
    }
}
