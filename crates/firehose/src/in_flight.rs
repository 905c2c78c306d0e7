//! One handling at a time per request id, on a task of its own that outlives the request.
//!
//! A delivery whose id is being handled waits for that handling to end and then looks again:
//! by then the id is durable (and is acknowledged without processing) or the handling failed
//! (and this delivery handles it itself). The handling runs on a spawned task, so a request
//! answered 503 at the deadline, or whose connection dropped, does not cancel it halfway; once
//! it has committed, Firehose's retry finds the id handled.

use crate::delivery::{Deliveries, Delivery};
use crate::reply::Refusal;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{oneshot, watch};

/// The request ids being handled. Each entry's sender side is dropped when its handling
/// ends, which wakes the deliveries waiting on it.
#[derive(Default)]
pub(crate) struct InFlight {
    running: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
}

/// What a delivery found for its id.
enum Claim {
    /// Another delivery of the id is being handled: wait for it to end.
    Wait(watch::Receiver<()>),
    /// The id is this delivery's to handle; dropping the sender tells the waiters it ended.
    Own(watch::Sender<()>),
}

impl InFlight {
    /// Acknowledges `delivery` if its id was handled before, and handles it otherwise, never
    /// beside another handling of the same id.
    pub(crate) async fn process<D: Deliveries>(
        &self,
        deliveries: &Arc<D>,
        delivery: Delivery,
    ) -> Result<(), Refusal> {
        loop {
            match self.claim(&delivery.request_id) {
                Claim::Wait(mut ended) => {
                    // Never sent to: this returns once the sender is dropped.
                    let _ = ended.changed().await;
                }
                Claim::Own(ending) => return self.run(deliveries, delivery, ending).await,
            }
        }
    }

    fn claim(&self, request_id: &str) -> Claim {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ended) = running.get(request_id) {
            return Claim::Wait(ended.clone());
        }
        let (ending, ended) = watch::channel(());
        running.insert(request_id.to_owned(), ended);
        Claim::Own(ending)
    }

    async fn run<D: Deliveries>(
        &self,
        deliveries: &Arc<D>,
        delivery: Delivery,
        ending: watch::Sender<()>,
    ) -> Result<(), Refusal> {
        let slot = Slot {
            running: Arc::clone(&self.running),
            request_id: delivery.request_id.clone(),
            _ending: ending,
        };
        let deliveries = Arc::clone(deliveries);
        let (outcome_tx, outcome_rx) = oneshot::channel();
        tokio::spawn(async move {
            let outcome = handle_once(&*deliveries, delivery).await;
            drop(slot);
            // The request may have been answered already (deadline, dropped connection).
            let _ = outcome_tx.send(outcome);
        });
        outcome_rx.await.unwrap_or_else(|_| {
            Err(Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "handling the delivery ended without an outcome (the handler panicked)",
            ))
        })
    }
}

async fn handle_once<D: Deliveries>(deliveries: &D, delivery: Delivery) -> Result<(), Refusal> {
    let failed = |e| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, e);
    match deliveries.already_handled(&delivery.request_id).await {
        Ok(true) => return Ok(()),
        Ok(false) => {}
        Err(e) => return Err(failed(format!("checking the request id failed: {e}"))),
    }
    deliveries
        .handle(delivery)
        .await
        .map_err(|e| failed(format!("processing the records failed: {e}")))
}

/// A claimed request id: dropping it (when the handling ends, or its task unwinds) frees the
/// id and then wakes the waiters.
struct Slot {
    running: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
    request_id: String,
    _ending: watch::Sender<()>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.request_id);
    }
}
