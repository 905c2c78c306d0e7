//! The configuration: what parses, and the errors that name the key at fault.

mod firehose;

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
    let e = error(&MINIMAL.replace("type = \"directory\"", "type = \"kafka\""));
    assert!(e.contains("unknown variant `kafka`"), "{e}");
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

const OBJECT_SOURCES: &str = r#"
[[source]]
type = "s3"
name = "bucket"
bucket = "my-logs"
prefix = "AWSLogs/"

[[source]]
type = "sqs"
name = "queue"
queue_url = "https://sqs.us-east-1.amazonaws.com/111122223333/logs"
endpoint_url = "http://127.0.0.1:4566"

[[receiver]]
type = "stdout"
name = "out"
"#;

#[test]
fn s3_and_sqs_sources_get_their_defaults() {
    let config = Config::parse(OBJECT_SOURCES).unwrap();
    let SourceConfig::S3(s3) = &config.sources[0] else {
        panic!("not s3")
    };
    assert_eq!(
        (s3.bucket.as_str(), s3.prefix.as_str()),
        ("my-logs", "AWSLogs/")
    );
    assert_eq!(s3.poll_interval.get().as_secs(), 60);
    assert_eq!(s3.max_object_bytes, 512 << 20);
    assert_eq!(s3.region, None);
    let SourceConfig::Sqs(sqs) = &config.sources[1] else {
        panic!("not sqs")
    };
    assert_eq!(sqs.wait_time.get().as_secs(), 2);
    assert_eq!(sqs.max_messages, 10);
    assert_eq!(sqs.visibility_timeout.get().as_secs(), 300);
    assert_eq!(sqs.allowed_lateness.get().as_secs(), 300);
    assert_eq!(sqs.endpoint_url.as_deref(), Some("http://127.0.0.1:4566"));
    let summary = config.summary();
    assert!(
        summary.contains("source bucket: s3 s3://my-logs/AWSLogs/ (poll 1m"),
        "{summary}"
    );
    assert!(summary.contains("source queue: sqs https://sqs.us-east-1.amazonaws.com/111122223333/logs (wait 2s, up to 10 messages"), "{summary}");
}

#[test]
fn s3_and_sqs_problems_name_their_keys() {
    let bad = OBJECT_SOURCES
        .replace("bucket = \"my-logs\"", "bucket = \"My_Logs\"\npoll_interval = \"0s\"\nregion = \"\"")
        .replace(
            "queue_url = \"https://sqs.us-east-1.amazonaws.com/111122223333/logs\"",
            "queue_url = \"logs\"\nwait_time = \"30s\"\nmax_messages = 11\nvisibility_timeout = \"13h\"\nmax_object_bytes = 0",
        )
        .replace("http://127.0.0.1:4566", "127.0.0.1:4566");
    let e = error(&bad);
    for want in [
        "source[0].bucket: a bucket name has only lower-case letters",
        "source[0].poll_interval: must be more than 0",
        "source[0].region: must not be empty",
        "source[1].queue_url: \"logs\" is not a queue URL",
        "source[1].wait_time: at most 20s",
        "source[1].max_messages: from 1 to 10",
        "source[1].visibility_timeout: from 1s to 12h",
        "source[1].max_object_bytes: must be more than 0",
        "source[1].endpoint_url: \"127.0.0.1:4566\" is not an http:// or https:// URL",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    let e = error(&OBJECT_SOURCES.replace("prefix = ", "prefx = "));
    assert!(e.contains("unknown field `prefx`"), "{e}");
    let e = error(&OBJECT_SOURCES.replace("type = \"sqs\"", "type = \"sqs\"\nbucket = \"b\""));
    assert!(e.contains("unknown field `bucket`"), "{e}");
}
