//! What a record is: its kind (CloudTrail or Resolver query log) and how it was encoded.

use std::fmt;

/// The kind of telemetry a record carries, whatever its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An AWS CloudTrail event.
    CloudTrail,
    /// A Route 53 Resolver (VPC) DNS query-log entry.
    Resolver,
}

impl Kind {
    /// Both kinds, in a fixed order.
    pub const ALL: [Kind; 2] = [Kind::CloudTrail, Kind::Resolver];

    /// The ECS `event.dataset` value Elastic uses for this kind.
    pub fn dataset(self) -> &'static str {
        match self {
            Kind::CloudTrail => "aws.cloudtrail",
            Kind::Resolver => "aws.route53_resolver_logs",
        }
    }

    /// A short lower-case name (`cloudtrail`, `resolver`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::CloudTrail => "cloudtrail",
            Kind::Resolver => "resolver",
        }
    }

    /// Stable index (0 or 1).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a record was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// As AWS writes it (CloudTrail JSON, Resolver query-log JSON).
    Native,
    /// Normalised to OCSF (DNS Activity 4003, API Activity 6003), as Amazon Security Lake writes it.
    Ocsf,
}

impl Encoding {
    /// Stable index (0 or 1).
    pub fn index(self) -> usize {
        self as usize
    }
}
