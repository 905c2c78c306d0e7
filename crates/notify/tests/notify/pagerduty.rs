//! PagerDuty: the trigger event received, stable dedup keys, 500 then success, and 429.

use crate::server::{Reply, Server};
use crate::setup::{LINK_BASE, alert, builder, clock};
use r53guard_notify::{
    FailureKind, Notifier, Outcome, PagerDutyConfig, Receiver, ReceiverConfig, RetryPolicy, Secret,
};
use std::sync::Arc;
use std::time::Duration;

const ACCEPTED: &str = r#"{"status":"success","message":"Event processed","dedup_key":"x"}"#;
const ROUTING_KEY: &str = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY00";

fn pagerduty(server: &Server, clock: &Arc<r53guard_notify::ManualClock>) -> Notifier {
    let config = PagerDutyConfig {
        routing_key: Secret::new(ROUTING_KEY),
        url: server.url("/v2/enqueue"),
    };
    builder(clock)
        .receiver(ReceiverConfig::new("pd", Receiver::PagerDuty(config)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn sends_a_trigger_keyed_by_the_alert_id_every_time() {
    let server = Server::start(Reply::new(202, ACCEPTED)).await;
    let clock = clock();
    let notifier = pagerduty(&server, &clock);
    let a = alert();
    assert_eq!(notifier.deliver(&a, "pd", 1).await, Outcome::Delivered);
    clock.advance(Duration::from_secs(1));
    // The same alert again (a resend after a crash): the same dedup key.
    assert_eq!(notifier.deliver(&a, "pd", 1).await, Outcome::Delivered);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, "/v2/enqueue");
    assert_eq!(requests[0].body, requests[1].body);
    let ev = requests[0].json();
    assert_eq!(ev["routing_key"], ROUTING_KEY);
    assert_eq!(ev["event_action"], "trigger");
    assert_eq!(ev["dedup_key"], a.id.as_str());
    assert_eq!(ev["payload"]["severity"], "error");
    assert_eq!(ev["payload"]["source"], "vpc-0abc/10.0.1.25");
    assert!(
        ev["payload"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("DNS tunneling")
    );
    assert_eq!(
        ev["payload"]["custom_details"]["attack"],
        serde_json::json!(["TA0011", "T1071", "T1071.004"])
    );
    assert_eq!(ev["links"][0]["href"], format!("{LINK_BASE}/{}", a.id));
}

#[tokio::test]
async fn a_500_is_retried_with_backoff_then_delivered() {
    let server = Server::start(Reply::new(202, ACCEPTED)).await;
    server.script([Reply::new(500, "oops")]);
    let clock = clock();
    let notifier = pagerduty(&server, &clock);
    let a = alert();
    let Outcome::Retry { after, failure } = notifier.deliver(&a, "pd", 1).await else {
        panic!("500 is retried")
    };
    assert_eq!(failure.kind, FailureKind::Status(500));
    assert!(after <= RetryPolicy::default().ceiling(1));
    clock.advance(after);
    assert_eq!(notifier.deliver(&a, "pd", 2).await, Outcome::Delivered);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);
}

#[tokio::test]
async fn a_429_without_retry_after_waits_30_seconds_and_400_is_permanent() {
    let server = Server::start(Reply::new(202, ACCEPTED)).await;
    server.script([
        Reply::new(429, ""),
        Reply::new(400, r#"{"status":"invalid event"}"#),
    ]);
    let clock = clock();
    let notifier = pagerduty(&server, &clock);
    let a = alert();
    let Outcome::Retry { after, .. } = notifier.deliver(&a, "pd", 1).await else {
        panic!("429 is retried")
    };
    assert_eq!(after, Duration::from_secs(30));
    clock.advance(after);
    let Outcome::Failed { failure } = notifier.deliver(&a, "pd", 2).await else {
        panic!("400 is permanent")
    };
    assert_eq!(failure.kind, FailureKind::Status(400));
}
