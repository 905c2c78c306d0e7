//! The notifier loop: drains the store's due outbox jobs through the notifier and records each
//! outcome (sent, put off, dead-lettered). It stops between two sends when told to.

use crate::pipeline::now_ms;
use r53guard_notify::{Notifier, Outcome};
use r53guard_store::{Job, Store};
use std::time::Duration;
use tokio::sync::watch;

/// Jobs fetched at once.
const BATCH: usize = 64;
/// The longest wait between two looks at the outbox (new alerts arrive from the pipeline).
const IDLE: Duration = Duration::from_millis(250);

/// Runs until `shutdown` turns true; a send in progress is finished and recorded first.
pub async fn run(
    mut store: Store,
    notifier: Notifier,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = now_ms();
        let jobs = store.due(now, BATCH)?;
        if jobs.is_empty() {
            let wait = match store.next_due_ms()? {
                Some(due) => Duration::from_millis(u64::try_from(due - now).unwrap_or(0)).min(IDLE),
                None => IDLE,
            };
            tokio::select! {
                _ = shutdown.changed() => {}
                () = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        for job in jobs {
            if *shutdown.borrow() {
                break;
            }
            let outcome = notifier
                .deliver(&job.alert, &job.receiver, job.attempt)
                .await;
            record(&mut store, &job, outcome)?;
        }
    }
    tracing::info!("notifier stopped");
    Ok(())
}

fn record(store: &mut Store, job: &Job, outcome: Outcome) -> anyhow::Result<()> {
    let now = now_ms();
    let id = job.alert.id.as_str();
    let receiver = job.receiver.as_str();
    let later =
        |after: Duration| now.saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
    match outcome {
        Outcome::Delivered => {
            store.mark_delivered(id, receiver, now)?;
            tracing::debug!(alert = id, receiver, attempt = job.attempt, "delivered");
        }
        Outcome::Deferred { after } => {
            store.reschedule(id, receiver, job.attempt, later(after), None)?;
        }
        Outcome::Retry { after, failure } => {
            let error = failure.to_string();
            tracing::warn!(alert = id, receiver, attempt = job.attempt, error = %error, "delivery failed; will retry");
            store.reschedule(id, receiver, job.attempt + 1, later(after), Some(&error))?;
        }
        Outcome::Dead { attempts, failure } => {
            let error = failure.to_string();
            tracing::error!(alert = id, receiver, attempts, error = %error, "delivery given up (dead letter)");
            store.mark_dead(id, receiver, attempts, &error, now)?;
        }
        Outcome::Failed { failure } => {
            let error = failure.to_string();
            tracing::error!(alert = id, receiver, attempt = job.attempt, error = %error, "delivery refused (dead letter)");
            store.mark_dead(id, receiver, job.attempt, &error, now)?;
        }
    }
    Ok(())
}
