//! Alerts of stateful rules (suppressed query groups, thresholds, sequences, new terms), built
//! from what their state kept: the identity parts, times, counts and samples. The entity and
//! summary come from one chosen sample (the headline); evidence from every sample, in order.

use crate::render::Render;
use crate::sample::Sample;
use crate::template::Summary;
use r53guard_alert::{Alert, AlertRule, Window, alert_id};
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

/// The id of an alert of `kind` for a rule, from identity parts.
pub fn id(kind: &str, meta: &AlertRule, parts: &[Vec<u8>]) -> String {
    let version = meta.version.to_string();
    let mut all: Vec<&[u8]> = vec![kind.as_bytes(), meta.id.as_bytes(), version.as_bytes()];
    all.extend(parts.iter().map(Vec::as_slice));
    alert_id(&all)
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
    ) -> Alert {
        let (entity, text) = match headline {
            Some(s) => render.derive(s, summary),
            None => (Default::default(), String::new()),
        };
        Alert {
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
            events: samples.iter().map(Render::evidence).collect(),
        }
    }
}
