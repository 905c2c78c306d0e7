//! An endpoint served on 127.0.0.1 for one test.

use r53guard_firehose::{AccessKey, Deliveries, FirehoseConfig, router};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The access key the test servers accept.
pub const KEY: &str = "test-access-key/0123456789";

/// The body limit of the test servers.
pub const LIMIT: usize = 1 << 20;

/// A running endpoint.
pub struct Server {
    pub addr: SocketAddr,
    pub url: String,
}

/// The test configuration: [`KEY`], [`LIMIT`], a 2-second deadline.
pub fn config() -> FirehoseConfig {
    let mut config = FirehoseConfig::new(AccessKey::new(KEY));
    config.max_body_bytes = LIMIT;
    config.deadline = Duration::from_secs(2);
    config
}

/// Serves `deliveries` with `config` on a fresh port of 127.0.0.1.
pub async fn serve<D: Deliveries>(config: FirehoseConfig, deliveries: Arc<D>) -> Server {
    let path = config.path.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let app = router(config, deliveries);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        addr,
        url: format!("http://{addr}{path}"),
    }
}
