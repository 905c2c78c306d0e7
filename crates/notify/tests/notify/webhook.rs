//! Webhooks: the alert JSON body, the id and timestamp headers, a signature the receiver can
//! verify over the raw bytes, and `Retry-After` as an HTTP date.

use crate::server::{Reply, Server};
use crate::setup::{alert, builder, clock};
use r53guard_alert::Alert;
use r53guard_notify::{
    ALERT_ID_HEADER, Clock, FailureKind, Notifier, Outcome, Receiver, ReceiverConfig,
    SIGNATURE_HEADER, Secret, TIMESTAMP_HEADER, VerifyError, WebhookConfig, verify,
};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "whsec-test-key";

pub fn webhook(server: &Server, clock: &Arc<r53guard_notify::ManualClock>) -> Notifier {
    let config = WebhookConfig::new(Secret::new(server.url("/hook")), Secret::new(KEY));
    builder(clock)
        .receiver(ReceiverConfig::new("hook", Receiver::Webhook(config)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_body_is_the_alert_and_the_signature_verifies() {
    let server = Server::start(Reply::new(204, "")).await;
    let clock = clock();
    let notifier = webhook(&server, &clock);
    let a = alert();
    assert_eq!(notifier.deliver(&a, "hook", 1).await, Outcome::Delivered);

    let requests = server.requests();
    let r = &requests[0];
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header(ALERT_ID_HEADER), Some(a.id.as_str()));
    assert_eq!(r.header(TIMESTAMP_HEADER), Some("1700000000"));
    let back: Alert = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(back, a);

    let (ts, sig) = (
        r.header(TIMESTAMP_HEADER).unwrap(),
        r.header(SIGNATURE_HEADER).unwrap(),
    );
    let tolerance = Duration::from_secs(300);
    let now = clock.now() + Duration::from_secs(3);
    assert_eq!(
        verify(KEY.as_bytes(), ts, sig, &r.body, now, tolerance),
        Ok(())
    );
    // Tampering with the body, a wrong key and a replay an hour later all fail.
    let mut tampered = r.body.clone();
    tampered[10] ^= 1;
    assert_eq!(
        verify(KEY.as_bytes(), ts, sig, &tampered, now, tolerance),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        verify(b"wrong", ts, sig, &r.body, now, tolerance),
        Err(VerifyError::Mismatch)
    );
    let later = now + Duration::from_secs(3600);
    assert_eq!(
        verify(KEY.as_bytes(), ts, sig, &r.body, later, tolerance),
        Err(VerifyError::Stale)
    );
}

#[tokio::test]
async fn a_503_with_an_http_date_retry_after_is_honoured() {
    let server = Server::start(Reply::new(200, "")).await;
    // The clock reads 2023-11-14T22:13:20Z; ask for 22:15:00, 100 s later.
    server.script([
        Reply::new(503, "maintenance").header("Retry-After", "Tue, 14 Nov 2023 22:15:00 GMT")
    ]);
    let clock = clock();
    let notifier = webhook(&server, &clock);
    let a = alert();
    let Outcome::Retry { after, failure } = notifier.deliver(&a, "hook", 1).await else {
        panic!("503 is retried")
    };
    assert_eq!(after, Duration::from_secs(100));
    assert_eq!(failure.kind, FailureKind::Status(503));
    clock.advance(after);
    assert_eq!(notifier.deliver(&a, "hook", 2).await, Outcome::Delivered);
    let requests = server.requests();
    // Each attempt is signed afresh with its own timestamp; the alert id stays.
    assert_eq!(requests[0].header(TIMESTAMP_HEADER), Some("1700000000"));
    assert_eq!(requests[1].header(TIMESTAMP_HEADER), Some("1700000100"));
    assert_eq!(
        requests[0].header(ALERT_ID_HEADER),
        requests[1].header(ALERT_ID_HEADER)
    );
    assert_ne!(
        requests[0].header(SIGNATURE_HEADER),
        requests[1].header(SIGNATURE_HEADER)
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = Server::start(Reply::new(200, "")).await;
    server.script([Reply::new(302, "").header("Location", "http://127.0.0.1:9/elsewhere")]);
    let clock = clock();
    let notifier = webhook(&server, &clock);
    let Outcome::Failed { failure } = notifier.deliver(&alert(), "hook", 1).await else {
        panic!("a redirect is a permanent failure")
    };
    assert_eq!(failure.kind, FailureKind::Status(302));
    assert_eq!(server.requests().len(), 1);
}
