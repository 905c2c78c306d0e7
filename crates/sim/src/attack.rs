//! The attack scenarios that can be planted, one per detection id, and the
//! `--attacks all|none|id1,id2` selection syntax.

use std::fmt;
use std::str::FromStr;

/// The log a scenario's records are written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogKind {
    /// CloudTrail management events.
    CloudTrail,
    /// Route 53 Resolver query logs.
    Resolver,
}

impl LogKind {
    /// `cloudtrail` or `resolver`, as written in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::CloudTrail => "cloudtrail",
            LogKind::Resolver => "resolver",
        }
    }
}

/// One plantable scenario; each matches one detection id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attack {
    DomainTransferred,
    TransferLockDisabled,
    PrivateZoneAssociated,
    QueryLoggingDisabled,
    DomainHijackSequence,
    DomainContactChanged,
    HighNxdomainRate,
    DgaActivity,
    DnsOverTcp,
    ExcessiveRefused,
    MetadataAnswer,
    UncommonRecordTypes,
    SuspiciousTld,
    PasteSite,
    MoneroPool,
    Base64Label,
    KubernetesEnumeration,
    Tunneling,
    FirewallMatch,
}

impl Attack {
    /// Every scenario, in the order they are placed in time.
    pub const ALL: [Attack; 19] = [
        Attack::DomainTransferred,
        Attack::TransferLockDisabled,
        Attack::PrivateZoneAssociated,
        Attack::QueryLoggingDisabled,
        Attack::DomainHijackSequence,
        Attack::DomainContactChanged,
        Attack::HighNxdomainRate,
        Attack::DgaActivity,
        Attack::DnsOverTcp,
        Attack::ExcessiveRefused,
        Attack::MetadataAnswer,
        Attack::UncommonRecordTypes,
        Attack::SuspiciousTld,
        Attack::PasteSite,
        Attack::MoneroPool,
        Attack::Base64Label,
        Attack::KubernetesEnumeration,
        Attack::Tunneling,
        Attack::FirewallMatch,
    ];

    /// The detection id this scenario should trigger.
    pub fn id(&self) -> &'static str {
        match self {
            Attack::DomainTransferred => "route53-domain-transferred-to-another-account",
            Attack::TransferLockDisabled => "route53-domain-transfer-lock-disabled",
            Attack::PrivateZoneAssociated => "route53-private-hosted-zone-associated-with-vpc",
            Attack::QueryLoggingDisabled => "route53-resolver-query-logging-disabled",
            Attack::DomainHijackSequence => "route53-domain-hijack-sequence",
            Attack::DomainContactChanged => "route53-domain-contact-or-nameservers-changed",
            Attack::HighNxdomainRate => "dns-high-nxdomain-rate",
            Attack::DgaActivity => "dns-dga-activity",
            Attack::DnsOverTcp => "dns-over-tcp",
            Attack::ExcessiveRefused => "dns-excessive-refused",
            Attack::MetadataAnswer => "dns-aws-metadata-answer",
            Attack::UncommonRecordTypes => "dns-uncommon-record-types",
            Attack::SuspiciousTld => "dns-suspicious-tld",
            Attack::PasteSite => "dns-paste-site-query",
            Attack::MoneroPool => "dns-monero-mining-pool",
            Attack::Base64Label => "dns-base64-encoded-label",
            Attack::KubernetesEnumeration => "dns-kubernetes-enumeration",
            Attack::Tunneling => "dns-tunneling",
            Attack::FirewallMatch => "dns-firewall-match",
        }
    }

    /// The log the scenario's records land in.
    pub fn kind(&self) -> LogKind {
        match self {
            Attack::DomainTransferred
            | Attack::TransferLockDisabled
            | Attack::PrivateZoneAssociated
            | Attack::QueryLoggingDisabled
            | Attack::DomainHijackSequence
            | Attack::DomainContactChanged => LogKind::CloudTrail,
            _ => LogKind::Resolver,
        }
    }
}

impl fmt::Display for Attack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An id that names no scenario, or an empty list item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseAttackError {
    id: String,
}

impl ParseAttackError {
    /// The rejected id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for ParseAttackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.id.is_empty() {
            f.write_str("empty attack id in list")?;
        } else {
            write!(f, "unknown attack id `{}`", self.id)?;
        }
        f.write_str("; expected `all`, `none` or a comma-separated list of: ")?;
        for (i, a) in Attack::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(a.id())?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseAttackError {}

impl FromStr for Attack {
    type Err = ParseAttackError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Attack::ALL
            .into_iter()
            .find(|a| a.id() == s)
            .ok_or_else(|| ParseAttackError { id: s.to_string() })
    }
}

/// Which scenarios to plant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AttackSet {
    /// Every scenario in [`Attack::ALL`].
    #[default]
    All,
    /// Background only.
    None,
    /// The listed scenarios.
    List(Vec<Attack>),
}

impl AttackSet {
    /// The selected scenarios, deduplicated, in [`Attack::ALL`] order.
    pub fn attacks(&self) -> Vec<Attack> {
        match self {
            AttackSet::All => Attack::ALL.to_vec(),
            AttackSet::None => Vec::new(),
            AttackSet::List(list) => Attack::ALL
                .into_iter()
                .filter(|a| list.contains(a))
                .collect(),
        }
    }
}

impl FromStr for AttackSet {
    type Err = ParseAttackError;

    /// Parses `all`, `none`, or a comma-separated list of detection ids.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "all" => Ok(AttackSet::All),
            "none" => Ok(AttackSet::None),
            list => list
                .split(',')
                .map(str::parse)
                .collect::<Result<Vec<Attack>, _>>()
                .map(AttackSet::List),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_parse_back() {
        for a in Attack::ALL {
            assert_eq!(a.id().parse::<Attack>(), Ok(a));
        }
        let mut ids: Vec<_> = Attack::ALL.iter().map(Attack::id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Attack::ALL.len());
    }

    #[test]
    fn lists_are_ordered_and_deduplicated() {
        let set: AttackSet = "dns-over-tcp, route53-domain-transfer-lock-disabled,dns-over-tcp"
            .parse()
            .unwrap();
        assert_eq!(
            set.attacks(),
            vec![Attack::TransferLockDisabled, Attack::DnsOverTcp]
        );
        assert!(AttackSet::None.attacks().is_empty());
        assert_eq!(AttackSet::All.attacks().len(), 19);
    }

    #[test]
    fn unknown_ids_are_named() {
        let err = "dns-over-tcp,dns-over-udp"
            .parse::<AttackSet>()
            .unwrap_err();
        assert_eq!(err.id(), "dns-over-udp");
        assert!(err.to_string().contains("`dns-over-udp`"));
        assert!("dns-over-tcp,".parse::<AttackSet>().is_err());
    }
}
