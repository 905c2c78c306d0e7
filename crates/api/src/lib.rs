//! The HTTP API of `r53guard run`: alerts to list and triage, the rules running, dead
//! letters, Prometheus metrics, and health and readiness probes.
//!
//! ```text
//! GET  /api/alerts?rule=&severity=&since=&until=&status=&limit=&cursor=   one page, newest first
//! GET  /api/alerts/{id}                  one alert, with its status history
//! POST /api/alerts/{id}/status           {"status": "acknowledged", "note": "..."}
//! GET  /api/rules                        the rules the service runs, with held-back and late counts
//! GET  /api/dead-letters?limit=          notifications given up on
//! GET  /metrics                          Prometheus text format 0.0.4
//! GET  /healthz                          200 while the process serves (no token)
//! GET  /readyz                           200 once flagged ready, 503 before (no token)
//! ```
//!
//! Everything but the two probes needs `Authorization: Bearer <token>` ([`ApiToken`]);
//! errors are JSON `{"error": "..."}`. `docs/api.md` describes each endpoint with examples.
//!
//! # Wiring
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use r53guard_api::{ApiState, ApiToken, DEFAULT_ADDR, Metrics, router, serve};
//! use std::sync::Arc;
//!
//! let store = r53guard_store::Store::open("r53guard-data")?; // the API's own connection
//! let token = ApiToken::new(&std::env::var("R53GUARD_API_TOKEN")?)?;
//! let metrics = Arc::new(Metrics::new()); // shared with the pipeline, which updates it
//! let state = ApiState::new(store, token, Vec::new(), Arc::clone(&metrics));
//! let listener = tokio::net::TcpListener::bind(DEFAULT_ADDR).await?;
//! let app = router(state.clone());
//! let server = tokio::spawn(serve(listener, app, async { /* wait for SIGTERM */ }));
//! // ... restore the engine state and positions, then:
//! state.set_ready(true);
//! server.await??;
//! # Ok(()) }
//! ```
//!
//! # The store
//!
//! [`r53guard_store::Store`] is one SQLite connection, `Send` but not `Sync`. The API keeps
//! its own connection behind an async mutex: a request waits for it without holding a thread,
//! then runs its queries on Tokio's blocking pool, so SQLite never blocks the async runtime.
//! WAL mode lets these reads run beside the pipeline's writes; a status change waits for the
//! writer's lock up to the store's busy timeout.

mod alerts;
mod auth;
mod dead_letters;
mod error;
mod exposition;
mod health;
mod limit;
mod metrics;
mod metrics_endpoint;
mod router;
mod rules;
mod serve;
mod state;
mod token;

pub use alerts::MAX_NOTE_BYTES;
pub use limit::DEFAULT_LIMIT;
pub use metrics::{
    ALERTS_HELD_BACK, ALERTS_STORED, BAD_RECORDS, Counter, DEAD_LETTERS, Family, Gauge,
    LATE_RECORDS, MetricError, Metrics, NOTIFICATIONS_SENT, OUTBOX_DEPTH, RECORDS_IN, SOURCE_GAPS,
    SOURCE_LAG, SOURCE_LATE_RECORDS,
};
pub use router::{MAX_BODY_BYTES, router};
pub use rules::RuleInfo;
pub use serve::{DEFAULT_ADDR, serve};
pub use state::ApiState;
pub use token::{ApiToken, BadToken};
