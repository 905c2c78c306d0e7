//! The configuration: what parses, and the errors that name the key at fault.

use r53guard_service::config::{ReceiverSpec, SourceConfig};
use r53guard_service::{Config, ConfigError};

const MINIMAL: &str = r#"
[[source]]
type = "directory"
name = "logs"
path = "./logs"

[[receiver]]
type = "stdout"
name = "out"
"#;

fn error(text: &str) -> String {
    match Config::parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn minimal_config_gets_the_defaults() {
    let c = Config::parse(MINIMAL).unwrap();
    assert_eq!(c.data_dir.to_str(), Some("./r53guard-data"));
    assert!(c.rules.builtin);
    assert_eq!(c.api.listen.to_string(), "127.0.0.1:8053");
    assert!(c.api.token.is_none());
    let SourceConfig::Directory {
        poll_interval,
        allowed_lateness,
        ..
    } = &c.sources[0]
    else {
        panic!("not a directory source")
    };
    assert_eq!(poll_interval.to_string(), "1s");
    assert_eq!(allowed_lateness.to_string(), "5m");
    assert_eq!(c.delivery.max_attempts, 10);
}

#[test]
fn the_embedded_default_watches_logs_and_prints_alerts() {
    let c = Config::default_config();
    assert!(
        matches!(&c.sources[..], [SourceConfig::Directory { path, .. }] if path.to_str() == Some("./logs"))
    );
    assert!(matches!(&c.receivers[..], [ReceiverSpec::Stdout { .. }]));
    assert!(c.api.listen.ip().is_loopback());
}

#[test]
fn the_example_config_checks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/r53guard.toml");
    let c = Config::load(std::path::Path::new(path)).unwrap();
    assert_eq!(c.receivers.len(), 5);
    assert_eq!(c.routes.len(), 3);
}

#[test]
fn unknown_keys_are_rejected_everywhere() {
    assert!(error(&format!("colour = 1\n{MINIMAL}")).contains("unknown field `colour`"));
    let e = error(&MINIMAL.replace("path = \"./logs\"", "path = \"./logs\"\npoll = \"1s\""));
    assert!(e.contains("unknown field `poll`"), "{e}");
    let e = error(&format!(
        "{MINIMAL}\n[api]\nlisten = \"127.0.0.1:1\"\ntokn = \"env:X\"\n"
    ));
    assert!(e.contains("unknown field `tokn`"), "{e}");
    let e = error(&format!("{MINIMAL}\n[delivery]\nretries = 3\n"));
    assert!(e.contains("unknown field `retries`"), "{e}");
    let e = error(&format!(
        "{MINIMAL}\n[[route]]\nreceivers = [\"out\"]\nseverity = \"high\"\n"
    ));
    assert!(e.contains("unknown field `severity`"), "{e}");
}

#[test]
fn unknown_source_and_receiver_types_are_rejected() {
    let e = error(&MINIMAL.replace("type = \"directory\"", "type = \"s3\""));
    assert!(e.contains("unknown variant `s3`"), "{e}");
    let e = error(&MINIMAL.replace("type = \"stdout\"", "type = \"email\""));
    assert!(e.contains("unknown variant `email`"), "{e}");
}

#[test]
fn secrets_must_be_references() {
    let text = format!(
        "{MINIMAL}\n[[receiver]]\ntype = \"slack\"\nname = \"s\"\nwebhook_url = \"https://hooks.slack.com/services/T/B/X\"\n"
    );
    let e = error(&text);
    assert!(e.contains("env:NAME or file:/path"), "{e}");
    assert!(e.contains("receiver[1].webhook_url"), "{e}");
    assert!(!e.contains("hooks.slack.com"), "the value leaked: {e}");
    let e = error(&format!(
        "{MINIMAL}\n[[receiver]]\ntype = \"pagerduty\"\nname = \"p\"\nrouting_key = \"literal:abc\"\n"
    ));
    assert!(e.contains("env:NAME or file:/path"), "{e}");
    let ok = format!(
        "{MINIMAL}\n[[receiver]]\ntype = \"webhook\"\nname = \"w\"\nurl = \"env:URL\"\nsigning_key = \"file:/etc/key\"\n"
    );
    Config::parse(&ok).unwrap();
}

