//! What every channel shows of an alert: its entity as labelled fields, its ATT&CK ids, and the
//! link to it.

use r53guard_alert::{AlertRule, Entity};

/// The entity's fields that are present, labelled, in reading order.
pub(crate) fn entity_fields(entity: &Entity) -> Vec<(&'static str, &str)> {
    [
        ("Account", &entity.account_id),
        ("Region", &entity.region),
        ("Principal", &entity.principal_arn),
        ("Source IP", &entity.source_ip),
        ("VPC", &entity.vpc_id),
        ("Instance", &entity.instance_id),
        ("Resolver endpoint", &entity.resolver_endpoint),
        ("Domain", &entity.domain),
        ("Target account", &entity.target_account_id),
        ("User agent", &entity.user_agent),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.as_deref().map(|v| (label, v)))
    .collect()
}

/// The rule's ATT&CK tactics, techniques and sub-techniques as `(id, name)`, each once, in the
/// rule's order.
pub(crate) fn attack(rule: &AlertRule) -> Vec<(&str, &str)> {
    let mut all: Vec<(&str, &str)> = Vec::new();
    for threat in &rule.threat {
        all.push((&threat.tactic.id, &threat.tactic.name));
        for technique in &threat.technique {
            all.push((&technique.id, &technique.name));
            for sub in &technique.subtechnique {
                all.push((&sub.id, &sub.name));
            }
        }
    }
    let mut out: Vec<(&str, &str)> = Vec::new();
    for item in all {
        if !out.iter().any(|(seen, _)| *seen == item.0) {
            out.push(item);
        }
    }
    out
}

/// The alert's page: `base` and the id, with one `/` between them.
pub(crate) fn alert_url(base: &str, id: &str) -> String {
    format!("{}/{id}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_alert::alert;

    #[test]
    fn entity_fields_in_order_and_only_present_ones() {
        let a = alert();
        let labels: Vec<_> = entity_fields(&a.entity).into_iter().map(|f| f.0).collect();
        assert_eq!(
            labels,
            [
                "Account",
                "Region",
                "Source IP",
                "VPC",
                "Instance",
                "Domain"
            ]
        );
        assert!(entity_fields(&Entity::default()).is_empty());
    }

    #[test]
    fn attack_ids_once_each() {
        let mut a = alert();
        let first = a.rule.threat[0].clone();
        std::sync::Arc::make_mut(&mut a.rule).threat.push(first);
        let ids: Vec<_> = attack(&a.rule).into_iter().map(|t| t.0).collect();
        assert_eq!(ids, ["TA0011", "T1071", "T1071.004"]);
    }

    #[test]
    fn links_join_with_one_slash() {
        assert_eq!(
            alert_url("https://x.example/alerts", "ab"),
            "https://x.example/alerts/ab"
        );
        assert_eq!(
            alert_url("https://x.example/alerts/", "ab"),
            "https://x.example/alerts/ab"
        );
    }
}
