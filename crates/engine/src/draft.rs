//! Alerts of stateful rules (suppressed query groups, thresholds, sequences, new terms), built
//! from what their state kept: the identity parts, times, counts and samples. The entity and
//! summary come from one chosen sample (the headline); evidence from every sample, in order.

use crate::cap::HeldAlert;
use crate::render::Render;
use crate::sample::Sample;
use crate::template::Summary;
use r53guard_alert::{Alert, AlertRule, Window, alert_digest_pieces, id_text};
use r53guard_event::time::format_rfc3339;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The parts of an alert that do not come from its samples.
pub struct Draft {
    /// Identity parts, hashed into the id after the rule id and version.
    pub id_parts: Vec<Vec<u8>>,
    /// When the condition became true, epoch ms.
    pub detected_ms: i64,
    /// Earliest and latest event time.
    pub seen_ms: (i64, i64),
    /// Group-by key values.
    pub group: BTreeMap<String, String>,
    /// Events counted.
    pub count: u64,
    /// Distinct values counted (threshold cardinality).
    pub distinct_count: Option<u64>,
    /// The window, epoch ms.
    pub window: Option<(i64, i64)>,
    /// Repeats folded in by suppression.
    pub suppressed: u64,
}

/// The digest of the id of an alert of `kind` (`query`, `threshold`, …) for a rule: the kind,
/// the rule id and its version, then the identity parts, each given as pieces written one after
/// another ([`alert_digest_pieces`]).
pub fn digest<'a>(
    kind: &str,
    meta: &AlertRule,
    identity: impl IntoIterator<Item = &'a [&'a [u8]]>,
) -> u128 {
    let mut version = itoa::Buffer::new();
    let version = version.format(meta.version).as_bytes();
    let head: [&[&[u8]]; 3] = [&[kind.as_bytes()], &[meta.id.as_bytes()], &[version]];
    // The head borrows locals; the identity's parts are taken at that shorter lifetime.
    let identity = identity.into_iter().map(|part| -> &[&[u8]] { part });
    alert_digest_pieces(head.into_iter().chain(identity))
}

/// The id of an alert of `kind` for a rule, from identity parts ([`digest`]).
pub fn id(kind: &str, meta: &AlertRule, parts: &[Vec<u8>]) -> String {
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    id_text(digest(kind, meta, parts.iter().map(std::slice::from_ref)))
}

impl Draft {
    /// The alert: `kind` names the rule type in the id; `samples` are the evidence in order
    /// and `headline` the sample whose entity and summary the alert takes.
    pub fn build(
        self,
        kind: &str,
        meta: &Arc<AlertRule>,
        summary: Option<&Summary>,
        samples: &[Sample],
        headline: Option<&Sample>,
        render: &mut Render<'_>,
    ) -> HeldAlert {
        let (entity, text) = match headline {
            Some(s) => render.derive(s, summary),
            None => (Default::default(), String::new()),
        };
        let alert = Alert {
            id: id(kind, meta, &self.id_parts),
            rule: meta.clone(),
            detected_at: format_rfc3339(self.detected_ms),
            first_seen: format_rfc3339(self.seen_ms.0),
            last_seen: format_rfc3339(self.seen_ms.1),
            summary: if text.is_empty() {
                meta.name.clone()
            } else {
                text
            },
            entity,
            group: self.group,
            count: self.count,
            distinct_count: self.distinct_count,
            window: self.window.map(|(start, end)| Window {
                start: format_rfc3339(start),
                end: format_rfc3339(end),
            }),
            suppressed: self.suppressed,
            events_total: self.count,
            events: Vec::new(),
        };
        HeldAlert {
            alert,
            evidence: samples.iter().map(Sample::evidence).collect(),
        }
    }
}
