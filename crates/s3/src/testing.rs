//! Test support (feature `test-util`): a moto server (local S3 and SQS) on 127.0.0.1 and the
//! calls tests make to set up buckets, objects and queues. Nothing here talks to any other
//! address: credentials are static, the region is fixed, instance metadata is disabled.

use crate::aws::{Aws, Options, StaticCredentials, call_error};
use crate::error::Error;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The watchdog that runs moto: the server in a thread, stopped when the process that started
/// it (the test binary) is gone, so a static server never outlives its tests.
const LAUNCHER: &str = r#"
import os, sys, time
parent = os.getppid()
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
server.start()
while os.getppid() == parent:
    time.sleep(0.2)
server.stop()
"#;

/// A moto server on 127.0.0.1, stopped on drop.
pub struct Moto {
    child: Child,
    /// Its port.
    pub port: u16,
}

impl Moto {
    /// Starts a server on a free port and waits until it answers. Panics, telling to run
    /// `scripts/moto.sh`, when moto cannot start.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        // Moto logs every request: to a file, since a pipe nobody reads would fill and stall it.
        let log =
            std::env::temp_dir().join(format!("r53guard-moto-{}-{port}.log", std::process::id()));
        let child = Command::new("python3")
            .args(["-c", LAUNCHER, &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("moto's log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 for moto ({e}); run scripts/moto.sh"));
        let mut moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                let err = std::fs::read_to_string(&log).unwrap_or_default();
                panic!(
                    "moto's server did not start ({status}): {err}\nrun scripts/moto.sh to install it"
                );
            }
            assert!(
                Instant::now() < deadline,
                "moto's server did not answer on 127.0.0.1:{port} within 60 s; run scripts/moto.sh"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // The log was for a failed start; the server keeps writing to the unlinked file.
        let _ = std::fs::remove_file(&log);
        moto
    }

    /// One server for the whole test binary.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::start)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Client options for this server: its endpoint, us-east-1, static test keys.
    pub fn options(&self) -> Options {
        Options {
            region: Some("us-east-1".to_owned()),
            endpoint_url: Some(self.endpoint()),
            credentials: Some(StaticCredentials {
                access_key_id: "testing".to_owned(),
                secret_access_key: "testing".to_owned(),
            }),
        }
    }

    /// The environment a child process (`r53guard hunt`, `r53guard run`) needs to reach this
    /// server and nothing else.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_SESSION_TOKEN", "testing".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ]
    }

    /// A client of this server.
    pub fn aws(&self) -> Aws {
        Aws::connect(&self.options()).expect("a client of moto")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Aws {
    /// Creates a bucket.
    pub fn create_bucket(&self, bucket: &str) -> Result<(), Error> {
        self.block_on(self.s3.create_bucket().bucket(bucket).send())
            .map(drop)
            .map_err(|e| call_error(bucket.to_owned(), &e))
    }

    /// Writes an object.
    pub fn put_object(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let body = aws_sdk_s3::primitives::ByteStream::from(bytes);
        self.block_on(
            self.s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(body)
                .send(),
        )
        .map(drop)
        .map_err(|e| call_error(crate::S3Url::object(bucket, key), &e))
    }

    /// Creates a queue; returns its URL.
    pub fn create_queue(&self, name: &str) -> Result<String, Error> {
        let out = self
            .block_on(self.sqs.create_queue().queue_name(name).send())
            .map_err(|e| call_error(name.to_owned(), &e))?;
        Ok(out.queue_url().unwrap_or_default().to_owned())
    }

    /// Sends a message.
    pub fn send_message(&self, queue_url: &str, body: &str) -> Result<(), Error> {
        self.block_on(
            self.sqs
                .send_message()
                .queue_url(queue_url)
                .message_body(body)
                .send(),
        )
        .map(drop)
        .map_err(|e| call_error(queue_url.to_owned(), &e))
    }

    /// Messages in the queue: visible, and received but neither deleted nor visible again.
    pub fn queue_depth(&self, queue_url: &str) -> Result<(u64, u64), Error> {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let out = self
            .block_on(
                self.sqs
                    .get_queue_attributes()
                    .queue_url(queue_url)
                    .attribute_names(A::ApproximateNumberOfMessages)
                    .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
                    .send(),
            )
            .map_err(|e| call_error(queue_url.to_owned(), &e))?;
        let get = |a: A| {
            out.attributes()
                .and_then(|m| m.get(&a))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok((
            get(A::ApproximateNumberOfMessages),
            get(A::ApproximateNumberOfMessagesNotVisible),
        ))
    }
}
