//! A service backed by `r53guard_store::Store`, as `r53guard run` will be: a delivery's
//! request id is committed with its step (`Batch::requests`), and a retry is recognised by
//! `Store::seen_request`.

use r53guard_firehose::{Deliveries, Delivery, HandleError};
use r53guard_store::{Batch, Store, StoreError};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::Barrier;

pub struct StoreBacked {
    store: Arc<Mutex<Store>>,
    /// Where `handle` waits before committing, when set: for several processes to get there.
    barrier: Option<Arc<Barrier>>,
    /// `handle` calls.
    calls: AtomicUsize,
    /// Commits the store refused because another process had committed the request.
    duplicates: AtomicUsize,
}

impl StoreBacked {
    /// Opens the store in `dir` (another connection, as another process would).
    pub fn open(dir: &Path) -> StoreBacked {
        StoreBacked {
            store: Arc::new(Mutex::new(Store::open(dir).expect("open the store"))),
            barrier: None,
            calls: AtomicUsize::new(0),
            duplicates: AtomicUsize::new(0),
        }
    }

    /// Makes `handle` wait at `barrier` before committing.
    pub fn with_barrier(mut self, barrier: Arc<Barrier>) -> StoreBacked {
        self.barrier = Some(barrier);
        self
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn duplicates(&self) -> usize {
        self.duplicates.load(Ordering::SeqCst)
    }

    pub fn seen(&self, request_id: &str) -> bool {
        self.store.lock().unwrap().seen_request(request_id).unwrap()
    }
}

impl Deliveries for StoreBacked {
    async fn handle(&self, delivery: Delivery) -> Result<(), HandleError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(barrier) = &self.barrier {
            barrier.wait().await;
        }
        let store = Arc::clone(&self.store);
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let batch = Batch {
            now_ms,
            requests: vec![delivery.request_id],
            ..Batch::default()
        };
        let committed = tokio::task::spawn_blocking(move || store.lock().unwrap().commit(&batch))
            .await
            .map_err(HandleError::new)?;
        match committed {
            Ok(_) => Ok(()),
            // Another process committed this request first: it is durable, and was
            // processed once.
            Err(StoreError::DuplicateRequest(_)) => {
                self.duplicates.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => Err(HandleError::new(e)),
        }
    }

    async fn already_handled(&self, request_id: &str) -> Result<bool, HandleError> {
        let store = Arc::clone(&self.store);
        let request_id = request_id.to_owned();
        tokio::task::spawn_blocking(move || store.lock().unwrap().seen_request(&request_id))
            .await
            .map_err(HandleError::new)?
            .map_err(HandleError::new)
    }
}
