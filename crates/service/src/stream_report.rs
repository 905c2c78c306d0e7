//! What the engine reports after each flush, made visible: one log line per `max_signals`
//! interval that held alerts back (rule, interval, count), and the per-rule held-back and
//! late counters of the metrics (which `GET /api/rules` shows too).

use r53guard_api::Metrics;
use r53guard_engine::Engine;
use r53guard_event::time::format_rfc3339;
use std::collections::HashMap;
use std::sync::Arc;

/// Turns the engine's reports into logs and counters.
pub struct StreamReport {
    metrics: Arc<Metrics>,
    /// Each rule's late count at the last report (a restored engine starts from its
    /// snapshot's counts; the counters count from the service's start).
    late: HashMap<String, u64>,
}

impl StreamReport {
    /// Reports for `engine`, counting from its current state.
    pub fn new(metrics: Arc<Metrics>, engine: &Engine) -> StreamReport {
        let late = engine
            .reports()
            .into_iter()
            .map(|r| (r.rule_id, r.late))
            .collect();
        StreamReport { metrics, late }
    }

    /// Logs and counts what the last flush held back, and the late matches since the last
    /// call.
    pub fn after_flush(&mut self, engine: &mut Engine) {
        for held in engine.take_held_back() {
            let i = held.interval;
            self.metrics
                .alerts_held_back()
                .with(&[&held.rule_id])
                .add(i.held_back);
            tracing::warn!(
                rule = %held.rule_id,
                interval_start = %format_rfc3339(i.start_ms),
                interval_end = %format_rfc3339(i.end_ms),
                held_back = i.held_back,
                "alerts held back by max_signals"
            );
        }
        for report in engine.reports() {
            let last = self.late.get(&report.rule_id).copied().unwrap_or(0);
            if report.late > last {
                self.metrics
                    .late_records()
                    .with(&[&report.rule_id])
                    .add(report.late - last);
                self.late.insert(report.rule_id, report.late);
            }
        }
    }
}
