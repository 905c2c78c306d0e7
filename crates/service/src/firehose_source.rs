//! The Firehose source: the endpoint's [`Deliveries`] side, handing each delivery to the
//! pipeline thread over a channel and answering it once the pipeline has committed its records'
//! results together with its request id; the pipeline's end of that channel; and the schedule
//! that prunes old request ids.
//!
//! A delivery is acknowledged (200) only after the store transaction that holds its alerts,
//! the engine state after its records and its request id has committed. A retry of a
//! committed request is acknowledged from the store without being read again; a retry of one
//! that was not committed (the process died first) is read as new, from the engine state of
//! the last commit, so its records count once.

use crate::feed::{Feeder, Start};
use r53guard_firehose::{Deliveries, Delivery, HandleError};
use r53guard_store::Store;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// A delivery waiting for the pipeline, and where its outcome goes.
pub struct Pending {
    /// The index of its source in the pipeline.
    source: usize,
    delivery: Delivery,
    done: oneshot::Sender<Result<(), String>>,
}

impl Pending {
    /// Answers the delivery: `Ok` once its records and request id are committed.
    pub fn answer(self, outcome: Result<(), String>) {
        // The request may be gone (deadline, dropped connection); its retry asks the store.
        let _ = self.done.send(outcome);
    }

    /// The request id.
    pub fn request_id(&self) -> &str {
        &self.delivery.request_id
    }
}

/// The service side of one Firehose source's endpoint.
pub struct FirehoseDeliveries {
    source: usize,
    to_pipeline: Sender<Pending>,
    store: Arc<Mutex<Store>>,
}

impl FirehoseDeliveries {
    /// Deliveries of the pipeline's source `source`, sent to `intake`, with request ids looked
    /// up in `store` (a connection of its own).
    pub fn new(source: usize, intake: &Intake, store: Arc<Mutex<Store>>) -> FirehoseDeliveries {
        FirehoseDeliveries {
            source,
            to_pipeline: intake.sender.clone(),
            store,
        }
    }
}

impl Deliveries for FirehoseDeliveries {
    async fn handle(&self, delivery: Delivery) -> Result<(), HandleError> {
        let (done, outcome) = oneshot::channel();
        self.to_pipeline
            .send(Pending {
                source: self.source,
                delivery,
                done,
            })
            .map_err(|_| HandleError::new("the service is stopping; retry later"))?;
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(HandleError::new(e)),
            Err(_) => Err(HandleError::new(
                "the service stopped before committing the records; retry later",
            )),
        }
    }

    async fn already_handled(&self, request_id: &str) -> Result<bool, HandleError> {
        let store = Arc::clone(&self.store);
        let id = request_id.to_owned();
        tokio::task::spawn_blocking(move || {
            store
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .seen_request(&id)
        })
        .await
        .map_err(|e| HandleError::new(format!("looking up the request id failed: {e}")))?
        .map_err(|e| HandleError::new(format!("looking up the request id failed: {e}")))
    }
}

/// The pipeline's end of the deliveries channel.
pub struct Intake {
    sender: Sender<Pending>,
    receiver: Receiver<Pending>,
    waiting: Vec<Pending>,
}

impl Default for Intake {
    fn default() -> Intake {
        let (sender, receiver) = channel();
        Intake {
            sender,
            receiver,
            waiting: Vec::new(),
        }
    }
}

impl Intake {
    /// Waits up to `timeout` for a delivery; true when one is waiting.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        if !self.waiting.is_empty() {
            return true;
        }
        match self.receiver.recv_timeout(timeout) {
            Ok(p) => {
                self.waiting.push(p);
                true
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => false,
        }
    }

    /// Every delivery waiting for source `source`.
    pub fn take(&mut self, source: usize) -> Vec<Pending> {
        while let Ok(p) = self.receiver.try_recv() {
            self.waiting.push(p);
        }
        let (mine, others) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|p| p.source == source);
        self.waiting = others;
        mine
    }
}

/// One Firehose source as the pipeline sees it.
pub struct FirehoseSource {
    name: String,
    index: usize,
}

