//! A rule's description as alerts carry it (id, name, version, type, severity, MITRE, …).

use r53guard_alert::{AlertRule, MitreRef, Severity, Technique, Threat};
use r53guard_rules::Rule;

/// The alert's view of a rule.
pub fn alert_rule(rule: &Rule, source_url: Option<String>) -> AlertRule {
    AlertRule {
        id: rule.rule_id.clone(),
        name: rule.name.clone(),
        version: rule.version,
        rule_type: rule.kind.type_name().to_owned(),
        severity: severity(rule.severity),
        risk_score: rule.risk_score,
        tags: rule.tags.clone(),
        threat: rule
            .threat
            .iter()
            .map(|t| Threat {
                framework: t.framework.clone(),
                tactic: mitre(&t.tactic),
                technique: t
                    .techniques
                    .iter()
                    .map(|tech| Technique {
                        id: tech.id.clone(),
                        name: tech.name.clone(),
                        reference: tech.reference.clone(),
                        subtechnique: tech.subtechniques.iter().map(mitre).collect(),
                    })
                    .collect(),
            })
            .collect(),
        author: rule.author.clone(),
        references: rule.references.clone(),
        license: rule.license.clone(),
        source_url,
    }
}

fn mitre(m: &r53guard_rules::MitreRef) -> MitreRef {
    MitreRef {
        id: m.id.clone(),
        name: m.name.clone(),
        reference: m.reference.clone(),
    }
}

/// The alert severity of a rule severity.
pub fn severity(s: r53guard_rules::Severity) -> Severity {
    match s {
        r53guard_rules::Severity::Low => Severity::Low,
        r53guard_rules::Severity::Medium => Severity::Medium,
        r53guard_rules::Severity::High => Severity::High,
        r53guard_rules::Severity::Critical => Severity::Critical,
    }
}
