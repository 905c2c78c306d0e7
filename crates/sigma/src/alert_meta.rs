//! How alerts describe a Sigma rule or correlation: id, title, severity and a risk score in
//! Elastic's band for it, the MITRE ATT&CK mapping read from `attack.*` tags, and the DRL 1.1
//! attribution (author, references, link to the rule).

use crate::correlation::Correlation;
use crate::model::SigmaRule;
use r53guard_alert::{AlertRule, MitreRef, Severity, Technique, Threat};

/// ATT&CK enterprise tactics: Sigma tag name (`attack.defense-evasion` or `_evasion`), id,
/// display name.
const TACTICS: [(&str, &str, &str); 14] = [
    ("reconnaissance", "TA0043", "Reconnaissance"),
    ("resource_development", "TA0042", "Resource Development"),
    ("initial_access", "TA0001", "Initial Access"),
    ("execution", "TA0002", "Execution"),
    ("persistence", "TA0003", "Persistence"),
    ("privilege_escalation", "TA0004", "Privilege Escalation"),
    ("defense_evasion", "TA0005", "Defense Evasion"),
    ("credential_access", "TA0006", "Credential Access"),
    ("discovery", "TA0007", "Discovery"),
    ("lateral_movement", "TA0008", "Lateral Movement"),
    ("collection", "TA0009", "Collection"),
    ("command_and_control", "TA0011", "Command and Control"),
    ("exfiltration", "TA0010", "Exfiltration"),
    ("impact", "TA0040", "Impact"),
];

const ATTACK: &str = "https://attack.mitre.org";

/// The risk score Elastic's rules use for a severity (the middle of its band).
pub fn risk_score(severity: Severity) -> u8 {
    match severity {
        Severity::Low => 21,
        Severity::Medium => 47,
        Severity::High => 73,
        Severity::Critical => 99,
    }
}

/// The MITRE ATT&CK mapping of Sigma tags: one entry per `attack.<tactic>` tag, each carrying
/// every `attack.tNNNN[.NNN]` technique of the rule (Sigma does not say which technique
/// belongs to which tactic). Techniques without any tactic tag stay in the tags only.
pub fn threat_from_tags(tags: &[String]) -> Vec<Threat> {
    let mut techniques: Vec<Technique> = Vec::new();
    let mut tactics = Vec::new();
    for tag in tags {
        let Some(name) = tag
            .to_ascii_lowercase()
            .strip_prefix("attack.")
            .map(str::to_owned)
        else {
            continue;
        };
        if let Some(id) = technique_id(&name) {
            add_technique(&mut techniques, &id);
        } else if let Some((_, id, display)) =
            TACTICS.iter().find(|(n, ..)| *n == name.replace('-', "_"))
            && !tactics.iter().any(|t: &MitreRef| t.id == *id)
        {
            tactics.push(MitreRef {
                id: (*id).to_owned(),
                name: (*display).to_owned(),
                reference: format!("{ATTACK}/tactics/{id}/"),
            });
        }
    }
    tactics
        .into_iter()
        .map(|tactic| Threat {
            framework: "MITRE ATT&CK".to_owned(),
            tactic,
            technique: techniques.clone(),
        })
        .collect()
}

/// `t1562.008` → `T1562.008`; anything else (groups `g0001`, software `s0002`) → `None`.
fn technique_id(name: &str) -> Option<String> {
    let rest = name.strip_prefix('t')?;
    let (main, sub) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(main, 4) && (sub.is_empty() || digits(sub, 3))).then(|| name.to_ascii_uppercase())
}

fn add_technique(techniques: &mut Vec<Technique>, id: &str) {
    let (main, sub) = id.split_once('.').map_or((id, None), |(m, s)| (m, Some(s)));
    let pos = match techniques.iter().position(|t| t.id == main) {
        Some(p) => p,
        None => {
            techniques.push(Technique {
                id: main.to_owned(),
                name: main.to_owned(),
                reference: format!("{ATTACK}/techniques/{main}/"),
                subtechnique: Vec::new(),
            });
            techniques.len() - 1
        }
    };
    if let Some(sub) = sub {
        let t = &mut techniques[pos];
        if !t.subtechnique.iter().any(|s| s.id == id) {
            t.subtechnique.push(MitreRef {
                id: id.to_owned(),
                name: id.to_owned(),
                reference: format!("{ATTACK}/techniques/{main}/{sub}/"),
            });
        }
    }
}

