//! A service that keeps deliveries in memory: it can be made slow, or to fail a number of
//! times.

use r53guard_firehose::{Deliveries, Delivery, HandleError};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[derive(Default)]
pub struct Recorder {
    /// Deliveries handled, in order.
    handled: Mutex<Vec<Delivery>>,
    /// `handle` calls, failed ones included.
    calls: AtomicUsize,
    /// How many of the next calls fail.
    failures: AtomicUsize,
    /// How long each call takes.
    delay: Duration,
}

impl Recorder {
    pub fn slow(delay: Duration) -> Recorder {
        Recorder {
            delay,
            ..Recorder::default()
        }
    }

    pub fn failing(times: usize) -> Recorder {
        Recorder {
            failures: AtomicUsize::new(times),
            ..Recorder::default()
        }
    }

    pub fn handled(&self) -> Vec<Delivery> {
        self.handled.lock().unwrap().clone()
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Waits (up to 10 s) until `n` deliveries were handled.
    pub async fn wait_for(&self, n: usize) {
        for _ in 0..1000 {
            if self.handled.lock().unwrap().len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} deliveries were not handled within 10 s");
    }
}

impl Deliveries for Recorder {
    async fn handle(&self, delivery: Delivery) -> Result<(), HandleError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        let failing = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(HandleError::new("the disk is full"));
        }
        self.handled.lock().unwrap().push(delivery);
        Ok(())
    }

    async fn already_handled(&self, request_id: &str) -> Result<bool, HandleError> {
        Ok(self
            .handled
            .lock()
            .unwrap()
            .iter()
            .any(|d| d.request_id == request_id))
    }
}
