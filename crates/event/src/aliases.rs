//! The alias table: ECS field names (as Elastic's AWS integration writes them) and the OCSF
//! field map, as data. A rule may name a field by its raw AWS path (`eventSource`,
//! `query_name`), by an ECS alias below (`event.provider`, `dns.question.name`), or, on OCSF
//! records, by its OCSF path (`api.operation`). `r53guard fields` prints this table.

use crate::kind::Kind;

/// A value transformation applied after a field is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// The value as logged.
    None,
    /// Strip one trailing dot (`example.com.` → `example.com`).
    StripDot,
    /// Lower-case text.
    Lower,
    /// Keep the value only when it parses as an IPv4 or IPv6 address.
    IpOnly,
    /// Keep the value only when it does not parse as an IP address.
    NotIp,
    /// `success` or `failure`, from `errorCode`, `errorMessage` and the console-login result.
    Outcome,
    /// Epoch milliseconds to RFC 3339 text.
    EpochMillis,
    /// OCSF rcode names (`NXDomain`) to the Resolver's mnemonics (`NXDOMAIN`).
    OcsfRcode,
    /// OCSF dispositions (`Alert`, `Blocked`) to the Resolver's firewall actions (`ALERT`, `BLOCK`).
    OcsfDisposition,
    /// Booleans and numbers as text (`true` → `"true"`).
    Text,
    /// A constant.
    Const(&'static str),
    /// A DNS name lower-cased, without its trailing dot.
    DnsName,
    /// The registrable domain (eTLD+1, Public Suffix List) of a DNS name.
    RegisteredDomain,
    /// The public suffix of a DNS name (ECS `top_level_domain`: `co.uk`).
    PublicSuffix,
    /// The last label of a DNS name.
    LastLabel,
    /// What precedes the registrable domain.
    Subdomain,
    /// The first label that is a base64 or base64url payload (present only then; case kept).
    Base64Label,
    /// The DGA score (0–1) of the registrable label, as text.
    DgaScore,
    /// The subdomain, when it is long or high-entropy (present only then).
    TunnelLabel,
}

impl Transform {
    /// Whether the transform is a DNS-name analytic (costly, so each record computes it once).
    pub(crate) fn is_dns(self) -> bool {
        matches!(
            self,
            Transform::DnsName
                | Transform::RegisteredDomain
                | Transform::PublicSuffix
                | Transform::LastLabel
                | Transform::Subdomain
                | Transform::Base64Label
                | Transform::DgaScore
                | Transform::TunnelLabel
        )
    }
}

/// One ECS alias: `name` on records of `kind` reads the first present of `sources` (raw
/// logical paths), then applies `transform`.
#[derive(Debug, Clone, Copy)]
pub struct Alias {
    /// The ECS field name.
    pub name: &'static str,
    /// The record kind it applies to.
    pub kind: Kind,
    /// Raw paths, first present wins (for `Outcome`: error code, error message, console result).
    pub sources: &'static [&'static str],
    /// The transformation.
    pub transform: Transform,
}

