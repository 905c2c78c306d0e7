//! The body limit: 413 past it, plain or gzip, declared or streamed; a body of exactly the
//! limit is accepted.

use crate::client::{body, gzip, post};
use crate::recorder::Recorder;
use crate::server::{KEY, LIMIT, Server, config, serve};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A valid body padded with trailing whitespace to `len` bytes.
fn body_of_len(request_id: &str, len: usize) -> Vec<u8> {
    let mut bytes = body(request_id, &[b"padded"]);
    assert!(bytes.len() <= len);
    bytes.resize(len, b' ');
    bytes
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_413() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    let answer = post("req-at-limit", &[])
        .body(body_of_len("req-at-limit", LIMIT))
        .send(&server)
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    let answer = post("req-over-limit", &[])
        .body(body_of_len("req-over-limit", LIMIT + 1))
        .send(&server)
        .await;
    assert_eq!(answer.status, 413);
    answer.assert_contract("req-over-limit");
    assert!(answer.error_message().contains("limit"));
    assert_eq!(recorder.calls(), 1);
}

#[tokio::test]
async fn a_gzip_bomb_is_413() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    // Small on the wire, 16 times the limit once inflated.
    let answer = post("req-bomb", &[])
        .body(body_of_len("req-bomb", 16 * LIMIT))
        .gzip()
        .send(&server)
        .await;
    assert_eq!(answer.status, 413);
    answer.assert_contract("req-bomb");
    // Within the limit once inflated, it is fine.
    let answer = post("req-small-gzip", &[])
        .body(body_of_len("req-small-gzip", LIMIT))
        .gzip()
        .send(&server)
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(recorder.calls(), 1);
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_limit() {
    let recorder = Arc::new(Recorder::default());
    let server = serve(config(), Arc::clone(&recorder)).await;
    // No Content-Length: the limit is found while reading.
    let (status, answer) = send_chunked(&server, &body_of_len("req-chunked", 3 * LIMIT), "").await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["requestId"], "req-chunked");
    assert!(answer["errorMessage"].is_string());

    // Nor for a gzip bomb: the limit is found while inflating.
    let bomb = gzip(&body_of_len("req-chunked", 3 * LIMIT));
    let (status, _) = send_chunked(&server, &bomb, "Content-Encoding: gzip\r\n").await;
    assert_eq!(status, 413);
    assert_eq!(recorder.calls(), 0);
}

/// Sends a body with `Transfer-Encoding: chunked` (64 KiB chunks), written by hand since the
/// test client always declares the length.
async fn send_chunked(
    server: &Server,
    body: &[u8],
    extra_headers: &str,
) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /firehose HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         X-Amz-Firehose-Request-Id: req-chunked\r\nX-Amz-Firehose-Access-Key: {KEY}\r\n\
         {extra_headers}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 << 10) {
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(chunk);
        framed.extend_from_slice(b"\r\n");
        stream.write_all(&framed).await.unwrap();
    }
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response");
    let status = head[9..12].parse().expect("a status code");
    (status, serde_json::from_str(body).expect("a JSON body"))
}
