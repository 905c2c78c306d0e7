//! Requests as Firehose sends them, and their answers.

use crate::server::{KEY, Server};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::io::Write;

/// The body Firehose sends for these records.
pub fn body(request_id: &str, records: &[&[u8]]) -> Vec<u8> {
    let records: Vec<Value> = records
        .iter()
        .map(|data| json!({ "data": STANDARD.encode(data) }))
        .collect();
    serde_json::to_vec(&json!({
        "requestId": request_id,
        "timestamp": 1_578_090_901_599_i64,
        "records": records,
    }))
    .expect("JSON body")
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A delivery request about to be sent.
pub struct Post {
    request_id: Option<String>,
    key: Option<String>,
    body: Vec<u8>,
    gzip: bool,
    headers: Vec<(&'static str, String)>,
}

/// A request with `request_id` in its header and body, the right access key, and these
/// records.
pub fn post(request_id: &str, records: &[&[u8]]) -> Post {
    Post {
        request_id: Some(request_id.to_owned()),
        key: Some(KEY.to_owned()),
        body: body(request_id, records),
        gzip: false,
        headers: Vec::new(),
    }
}

impl Post {
    pub fn key(mut self, key: Option<&str>) -> Post {
        self.key = key.map(str::to_owned);
        self
    }

    pub fn header_request_id(mut self, request_id: Option<&str>) -> Post {
        self.request_id = request_id.map(str::to_owned);
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Post {
        self.body = body;
        self
    }

    /// Sends the body gzip-compressed, with `Content-Encoding: gzip`.
    pub fn gzip(mut self) -> Post {
        self.gzip = true;
        self
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Post {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub async fn send(self, server: &Server) -> Answer {
        let mut request = reqwest::Client::new()
            .post(&server.url)
            .header("Content-Type", "application/json")
            .header("X-Amz-Firehose-Protocol-Version", "1.0")
            .header(
                "X-Amz-Firehose-Source-Arn",
                "arn:aws:firehose:us-east-1:123456789012:deliverystream/r53guard",
            );
        if let Some(id) = &self.request_id {
            request = request.header("X-Amz-Firehose-Request-Id", id);
        }
        if let Some(key) = &self.key {
            request = request.header("X-Amz-Firehose-Access-Key", key);
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        let body = if self.gzip {
            request = request.header("Content-Encoding", "gzip");
            gzip(&self.body)
        } else {
            self.body
        };
        let response = request.body(body).send().await.expect("send the request");
        Answer::read(response).await
    }
}

/// An endpoint's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub body: Value,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Answer {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().expect("text header").to_owned())
        };
        let content_type = header("content-type");
        let content_encoding = header("content-encoding");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("response body");
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "status {status}: the body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        Answer {
            status,
            content_type,
            content_encoding,
            body,
        }
    }

    pub fn request_id(&self) -> &str {
        self.body["requestId"]
            .as_str()
            .expect("requestId is a string")
    }

    pub fn error_message(&self) -> &str {
        self.body["errorMessage"]
            .as_str()
            .expect("errorMessage is a string")
    }

    /// Checks the shape every answer must have: JSON, uncompressed, an integer timestamp, and
    /// an `errorMessage` exactly when the status is not 200.
    pub fn assert_contract(&self, request_id: &str) {
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        assert_eq!(self.content_encoding, None);
        assert_eq!(self.request_id(), request_id, "{:?}", self.body);
        assert!(self.body["timestamp"].is_i64(), "{:?}", self.body);
        assert_eq!(
            self.body.get("errorMessage").is_some(),
            self.status != 200,
            "{:?}",
            self.body
        );
    }
}