#[test]
fn a_non_loopback_api_needs_a_token() {
    let e = error(&format!("{MINIMAL}\n[api]\nlisten = \"0.0.0.0:8053\"\n"));
    assert!(e.contains("api.token: required"), "{e}");
    Config::parse(&format!(
        "{MINIMAL}\n[api]\nlisten = \"0.0.0.0:8053\"\ntoken = \"env:R53GUARD_API_TOKEN\"\n"
    ))
    .unwrap();
    let e = error(&format!(
        "{MINIMAL}\n[api]\ntoken = \"secret-in-the-file\"\n"
    ));
    assert!(e.contains("api.token: a secret must be written"), "{e}");
    assert!(!e.contains("secret-in-the-file"), "the value leaked: {e}");
    let e = error(&format!("{MINIMAL}\n[api]\nlisten = \"localhost:8053\"\n"));
    assert!(e.contains("listen"), "{e}");
}

#[test]
fn problems_name_their_keys() {
    let text = r#"
[[source]]
type = "directory"
name = "a"
path = "x"
poll_interval = "0s"
[[source]]
type = "directory"
name = "a"
path = "y"
allowed_lateness = "soon"
"#;
    let e = error(text);
    assert!(e.contains("\"soon\" is not a duration"), "{e}");
    let text = r#"
[[source]]
type = "directory"
name = "a"
path = "x"
poll_interval = "0s"
[[source]]
type = "directory"
name = "a"
path = "y"
[[receiver]]
type = "stdout"
name = "out"
[[route]]
receivers = ["out", "pager"]
[delivery]
max_attempts = 0
"#;
    let e = error(text);
    for want in [
        "source[0].poll_interval: must be more than 0",
        "source[1].name: \"a\" is used twice",
        "route[0].receivers: no receiver is named \"pager\"",
        "delivery.max_attempts: must be at least 1",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    assert!(matches!(Config::parse(text), Err(ConfigError::Invalid(p)) if p.len() == 4));
    let e = error("data_dir = \"d\"\n");
    assert!(
        e.contains("at least one [[source]]") && e.contains("at least one [[receiver]]"),
        "{e}"
    );
}

#[test]
fn pagerduty_events_url_and_allowed_targets() {
    let pagerduty = |url: &str, delivery: &str| {
        format!(
            "{MINIMAL}\n[[receiver]]\ntype = \"pagerduty\"\nname = \"p\"\nrouting_key = \"env:PD\"\n\
             events_url = \"{url}\"\n[delivery]\n{delivery}\n"
        )
    };
    let c = Config::parse(&pagerduty("https://events.eu.pagerduty.com/v2/enqueue", "")).unwrap();
    assert!(matches!(
        &c.receivers[1],
        ReceiverSpec::PagerDuty { events_url: Some(u), .. } if u == "https://events.eu.pagerduty.com/v2/enqueue"
    ));
    assert!(!c.delivery.allow_plain_http && !c.delivery.allow_private_targets);
    assert!(
        c.summary()
            .contains("receiver p: pagerduty (https://events.eu.pagerduty.com/v2/enqueue)")
    );
    let without = MINIMAL.to_owned()
        + "[[receiver]]\ntype = \"pagerduty\"\nname = \"p\"\nrouting_key = \"env:PD\"\n";
    let c = Config::parse(&without).unwrap();
    assert!(matches!(
        &c.receivers[1],
        ReceiverSpec::PagerDuty {
            events_url: None,
            ..
        }
    ));

    let e = error(&pagerduty("ftp://example.invalid/x", ""));
    assert!(
        e.contains("receiver[1].events_url: must be an https:// URL"),
        "{e}"
    );
    let local = "http://127.0.0.1:8080/v2/enqueue";
    let e = error(&pagerduty(local, ""));
    assert!(
        e.contains("receiver[1].events_url: an http:// URL needs delivery.allow_plain_http"),
        "{e}"
    );
    let c = Config::parse(&pagerduty(
        local,
        "allow_plain_http = true\nallow_private_targets = true",
    ))
    .unwrap();
    assert!(c.delivery.allow_plain_http && c.delivery.allow_private_targets);
    assert!(
        c.summary()
            .contains("plain http allowed, private targets allowed"),
        "{}",
        c.summary()
    );
}
