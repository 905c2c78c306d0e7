//! PagerDuty Events API v2: the trigger event, and what counts as delivered.

use crate::describe::{alert_url, attack, entity_fields};
use crate::outcome::{Failure, FailureKind, Verdict, classify_failure_status};
use crate::rate_limit::RateLimit;
use crate::secret::Secret;
use crate::text::truncate_chars;
use r53guard_alert::{Alert, Severity};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// The Events API v2 endpoint.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// The longest `payload.summary`.
const SUMMARY_MAX: usize = 1_024;
/// The longest `dedup_key`.
const DEDUP_KEY_MAX: usize = 255;
/// The largest request.
const REQUEST_MAX: usize = 512 * 1024;
/// PagerDuty suggests waiting about 30 s after a 429 (it sends no `Retry-After`).
const THROTTLED_WAIT: Duration = Duration::from_secs(30);

/// A PagerDuty service integration (Events API v2).
#[derive(Debug, Clone)]
pub struct PagerDutyConfig {
    /// The integration's 32-character routing key: a secret.
    pub routing_key: Secret,
    /// Where events go: [`PAGERDUTY_EVENTS_URL`] by default;
    /// `https://events.eu.pagerduty.com/v2/enqueue` for accounts in PagerDuty's EU service
    /// region, or a local stand-in in tests.
    pub url: String,
}

impl PagerDutyConfig {
    /// About 2 events per second per routing key keeps under PagerDuty's 120 a minute.
    pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit {
        per_second: 2.0,
        burst: 2,
    };

    /// A trigger-only integration through [`PAGERDUTY_EVENTS_URL`].
    pub fn new(routing_key: Secret) -> PagerDutyConfig {
        PagerDutyConfig {
            routing_key,
            url: PAGERDUTY_EVENTS_URL.to_owned(),
        }
    }
}

/// PagerDuty's severity for ours.
pub(crate) fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "info",
        Severity::Medium => "warning",
        Severity::High => "error",
        Severity::Critical => "critical",
    }
}

/// The serialized trigger event: `dedup_key` is the alert id, so a retry, or a resend after a
/// crash, updates the same PagerDuty alert instead of opening another.
pub(crate) fn event(
    alert: &Alert,
    routing_key: &Secret,
    link_base: Option<&str>,
) -> Result<Vec<u8>, Failure> {
    if alert.id.chars().count() > DEDUP_KEY_MAX {
        return Err(Failure::new(
            FailureKind::Payload,
            format!("the alert id is longer than {DEDUP_KEY_MAX} characters"),
        ));
    }
    let rule = &alert.rule;
    let link = link_base.map(|base| alert_url(base, &alert.id));
    let mut payload = json!({
        "summary": truncate_chars(&format!("{}: {}", rule.name, alert.summary), SUMMARY_MAX),
        "source": source(alert),
        "severity": severity(rule.severity),
        "timestamp": alert.detected_at,
        "class": rule.id,
        "custom_details": details(alert, true),
    });
    if let Some(kind) = alert.events.first().map(|e| e.kind.as_str()) {
        payload["component"] = json!(if kind == "resolver" {
            "route53resolver"
        } else {
            kind
        });
    }
    if let Some(account) = &alert.entity.account_id {
        payload["group"] = json!(account);
    }
    let mut event = json!({
        "routing_key": routing_key.expose(),
        "event_action": "trigger",
        "dedup_key": alert.id,
        "payload": payload,
        "client": "r53guard",
    });
    if let Some(link) = link {
        event["client_url"] = json!(link);
        event["links"] = json!([{"href": link, "text": "Open the alert in r53guard"}]);
    }
    let body = serde_json::to_vec(&event).expect("JSON values serialize");
    if body.len() <= REQUEST_MAX {
        return Ok(body);
    }
    // Only free-form texts can make it this large: keep the essentials of the details.
    event["payload"]["custom_details"] = details(alert, false);
    let body = serde_json::to_vec(&event).expect("JSON values serialize");
    if body.len() <= REQUEST_MAX {
        Ok(body)
    } else {
        Err(Failure::new(
            FailureKind::Payload,
            "the event is over PagerDuty's 512 KB",
        ))
    }
}

/// The affected system: the VPC and source address of DNS activity, the account and domain of
/// domain and zone activity, or the account.
fn source(alert: &Alert) -> String {
    let e = &alert.entity;
    match (&e.vpc_id, &e.source_ip, &e.account_id, &e.domain) {
        (Some(vpc), Some(ip), _, _) => format!("{vpc}/{ip}"),
        (Some(vpc), None, _, _) => vpc.clone(),
        (None, _, Some(account), Some(domain)) => format!("aws:{account}:{domain}"),
        (None, _, Some(account), None) => format!("aws:{account}"),
        (None, Some(ip), None, _) => ip.clone(),
        (None, None, None, Some(domain)) => domain.clone(),
        (None, None, None, None) => "r53guard".to_owned(),
    }
}

