//! Starting a Firehose source's HTTP endpoint: its access keys read from their references, its
//! listener bound, and `r53guard-firehose`'s router served until shutdown.

use crate::firehose_config::FirehoseSourceConfig;
use crate::firehose_source::{FirehoseDeliveries, Intake};
use anyhow::Context;
use r53guard_firehose::{AccessKey, FirehoseConfig};
use r53guard_store::Store;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Binds and serves the endpoint of the pipeline's source `index`, handing deliveries to
/// `intake` and looking request ids up in `lookups`, until `shutdown` turns true (then the
/// requests in flight are answered first).
pub async fn start(
    config: &FirehoseSourceConfig,
    index: usize,
    intake: &Intake,
    lookups: Arc<Mutex<Store>>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<JoinHandle<std::io::Result<()>>> {
    let mut access_keys = Vec::new();
    for (k, spec) in config.access_keys.iter().enumerate() {
        let secret = spec.resolve().with_context(|| {
            format!(
                "source {}: access_keys[{k}] ({})",
                config.name,
                spec.describe()
            )
        })?;
        access_keys.push(AccessKey::new(secret.expose()));
    }
    let endpoint = FirehoseConfig {
        path: config.path.clone(),
        access_keys,
        max_body_bytes: config.max_body_bytes,
        deadline: config.deadline.get(),
    };
    let deliveries = Arc::new(FirehoseDeliveries::new(index, intake, lookups));
    let router = r53guard_firehose::router(endpoint, deliveries);
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("source {}: listening on {}", config.name, config.listen))?;
    tracing::info!(
        source = %config.name,
        address = %listener.local_addr()?,
        path = %config.path,
        "Firehose endpoint listening"
    );
    Ok(tokio::spawn(r53guard_api::serve(
        listener,
        router,
        async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        },
    )))
}