struct Described<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    tags: &'a [String],
    author: Option<&'a str>,
    references: &'a [String],
    license: Option<&'a str>,
    source_url: Option<String>,
}

impl Described<'_> {
    fn alert_rule(self, rule_type: &str) -> AlertRule {
        AlertRule {
            id: self.id.to_owned(),
            name: self.title.to_owned(),
            version: 1,
            rule_type: rule_type.to_owned(),
            severity: self.severity,
            risk_score: risk_score(self.severity),
            tags: self.tags.to_vec(),
            threat: threat_from_tags(self.tags),
            author: self.author.map(str::to_owned).into_iter().collect(),
            references: self.references.to_vec(),
            license: Some(self.license.unwrap_or("DRL-1.1").to_owned()),
            source_url: self.source_url,
        }
    }
}

impl SigmaRule {
    /// The rule as its alerts carry it (`rule_type`: the engine machinery, e.g. `query`).
    /// The licence defaults to DRL 1.1, the licence of SigmaHQ's rules, when the rule names
    /// none; the author is kept, as DRL 1.1 requires of every alert, and so is a link: the
    /// `# source:` URL, else the file the rule was loaded from.
    pub fn alert_rule(&self, rule_type: &str) -> AlertRule {
        Described {
            id: self.label(),
            title: &self.title,
            severity: self.severity(),
            tags: &self.tags,
            author: self.author.as_deref(),
            references: &self.references,
            license: self.license.as_deref(),
            source_url: self.source_url().or_else(|| Some(self.origin.file.clone())),
        }
        .alert_rule(rule_type)
    }
}

impl Correlation {
    /// The id, else the name, else the title.
    pub fn label(&self) -> &str {
        self.id
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or(&self.title)
    }

    /// The correlation as its alerts carry it (see [`SigmaRule::alert_rule`]); without a
    /// `level` it is medium.
    pub fn alert_rule(&self, rule_type: &str) -> AlertRule {
        Described {
            id: self.label(),
            title: &self.title,
            severity: self.level.map_or(Severity::Medium, |l| l.severity()),
            tags: &self.tags,
            author: self.author.as_deref(),
            references: &self.references,
            license: None,
            source_url: self.source_url().or_else(|| Some(self.origin.file.clone())),
        }
        .alert_rule(rule_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tactics_and_techniques_from_tags() {
        let threat = threat_from_tags(&tags(&[
            "attack.defense-evasion",
            "attack.t1562.008",
            "attack.t1562",
            "attack.persistence",
            "attack.g0016",
            "cve.2021-1234",
        ]));
        assert_eq!(threat.len(), 2);
        assert_eq!(threat[0].tactic.id, "TA0005");
        assert_eq!(threat[0].tactic.name, "Defense Evasion");
        assert_eq!(threat[1].tactic.id, "TA0003");
        let t = &threat[0].technique;
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].id, "T1562");
        assert_eq!(t[0].reference, "https://attack.mitre.org/techniques/T1562/");
        assert_eq!(t[0].subtechnique[0].id, "T1562.008");
        assert_eq!(
            t[0].subtechnique[0].reference,
            "https://attack.mitre.org/techniques/T1562/008/"
        );
    }

    #[test]
    fn underscore_tactics_and_no_tactic() {
        assert_eq!(
            threat_from_tags(&tags(&["attack.command_and_control"]))[0]
                .tactic
                .id,
            "TA0011"
        );
        assert!(threat_from_tags(&tags(&["attack.t1098"])).is_empty());
        assert_eq!(technique_id("t12345"), None);
        assert_eq!(technique_id("t1098.1"), None);
    }
}
