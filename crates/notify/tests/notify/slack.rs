//! Slack: the message received, `200 ok`, the 1/s limit, 429 with `Retry-After`, and errors
//! that must not be retried.

use crate::server::{Reply, Server};
use crate::setup::{LINK_BASE, alert, builder, clock};
use r53guard_notify::{
    FailureKind, Notifier, Outcome, Receiver, ReceiverConfig, Secret, SlackConfig,
};
use std::sync::Arc;
use std::time::Duration;

fn slack(server: &Server, clock: &Arc<r53guard_notify::ManualClock>) -> Notifier {
    let config = SlackConfig {
        webhook_url: Secret::new(server.url("/services/T000/B000/XXXX")),
    };
    builder(clock)
        .receiver(ReceiverConfig::new("slack", Receiver::Slack(config)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn posts_a_readable_message_and_counts_200_ok_as_delivered() {
    let server = Server::start(Reply::new(200, "ok")).await;
    let clock = clock();
    let notifier = slack(&server, &clock);
    let a = alert();
    assert_eq!(notifier.deliver(&a, "slack", 1).await, Outcome::Delivered);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/services/T000/B000/XXXX");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("user-agent").unwrap().starts_with("r53guard/"));
    let msg = r.json();
    assert!(
        msg["text"]
            .as_str()
            .unwrap()
            .starts_with("[HIGH] DNS tunneling")
    );
    let all = msg["blocks"].to_string();
    for needle in [
        "*Severity*\\nhigh",
        "route53-resolver-dns-tunneling v2",
        "*Source IP*\\n10.0.1.25",
        "*VPC*\\nvpc-0abc",
        "*Domain*\\nt.example.net",
        "T1071.004 DNS",
        &format!("<{LINK_BASE}/{}|Open the alert>", a.id),
        &format!("alert {}", a.id),
    ] {
        assert!(all.contains(needle), "{needle} not in {all}");
    }
}

#[tokio::test]
async fn a_second_message_within_a_second_waits_for_the_rate_limit() {
    let server = Server::start(Reply::new(200, "ok")).await;
    let clock = clock();
    let notifier = slack(&server, &clock);
    let a = alert();
    assert_eq!(notifier.deliver(&a, "slack", 1).await, Outcome::Delivered);
    assert_eq!(
        notifier.deliver(&a, "slack", 1).await,
        Outcome::Deferred {
            after: Duration::from_secs(1)
        }
    );
    assert_eq!(server.requests().len(), 1, "a deferred job sends nothing");
    clock.advance(Duration::from_secs(1));
    assert_eq!(notifier.deliver(&a, "slack", 1).await, Outcome::Delivered);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_429_waits_for_retry_after_and_pauses_the_receiver() {
    let server = Server::start(Reply::new(200, "ok")).await;
    server.script([Reply::new(429, "rate_limited").header("Retry-After", "7")]);
    let clock = clock();
    let notifier = slack(&server, &clock);
    let a = alert();
    match notifier.deliver(&a, "slack", 1).await {
        Outcome::Retry { after, failure } => {
            assert_eq!(after, Duration::from_secs(7));
            assert_eq!(failure.kind, FailureKind::Status(429));
        }
        other => panic!("{other:?}"),
    }
    // Any job for this receiver now waits out the pause, without sending.
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        notifier.deliver(&a, "slack", 2).await,
        Outcome::Deferred {
            after: Duration::from_secs(5)
        }
    );
    assert_eq!(server.requests().len(), 1);
    clock.advance(Duration::from_secs(5));
    assert_eq!(notifier.deliver(&a, "slack", 2).await, Outcome::Delivered);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn client_errors_are_permanent_and_410_disables_the_receiver() {
    let server = Server::start(Reply::new(200, "ok")).await;
    server.script([
        Reply::new(400, "invalid_payload"),
        Reply::new(410, "channel_is_archived"),
        Reply::new(200, "not ok"),
    ]);
    let clock = clock();
    let notifier = slack(&server, &clock);
    let a = alert();
    let Outcome::Failed { failure } = notifier.deliver(&a, "slack", 1).await else {
        panic!("400 is permanent")
    };
    assert_eq!(failure.kind, FailureKind::Status(400));
    assert_eq!(failure.detail, "invalid_payload");
    assert!(!failure.disables_receiver());
    clock.advance(Duration::from_secs(1));
    let Outcome::Failed { failure } = notifier.deliver(&a, "slack", 1).await else {
        panic!("410 is permanent")
    };
    assert!(failure.disables_receiver());
    clock.advance(Duration::from_secs(1));
    let Outcome::Failed { failure } = notifier.deliver(&a, "slack", 1).await else {
        panic!("200 without ok is not delivered")
    };
    assert_eq!(failure.kind, FailureKind::UnexpectedAnswer(200));
    assert_eq!(server.requests().len(), 3);
}