const fn ct(name: &'static str, sources: &'static [&'static str], transform: Transform) -> Alias {
    Alias {
        name,
        kind: Kind::CloudTrail,
        sources,
        transform,
    }
}

const fn dns(name: &'static str, sources: &'static [&'static str], transform: Transform) -> Alias {
    Alias {
        name,
        kind: Kind::Resolver,
        sources,
        transform,
    }
}

use Transform as T;

/// Every ECS alias r53guard knows.
pub const ALIASES: &[Alias] = &[
    ct("@timestamp", &["eventTime"], T::None),
    ct("event.dataset", &[], T::Const("aws.cloudtrail")),
    ct("data_stream.dataset", &[], T::Const("aws.cloudtrail")),
    ct("event.module", &[], T::Const("aws")),
    ct("cloud.provider", &[], T::Const("aws")),
    ct("event.action", &["eventName"], T::None),
    ct("event.provider", &["eventSource"], T::None),
    ct("event.id", &["eventID"], T::None),
    ct("event.type_name", &["eventType"], T::None),
    ct(
        "event.outcome",
        &["errorCode", "errorMessage", "responseElements.ConsoleLogin"],
        T::Outcome,
    ),
    ct("cloud.account.id", &["recipientAccountId"], T::None),
    ct("cloud.region", &["awsRegion"], T::None),
    ct("source.ip", &["sourceIPAddress"], T::IpOnly),
    ct("source.address", &["sourceIPAddress"], T::None),
    ct("source.domain", &["sourceIPAddress"], T::NotIp),
    ct(
        "user.name",
        &[
            "userIdentity.userName",
            "userIdentity.sessionContext.sessionIssuer.userName",
        ],
        T::None,
    ),
    ct("user.id", &["userIdentity.principalId"], T::None),
    ct("user_agent.original", &["userAgent"], T::None),
    ct(
        "aws.cloudtrail.user_identity.arn",
        &["userIdentity.arn"],
        T::None,
    ),
    ct(
        "aws.cloudtrail.user_identity.type",
        &["userIdentity.type"],
        T::None,
    ),
    ct(
        "aws.cloudtrail.user_identity.access_key_id",
        &["userIdentity.accessKeyId"],
        T::None,
    ),
    ct(
        "aws.cloudtrail.user_identity.session_context.session_issuer.arn",
        &["userIdentity.sessionContext.sessionIssuer.arn"],
        T::None,
    ),
    ct(
        "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
        &["userIdentity.sessionContext.attributes.mfaAuthenticated"],
        T::Text,
    ),
    ct("aws.cloudtrail.error_code", &["errorCode"], T::None),
    ct("aws.cloudtrail.error_message", &["errorMessage"], T::None),
    ct("aws.cloudtrail.event_type", &["eventType"], T::None),
    ct("aws.cloudtrail.event_category", &["eventCategory"], T::None),
    ct("aws.cloudtrail.event_version", &["eventVersion"], T::None),
    ct(
        "aws.cloudtrail.recipient_account_id",
        &["recipientAccountId"],
        T::None,
    ),
    ct("aws.cloudtrail.request_id", &["requestID"], T::None),
    ct(
        "aws.cloudtrail.request_parameters",
        &["requestParameters"],
        T::None,
    ),
    ct(
        "aws.cloudtrail.response_elements",
        &["responseElements"],
        T::None,
    ),
    ct(
        "tls.client.server_name",
        &["tlsDetails.clientProvidedHostHeader"],
        T::None,
    ),
    // Route 53 Domains logs `domainName` as a string, or (in AWS's own sample) as an object
    // `{"name": …}`: this reads either, so rules can join on it and print it.
    ct(
        "r53guard.domain_name",
        &[
            "requestParameters.domainName.name",
            "requestParameters.domainName",
        ],
        T::None,
    ),
    dns("@timestamp", &["query_timestamp"], T::None),
    dns("event.dataset", &[], T::Const("aws.route53_resolver_logs")),
    dns(
        "data_stream.dataset",
        &[],
        T::Const("aws.route53_resolver_logs"),
    ),
    dns("event.module", &[], T::Const("aws")),
    dns("cloud.provider", &[], T::Const("aws")),
    dns("network.protocol", &[], T::Const("dns")),
    dns("cloud.account.id", &["account_id"], T::None),
    dns("cloud.region", &["region"], T::None),
    dns("cloud.instance.id", &["srcids.instance"], T::None),
    dns("network.vpc.id", &["vpc_id"], T::None),
    dns("source.ip", &["srcaddr"], T::IpOnly),
    dns("source.address", &["srcaddr"], T::None),
    dns("source.port", &["srcport"], T::None),
    dns("network.transport", &["transport"], T::Lower),
    dns("dns.question.name", &["query_name"], T::StripDot),
    dns("r53guard.dns.name", &["query_name"], T::DnsName),
    dns(
        "dns.question.registered_domain",
        &["query_name"],
        T::RegisteredDomain,
    ),
    dns(
        "dns.question.top_level_domain",
        &["query_name"],
        T::PublicSuffix,
    ),
    dns("r53guard.dns.tld", &["query_name"], T::LastLabel),
    dns("dns.question.subdomain", &["query_name"], T::Subdomain),
    dns("r53guard.dns.base64_label", &["query_name"], T::Base64Label),
    dns("r53guard.dns.dga_score", &["query_name"], T::DgaScore),
    dns("r53guard.dns.tunnel_label", &["query_name"], T::TunnelLabel),
    dns("dns.question.type", &["query_type"], T::None),
    dns("dns.question.class", &["query_class"], T::None),
    dns("dns.response_code", &["rcode"], T::None),
    dns("dns.answers.data", &["answers.Rdata"], T::None),
    dns("dns.answers.type", &["answers.Type"], T::None),
    dns("dns.answers.class", &["answers.Class"], T::None),
    dns(
        "aws.route53.srcids.resolver_endpoint",
        &["srcids.resolver_endpoint"],
        T::None,
    ),
    dns(
        "aws.route53.firewall.rule_action",
        &["firewall_rule_action"],
        T::None,
    ),
    dns(
        "aws.route53.firewall.rule_group_id",
        &["firewall_rule_group_id"],
        T::None,
    ),
    dns(
        "aws.route53.firewall.domain_list_id",
        &["firewall_domain_list_id"],
        T::None,
    ),
];

/// Raw paths whose value may also be found under another spelling in native records.
/// (`srcids.resolver-endpoint` is how an older schema spelled `srcids.resolver_endpoint`.)
pub const NATIVE_SPELLINGS: &[(&str, &str)] =
    &[("srcids.resolver_endpoint", "srcids.resolver-endpoint")];

/// One OCSF mapping: the raw path `raw` of a `kind` record is found at the first present of
/// `ocsf` in an OCSF record, then `transform` applies. A raw path under a mapped prefix maps
/// under the OCSF prefix (`requestParameters.domainName` → `api.request.data.domainName`).
#[derive(Debug, Clone, Copy)]
pub struct OcsfField {
    /// The record kind (CloudTrail for API Activity 6003, Resolver for DNS Activity 4003).
    pub kind: Kind,
    /// The raw AWS path.
    pub raw: &'static str,
    /// OCSF paths, first present wins.
    pub ocsf: &'static [&'static str],
    /// The transformation back to the native form.
    pub transform: Transform,
}

const fn api(raw: &'static str, ocsf: &'static [&'static str], transform: Transform) -> OcsfField {
    OcsfField {
        kind: Kind::CloudTrail,
        raw,
        ocsf,
        transform,
    }
}

const fn dnsa(raw: &'static str, ocsf: &'static [&'static str], transform: Transform) -> OcsfField {
    OcsfField {
        kind: Kind::Resolver,
        raw,
        ocsf,
        transform,
    }
}

/// The OCSF 1.1 mapping Amazon Security Lake uses for CloudTrail (API Activity) and Resolver
/// query logs (DNS Activity).
pub const OCSF_FIELDS: &[OcsfField] = &[
    api("eventTime", &["time_dt", "time"], T::None),
    api("eventName", &["api.operation"], T::None),
    api("eventSource", &["api.service.name"], T::None),
    api("apiVersion", &["api.version"], T::None),
    api("requestID", &["api.request.uid"], T::None),
    api("requestParameters", &["api.request.data"], T::None),
    api("responseElements", &["api.response.data"], T::None),
    api("errorCode", &["api.response.error"], T::None),
    api("errorMessage", &["api.response.message"], T::None),
    api("userIdentity.arn", &["actor.user.uid"], T::None),
    api("userIdentity.principalId", &["actor.user.uid_alt"], T::None),
    api("userIdentity.userName", &["actor.user.name"], T::None),
    api("userIdentity.type", &["actor.user.type"], T::None),
    api(
        "userIdentity.accountId",
        &["actor.user.account.uid"],
        T::None,
    ),
    api(
        "userIdentity.accessKeyId",
        &["actor.user.credential_uid"],
        T::None,
    ),
    api(
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        &["actor.session.is_mfa"],
        T::Text,
    ),
    api(
        "userIdentity.sessionContext.attributes.creationDate",
        &["actor.session.created_time_dt"],
        T::None,
    ),
    api(
        "userIdentity.sessionContext.sessionIssuer.arn",
        &["actor.session.issuer"],
        T::None,
    ),
    api("userIdentity.invokedBy", &["actor.invoked_by"], T::None),
    api(
        "sourceIPAddress",
        &["src_endpoint.ip", "src_endpoint.domain"],
        T::None,
    ),
    api("vpcEndpointId", &["src_endpoint.uid"], T::None),
    api("userAgent", &["http_request.user_agent"], T::None),
    api("awsRegion", &["cloud.region"], T::None),
    api("eventID", &["metadata.uid"], T::None),
    api("eventType", &["metadata.event_code"], T::None),
    api("eventVersion", &["metadata.product.version"], T::None),
    api("eventCategory", &["metadata.product.feature.name"], T::None),
    api("resources.ARN", &["resources.uid"], T::None),
    api("resources.type", &["resources.type"], T::None),
    api(
        "resources.accountId",
        &["resources.owner.account.uid"],
        T::None,
    ),
    api(
        "recipientAccountId",
        &["unmapped.recipientAccountId", "cloud.account.uid"],
        T::None,
    ),
    dnsa("query_timestamp", &["time_dt", "time"], T::None),
    dnsa("version", &["metadata.product.version"], T::None),
    dnsa("account_id", &["cloud.account.uid"], T::None),
    dnsa("region", &["cloud.region"], T::None),
    dnsa("vpc_id", &["src_endpoint.vpc_uid"], T::None),
    dnsa("query_name", &["query.hostname"], T::None),
    dnsa("query_type", &["query.type"], T::None),
    dnsa("query_class", &["query.class"], T::None),
    dnsa("rcode", &["rcode"], T::OcsfRcode),
    dnsa("answers.Rdata", &["answers.rdata"], T::None),
    dnsa("answers.Type", &["answers.type"], T::None),
    dnsa("answers.Class", &["answers.class"], T::None),
    dnsa("srcaddr", &["src_endpoint.ip"], T::None),
    dnsa("srcport", &["src_endpoint.port"], T::Text),
    dnsa("transport", &["connection_info.protocol_name"], T::None),
    dnsa("srcids.instance", &["src_endpoint.instance_uid"], T::None),
    dnsa(
        "srcids.resolver_endpoint",
        &["dst_endpoint.instance_uid"],
        T::None,
    ),
    dnsa(
        "srcids.resolver_network_interface",
        &["dst_endpoint.interface_uid"],
        T::None,
    ),
    dnsa("firewall_rule_group_id", &["firewall_rule.uid"], T::None),
    dnsa("firewall_rule_action", &["disposition"], T::OcsfDisposition),
    dnsa(
        "firewall_domain_list_id",
        &["unmapped.firewall_domain_list_id"],
        T::None,
    ),
];

/// The ECS alias for `name` on `kind` records, if there is one.
pub fn alias(name: &str, kind: Kind) -> Option<&'static Alias> {
    ALIASES.iter().find(|a| a.kind == kind && a.name == name)
}

/// The OCSF location of a raw path: the mapping entry and the remaining path under it.
pub fn ocsf_field(raw: &str, kind: Kind) -> Option<(&'static OcsfField, &str)> {
    OCSF_FIELDS
        .iter()
        .filter(|f| f.kind == kind)
        .filter_map(|f| {
            let rest = raw.strip_prefix(f.raw)?;
            match rest.strip_prefix('.') {
                Some(r) => Some((f, r)),
                None if rest.is_empty() => Some((f, rest)),
                None => None,
            }
        })
        .max_by_key(|(f, _)| f.raw.len())
}
