//! The internal allow-list of detections.md §0, and the AWS zones the content heuristics skip.
//!
//! Names under these suffixes are produced by the platform itself (instance host names,
//! Kubernetes search-path expansion, reverse lookups, cloud-init probes) and are noise for the
//! rate and content rules. Matching is at label boundaries ([`crate::DomainSet`]).

use std::sync::LazyLock;

use crate::DomainSet;

/// Suffixes (and whole single-label names) that rate rules ignore by default: detections.md §0.
/// `compute.internal` covers every `<region>.compute.internal`.
pub const INTERNAL_SUFFIXES: &[&str] = &[
    "ec2.internal",
    "compute.internal",
    "cluster.local",
    "svc",
    "in-addr.arpa",
    "ip6.arpa",
    "invalid",
    "localhost",
    "__cloud_init_expected_not_found__",
    "instance-data",
];

/// AWS zones whose generated host names look encoded or random by design (S3, ELB, API
/// Gateway, VPC endpoints…). The content heuristics ([`crate::base64_label()`],
/// [`crate::tunnel_label`]) skip them, as detections.md §0 and D9 advise.
pub const AWS_SUFFIXES: &[&str] = &["amazonaws.com", "amazonaws.com.cn"];

static INTERNAL: LazyLock<DomainSet> = LazyLock::new(|| DomainSet::new(INTERNAL_SUFFIXES));
static CONTENT_SKIP: LazyLock<DomainSet> =
    LazyLock::new(|| DomainSet::new(INTERNAL_SUFFIXES.iter().chain(AWS_SUFFIXES)));

/// Whether `name` is, or is under, one of [`INTERNAL_SUFFIXES`] (any case, one trailing dot
/// allowed).
pub fn is_internal(name: &str) -> bool {
    INTERNAL.contains(name)
}

/// Whether the content heuristics skip `name`: [`INTERNAL_SUFFIXES`] plus [`AWS_SUFFIXES`].
pub(crate) fn skipped_by_content_rules(name: &str) -> bool {
    CONTENT_SKIP.contains(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_names() {
        assert!(is_internal("ip-10-0-0-5.ec2.internal"));
        assert!(is_internal("ip-10-0-1-2.us-west-2.compute.internal."));
        assert!(is_internal("kube-dns.kube-system.svc.cluster.local"));
        assert!(is_internal("4.3.2.10.in-addr.arpa"));
        assert!(is_internal("localhost"));
        assert!(!is_internal("internal.example.com"));
        assert!(!is_internal("bucket.s3.amazonaws.com"));
        assert!(skipped_by_content_rules("bucket.s3.amazonaws.com"));
    }
}
