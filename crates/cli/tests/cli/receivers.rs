//! Local HTTP receivers on 127.0.0.1 standing in for Slack, PagerDuty and a webhook endpoint:
//! each records every request it reads (with what it answered), answers after a short random
//! delay, and now and then refuses with a 500 or a 429 with `Retry-After`, from a seeded
//! random source.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// Which service a receiver plays: what it answers when it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `200 ok`, as a Slack incoming webhook.
    Slack,
    /// `202` with PagerDuty's JSON.
    PagerDuty,
    /// `200` with an empty body.
    Webhook,
}

/// One request as read, and the status it was answered with.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When its last byte was read.
    pub received: SystemTime,
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Whether the answer told the sender it was delivered.
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Out of a thousand requests, how many are answered 500, and how many 429.
const SERVER_ERRORS: u32 = 40;
const THROTTLED: u32 = 25;
/// The longest wait before answering.
const MAX_DELAY_MS: u64 = 20;

struct Shared {
    kind: Kind,
    requests: Mutex<Vec<Request>>,
    rng: Mutex<StdRng>,
    /// Requests read and not yet answered.
    answering: AtomicUsize,
}

/// A receiver listening on 127.0.0.1 until dropped.
pub struct Receiver {
    pub port: u16,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start(kind: Kind, seed: u64) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            kind,
            requests: Mutex::new(Vec::new()),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            answering: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Acquire) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || {
                        // A sender killed mid-request leaves a broken connection: nothing to
                        // record.
                        let _ = serve(stream, &shared);
                    });
                }
            })
        };
        Receiver {
            port,
            shared,
            stop,
            acceptor: Some(acceptor),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request read so far, in the order they were read.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Whether a request has been read and its answer not yet written.
    pub fn answering(&self) -> bool {
        self.shared.answering.load(Ordering::Acquire) > 0
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the acceptor so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    shared.answering.fetch_add(1, Ordering::AcqRel);
    let (delay, roll) = {
        let mut rng = shared.rng.lock().unwrap();
        (
            rng.random_range(0..=MAX_DELAY_MS),
            rng.random_range(0..1000),
        )
    };
    let (status, extra, text) = if roll < SERVER_ERRORS {
        (500, "", String::from("internal error"))
    } else if roll < SERVER_ERRORS + THROTTLED {
        (429, "retry-after: 1\r\n", String::from("rate limited"))
    } else {
        match shared.kind {
            Kind::Slack => (200, "", String::from("ok")),
            Kind::PagerDuty => {
                let key = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["dedup_key"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let answer = serde_json::json!({
                    "status": "success", "message": "Event processed", "dedup_key": key,
                });
                (202, "", answer.to_string())
            }
            Kind::Webhook => (200, "", String::new()),
        }
    };
    shared.requests.lock().unwrap().push(Request {
        path,
        headers,
        body,
        received: SystemTime::now(),
        status,
    });
    std::thread::sleep(Duration::from_millis(delay));
    let mut stream = reader.into_inner();
    let written = write!(
        stream,
        "HTTP/1.1 {status} Stand-in\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{text}",
        text.len()
    );
    shared.answering.fetch_sub(1, Ordering::AcqRel);
    written
}
