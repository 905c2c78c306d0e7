//! The `ocsf` format: each alert as an OCSF 1.1.0 Detection Finding (class 2004), one JSON
//! object per line. The field-by-field mapping is in `docs/alert-schema.md`.

use crate::model::{Alert, Entity, Window};
use crate::rule::{AlertRule, MitreRef};
use crate::severity::Severity;
use r53guard_event::time::parse_rfc3339 as epoch_millis;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;

/// Appends the alert as one line of OCSF JSON.
pub(super) fn alert(buf: &mut Vec<u8>, alert: &Alert) -> io::Result<()> {
    serde_json::to_writer(&mut *buf, &Finding::new(alert)?)?;
    buf.push(b'\n');
    Ok(())
}

#[derive(Serialize)]
struct Finding<'a> {
    class_uid: u32,
    class_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    time: i64,
    severity_id: u32,
    severity: &'static str,
    status_id: u32,
    status: &'static str,
    message: &'a str,
    count: u64,
    risk_score: u8,
    finding_info: FindingInfo<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidences: Option<[Evidence<'a>; 1]>,
    cloud: Cloud<'a>,
    metadata: Metadata,
    unmapped: Unmapped<'a>,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: &'a str,
    title: &'a str,
    desc: &'a str,
    types: [&'a str; 1],
    first_seen_time: i64,
    last_seen_time: i64,
    analytic: Analytic<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attacks: Vec<Attack<'a>>,
}

#[derive(Serialize)]
struct Analytic<'a> {
    uid: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    type_id: u32,
    version: String,
}

#[derive(Serialize)]
struct Attack<'a> {
    tactic: AttackRef<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    technique: Option<AttackRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_technique: Option<AttackRef<'a>>,
}

/// An OCSF tactic, technique or sub-technique.
#[derive(Serialize)]
struct AttackRef<'a> {
    uid: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    src_url: &'a str,
}

#[derive(Serialize)]
struct Evidence<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<Actor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<Endpoint<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_endpoint: Option<Endpoint<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<Query<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<EvidenceData<'a>>,
}

#[derive(Serialize)]
struct Actor<'a> {
    user: User<'a>,
}

#[derive(Serialize)]
struct User<'a> {
    uid: &'a str,
}

#[derive(Serialize, Default)]
struct Endpoint<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_uid: Option<&'a str>,
}

#[derive(Serialize)]
struct Query<'a> {
    hostname: &'a str,
}

#[derive(Serialize)]
struct EvidenceData<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    group: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Cloud<'a> {
    provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<Account<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
}

#[derive(Serialize)]
struct Account<'a> {
    uid: &'a str,
}

#[derive(Serialize)]
struct Metadata {
    version: &'static str,
    product: Product,
    profiles: [&'static str; 1],
}

#[derive(Serialize)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
    version: &'static str,
}

/// What OCSF has no attribute for, under `unmapped`.
#[derive(Serialize)]
struct Unmapped<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<RuleAttribution<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distinct_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<&'a Window>,
    #[serde(skip_serializing_if = "is_zero")]
    suppressed: u64,
    events_total: u64,
}

/// The rule's tags and attribution (author, licence, links), which the Detection Rule License
/// requires to travel with every alert from a Sigma rule.
#[derive(Serialize)]
struct RuleAttribution<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    author: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    references: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<&'a str>,
}

impl<'a> Finding<'a> {
    fn new(alert: &'a Alert) -> io::Result<Self> {
        let rule = &alert.rule;
        let (severity_id, severity) = severity(rule.severity);
        Ok(Finding {
            class_uid: 2004,
            class_name: "Detection Finding",
            category_uid: 2,
            category_name: "Findings",
            activity_id: 1,
            activity_name: "Create",
            type_uid: 200_401,
            type_name: "Detection Finding: Create",
            time: millis(alert, "detected_at", &alert.detected_at)?,
            severity_id,
            severity,
            status_id: 1,
            status: "New",
            message: &alert.summary,
            count: alert.count,
            risk_score: rule.risk_score,
            finding_info: FindingInfo {
                uid: &alert.id,
                title: &rule.name,
                desc: &alert.summary,
                types: [&rule.rule_type],
                first_seen_time: millis(alert, "first_seen", &alert.first_seen)?,
                last_seen_time: millis(alert, "last_seen", &alert.last_seen)?,
                analytic: Analytic {
                    uid: &rule.id,
                    name: &rule.name,
                    kind: "Rule",
                    type_id: 1,
                    version: rule.version.to_string(),
                },
                attacks: attacks(rule),
            },
            evidences: evidence(&alert.entity, &alert.group).map(|e| [e]),
            cloud: Cloud {
                provider: "AWS",
                account: alert
                    .entity
                    .account_id
                    .as_deref()
                    .map(|uid| Account { uid }),
                region: alert.entity.region.as_deref(),
            },
            metadata: Metadata {
                version: "1.1.0",
                product: Product {
                    name: "r53guard",
                    vendor_name: "r53guard",
                    version: env!("CARGO_PKG_VERSION"),
                },
                profiles: ["cloud"],
            },
            unmapped: Unmapped {
                rule: attribution(rule),
                distinct_count: alert.distinct_count,
                window: alert.window.as_ref(),
                suppressed: alert.suppressed,
                events_total: alert.events_total,
            },
        })
    }
}

