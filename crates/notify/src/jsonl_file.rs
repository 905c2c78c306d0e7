//! JSON-lines files with size-based rotation, and the line every local sink writes.

use r53guard_alert::{Alert, AlertFormat, AlertWriter};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A JSON-lines file of alerts (one alert per line, as `r53guard hunt --format jsonl` writes).
/// When a line would take the file past `max_bytes`, the file is rotated first: `alerts.jsonl`
/// becomes `alerts.jsonl.1`, `.1` becomes `.2`, and so on; the oldest beyond `keep` is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlConfig {
    /// The file written to.
    pub path: PathBuf,
    /// The size at which the file is rotated; a single longer line still goes in a file of its
    /// own.
    pub max_bytes: u64,
    /// Rotated files kept (0: the full file is simply deleted).
    pub keep: u32,
}

impl JsonlConfig {
    /// `path`, rotated at 64 MiB, keeping 5 old files.
    pub fn new(path: impl Into<PathBuf>) -> JsonlConfig {
        JsonlConfig {
            path: path.into(),
            max_bytes: 64 * 1024 * 1024,
            keep: 5,
        }
    }
}

/// The alert as one line of compact JSON, newline included.
pub(crate) fn line(alert: &Alert) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut writer = AlertWriter::new(&mut buf, AlertFormat::Jsonl, false);
    writer.write(alert)?;
    writer.finish()?;
    Ok(buf)
}

/// The open file and its size, opened on first use.
#[derive(Debug)]
pub(crate) struct JsonlFile {
    config: JsonlConfig,
    open: Mutex<Option<(File, u64)>>,
}

impl JsonlFile {
    pub(crate) fn new(config: JsonlConfig) -> JsonlFile {
        JsonlFile {
            config,
            open: Mutex::new(None),
        }
    }

    /// Appends one line and syncs it to disk, rotating first when the line would not fit.
    pub(crate) fn append(&self, line: &[u8]) -> io::Result<()> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let len = line.len() as u64;
        if open.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.config.path)?;
            let size = file.metadata()?.len();
            *open = Some((file, size));
        }
        let (_, size) = open.as_ref().expect("opened above");
        if *size > 0 && size + len > self.config.max_bytes {
            *open = None;
            rotate(&self.config.path, self.config.keep)?;
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.config.path)?;
            *open = Some((file, 0));
        }
        let (file, size) = open.as_mut().expect("opened above");
        if let Err(e) = file.write_all(line).and_then(|()| file.sync_data()) {
            // The size is unknown after a partial write: look again next time.
            *open = None;
            return Err(e);
        }
        *size += len;
        Ok(())
    }
}

/// Shifts `path.1 … path.(keep-1)` up by one and moves `path` to `path.1`.
fn rotate(path: &Path, keep: u32) -> io::Result<()> {
    let numbered = |n: u32| {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    };
    if keep == 0 {
        return fs::remove_file(path);
    }
    for n in (1..keep).rev() {
        match fs::rename(numbered(n), numbered(n + 1)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    fs::rename(path, numbered(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_alert::alert;

    #[test]
    fn the_line_is_the_hunt_jsonl_line() {
        let l = line(&alert()).unwrap();
        assert!(l.ends_with(b"\n"));
        assert_eq!(l.iter().filter(|&&b| b == b'\n').count(), 1);
        let back: Alert = serde_json::from_slice(&l).unwrap();
        assert_eq!(back, alert());
    }

    #[test]
    fn rotates_by_size_and_keeps_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let sink = JsonlFile::new(JsonlConfig {
            path: path.clone(),
            max_bytes: 10,
            keep: 2,
        });
        for n in 0..5 {
            sink.append(format!("line-{n}\n").as_bytes()).unwrap();
        }
        let read = |name: &str| fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(read("alerts.jsonl"), "line-4\n");
        assert_eq!(read("alerts.jsonl.1"), "line-3\n");
        assert_eq!(read("alerts.jsonl.2"), "line-2\n");
        assert!(!dir.path().join("alerts.jsonl.3").exists());

        // Two short lines share a file; a long one gets its own.
        let sink = JsonlFile::new(JsonlConfig {
            path: path.clone(),
            max_bytes: 20,
            keep: 0,
        });
        sink.append(b"a\n").unwrap(); // the old 7-byte file + 2
        sink.append(b"b\n").unwrap();
        assert_eq!(read("alerts.jsonl"), "line-4\na\nb\n");
        sink.append(b"0123456789012345678901234\n").unwrap();
        assert_eq!(read("alerts.jsonl"), "0123456789012345678901234\n");
        sink.append(b"c\n").unwrap();
        assert_eq!(read("alerts.jsonl"), "c\n");
    }
}
