//! Who and what an alert is about: the account, region, principal, source, VPC, instance and
//! domain of the event that triggered it, read from fixed fields per record kind.

use r53guard_alert::Entity;
use r53guard_event::{Event, FieldId, FieldValue, Kind, Schema};

/// The entity fields, registered in a schema.
#[derive(Debug, Clone)]
pub struct EntityFields {
    ct_account: [FieldId; 2],
    ct_region: FieldId,
    ct_principal: [FieldId; 2],
    ct_source: FieldId,
    ct_agent: FieldId,
    ct_domain: [FieldId; 2],
    ct_target_account: FieldId,
    ct_vpc: [FieldId; 3],
    dns_account: FieldId,
    dns_region: FieldId,
    dns_vpc: FieldId,
    dns_source: FieldId,
    dns_instance: FieldId,
    dns_endpoint: FieldId,
    dns_domain: FieldId,
}

impl EntityFields {
    /// Registers the entity fields in `schema`.
    pub fn new(schema: &mut Schema) -> Self {
        EntityFields {
            ct_account: [
                schema.add("recipientAccountId"),
                schema.add("userIdentity.accountId"),
            ],
            ct_region: schema.add("awsRegion"),
            ct_principal: [
                schema.add("userIdentity.arn"),
                schema.add("userIdentity.invokedBy"),
            ],
            ct_source: schema.add("sourceIPAddress"),
            ct_agent: schema.add("userAgent"),
            ct_domain: [
                schema.add("requestParameters.domainName"),
                schema.add("requestParameters.domainName.name"),
            ],
            ct_target_account: schema.add("requestParameters.accountId"),
            ct_vpc: [
                schema.add("requestParameters.vPC.vPCId"),
                schema.add("requestParameters.vpc.vpcId"),
                schema.add("requestParameters.resourceId"),
            ],
            dns_account: schema.add("account_id"),
            dns_region: schema.add("region"),
            dns_vpc: schema.add("vpc_id"),
            dns_source: schema.add("srcaddr"),
            dns_instance: schema.add("srcids.instance"),
            dns_endpoint: schema.add("srcids.resolver_endpoint"),
            dns_domain: schema.add("dns.question.name"),
        }
    }

    /// The entity of one event.
    pub fn extract(&self, ev: &Event<'_>) -> Entity {
        let text = |ids: &[FieldId]| {
            ids.iter()
                .find_map(|id| ev.values(*id).find_map(|v| v.as_str().map(str::to_owned)))
                .filter(|s| !s.is_empty())
        };
        match ev.kind {
            Kind::CloudTrail => Entity {
                account_id: text(&self.ct_account),
                region: text(&[self.ct_region]),
                principal_arn: text(&self.ct_principal),
                source_ip: text(&[self.ct_source]),
                user_agent: text(&[self.ct_agent]),
                domain: text(&self.ct_domain),
                target_account_id: text(&[self.ct_target_account]),
                vpc_id: self.ct_vpc.iter().find_map(|id| {
                    ev.values(*id).find_map(|v| match v {
                        FieldValue::Str(s) if s.starts_with("vpc-") => Some(s.into_owned()),
                        _ => None,
                    })
                }),
                ..Entity::default()
            },
            Kind::Resolver => Entity {
                account_id: text(&[self.dns_account]),
                region: text(&[self.dns_region]),
                vpc_id: text(&[self.dns_vpc]),
                source_ip: text(&[self.dns_source]),
                instance_id: text(&[self.dns_instance]),
                resolver_endpoint: text(&[self.dns_endpoint]),
                domain: text(&[self.dns_domain]),
                ..Entity::default()
            },
        }
    }
}
