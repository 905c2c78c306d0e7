//! What the handlers share: the store connection, the token, the rules, the metrics and the
//! readiness flag.

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::rules::RuleInfo;
use crate::token::ApiToken;
use r53guard_store::Store;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Mutex;

/// The API's state. Cloning it is cheap and every clone shares the same store, metrics and
/// readiness flag: keep a clone to flag readiness once the service has restored its state.
#[derive(Clone)]
pub struct ApiState {
    store: Arc<Mutex<Store>>,
    pub(crate) token: Arc<ApiToken>,
    pub(crate) rules: Arc<[RuleInfo]>,
    pub(crate) metrics: Arc<Metrics>,
    ready: Arc<AtomicBool>,
}

impl fmt::Debug for ApiState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiState")
            .field("token", &self.token)
            .field("rules", &self.rules.len())
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

impl ApiState {
    /// The state of an API over `store` (a connection of the API's own: SQLite in WAL mode
    /// lets it read beside the pipeline's writer), answering requests that carry `token`,
    /// listing `rules` and reporting `metrics`. It starts not ready.
    pub fn new(
        store: Store,
        token: ApiToken,
        rules: Vec<RuleInfo>,
        metrics: Arc<Metrics>,
    ) -> ApiState {
        ApiState {
            store: Arc::new(Mutex::new(store)),
            token: Arc::new(token),
            rules: rules.into(),
            metrics,
            ready: Arc::default(),
        }
    }

    /// Flags the service ready (`GET /readyz` answers 200) or not (503).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    /// Whether the service is flagged ready.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The metrics `GET /metrics` reports.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Runs `query` on the store on the blocking thread pool, so SQLite never blocks the
    /// async runtime. Requests wait for the connection without holding a thread.
    pub(crate) async fn with_store<T, F>(&self, query: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    {
        let mut store = Arc::clone(&self.store).lock_owned().await;
        tokio::task::spawn_blocking(move || query(&mut store))
            .await
            .map_err(|e| ApiError::internal(format!("store query failed: {e}")))?
    }
}