/// OCSF `severity_id` and its caption.
fn severity(severity: Severity) -> (u32, &'static str) {
    match severity {
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn millis(alert: &Alert, field: &str, time: &str) -> io::Result<i64> {
    epoch_millis(time).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "alert {}: {field} {time:?} is not an RFC 3339 time",
                alert.id
            ),
        )
    })
}

/// One OCSF attack per tactic, tactic × technique, or tactic × technique × sub-technique,
/// whichever is the most specific the rule names.
fn attacks(rule: &AlertRule) -> Vec<Attack<'_>> {
    let mut attacks = Vec::new();
    for threat in &rule.threat {
        if threat.technique.is_empty() {
            attacks.push(Attack {
                tactic: attack_ref(&threat.tactic),
                technique: None,
                sub_technique: None,
            });
        }
        for technique in &threat.technique {
            let technique_ref = || AttackRef {
                uid: &technique.id,
                name: &technique.name,
                src_url: &technique.reference,
            };
            if technique.subtechnique.is_empty() {
                attacks.push(Attack {
                    tactic: attack_ref(&threat.tactic),
                    technique: Some(technique_ref()),
                    sub_technique: None,
                });
            }
            for sub in &technique.subtechnique {
                attacks.push(Attack {
                    tactic: attack_ref(&threat.tactic),
                    technique: Some(technique_ref()),
                    sub_technique: Some(attack_ref(sub)),
                });
            }
        }
    }
    attacks
}

fn attack_ref(r: &MitreRef) -> AttackRef<'_> {
    AttackRef {
        uid: &r.id,
        name: &r.name,
        src_url: &r.reference,
    }
}

/// The entity (less account and region, which go to `cloud`) and the group key, as one
/// evidence object; `None` when there is nothing to put in it.
fn evidence<'a>(entity: &'a Entity, group: &'a BTreeMap<String, String>) -> Option<Evidence<'a>> {
    let src = Endpoint {
        ip: entity.source_ip.as_deref(),
        vpc_uid: entity.vpc_id.as_deref(),
        instance_uid: entity.instance_id.as_deref(),
        ..Endpoint::default()
    };
    let has_src = src.ip.is_some() || src.vpc_uid.is_some() || src.instance_uid.is_some();
    let data = EvidenceData {
        user_agent: entity.user_agent.as_deref(),
        target_account_id: entity.target_account_id.as_deref(),
        group,
    };
    let has_data =
        data.user_agent.is_some() || data.target_account_id.is_some() || !group.is_empty();
    let evidence = Evidence {
        actor: entity
            .principal_arn
            .as_deref()
            .map(|uid| Actor { user: User { uid } }),
        src_endpoint: has_src.then_some(src),
        dst_endpoint: entity.resolver_endpoint.as_deref().map(|uid| Endpoint {
            uid: Some(uid),
            ..Endpoint::default()
        }),
        query: entity.domain.as_deref().map(|hostname| Query { hostname }),
        data: has_data.then_some(data),
    };
    let empty = evidence.actor.is_none()
        && evidence.src_endpoint.is_none()
        && evidence.dst_endpoint.is_none()
        && evidence.query.is_none()
        && evidence.data.is_none();
    (!empty).then_some(evidence)
}

/// The rule's tags and attribution; `None` when it has none.
fn attribution(rule: &AlertRule) -> Option<RuleAttribution<'_>> {
    let any = !rule.tags.is_empty()
        || !rule.author.is_empty()
        || !rule.references.is_empty()
        || rule.license.is_some()
        || rule.source_url.is_some();
    any.then(|| RuleAttribution {
        tags: &rule.tags,
        author: &rule.author,
        references: &rule.references,
        license: rule.license.as_deref(),
        source_url: rule.source_url.as_deref(),
    })
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
