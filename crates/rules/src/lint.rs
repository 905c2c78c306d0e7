//! The provider lint: a query that pairs a Route 53 action with another service's
//! `eventSource` can never match (the v207 bug; see [`crate::service_actions`]).
//!
//! Within each conjunction (`a and b and …`) of a query, the lint collects the literal
//! values required of a provider field (`event.provider`, `eventSource`) and of an action
//! field (`event.action`, `eventName`), either directly (`event.provider:x`) or as a value
//! list (`event.action:(a or b)`). When the conjunction names providers and one of its
//! actions is owned by a service none of those providers is, that action is reported.
//! Negated parts are not inspected; wildcard values make the lint stay silent.

use crate::service_actions::{ACTION_FIELDS, PROVIDER_FIELDS, ServiceActions, owner_of};
use r53guard_kql::{Field, Query};

/// An action paired only with providers that do not log it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderMismatch {
    /// The action as written in the query.
    pub action: String,
    /// The providers it is paired with, as written.
    pub providers: Vec<String>,
    /// The service that really logs the action.
    pub owner: &'static ServiceActions,
}

impl ProviderMismatch {
    /// A message for a rule author.
    pub fn message(&self) -> String {
        let paired = self
            .providers
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let v207 = if self.owner.provider == "route53domains.amazonaws.com" {
            " (the v207 bug)"
        } else {
            ""
        };
        format!(
            "`{}` is a {} action: AWS logs it with eventSource `{}`, so pairing it with event.provider/eventSource {paired} never matches{v207}",
            self.action, self.owner.service, self.owner.provider
        )
    }
}

/// Every mismatch in `query`, without repeats.
pub fn provider_mismatches(query: &Query) -> Vec<ProviderMismatch> {
    let mut out = Vec::new();
    visit(query, &mut out);
    out
}

fn visit(query: &Query, out: &mut Vec<ProviderMismatch>) {
    match query {
        Query::And(children) => {
            check_conjunction(children, out);
            for child in children {
                visit(child, out);
            }
        }
        Query::Or(children) => {
            for child in children {
                visit(child, out);
            }
        }
        _ => {}
    }
}

fn check_conjunction(children: &[Query], out: &mut Vec<ProviderMismatch>) {
    let providers: Vec<&str> = children
        .iter()
        .filter_map(|child| literal_values(child, PROVIDER_FIELDS))
        .flatten()
        .collect();
    if providers.is_empty() {
        return;
    }
    let actions = children
        .iter()
        .filter_map(|child| literal_values(child, ACTION_FIELDS))
        .flatten();
    for action in actions {
        let Some(owner) = owner_of(action) else {
            continue;
        };
        let served = providers
            .iter()
            .any(|p| p.eq_ignore_ascii_case(owner.provider));
        let seen = out.iter().any(|m| m.action.eq_ignore_ascii_case(action));
        if !served && !seen {
            out.push(ProviderMismatch {
                action: action.to_string(),
                providers: providers.iter().map(|p| p.to_string()).collect(),
                owner,
            });
        }
    }
}

/// The literal values a query requires of one of `fields`: a term, or an `or` of terms,
/// all on those fields and without wildcards. `None` for anything else.
fn literal_values<'q>(query: &'q Query, fields: &[&str]) -> Option<Vec<&'q str>> {
    match query {
        Query::Term {
            field: Field::Path(path),
            value,
        } if fields.contains(&path.as_str()) => value.as_literal().map(|v| vec![v]),
        Query::Or(children) => {
            let mut values = Vec::new();
            for child in children {
                values.extend(literal_values(child, fields)?);
            }
            Some(values)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53guard_kql::parse;

    fn actions(query: &str) -> Vec<String> {
        provider_mismatches(&parse(query).unwrap())
            .into_iter()
            .map(|m| m.action)
            .collect()
    }

    #[test]
    fn v207_and_friends() {
        let v207 = "event.dataset:aws.cloudtrail and event.provider:route53.amazonaws.com and event.action:TransferDomainToAnotherAwsAccount and event.outcome:success";
        assert_eq!(actions(v207), ["TransferDomainToAnotherAwsAccount"]);
        let fixed = v207.replace("route53.amazonaws.com", "route53domains.amazonaws.com");
        assert!(actions(&fixed).is_empty());
        assert_eq!(
            actions(
                "eventSource:route53.amazonaws.com and eventName:(disableDomainTransferLock or ChangeResourceRecordSets)"
            ),
            ["disableDomainTransferLock"]
        );
        assert_eq!(
            actions("eventSource:route53.amazonaws.com and eventName:DeleteResolverQueryLogConfig"),
            ["DeleteResolverQueryLogConfig"]
        );
        assert_eq!(
            actions(
                "event.provider:route53domains.amazonaws.com and event.action:CreateHostedZone"
            ),
            ["CreateHostedZone"]
        );
        assert_eq!(
            actions(
                "(a:1 or (event.provider:route53.amazonaws.com and event.action:RegisterDomain))"
            ),
            ["RegisterDomain"]
        );
    }

    #[test]
    fn stays_quiet_when_unsure_or_right() {
        for query in [
            "event.action:TransferDomainToAnotherAwsAccount",
            "event.provider:(route53.amazonaws.com or route53domains.amazonaws.com) and event.action:TransferDomain",
            "event.provider:route53* and event.action:TransferDomain",
            "not (event.provider:route53.amazonaws.com and event.action:TransferDomain)",
            "event.provider:network-firewall.amazonaws.com and event.action:CreateFirewallPolicy",
            "event.provider:route53resolver.amazonaws.com and event.action:UpdateFirewallRule",
        ] {
            assert!(actions(query).is_empty(), "{query}");
        }
    }
}
