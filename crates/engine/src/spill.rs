//! Records' text kept out of memory. Over a long `hunt`, stateful rules keep the first records
//! of every key and minute, and `max_signals` caps keep their alerts, until the end of the run;
//! the records' text would be most of the engine's memory. With a spill file (an unlinked
//! temporary file the caller opens), a sample or a kept alert's evidence entry keeps only where
//! its text is in the file; the text is read back when the alert is built or written.
//!
//! Writes are buffered; a read of text still in the buffer is served from it. When the file
//! cannot be written, records keep their text in memory.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, MutexGuard};

/// Bytes buffered before they are written to the file.
const BUFFER: usize = 1 << 20;

/// A file that sampled records' text is appended to.
#[derive(Debug)]
pub struct Spill {
    file: File,
    tail: Mutex<Tail>,
}

#[derive(Debug, Default)]
struct Tail {
    /// Bytes in the file.
    written: u64,
    /// Bytes after those, not yet written.
    buf: Vec<u8>,
    /// Set once a write failed: nothing more is spilled.
    failed: bool,
}

impl Spill {
    /// A spill into `file` (empty, opened for reading and writing).
    pub fn new(file: File) -> Arc<Spill> {
        Arc::new(Spill {
            file,
            tail: Mutex::default(),
        })
    }

    fn tail(&self) -> MutexGuard<'_, Tail> {
        self.tail
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `text`: where it is, or `None` when the file cannot be written.
    fn put(&self, text: &str) -> Option<(u64, u32)> {
        let len = u32::try_from(text.len()).ok()?;
        let mut tail = self.tail();
        if tail.failed {
            return None;
        }
        if tail.buf.len() + text.len() > BUFFER && !tail.buf.is_empty() {
            let Tail { written, buf, .. } = &mut *tail;
            match (&self.file).write_all(buf) {
                Ok(()) => {
                    *written += buf.len() as u64;
                    buf.clear();
                }
                Err(_) => {
                    tail.failed = true;
                    return None;
                }
            }
        }
        let offset = tail.written + tail.buf.len() as u64;
        tail.buf.extend_from_slice(text.as_bytes());
        Some((offset, len))
    }

    fn get(&self, offset: u64, len: u32) -> io::Result<String> {
        let mut bytes = vec![0; len as usize];
        {
            let tail = self.tail();
            if let Some(start) = offset.checked_sub(tail.written) {
                let start = start as usize;
                let found = tail.buf.get(start..start + bytes.len());
                bytes.copy_from_slice(found.ok_or(io::ErrorKind::UnexpectedEof)?);
                return String::from_utf8(bytes).map_err(io::Error::other);
            }
        }
        self.file.read_exact_at(&mut bytes, offset)?;
        String::from_utf8(bytes).map_err(io::Error::other)
    }
}

/// A sampled record's text: in memory, or in a spill file.
#[derive(Clone)]
pub enum Text {
    /// The text itself.
    Inline(Box<str>),
    /// Where the text is in a spill file.
    Spilled {
        /// The file.
        spill: Arc<Spill>,
        /// Its offset in the file.
        offset: u64,
        /// Its length.
        len: u32,
    },
}

impl Text {
    /// `text`, kept in `spill` when there is one and it can be written.
    pub fn keep(text: &str, spill: Option<&Arc<Spill>>) -> Text {
        spill
            .and_then(|s| {
                let (offset, len) = s.put(text)?;
                Some(Text::Spilled {
                    spill: s.clone(),
                    offset,
                    len,
                })
            })
            .unwrap_or_else(|| Text::Inline(text.into()))
    }

    /// The text (read back from the spill file when it is there).
    pub fn read(&self) -> io::Result<Cow<'_, str>> {
        match self {
            Text::Inline(text) => Ok(Cow::Borrowed(text)),
            Text::Spilled { spill, offset, len } => spill.get(*offset, *len).map(Cow::Owned),
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::Inline(text.into())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.read() {
            Ok(text) => fmt::Debug::fmt(&text, f),
            Err(e) => write!(f, "<unreadable: {e}>"),
        }
    }
}

/// Texts are equal when they read the same (an unreadable text equals none).
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        matches!((self.read(), other.read()), (Ok(a), Ok(b)) if a == b)
    }
}

/// Snapshots hold the text itself.
impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.read().map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        Box::<str>::deserialize(deserializer).map(Text::Inline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spill() -> Arc<Spill> {
        let path = std::env::temp_dir().join(format!("r53guard-spill-{}", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        Spill::new(file)
    }

    #[test]
    fn texts_read_back_from_the_buffer_and_from_the_file() {
        let spill = spill();
        let big = "x".repeat(BUFFER / 3 + 7);
        let texts: Vec<(String, Text)> = (0..8)
            .map(|i| {
                let text = format!("{{\"n\":{i},\"pad\":\"{big}\"}}");
                let kept = Text::keep(&text, Some(&spill));
                (text, kept)
            })
            .collect();
        assert!(spill.tail().written > 0, "some texts went to the file");
        for (text, kept) in &texts {
            assert!(matches!(kept, Text::Spilled { .. }));
            assert_eq!(kept.read().unwrap(), text.as_str());
        }
        let round: Text =
            serde_json::from_str(&serde_json::to_string(&texts[0].1).unwrap()).unwrap();
        assert_eq!(round, texts[0].1);
        assert!(matches!(round, Text::Inline(_)));
    }

    #[test]
    fn without_a_writable_file_texts_stay_in_memory() {
        let path = std::env::temp_dir().join(format!("r53guard-ro-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let read_only = Spill::new(File::open(&path).unwrap());
        std::fs::remove_file(&path).unwrap();
        let big = "y".repeat(BUFFER);
        let first = Text::keep(&big, Some(&read_only));
        let second = Text::keep("{}", Some(&read_only));
        assert_eq!(first.read().unwrap(), big.as_str());
        assert!(
            matches!(second, Text::Inline(_)),
            "the failed write is seen"
        );
        assert_eq!(second.read().unwrap(), "{}");
        assert!(matches!(Text::keep("{}", None), Text::Inline(_)));
    }
}
