//! Which AWS service logs which Route 53 API action: the data behind the provider lint.
//!
//! CloudTrail records an API call with the `eventSource` of the service that owns it, and
//! Route 53 is three services with three sources. A rule that pairs an action with another
//! service's source never matches; the best-known case is Elastic's rule v207, which looked
//! for `TransferDomainToAnotherAwsAccount` under `route53.amazonaws.com` although AWS logs
//! it under `route53domains.amazonaws.com`. Action names compare case-insensitively (some
//! Route 53 Domains events are logged with a lower-case first letter).

/// One service: its CloudTrail `eventSource` and the actions it owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceActions {
    /// The service's name, for messages.
    pub service: &'static str,
    /// Its `eventSource` / `event.provider`.
    pub provider: &'static str,
    /// Actions that only this service logs.
    pub actions: &'static [&'static str],
}

/// The table.
pub const SERVICES: &[ServiceActions] = &[
    ServiceActions {
        service: "Route 53 Domains",
        provider: "route53domains.amazonaws.com",
        actions: &[
            "AcceptDomainTransferFromAnotherAwsAccount",
            "AssociateDelegationSignerToDomain",
            "CancelDomainTransferToAnotherAwsAccount",
            "CheckDomainAvailability",
            "CheckDomainTransferability",
            "DeleteDomain",
            "DeleteTagsForDomain",
            "DisableDomainAutoRenew",
            "DisableDomainTransferLock",
            "DisassociateDelegationSignerFromDomain",
            "EnableDomainAutoRenew",
            "EnableDomainTransferLock",
            "GetContactReachabilityStatus",
            "GetDomainDetail",
            "GetDomainSuggestions",
            "GetOperationDetail",
            "ListDomains",
            "ListOperations",
            "ListPrices",
            "ListTagsForDomain",
            "PushDomain",
            "RegisterDomain",
            "RejectDomainTransferFromAnotherAwsAccount",
            "RenewDomain",
            "ResendContactReachabilityEmail",
            "ResendOperationAuthorization",
            "RetrieveDomainAuthCode",
            "TransferDomain",
            "TransferDomainToAnotherAwsAccount",
            "UpdateDomainContact",
            "UpdateDomainContactPrivacy",
            "UpdateDomainNameservers",
            "UpdateTagsForDomain",
            "ViewBilling",
        ],
    },
    ServiceActions {
        service: "Route 53 Resolver",
        provider: "route53resolver.amazonaws.com",
        actions: &[
            // Query logging.
            "AssociateResolverQueryLogConfig",
            "CreateResolverQueryLogConfig",
            "DeleteResolverQueryLogConfig",
            "DisassociateResolverQueryLogConfig",
            "PutResolverQueryLogConfigPolicy",
            // DNS Firewall. Listed by name rather than as `*Firewall*`, which would also
            // catch AWS Network Firewall (`network-firewall.amazonaws.com`) actions such
            // as `CreateFirewallPolicy`.
            "AssociateFirewallRuleGroup",
            "CreateFirewallDomainList",
            "CreateFirewallRule",
            "CreateFirewallRuleGroup",
            "DeleteFirewallDomainList",
            "DeleteFirewallRule",
            "DeleteFirewallRuleGroup",
            "DisassociateFirewallRuleGroup",
            "ImportFirewallDomains",
            "PutFirewallRuleGroupPolicy",
            "UpdateFirewallConfig",
            "UpdateFirewallDomains",
            "UpdateFirewallRule",
            "UpdateFirewallRuleGroupAssociation",
            // Endpoints and forwarding rules.
            "AssociateResolverEndpointIpAddress",
            "AssociateResolverRule",
            "CreateResolverEndpoint",
            "CreateResolverRule",
            "DeleteResolverEndpoint",
            "DeleteResolverRule",
            "DisassociateResolverEndpointIpAddress",
            "DisassociateResolverRule",
            "UpdateResolverConfig",
            "UpdateResolverDnssecConfig",
            "UpdateResolverEndpoint",
            "UpdateResolverRule",
        ],
    },
    ServiceActions {
        service: "Route 53 (hosted zones)",
        provider: "route53.amazonaws.com",
        actions: &[
            "AssociateVPCWithHostedZone",
            "ChangeResourceRecordSets",
            "CreateHostedZone",
            "CreateQueryLoggingConfig",
            "CreateVPCAssociationAuthorization",
            "DeleteHostedZone",
            "DeleteQueryLoggingConfig",
            "DeleteVPCAssociationAuthorization",
            "DisableHostedZoneDNSSEC",
            "DisassociateVPCFromHostedZone",
            "EnableHostedZoneDNSSEC",
            "UpdateHostedZoneComment",
        ],
    },
];

/// Fields holding the provider (`eventSource`), raw and ECS.
pub const PROVIDER_FIELDS: &[&str] = &["eventSource", "event.provider"];
/// Fields holding the action (`eventName`), raw and ECS.
pub const ACTION_FIELDS: &[&str] = &["eventName", "event.action"];

/// The service that owns `action` (case-insensitive).
pub fn owner_of(action: &str) -> Option<&'static ServiceActions> {
    SERVICES.iter().find(|service| {
        service
            .actions
            .iter()
            .any(|known| known.eq_ignore_ascii_case(action))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners() {
        assert_eq!(
            owner_of("TransferDomainToAnotherAwsAccount").map(|s| s.provider),
            Some("route53domains.amazonaws.com")
        );
        assert_eq!(
            owner_of("transferDomainToAnotherAwsAccount").map(|s| s.provider),
            Some("route53domains.amazonaws.com")
        );
        assert_eq!(
            owner_of("DeleteResolverQueryLogConfig").map(|s| s.provider),
            Some("route53resolver.amazonaws.com")
        );
        assert_eq!(
            owner_of("AssociateVPCWithHostedZone").map(|s| s.provider),
            Some("route53.amazonaws.com")
        );
        assert!(owner_of("CreateFirewallPolicy").is_none());
        assert!(owner_of("ConsoleLogin").is_none());
    }

    #[test]
    fn no_action_is_owned_twice() {
        let mut all: Vec<String> = SERVICES
            .iter()
            .flat_map(|s| s.actions.iter().map(|a| a.to_ascii_lowercase()))
            .collect();
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count);
    }
}
