//! Serving the router on a listener until a shutdown signal.

use axum::Router;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio::net::TcpListener;

/// Where `r53guard run` serves the API unless configured otherwise: loopback only.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8053);

/// Serves `router` on `listener` (bound by the caller, to the configured address only) until
/// `shutdown` completes; then stops accepting connections and returns once the requests in
/// flight are answered.
pub async fn serve<F>(listener: TcpListener, router: Router, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
