//! MITRE ATT&CK mappings: `[[rule.threat]]` with `[rule.threat.tactic]`,
//! `[[rule.threat.technique]]` and `[[rule.threat.technique.subtechnique]]`.
//!
//! Checks: `framework = "MITRE ATT&CK"`; tactic ids `TA` + 4 digits; technique ids `T` + 4
//! digits; sub-technique ids `T` + 4 digits + `.` + 3 digits, starting with their technique's
//! id; every `reference` an `https://attack.mitre.org/` URL; names non-empty.

use crate::model::{MitreRef, Technique, Threat};
use crate::toml_schema::{Doc, Node, TACTIC_KEYS, TECHNIQUE_KEYS, THREAT_KEYS};

/// Reads every `[[rule.threat]]` entry of `rule`. Invalid entries are reported and skipped.
pub(crate) fn read_threats(doc: &mut Doc<'_>, rule: &Node<'_, '_>) -> Vec<Threat> {
    let mut out = Vec::new();
    for node in doc.tables(rule, "threat") {
        doc.check_keys(&node, THREAT_KEYS, &[]);
        let framework = doc.required_string(&node, "framework", "`MITRE ATT&CK`");
        if let Some((framework, span)) = &framework
            && framework != "MITRE ATT&CK"
        {
            doc.error(
                span,
                &node.key("framework"),
                format!(
                    "`{}` must be \"MITRE ATT&CK\", not {framework:?}",
                    node.key("framework")
                ),
            );
        }
        let tactic = match doc.table(&node, "tactic") {
            Some(tactic) => {
                doc.check_keys(&tactic, TACTIC_KEYS, &[]);
                read_ref(doc, &tactic, Kind::Tactic, None)
            }
            None => {
                if !node.has("tactic") {
                    doc.missing(&node, "tactic", "a `[rule.threat.tactic]` table");
                }
                None
            }
        };
        let mut techniques = Vec::new();
        let mut techniques_ok = true;
        for technique in doc.tables(&node, "technique") {
            doc.check_keys(&technique, TECHNIQUE_KEYS, &[]);
            let Some(head) = read_ref(doc, &technique, Kind::Technique, None) else {
                techniques_ok = false;
                continue;
            };
            let mut subtechniques = Vec::new();
            for sub in doc.tables(&technique, "subtechnique") {
                doc.check_keys(&sub, TACTIC_KEYS, &[]);
                match read_ref(doc, &sub, Kind::Subtechnique, Some(&head.id)) {
                    Some(sub) => subtechniques.push(sub),
                    None => techniques_ok = false,
                }
            }
            techniques.push(Technique {
                id: head.id,
                name: head.name,
                reference: head.reference,
                subtechniques,
            });
        }
        if let (Some((framework, _)), Some(tactic), true) = (framework, tactic, techniques_ok) {
            out.push(Threat {
                framework,
                tactic,
                techniques,
            });
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Kind {
    Tactic,
    Technique,
    Subtechnique,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tactic => "tactic",
            Kind::Technique => "technique",
            Kind::Subtechnique => "sub-technique",
        }
    }

    fn shape(self) -> &'static str {
        match self {
            Kind::Tactic => "`TA` and four digits, like `TA0003`",
            Kind::Technique => "`T` and four digits, like `T1098`",
            Kind::Subtechnique => "`T`, four digits, a dot and three digits, like `T1098.001`",
        }
    }

    fn id_is_valid(self, id: &str) -> bool {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        match self {
            Kind::Tactic => id.strip_prefix("TA").is_some_and(|d| digits(d, 4)),
            Kind::Technique => id.strip_prefix('T').is_some_and(|d| digits(d, 4)),
            Kind::Subtechnique => id
                .strip_prefix('T')
                .and_then(|rest| rest.split_once('.'))
                .is_some_and(|(t, s)| digits(t, 4) && digits(s, 3)),
        }
    }
}

/// The documented prefix of every ATT&CK reference URL.
const MITRE_URL: &str = "https://attack.mitre.org/";

fn read_ref(
    doc: &mut Doc<'_>,
    node: &Node<'_, '_>,
    kind: Kind,
    parent: Option<&str>,
) -> Option<MitreRef> {
    let id = doc.required_string(node, "id", kind.shape());
    let name = doc.required_string(node, "name", "the ATT&CK name");
    let reference = doc.required_string(node, "reference", "the https://attack.mitre.org/ URL");
    let mut ok = true;
    if let Some((id, span)) = &id {
        if !kind.id_is_valid(id) {
            doc.error(
                span,
                &node.key("id"),
                format!(
                    "malformed MITRE ATT&CK {} id `{id}`: expected {}",
                    kind.name(),
                    kind.shape()
                ),
            );
            ok = false;
        } else if let Some(parent) = parent
            && !id.starts_with(&format!("{parent}."))
        {
            doc.error(
                span,
                &node.key("id"),
                format!("sub-technique `{id}` does not belong to technique `{parent}` (expected `{parent}.NNN`)"),
            );
            ok = false;
        }
    }
    if let Some((name, span)) = &name
        && name.trim().is_empty()
    {
        doc.error(
            span,
            &node.key("name"),
            format!("`{}` is empty", node.key("name")),
        );
        ok = false;
    }
    if let Some((url, span)) = &reference
        && !(url.starts_with(MITRE_URL) && url.len() > MITRE_URL.len())
    {
        doc.error(
            span,
            &node.key("reference"),
            format!(
                "`{}` must be an {MITRE_URL}… URL, not `{url}`",
                node.key("reference")
            ),
        );
        ok = false;
    }
    match (id, name, reference, ok) {
        (Some((id, _)), Some((name, _)), Some((reference, _)), true) => Some(MitreRef {
            id,
            name,
            reference,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        assert!(Kind::Tactic.id_is_valid("TA0003"));
        assert!(!Kind::Tactic.id_is_valid("TA003"));
        assert!(!Kind::Tactic.id_is_valid("T0003"));
        assert!(Kind::Technique.id_is_valid("T1098"));
        assert!(!Kind::Technique.id_is_valid("T1098.001"));
        assert!(!Kind::Technique.id_is_valid("t1098"));
        assert!(Kind::Subtechnique.id_is_valid("T1098.001"));
        assert!(!Kind::Subtechnique.id_is_valid("T1098.01"));
        assert!(!Kind::Subtechnique.id_is_valid("T1098"));
    }
}
