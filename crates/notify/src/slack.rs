//! Slack incoming webhooks: the Block Kit message, and what counts as delivered.

use crate::describe::{alert_url, attack, entity_fields};
use crate::outcome::{Failure, FailureKind, Verdict, classify_failure_status};
use crate::rate_limit::RateLimit;
use crate::secret::Secret;
use crate::text::{mrkdwn_escape, truncate_chars};
use r53guard_alert::Alert;
use serde_json::{Value, json};
use std::time::Duration;

/// Slack truncates a message's top-level `text` above this many characters.
const TEXT_MAX: usize = 40_000;
/// The longest `header` block text.
const HEADER_MAX: usize = 150;
/// The longest `section` (and `context` element) text.
const SECTION_MAX: usize = 3_000;
/// The longest text of one field of a `section`, and how many fields one section takes.
const FIELD_MAX: usize = 2_000;
const FIELDS_PER_SECTION: usize = 10;

/// A Slack incoming webhook.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    /// The webhook URL (`https://hooks.slack.com/services/…`): a secret.
    pub webhook_url: Secret,
}

impl SlackConfig {
    /// Slack allows about one message per second per webhook, with short bursts.
    pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit {
        per_second: 1.0,
        burst: 1,
    };
}

/// The message: `text` (the notification and fallback line) and Block Kit `blocks`: a header
/// with the severity and rule name, the summary, the entity and rule as fields, the ATT&CK ids,
/// the link to the alert, and a context line with the alert id, times, count and rule author.
pub(crate) fn message(alert: &Alert, link_base: Option<&str>) -> Value {
    let rule = &alert.rule;
    let severity = rule.severity.as_str().to_ascii_uppercase();
    let text = format!("[{severity}] {}: {}", rule.name, alert.summary);

    let mut fields = vec![
        ("Severity".to_owned(), rule.severity.as_str().to_owned()),
        ("Rule".to_owned(), format!("{} v{}", rule.id, rule.version)),
    ];
    fields.extend(
        entity_fields(&alert.entity)
            .into_iter()
            .map(|(label, value)| (label.to_owned(), value.to_owned())),
    );

    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text",
            "text": truncate_chars(&format!("[{severity}] {}", rule.name), HEADER_MAX)}}),
        section(&mrkdwn_escape(&alert.summary, SECTION_MAX)),
    ];
    for chunk in fields.chunks(FIELDS_PER_SECTION) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|(label, value)| {
                let value = mrkdwn_escape(value, FIELD_MAX - label.len() - 3);
                json!({"type": "mrkdwn", "text": format!("*{label}*\n{value}")})
            })
            .collect();
        blocks.push(json!({"type": "section", "fields": items}));
    }
    let attack = attack(rule);
    if !attack.is_empty() {
        let list: Vec<String> = attack
            .iter()
            .map(|(id, name)| format!("{id} {name}"))
            .collect();
        let list = mrkdwn_escape(&list.join(" · "), SECTION_MAX - 18);
        blocks.push(section(&format!("*MITRE ATT&amp;CK*\n{list}")));
    }
    if let Some(base) = link_base {
        let url = mrkdwn_escape(&alert_url(base, &alert.id), SECTION_MAX - 20);
        blocks.push(section(&format!("<{url}|Open the alert>")));
    }
    let mut context = format!(
        "alert {} · detected {} · first seen {} · last seen {} · {} event(s)",
        alert.id, alert.detected_at, alert.first_seen, alert.last_seen, alert.count
    );
    if !rule.author.is_empty() {
        context.push_str(&format!(" · rule by {}", rule.author.join(", ")));
    }
    blocks.push(json!({"type": "context", "elements": [
        {"type": "mrkdwn", "text": mrkdwn_escape(&context, SECTION_MAX)}]}));

    json!({"text": mrkdwn_escape(&text, TEXT_MAX), "blocks": blocks})
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// Slack's answer: delivered only on 200 with the body `ok`.
pub(crate) fn verdict(status: u16, retry_after: Option<Duration>, body: &str) -> Verdict {
    match status {
        200 if body.trim() == "ok" => Verdict::Delivered,
        200..=299 => Verdict::Permanent(Failure::new(
            FailureKind::UnexpectedAnswer(status),
            body.trim(),
        )),
        _ => classify_failure_status(status, retry_after, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_alert::alert;
    use std::sync::Arc;

    fn block_texts(msg: &Value) -> Vec<String> {
        let mut out = Vec::new();
        for block in msg["blocks"].as_array().unwrap() {
            if let Some(t) = block["text"]["text"].as_str() {
                out.push(t.to_owned());
            }
            for f in block["fields"].as_array().into_iter().flatten() {
                out.push(f["text"].as_str().unwrap().to_owned());
            }
            for e in block["elements"].as_array().into_iter().flatten() {
                out.push(e["text"].as_str().unwrap().to_owned());
            }
        }
        out
    }

    #[test]
    fn the_message_shows_severity_rule_entity_summary_attack_and_link() {
        let msg = message(&alert(), Some("https://r53guard.example/alerts/"));
        assert_eq!(
            msg["text"],
            "[HIGH] DNS tunneling: long random subdomains: 42 long queries under t.example.net \
             from 10.0.1.25 &lt;vpc-0abc&gt; &amp; more"
        );
        assert_eq!(
            msg["blocks"][0]["text"]["text"],
            "[HIGH] DNS tunneling: long random subdomains"
        );
        let texts = block_texts(&msg);
        for expected in [
            "*Severity*\nhigh",
            "*Rule*\nroute53-resolver-dns-tunneling v2",
            "*Account*\n123456789012",
            "*Source IP*\n10.0.1.25",
            "*VPC*\nvpc-0abc",
            "*Domain*\nt.example.net",
            "*MITRE ATT&amp;CK*\nTA0011 Command and Control · T1071 Application Layer Protocol \
             · T1071.004 DNS",
            "<https://r53guard.example/alerts/5d41402abc4b2a76b9719d911017c592|Open the alert>",
        ] {
            assert!(
                texts.iter().any(|t| t == expected),
                "{expected}\n{texts:#?}"
            );
        }
        let context = texts.last().unwrap();
        assert!(context.contains("alert 5d41402abc4b2a76b9719d911017c592"));
        assert!(context.ends_with("rule by r53guard"));
    }

    #[test]
    fn no_link_without_a_base_and_long_texts_are_cut_to_slack_limits() {
        let mut a = alert();
        Arc::make_mut(&mut a.rule).name = "n".repeat(500);
        a.summary = "<&>".repeat(20_000);
        a.entity.principal_arn = Some("p".repeat(5_000));
        let msg = message(&a, None);
        let texts = block_texts(&msg);
        assert!(!texts.iter().any(|t| t.contains("Open the alert")));
        assert!(msg["text"].as_str().unwrap().chars().count() <= TEXT_MAX);
        assert_eq!(
            msg["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            HEADER_MAX
        );
        for block in msg["blocks"].as_array().unwrap() {
            if let Some(t) = block["text"]["text"].as_str() {
                assert!(t.chars().count() <= SECTION_MAX);
            }
            let fields = block["fields"].as_array().map_or(0, Vec::len);
            assert!(fields <= FIELDS_PER_SECTION);
            for f in block["fields"].as_array().into_iter().flatten() {
                assert!(f["text"].as_str().unwrap().chars().count() <= FIELD_MAX);
            }
        }
        assert!(msg["blocks"].as_array().unwrap().len() <= 50);
    }

    #[test]
    fn many_entity_fields_spill_into_a_second_section() {
        let mut a = alert();
        a.entity.principal_arn = Some("arn:aws:iam::123456789012:user/alice".into());
        a.entity.resolver_endpoint = Some("rslvr-out-1".into());
        a.entity.target_account_id = Some("111122223333".into());
        a.entity.user_agent = Some("aws-cli/2".into());
        let msg = message(&a, None);
        let sections: Vec<usize> = msg["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["fields"].as_array().map(Vec::len))
            .collect();
        assert_eq!(sections, [10, 2]);
    }

    #[test]
    fn only_200_ok_is_delivered() {
        assert_eq!(verdict(200, None, "ok"), Verdict::Delivered);
        assert!(matches!(
            verdict(200, None, "something else"),
            Verdict::Permanent(_)
        ));
        assert!(matches!(
            verdict(400, None, "invalid_payload"),
            Verdict::Permanent(_)
        ));
        assert!(matches!(
            verdict(404, None, "channel_not_found"),
            Verdict::Permanent(_)
        ));
        assert!(matches!(
            verdict(500, None, "rollup_error"),
            Verdict::Transient { .. }
        ));
        let ra = Some(Duration::from_secs(7));
        assert_eq!(
            verdict(429, ra, ""),
            Verdict::Transient {
                failure: Failure::new(FailureKind::Status(429), ""),
                retry_after: ra
            }
        );
    }
}