impl FirehoseSource {
    /// The source `name`, at `index` among the pipeline's sources.
    pub fn new(name: &str, index: usize) -> FirehoseSource {
        FirehoseSource {
            name: name.to_owned(),
            index,
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads the waiting deliveries into `feeder`, through the same reader as files; returns
    /// them (to answer after the commit) and the newest event time seen. A delivery's plain
    /// records are read as one input named `firehose:<request id>`, each record ending a line
    /// (so its lines are the records' lines in order); each gzip record (a CloudWatch Logs
    /// payload) is read alone as `firehose:<request id>#<record index>`.
    pub fn poll(&self, intake: &mut Intake, feeder: &mut Feeder) -> (Vec<Pending>, Option<i64>) {
        let mut pending = intake.take(self.index);
        let mut newest: Option<i64> = None;
        for p in &mut pending {
            let id = &p.delivery.request_id;
            let mut plain = Vec::new();
            for (i, record) in std::mem::take(&mut p.delivery.records)
                .into_iter()
                .enumerate()
            {
                if record.starts_with(&[0x1f, 0x8b]) {
                    let fed = feeder.feed(&format!("firehose:{id}#{i}"), record, Start::default());
                    newest = newest.max(fed.newest_ms);
                } else if !record.is_empty() {
                    plain.extend_from_slice(&record);
                    if !record.ends_with(b"\n") {
                        plain.push(b'\n');
                    }
                }
            }
            if !plain.is_empty() {
                let fed = feeder.feed(&format!("firehose:{id}"), plain, Start::default());
                newest = newest.max(fed.newest_ms);
            }
        }
        (pending, newest)
    }
}

/// Forgets committed request ids once they are older than the retention, checked hourly.
pub struct RequestPruner {
    retention: Duration,
    next: Instant,
}

/// How often old request ids are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

impl RequestPruner {
    /// Prunes ids older than `retention`, first at the next [`RequestPruner::run_if_due`].
    pub fn new(retention: Duration) -> RequestPruner {
        RequestPruner {
            retention,
            next: Instant::now(),
        }
    }

    /// Prunes when due.
    pub fn run_if_due(&mut self, store: &mut Store, now_ms: i64) -> anyhow::Result<()> {
        if Instant::now() < self.next {
            return Ok(());
        }
        self.next = Instant::now() + PRUNE_EVERY;
        let keep_ms = i64::try_from(self.retention.as_millis()).unwrap_or(i64::MAX);
        let pruned = store.prune_requests(now_ms.saturating_sub(keep_ms))?;
        if pruned > 0 {
            tracing::info!(pruned, retention = ?self.retention, "old Firehose request ids pruned");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn delivery(id: &str) -> Delivery {
        Delivery {
            request_id: id.to_owned(),
            timestamp_ms: None,
            records: vec![b"{}".to_vec()],
            common_attributes: BTreeMap::new(),
            source_arn: None,
        }
    }

    fn send(intake: &Intake, source: usize, id: &str) -> oneshot::Receiver<Result<(), String>> {
        let (done, outcome) = oneshot::channel();
        intake
            .sender
            .send(Pending {
                source,
                delivery: delivery(id),
                done,
            })
            .unwrap();
        outcome
    }

    #[test]
    fn deliveries_wake_the_pipeline_and_go_to_their_source() {
        let mut intake = Intake::default();
        assert!(!intake.wait(Duration::ZERO), "nothing waiting");
        let mut a = send(&intake, 0, "a");
        let _b = send(&intake, 1, "b");
        assert!(intake.wait(Duration::from_secs(60)));
        let mine = intake.take(0);
        assert_eq!(
            mine.iter().map(Pending::request_id).collect::<Vec<_>>(),
            ["a"]
        );
        // The other source's delivery still waits, and keeps the pipeline awake.
        assert!(intake.wait(Duration::ZERO));
        let theirs = intake.take(1);
        assert_eq!(theirs[0].request_id(), "b");
        assert!(intake.take(0).is_empty() && intake.take(1).is_empty());
        for p in mine {
            p.answer(Ok(()));
        }
        assert_eq!(a.try_recv().unwrap(), Ok(()));
    }
}