/// `custom_details`: the alert id, rule, ATT&CK ids, entity, group key, counts, times and the
/// rule's author; `full` adds the summary and references.
fn details(alert: &Alert, full: bool) -> Value {
    let rule = &alert.rule;
    let mut d = Map::new();
    d.insert("alert_id".into(), json!(alert.id));
    d.insert("rule_id".into(), json!(rule.id));
    d.insert("rule_version".into(), json!(rule.version));
    d.insert("severity".into(), json!(rule.severity.as_str()));
    d.insert("risk_score".into(), json!(rule.risk_score));
    let ids: Vec<&str> = attack(rule).into_iter().map(|(id, _)| id).collect();
    d.insert("attack".into(), json!(ids));
    if !rule.author.is_empty() {
        d.insert("rule_author".into(), json!(rule.author));
    }
    if full {
        d.insert("summary".into(), json!(alert.summary));
        let entity: Map<String, Value> = entity_fields(&alert.entity)
            .into_iter()
            .map(|(label, value)| (label.to_owned(), json!(value)))
            .collect();
        d.insert("entity".into(), Value::Object(entity));
        if !alert.group.is_empty() {
            d.insert("group_key".into(), json!(alert.group));
        }
        if let Some(url) = &rule.source_url {
            d.insert("rule_url".into(), json!(url));
        }
    }
    d.insert("count".into(), json!(alert.count));
    d.insert("events_total".into(), json!(alert.events_total));
    d.insert("first_seen".into(), json!(alert.first_seen));
    d.insert("last_seen".into(), json!(alert.last_seen));
    Value::Object(d)
}

/// PagerDuty's answer: any 2xx (it documents 202) is delivered; a 429 without `Retry-After`
/// waits the 30 s PagerDuty suggests.
pub(crate) fn verdict(status: u16, retry_after: Option<Duration>, body: &str) -> Verdict {
    if (200..300).contains(&status) {
        return Verdict::Delivered;
    }
    let retry_after = match (status, retry_after) {
        (429, None) => Some(THROTTLED_WAIT),
        (_, given) => given,
    };
    classify_failure_status(status, retry_after, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_alert::alert;

    fn parse(body: &[u8]) -> Value {
        serde_json::from_slice(body).unwrap()
    }

    #[test]
    fn severities_map_to_pagerduty_levels() {
        let got: Vec<_> = Severity::ALL.into_iter().map(severity).collect();
        assert_eq!(got, ["info", "warning", "error", "critical"]);
    }

    #[test]
    fn the_trigger_carries_key_dedup_payload_and_links() {
        let key = Secret::new("0123456789abcdef0123456789abcdef");
        let ev = parse(&event(&alert(), &key, Some("https://r53guard.example/alerts")).unwrap());
        assert_eq!(ev["routing_key"], "0123456789abcdef0123456789abcdef");
        assert_eq!(ev["event_action"], "trigger");
        assert_eq!(ev["dedup_key"], "5d41402abc4b2a76b9719d911017c592");
        let p = &ev["payload"];
        assert_eq!(
            p["summary"],
            "DNS tunneling: long random subdomains: 42 long queries under t.example.net from \
             10.0.1.25 <vpc-0abc> & more"
        );
        assert_eq!(p["source"], "vpc-0abc/10.0.1.25");
        assert_eq!(p["severity"], "error");
        assert_eq!(p["timestamp"], "2024-05-01T12:05:00.000Z");
        assert_eq!(p["component"], "route53resolver");
        assert_eq!(p["group"], "123456789012");
        assert_eq!(p["class"], "route53-resolver-dns-tunneling");
        let d = &p["custom_details"];
        assert_eq!(d["attack"], json!(["TA0011", "T1071", "T1071.004"]));
        assert_eq!(d["rule_author"], json!(["r53guard"]));
        assert_eq!(d["count"], 42);
        assert_eq!(d["entity"]["VPC"], "vpc-0abc");
        assert_eq!(d["group_key"]["srcaddr"], "10.0.1.25");
        let link = "https://r53guard.example/alerts/5d41402abc4b2a76b9719d911017c592";
        assert_eq!(ev["client"], "r53guard");
        assert_eq!(ev["client_url"], link);
        assert_eq!(ev["links"][0]["href"], link);
    }

    #[test]
    fn no_links_without_a_base() {
        let ev = parse(&event(&alert(), &Secret::new("k"), None).unwrap());
        assert!(ev.get("links").is_none() && ev.get("client_url").is_none());
    }

    #[test]
    fn limits_summary_request_and_dedup_key() {
        let key = Secret::new("k");
        let mut a = alert();
        a.summary = "s".repeat(2_000);
        let ev = parse(&event(&a, &key, None).unwrap());
        assert_eq!(
            ev["payload"]["summary"].as_str().unwrap().chars().count(),
            SUMMARY_MAX
        );
        a.summary = "s".repeat(600 * 1024);
        let body = event(&a, &key, None).unwrap();
        assert!(body.len() <= REQUEST_MAX);
        assert!(parse(&body)["payload"]["custom_details"]["summary"].is_null());
        a.id = "x".repeat(256);
        assert_eq!(
            event(&a, &key, None).unwrap_err().kind,
            FailureKind::Payload
        );
    }

    #[test]
    fn sources_name_the_affected_system() {
        let mut a = alert();
        assert_eq!(source(&a), "vpc-0abc/10.0.1.25");
        a.entity.vpc_id = None;
        assert_eq!(source(&a), "aws:123456789012:t.example.net");
        a.entity.domain = None;
        assert_eq!(source(&a), "aws:123456789012");
        a.entity = Default::default();
        assert_eq!(source(&a), "r53guard");
    }

    #[test]
    fn answers() {
        assert_eq!(verdict(202, None, "{}"), Verdict::Delivered);
        assert!(matches!(verdict(400, None, "bad"), Verdict::Permanent(_)));
        match verdict(429, None, "") {
            Verdict::Transient { retry_after, .. } => {
                assert_eq!(retry_after, Some(THROTTLED_WAIT))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(verdict(503, None, ""), Verdict::Transient { .. }));
    }
}
