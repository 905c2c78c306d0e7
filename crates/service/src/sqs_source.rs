//! The `sqs` source: S3 event notifications received from a queue (raw or wrapped by SNS),
//! each object they announce read whole and committed with the alerts it raised, and only
//! then the message deleted.
//!
//! - A crash between the commit and the delete makes SQS deliver the message again: its
//!   objects are found among the positions (by URL and ETag, or sequencer) and not read again,
//!   and the message is deleted.
//! - `s3:TestEvent` messages and notifications of other events are deleted.
//! - A body that is not a notification is logged with its message id, counted
//!   (`r53guard_sqs_messages_total{outcome="malformed"}`) and not deleted: the queue's redrive
//!   policy moves it to a dead-letter queue after `maxReceiveCount` receipts.
//! - A message whose object cannot be read is not deleted either: it is received again after
//!   its visibility timeout (its objects already read are skipped), until the redrive policy
//!   takes it.

use crate::feed::Feeder;
use crate::object_reader::{ObjectReader, Outcome};
use r53guard_s3::{Message, ReceiveOptions, parse_body};
use r53guard_store::Position;
use std::collections::HashSet;

/// A queue of S3 event notifications.
pub struct SqsSource {
    name: String,
    queue_url: String,
    receive: ReceiveOptions,
    reader: ObjectReader,
    /// Identities of the objects read (committed or in the current batch).
    done: HashSet<String>,
    /// Messages handled in the current batch, deleted once it is committed.
    to_delete: Vec<Message>,
}

impl SqsSource {
    /// The source `name` on `queue_url`, continuing from `positions`.
    pub fn new(
        name: &str,
        queue_url: &str,
        receive: ReceiveOptions,
        reader: ObjectReader,
        positions: Vec<Position>,
    ) -> SqsSource {
        SqsSource {
            name: name.to_owned(),
            queue_url: queue_url.to_owned(),
            receive,
            reader,
            done: positions.into_iter().map(|p| p.file).collect(),
            to_delete: Vec::new(),
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Receives one batch of messages (waiting up to the configured wait time) and reads the
    /// objects they announce into `feeder`; returns the positions and newest event time.
    pub fn poll(&mut self, feeder: &mut Feeder) -> (Vec<Position>, Option<i64>) {
        let mut positions = Vec::new();
        let mut newest = None;
        let (queue, options) = (self.queue_url.clone(), self.receive);
        let messages = match self
            .reader
            .aws()
            .and_then(|aws| aws.receive(&queue, options))
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(source = %self.name, error = %e, "cannot receive messages");
                return (positions, newest);
            }
        };
        let metrics = self.reader.metrics().clone();
        for message in messages {
            let notification = match parse_body(&message.body) {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(source = %self.name, message_id = %message.id, error = %e, "malformed message left to the queue's redrive policy");
                    self.reader.count(&metrics.messages, "malformed");
                    continue;
                }
            };
            if notification.test_event {
                self.reader.count(&metrics.messages, "test_event");
                self.to_delete.push(message);
                continue;
            }
            self.reader.count(&metrics.messages, "notification");
            let mut complete = true;
            for object in &notification.objects {
                let identity = object.identity();
                if self.done.contains(&identity) {
                    self.reader.count(&metrics.objects, "duplicate");
                    continue;
                }
                match self.reader.read(object, feeder) {
                    Ok(Outcome::Read(position, t)) => {
                        newest = newest.max(t);
                        positions.push(position);
                        self.done.insert(identity);
                    }
                    Ok(Outcome::Skipped) => {}
                    Err(_) => complete = false,
                }
            }
            if complete {
                self.to_delete.push(message);
            } else {
                tracing::warn!(source = %self.name, message_id = %message.id, "message kept for redelivery: an object could not be read");
                self.reader.count(&metrics.messages, "kept");
            }
        }
        (positions, newest)
    }

    /// Deletes the messages handled so far; call once their batch is committed. A message
    /// SQS fails to delete is delivered again and its objects are skipped then.
    pub fn committed(&mut self) {
        if self.to_delete.is_empty() {
            return;
        }
        let messages = std::mem::take(&mut self.to_delete);
        let metrics = self.reader.metrics().clone();
        let queue = self.queue_url.clone();
        match self
            .reader
            .aws()
            .and_then(|aws| aws.delete(&queue, &messages))
        {
            Ok(failed) => {
                for (m, why) in &failed {
                    tracing::warn!(source = %self.name, message_id = %m.id, error = %why, "cannot delete message; it will come again and be skipped");
                    self.reader.count(&metrics.messages, "delete_failed");
                }
                metrics
                    .messages
                    .with(&[&self.name, "deleted"])
                    .add((messages.len() - failed.len()) as u64);
            }
            Err(e) => {
                tracing::warn!(source = %self.name, error = %e, messages = messages.len(), "cannot delete messages; they will come again and be skipped");
                metrics
                    .messages
                    .with(&[&self.name, "delete_failed"])
                    .add(messages.len() as u64);
            }
        }
    }
}
