//! The stdin source: lines read by a thread of their own and handed over at each poll.
//! Standard input cannot be read again, so it keeps no position: a restart reads what comes
//! next.

use crate::feed::{Feeder, Start};
use std::io::BufRead;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

/// The most lines handed over in one poll.
const MAX_LINES: usize = 100_000;

/// Standard input.
pub struct StdinSource {
    name: String,
    lines: Receiver<Vec<u8>>,
    start: Start,
    ended: bool,
}

impl StdinSource {
    /// Starts reading standard input.
    pub fn start(name: &str) -> StdinSource {
        let (tx, rx) = sync_channel::<Vec<u8>>(MAX_LINES);
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            loop {
                let mut line = Vec::new();
                match stdin.read_until(b'\n', &mut line) {
                    Ok(0) => return,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read standard input");
                        return;
                    }
                }
            }
        });
        StdinSource {
            name: name.to_owned(),
            lines: rx,
            start: Start::default(),
            ended: false,
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads the lines that arrived into `feeder`; returns the newest event time seen.
    pub fn poll(&mut self, feeder: &mut Feeder) -> Option<i64> {
        let mut bytes = Vec::new();
        let mut lines = 0u64;
        while lines < MAX_LINES as u64 {
            match self.lines.try_recv() {
                Ok(line) => {
                    bytes.extend_from_slice(&line);
                    lines += 1;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.ended {
                        tracing::info!(source = %self.name, "standard input ended");
                        self.ended = true;
                    }
                    break;
                }
            }
        }
        if bytes.is_empty() {
            return None;
        }
        let fed = feeder.feed("-", bytes, self.start);
        self.start.lines += lines;
        self.start.records += fed.records;
        fed.newest_ms
    }
}
