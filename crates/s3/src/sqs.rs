//! Receiving and deleting SQS messages.

use crate::aws::{Aws, call_error};
use crate::error::Error;
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;

/// How messages are received.
#[derive(Debug, Clone, Copy)]
pub struct ReceiveOptions {
    /// Most messages per call (1 to 10).
    pub max_messages: i32,
    /// How long a call waits for a message (long polling; 0 to 20 seconds).
    pub wait_seconds: i32,
    /// How long received messages stay hidden from other receivers, in seconds.
    pub visibility_timeout_seconds: i32,
}

/// One received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message id.
    pub id: String,
    /// The handle that deletes this receipt of it.
    pub receipt_handle: String,
    /// The body.
    pub body: String,
}

impl Aws {
    /// Receives up to `options.max_messages` messages from `queue_url`.
    pub fn receive(&self, queue_url: &str, options: ReceiveOptions) -> Result<Vec<Message>, Error> {
        self.block_on(async {
            let out = self
                .sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(options.max_messages)
                .wait_time_seconds(options.wait_seconds)
                .visibility_timeout(options.visibility_timeout_seconds)
                .send()
                .await
                .map_err(|e| call_error(queue_url.to_owned(), &e))?;
            Ok(out
                .messages()
                .iter()
                .map(|m| Message {
                    id: m.message_id().unwrap_or_default().to_owned(),
                    receipt_handle: m.receipt_handle().unwrap_or_default().to_owned(),
                    body: m.body().unwrap_or_default().to_owned(),
                })
                .collect())
        })
    }

    /// Deletes `messages` (at most 10 per request; more are sent in several). Returns the
    /// messages SQS did not delete, each with its reason.
    pub fn delete(
        &self,
        queue_url: &str,
        messages: &[Message],
    ) -> Result<Vec<(Message, String)>, Error> {
        self.block_on(async {
            let mut failed = Vec::new();
            for chunk in messages.chunks(10) {
                let entries = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(&m.receipt_handle)
                            .build()
                            .map_err(|e| Error::Call {
                                target: queue_url.to_owned(),
                                message: e.to_string(),
                                code: None,
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let out = self
                    .sqs
                    .delete_message_batch()
                    .queue_url(queue_url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| call_error(queue_url.to_owned(), &e))?;
                for f in out.failed() {
                    if let Some(m) = f.id().parse::<usize>().ok().and_then(|i| chunk.get(i)) {
                        let why = format!("{}: {}", f.code(), f.message().unwrap_or_default());
                        failed.push((m.clone(), why));
                    }
                }
            }
            Ok(failed)
        })
    }
}
