//! Routing: which receivers an alert goes to, chosen by severity, rule id and tags.

use crate::glob::glob_match;
use r53guard_alert::{Alert, Severity};

/// One routing rule: the receivers an alert goes to when it matches every condition given.
///
/// - `min_severity`: the alert's severity is at least this (default: any);
/// - `rules`: the alert's rule id matches one of these patterns (default: any rule);
/// - `tags`: one of the rule's tags matches one of these patterns (default: no condition).
///
/// Patterns are exact strings or globs (`*` any run of characters, `?` one character), and are
/// case-sensitive.
///
/// ```
/// use r53guard_notify::Route;
/// use r53guard_alert::Severity;
/// let page = Route::to(["pagerduty"]).min_severity(Severity::High).rule("route53-domain-*");
/// let c2 = Route::to(["slack"]).tag("attack.command-and-control");
/// # let _ = (page, c2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    receivers: Vec<String>,
    min_severity: Severity,
    rules: Vec<String>,
    tags: Vec<String>,
    stop: bool,
}

impl Route {
    /// A route to these receivers that matches every alert until conditions are added.
    pub fn to<S: Into<String>>(receivers: impl IntoIterator<Item = S>) -> Route {
        Route {
            receivers: receivers.into_iter().map(Into::into).collect(),
            min_severity: Severity::Low,
            rules: Vec::new(),
            tags: Vec::new(),
            stop: false,
        }
    }

    /// Matches only alerts of at least this severity.
    pub fn min_severity(mut self, severity: Severity) -> Route {
        self.min_severity = severity;
        self
    }

    /// Adds a rule id pattern; the alert's rule id must match one of them.
    pub fn rule(mut self, pattern: impl Into<String>) -> Route {
        self.rules.push(pattern.into());
        self
    }

    /// Adds a tag pattern; one of the rule's tags must match one of them.
    pub fn tag(mut self, pattern: impl Into<String>) -> Route {
        self.tags.push(pattern.into());
        self
    }

    /// When this route matches, the routes after it are not looked at.
    pub fn stop(mut self) -> Route {
        self.stop = true;
        self
    }

    /// The receivers this route sends to.
    pub fn receivers(&self) -> &[String] {
        &self.receivers
    }

    /// Whether the alert meets every condition of the route.
    pub fn matches(&self, alert: &Alert) -> bool {
        let rule = &alert.rule;
        rule.severity >= self.min_severity
            && (self.rules.is_empty() || self.rules.iter().any(|p| glob_match(p, &rule.id)))
            && (self.tags.is_empty()
                || self
                    .tags
                    .iter()
                    .any(|p| rule.tags.iter().any(|t| glob_match(p, t))))
    }
}

/// Routes in order. An alert goes to the receivers of every route it matches, each receiver
/// once, in the order they first appear; a matching route marked [`Route::stop`] ends the
/// evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// A table of these routes, evaluated in order.
    pub fn new(routes: Vec<Route>) -> RouteTable {
        RouteTable { routes }
    }

    /// The routes, in order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The names of the receivers `alert` goes to: what the outbox queues for it.
    pub fn receivers_for(&self, alert: &Alert) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for route in &self.routes {
            if !route.matches(alert) {
                continue;
            }
            for name in &route.receivers {
                if !out.contains(&name.as_str()) {
                    out.push(name);
                }
            }
            if route.stop {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_alert::alert;
    use std::sync::Arc;

    fn with(id: &str, severity: Severity, tags: &[&str]) -> Alert {
        let mut a = alert();
        Arc::make_mut(&mut a.rule).id = id.to_owned();
        Arc::make_mut(&mut a.rule).severity = severity;
        Arc::make_mut(&mut a.rule).tags = tags.iter().map(|t| t.to_string()).collect();
        a
    }

    fn table() -> RouteTable {
        RouteTable::new(vec![
            Route::to(["archive"]),
            Route::to(["pagerduty", "slack"]).min_severity(Severity::High),
            Route::to(["slack"])
                .rule("route53-resolver-*")
                .tag("attack.*"),
            Route::to(["webhook"]).rule("route53-domain-transferred"),
        ])
    }

    #[test]
    fn every_matching_route_contributes_each_receiver_once() {
        let t = table();
        let low = with("route53-dns-tunnel", Severity::Low, &[]);
        assert_eq!(t.receivers_for(&low), ["archive"]);
        let high = with("route53-resolver-dga", Severity::Critical, &["attack.c2"]);
        assert_eq!(t.receivers_for(&high), ["archive", "pagerduty", "slack"]);
        let glob_and_tag = with("route53-resolver-dga", Severity::Medium, &["attack.c2"]);
        assert_eq!(t.receivers_for(&glob_and_tag), ["archive", "slack"]);
        let glob_without_tag = with("route53-resolver-dga", Severity::Medium, &["other"]);
        assert_eq!(t.receivers_for(&glob_without_tag), ["archive"]);
        let exact = with("route53-domain-transferred", Severity::Medium, &[]);
        assert_eq!(t.receivers_for(&exact), ["archive", "webhook"]);
        let near = with("route53-domain-transferred-x", Severity::Medium, &[]);
        assert_eq!(t.receivers_for(&near), ["archive"]);
    }

    #[test]
    fn severity_is_a_minimum() {
        let r = Route::to(["x"]).min_severity(Severity::Medium);
        assert!(!r.matches(&with("a", Severity::Low, &[])));
        assert!(r.matches(&with("a", Severity::Medium, &[])));
        assert!(r.matches(&with("a", Severity::Critical, &[])));
    }

    #[test]
    fn stop_ends_the_evaluation_only_when_it_matches() {
        let t = RouteTable::new(vec![
            Route::to(["noisy-file"]).rule("noisy-*").stop(),
            Route::to(["slack"]),
        ]);
        assert_eq!(
            t.receivers_for(&with("noisy-rule", Severity::High, &[])),
            ["noisy-file"]
        );
        assert_eq!(
            t.receivers_for(&with("quiet-rule", Severity::High, &[])),
            ["slack"]
        );
    }

    #[test]
    fn an_empty_table_routes_nowhere() {
        assert!(
            RouteTable::default()
                .receivers_for(&with("a", Severity::Critical, &[]))
                .is_empty()
        );
    }
}
