//! `serve` over a real listener on 127.0.0.1 (port chosen by the system), and its graceful
//! shutdown.

use crate::fixture::{TOKEN, api};
use r53guard_api::serve;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Sends one HTTP/1.1 request and returns the whole answer (the connection is closed after
/// it).
async fn raw(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

#[tokio::test]
async fn serves_on_loopback_until_shut_down() {
    let api = api();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, api.app.clone(), async {
        stopped.await.ok();
    }));

    let health = raw(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
    assert!(health.ends_with(r#"{"status":"ok"}"#), "{health}");

    let rules = raw(
        addr,
        &format!(
            "GET /api/rules HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(rules.starts_with("HTTP/1.1 200 OK\r\n"), "{rules}");
    assert!(
        rules.contains("route53-domain-transfer-lock-disabled"),
        "{rules}"
    );

    let refused = raw(
        addr,
        "GET /api/rules HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        refused.starts_with("HTTP/1.1 401 Unauthorized\r\n"),
        "{refused}"
    );
    assert!(
        refused
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{refused}"
    );

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("shuts down")
        .expect("task")
        .expect("served");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
