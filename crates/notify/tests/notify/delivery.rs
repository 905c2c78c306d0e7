//! The delivery policy end to end: dead letters after N attempts, timeouts, refused connections,
//! reproducible jitter, unknown receivers, configuration errors, and secrets kept out of every
//! message.

use crate::server::{Reply, Server};
use crate::setup::{alert, builder, clock};
use crate::webhook::webhook;
use r53guard_notify::{
    BuildError, FailureKind, HttpSettings, Notifier, Outcome, Receiver, ReceiverConfig, Route,
    RouteTable, Secret, SlackConfig, WebhookConfig,
};
use std::time::Duration;

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_dead_lettered_after_the_last_attempt() {
    let server = Server::start(Reply::new(500, "down")).await;
    let clock = clock();
    let notifier = webhook(&server, &clock);
    let a = alert();
    let policy = *notifier.retry_policy();
    assert_eq!(policy.max_attempts, 4);
    for attempt in 1..policy.max_attempts {
        match notifier.deliver(&a, "hook", attempt).await {
            Outcome::Retry { after, failure } => {
                assert!(after <= policy.ceiling(attempt));
                assert_eq!(failure.kind, FailureKind::Status(500));
                clock.advance(after);
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
    match notifier.deliver(&a, "hook", policy.max_attempts).await {
        Outcome::Dead { attempts, failure } => {
            assert_eq!(attempts, 4);
            assert_eq!(failure.to_string(), "HTTP 500: down");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn the_jitter_is_reproducible_with_a_seed() {
    let server = Server::start(Reply::new(500, "")).await;
    let delays = |notifier: Notifier| async move {
        let mut out = Vec::new();
        for attempt in 1..4 {
            if let Outcome::Retry { after, .. } = notifier.deliver(&alert(), "hook", attempt).await
            {
                out.push(after);
            }
        }
        out
    };
    let first = delays(webhook(&server, &clock())).await;
    let second = delays(webhook(&server, &clock())).await;
    assert_eq!(first.len(), 3);
    assert_eq!(first, second);
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_times_out_and_is_retried() {
    let server = Server::start(Reply::new(200, "").delayed(Duration::from_secs(5))).await;
    let clock = clock();
    let notifier = webhook(&server, &clock);
    let Outcome::Retry { failure, .. } = notifier.deliver(&alert(), "hook", 1).await else {
        panic!("a timeout is retried")
    };
    assert_eq!(failure.kind, FailureKind::Timeout, "{failure}");
}

#[tokio::test]
async fn refused_connections_are_retried_and_never_show_the_url() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let clock = clock();
    let url = format!("http://127.0.0.1:{port}/services/T0/B0/SUPERSECRETTOKEN");
    let notifier = builder(&clock)
        .receiver(ReceiverConfig::new(
            "slack",
            Receiver::Slack(SlackConfig {
                webhook_url: Secret::new(url),
            }),
        ))
        .build()
        .unwrap();
    let Outcome::Retry { failure, .. } = notifier.deliver(&alert(), "slack", 1).await else {
        panic!("a refused connection is retried")
    };
    assert_eq!(failure.kind, FailureKind::Connection);
    for shown in [failure.to_string(), format!("{failure:?}")] {
        assert!(!shown.contains("SUPERSECRETTOKEN"), "{shown}");
        assert!(!shown.contains("/services/"), "{shown}");
    }
}

#[tokio::test]
async fn an_unknown_receiver_is_a_permanent_failure() {
    let clock = clock();
    let notifier = builder(&clock).build().unwrap();
    let Outcome::Failed { failure } = notifier.deliver(&alert(), "gone", 1).await else {
        panic!("unknown receivers fail")
    };
    assert_eq!(failure.kind, FailureKind::UnknownReceiver);
}

#[test]
fn configuration_errors_name_the_receiver_not_the_secret() {
    let clock = clock();
    let hook =
        |url: &str| Receiver::Webhook(WebhookConfig::new(Secret::new(url), Secret::new("k")));

    let strict = Notifier::builder()
        .clock(clock.clone())
        .receiver(ReceiverConfig::new(
            "siem",
            hook("http://siem.example.invalid/T0KEN"),
        ))
        .build();
    let Err(err @ BuildError::InvalidTarget { .. }) = strict else {
        panic!("plain HTTP needs allow_plain_http")
    };
    assert!(err.to_string().contains("\"siem\""));
    assert!(!err.to_string().contains("T0KEN"));

    let metadata = Notifier::builder()
        .receiver(ReceiverConfig::new(
            "imds",
            hook("https://169.254.169.254/latest/meta-data/"),
        ))
        .build();
    assert!(matches!(metadata, Err(BuildError::InvalidTarget { .. })));

    let twice = builder(&clock)
        .receiver(ReceiverConfig::new("a", Receiver::Stdout))
        .receiver(ReceiverConfig::new("a", Receiver::Stdout))
        .build();
    assert!(matches!(twice, Err(BuildError::DuplicateReceiver(name)) if name == "a"));

    let zero_rate = builder(&clock)
        .receiver(
            ReceiverConfig::new("a", Receiver::Stdout)
                .rate_limit(Some(r53guard_notify::RateLimit::new(0.0, 1))),
        )
        .build();
    assert!(matches!(zero_rate, Err(BuildError::InvalidRateLimit(_))));

    let notifier = builder(&clock)
        .http(HttpSettings::default())
        .receiver(ReceiverConfig::new("out", Receiver::Stdout))
        .build()
        .unwrap();
    assert_eq!(notifier.receiver_names().collect::<Vec<_>>(), ["out"]);
    assert!(
        notifier
            .check_routes(&RouteTable::new(vec![Route::to(["out"])]))
            .is_ok()
    );
    let missing = notifier.check_routes(&RouteTable::new(vec![Route::to(["out", "pager"])]));
    assert!(matches!(missing, Err(BuildError::UnknownReceiver(name)) if name == "pager"));
}
