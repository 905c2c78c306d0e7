//! Every protected route refuses missing and wrong tokens with 401 and a Bearer challenge.

use crate::fixture::{Answer, TOKEN, api, request};
use axum::http::StatusCode;

/// Every route that needs the token, with a body for the POST.
const PROTECTED: [(&str, &str, Option<&str>); 8] = [
    ("GET", "/api/alerts", None),
    ("GET", "/api/alerts?severity=high", None),
    ("GET", "/api/alerts/a00", None),
    (
        "POST",
        "/api/alerts/a00/status",
        Some(r#"{"status": "closed"}"#),
    ),
    ("GET", "/api/rules", None),
    ("GET", "/api/dead-letters", None),
    ("GET", "/metrics", None),
    ("GET", "/api/no-such-route", None),
];

fn assert_refused(answer: &Answer, route: &str, wrong: bool) {
    let message = answer.error(StatusCode::UNAUTHORIZED);
    let challenge = answer.headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer "), "{route}: {challenge}");
    assert_eq!(
        challenge.contains("invalid_token"),
        wrong,
        "{route}: {challenge}"
    );
    assert!(
        !String::from_utf8_lossy(&answer.body).contains("wrong"),
        "{route}: echoes"
    );
    assert!(!message.contains(TOKEN), "{route}");
}

#[tokio::test]
async fn missing_and_wrong_tokens_get_401_everywhere() {
    let api = api();
    let wrong_tokens = [
        "Bearer wrong".to_owned(),
        format!("Bearer {TOKEN}x"),
        format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]),
        "Bearer ".to_owned(),
        "Bearer".to_owned(),
        format!("Basic {TOKEN}"),
        TOKEN.to_owned(),
        "Bearer wrong-token-but-long-enough-to-matter".to_owned(),
    ];
    for (method, uri, body) in PROTECTED {
        let route = format!("{method} {uri}");
        assert_refused(
            &request(&api.app, method, uri, None, body).await,
            &route,
            false,
        );
        for token in &wrong_tokens {
            let answer = request(&api.app, method, uri, Some(token), body).await;
            assert_refused(&answer, &format!("{route} with {token:?}"), true);
        }
    }
    // Nothing refused changed anything.
    assert!(api.store().status_history("a00").unwrap().is_empty());
}

#[tokio::test]
async fn the_right_token_passes_everywhere() {
    let api = api();
    for authorization in [
        format!("Bearer {TOKEN}"),
        format!("bearer {TOKEN}"),
        format!("BEARER  {TOKEN}"),
    ] {
        for (method, uri, body) in PROTECTED {
            let answer = request(&api.app, method, uri, Some(&authorization), body).await;
            let expected = if uri == "/api/no-such-route" {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            assert_eq!(answer.status, expected, "{method} {uri}: {}", answer.text());
        }
    }
}

#[test]
fn state_debug_hides_the_token() {
    let api = api();
    let debug = format!("{:?}", api.state);
    assert!(debug.contains("***"), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");
}
