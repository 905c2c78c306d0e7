//! From the configuration's receivers, routes and delivery policy to an `r53guard-notify`
//! notifier and route table. Secrets are read here, once, at start.

use crate::config::{Config, RateLimitConfig, ReceiverSpec, RouteConfig};
use anyhow::Context;
use r53guard_notify::{
    HttpSettings, JsonlConfig, Notifier, PagerDutyConfig, RateLimit, Receiver, ReceiverConfig,
    RetryPolicy, Route, RouteTable, SlackConfig, WebhookConfig,
};

/// The notifier for `config`'s receivers, retry policy and allowed targets, and its route
/// table.
pub fn build(config: &Config) -> anyhow::Result<(Notifier, RouteTable)> {
    let d = &config.delivery;
    let mut builder = Notifier::builder()
        .retry_policy(RetryPolicy {
            max_attempts: d.max_attempts,
            base_delay: d.base_delay.get(),
            multiplier: d.multiplier,
            max_delay: d.max_delay.get(),
        })
        .http(HttpSettings {
            allow_plain_http: d.allow_plain_http,
            allow_private_targets: d.allow_private_targets,
            ..HttpSettings::default()
        });
    for spec in &config.receivers {
        builder = builder.receiver(receiver(spec)?);
    }
    let notifier = builder.build()?;
    let routes = route_table(config);
    notifier.check_routes(&routes)?;
    Ok((notifier, routes))
}

fn receiver(spec: &ReceiverSpec) -> anyhow::Result<ReceiverConfig> {
    let name = spec.name();
    let secret_for = |key: &str, s: &crate::secret_ref::SecretSpec| {
        s.resolve()
            .with_context(|| format!("receiver {name:?}: {key} ({})", s.describe()))
    };
    let (receiver, limit) = match spec {
        ReceiverSpec::Slack {
            webhook_url,
            rate_limit,
            ..
        } => (
            Receiver::Slack(SlackConfig {
                webhook_url: secret_for("webhook_url", webhook_url)?,
            }),
            rate_limit,
        ),
        ReceiverSpec::PagerDuty {
            routing_key,
            events_url,
            rate_limit,
            ..
        } => {
            let mut pagerduty = PagerDutyConfig::new(secret_for("routing_key", routing_key)?);
            if let Some(url) = events_url {
                pagerduty.url.clone_from(url);
            }
            (Receiver::PagerDuty(pagerduty), rate_limit)
        }
        ReceiverSpec::Webhook {
            url,
            signing_key,
            max_body_bytes,
            rate_limit,
            ..
        } => {
            let mut hook = WebhookConfig::new(
                secret_for("url", url)?,
                secret_for("signing_key", signing_key)?,
            );
            if let Some(max) = max_body_bytes {
                hook.max_body_bytes = *max;
            }
            (Receiver::Webhook(hook), rate_limit)
        }
        ReceiverSpec::Jsonl {
            path,
            max_bytes,
            keep,
            ..
        } => {
            let mut file = JsonlConfig::new(path);
            if let Some(max) = max_bytes {
                file.max_bytes = *max;
            }
            if let Some(keep) = keep {
                file.keep = *keep;
            }
            (Receiver::Jsonl(file), &None)
        }
        ReceiverSpec::Stdout { .. } => (Receiver::Stdout, &None),
    };
    let config = ReceiverConfig::new(name, receiver);
    Ok(match limit {
        Some(RateLimitConfig { per_second, burst }) => {
            config.rate_limit(Some(RateLimit::new(*per_second, *burst)))
        }
        None => config,
    })
}

/// The configured routes; with none, one route sending every alert to every receiver.
fn route_table(config: &Config) -> RouteTable {
    if config.routes.is_empty() {
        return RouteTable::new(vec![Route::to(config.receivers.iter().map(|r| r.name()))]);
    }
    RouteTable::new(config.routes.iter().map(route).collect())
}

fn route(c: &RouteConfig) -> Route {
    let mut r = Route::to(c.receivers.iter().cloned());
    if let Some(s) = c.min_severity {
        r = r.min_severity(s);
    }
    for p in &c.rules {
        r = r.rule(p.clone());
    }
    for p in &c.tags {
        r = r.tag(p.clone());
    }
    if c.stop {
        r = r.stop();
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration with one PagerDuty receiver sending to `events_url`, its routing key in
    /// the file `key`.
    fn pagerduty(key: &std::path::Path, events_url: &str, delivery: &str) -> Config {
        Config::parse(&format!(
            "[[source]]\ntype = \"stdin\"\nname = \"in\"\n\
             [[receiver]]\ntype = \"pagerduty\"\nname = \"pd\"\nrouting_key = \"file:{}\"\n\
             events_url = \"{events_url}\"\n[delivery]\n{delivery}\n",
            key.display()
        ))
        .unwrap()
    }

    #[test]
    fn the_events_url_and_the_allowed_targets_reach_the_notifier() {
        let mut key = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut key, b"0123456789abcdef0123456789abcdef\n").unwrap();
        let pagerduty = |url: &str, delivery: &str| pagerduty(key.path(), url, delivery);
        // The default endpoint would pass; a loopback one is refused unless allowed.
        let strict = pagerduty("https://127.0.0.1:9/v2/enqueue", "");
        let e = build(&strict).err().expect("a loopback target is refused");
        assert!(e.to_string().contains("private, loopback"), "{e}");
        let local = pagerduty(
            "http://127.0.0.1:9/v2/enqueue",
            "allow_plain_http = true\nallow_private_targets = true",
        );
        let (notifier, _) = build(&local).unwrap();
        assert_eq!(notifier.receiver_names().collect::<Vec<_>>(), ["pd"]);
        let eu = pagerduty("https://events.eu.pagerduty.com/v2/enqueue", "");
        assert!(build(&eu).is_ok());
    }
}
