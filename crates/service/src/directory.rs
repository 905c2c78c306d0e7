//! The directory source: polls a directory tree (in name order) and reads new files and the
//! lines appended to known ones, from the offset checkpointed per file identity (`dev:inode`).
//!
//! - Plain files are read up to their last complete line; a partial last line waits for its
//!   newline.
//! - A file that shrank below its offset was truncated (or copied over): it is read again from
//!   the start. A file rotated by renaming keeps its identity and offset; the new file at the
//!   old name has a new identity and is read from the start.
//! - Gzip files are read whole, once, when their size is the same at two polls in a row.
//! - A poll reads a consistent cut: every file is listed with its size first, then read up to
//!   that size, so what one file gains while others are read waits for the next poll with the
//!   rest of the newer data. A file renamed between the listing and its reading (rotation) is
//!   found under its new name, so its tail is not left behind while newer files move the
//!   watermark past it.

use crate::feed::{Feeder, Start};
use r53guard_formats::paths::{self, Input};
use r53guard_store::Position;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The most bytes of one plain file read in one poll.
const MAX_CHUNK: u64 = 32 << 20;

/// How far one file has been read.
#[derive(Debug, Clone, Copy, Default)]
struct FileState {
    offset: u64,
    record: u64,
    /// Lines before `offset`, counted when first needed after a restart.
    lines: Option<u64>,
}

/// A polled directory.
pub struct DirectorySource {
    name: String,
    path: PathBuf,
    files: HashMap<String, FileState>,
    /// Gzip files not read yet, with the size seen at the last poll.
    gzip_sizes: HashMap<String, u64>,
    missing_reported: bool,
}

impl DirectorySource {
    /// The source `name` over `path`, continuing from `positions`.
    pub fn new(name: &str, path: &Path, positions: Vec<Position>) -> DirectorySource {
        let files = positions
            .into_iter()
            .map(|p| {
                let state = FileState {
                    offset: p.offset,
                    record: p.record,
                    lines: None,
                };
                (p.file, state)
            })
            .collect();
        DirectorySource {
            name: name.to_owned(),
            path: path.to_owned(),
            files,
            gzip_sizes: HashMap::new(),
            missing_reported: false,
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads what is new into `feeder`; returns the positions reached and the newest event
    /// time seen.
    pub fn poll(&mut self, feeder: &mut Feeder) -> (Vec<Position>, Option<i64>) {
        if !self.path.is_dir() {
            if !self.missing_reported {
                tracing::warn!(source = %self.name, path = %self.path.display(), "directory not found; waiting for it");
                self.missing_reported = true;
            }
            return (Vec::new(), None);
        }
        self.missing_reported = false;
        let listed = self.list();
        self.read_listed(&listed, feeder)
    }

    /// The log files under the directory, in name order, with their identities and sizes now.
    fn list(&self) -> Vec<Listed> {
        let (inputs, _passed) = paths::plan(&[self.path.display().to_string()]);
        let mut listed = Vec::new();
        for input in inputs {
            let Input::File(path) = input else { continue };
            match std::fs::metadata(&path) {
                Ok(meta) => listed.push(Listed {
                    id: identity(&meta),
                    size: meta.len(),
                    path,
                }),
                // Renamed or removed since the directory was read: the next listing has it.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(source = %self.name, file = %path.display(), error = %e, "cannot read file");
                }
            }
        }
        listed
    }

    /// Reads the files of `listed` up to their listed sizes.
    fn read_listed(
        &mut self,
        listed: &[Listed],
        feeder: &mut Feeder,
    ) -> (Vec<Position>, Option<i64>) {
        let mut positions = Vec::new();
        let mut newest: Option<i64> = None;
        // Where each file is now, listed again the first time a file is not where it was.
        let mut moved: Option<HashMap<String, PathBuf>> = None;
        for entry in listed {
            let opened = match self.open(entry, &mut moved) {
                Ok(Some(opened)) => opened,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(source = %self.name, file = %entry.path.display(), error = %e, "cannot read file");
                    continue;
                }
            };
            let (mut file, path) = opened;
            match self.poll_file(&mut file, &path, entry, feeder) {
                Ok(Some((position, file_newest))) => {
                    positions.push(position);
                    newest = newest.max(file_newest);
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(source = %self.name, file = %path.display(), error = %e, "cannot read file");
                }
            }
        }
        (positions, newest)
    }

    /// Opens the listed file: at its listed path, or, when another file is there now (it was
    /// rotated), at the path it was renamed to. `None`: it is gone.
    fn open(
        &self,
        entry: &Listed,
        moved: &mut Option<HashMap<String, PathBuf>>,
    ) -> std::io::Result<Option<(File, PathBuf)>> {
        match File::open(&entry.path) {
            Ok(file) if identity(&file.metadata()?) == entry.id => {
                return Ok(Some((file, entry.path.clone())));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let now =
            moved.get_or_insert_with(|| self.list().into_iter().map(|l| (l.id, l.path)).collect());
        let Some(path) = now.get(&entry.id) else {
            return Ok(None);
        };
        let file = File::open(path)?;
        if identity(&file.metadata()?) != entry.id {
            return Ok(None);
        }
        Ok(Some((file, path.clone())))
    }

    fn poll_file(
        &mut self,
        file: &mut File,
        path: &Path,
        entry: &Listed,
        feeder: &mut Feeder,
    ) -> std::io::Result<Option<(Position, Option<i64>)>> {
        let id = entry.id.clone();
        let size = entry.size;
        let name = path.display().to_string();
        if is_gzip(file)? {
            if self.files.contains_key(&id) {
                return Ok(None);
            }
            if self.gzip_sizes.insert(id.clone(), size) != Some(size) {
                return Ok(None);
            }
            self.gzip_sizes.remove(&id);
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut bytes)?;
            let fed = feeder.feed(&name, bytes, Start::default());
            let state = FileState {
                offset: size,
                record: fed.records,
                lines: None,
            };
            self.files.insert(id.clone(), state);
            return Ok(Some((self.position(&id, state), fed.newest_ms)));
        }
        let mut state = self.files.get(&id).copied().unwrap_or_default();
        if size < state.offset {
            tracing::warn!(source = %self.name, file = %name, "file shrank (truncated or replaced); reading it from the start");
            state = FileState {
                offset: 0,
                record: 0,
                lines: Some(0),
            };
        }
        if size == state.offset {
            return Ok(None);
        }
        let lines = match state.lines {
            Some(n) => n,
            None => count_lines(file, state.offset)?,
        };
        let want = (size - state.offset).min(MAX_CHUNK);
        let mut bytes = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
        file.seek(SeekFrom::Start(state.offset))?;
        Read::take(&mut *file, want).read_to_end(&mut bytes)?;
        let Some(last_newline) = bytes.iter().rposition(|&b| b == b'\n') else {
            // A partial line waits for its end, unless it fills a whole chunk: then it is read
            // (and reported as too long).
            if want < MAX_CHUNK {
                return Ok(None);
            }
            return self
                .consume(&id, &name, bytes, state, lines, feeder)
                .map(Some);
        };
        bytes.truncate(last_newline + 1);
        self.consume(&id, &name, bytes, state, lines, feeder)
            .map(Some)
    }

    fn consume(
        &mut self,
        id: &str,
        name: &str,
        bytes: Vec<u8>,
        state: FileState,
        lines: u64,
        feeder: &mut Feeder,
    ) -> std::io::Result<(Position, Option<i64>)> {
        let len = bytes.len() as u64;
        let new_lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let fed = feeder.feed(
            name,
            bytes,
            Start {
                lines,
                records: state.record,
            },
        );
        let state = FileState {
            offset: state.offset + len,
            record: state.record + fed.records,
            lines: Some(lines + new_lines),
        };
        self.files.insert(id.to_owned(), state);
        Ok((self.position(id, state), fed.newest_ms))
    }

    fn position(&self, id: &str, state: FileState) -> Position {
        Position {
            source: self.name.clone(),
            file: id.to_owned(),
            offset: state.offset,
            record: state.record,
        }
    }
}

/// A log file as listed at the start of a poll.
struct Listed {
    path: PathBuf,
    /// `dev:inode`.
    id: String,
    size: u64,
}

/// A file's identity: `dev:inode`, the same across renames.
fn identity(meta: &std::fs::Metadata) -> String {
    format!("{}:{}", meta.dev(), meta.ino())
}

fn is_gzip(file: &mut File) -> std::io::Result<bool> {
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match file.read(&mut magic[got..])? {
            0 => return Ok(false),
            n => got += n,
        }
    }
    Ok(magic == [0x1f, 0x8b])
}

/// Newlines in the first `end` bytes of `file`.
fn count_lines(file: &mut File, end: u64) -> std::io::Result<u64> {
    file.seek(SeekFrom::Start(0))?;
    let mut reader = file.take(end);
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let got = reader.read(&mut buf)?;
        if got == 0 {
            return Ok(n);
        }
        n += buf[..got].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RulesConfig;
    use crate::ruleset::Rules;
    use r53guard_api::Metrics;
    use std::io::Write;
    use std::sync::Arc;

    fn feeder() -> Feeder {
        let config = RulesConfig {
            builtin: false,
            ..RulesConfig::default()
        };
        let engine = Rules::load(&config, 0).unwrap().engine().unwrap();
        Feeder::new(engine, Arc::new(Metrics::new()))
    }

    /// Resolver query-log lines at minutes `from..to` of an hour.
    fn lines(from: u32, to: u32) -> String {
        (from..to)
            .map(|m| {
                format!(
                    "{{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\",\
                     \"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-11-01T00:{m:02}:00Z\",\
                     \"query_name\":\"example.com.\",\"query_type\":\"A\",\"query_class\":\"IN\",\
                     \"rcode\":\"NOERROR\",\"answers\":[],\"srcaddr\":\"10.0.0.1\",\"srcport\":\"5353\",\
                     \"transport\":\"UDP\",\"srcids\":{{\"instance\":\"i-1\"}}}}\n"
                )
            })
            .collect()
    }

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn minute(ms: i64) -> i64 {
        (ms / 60_000) % 60
    }

    #[test]
    fn a_poll_reads_up_to_the_listed_sizes_and_follows_a_rotation() {
        let dir = std::env::temp_dir().join(format!("r53guard-directory-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let live = dir.join("resolver.ndjson");
        let other = dir.join("z-other.ndjson");
        append(&live, &lines(0, 10));
        append(&other, &lines(0, 2));
        let mut source = DirectorySource::new("logs", &dir, Vec::new());
        let mut feeder = feeder();
        let (positions, newest) = source.poll(&mut feeder);
        assert_eq!(positions.len(), 2);
        assert_eq!(newest.map(minute), Some(9));

        // Listed; then, before it is read, the live file gains minutes 10..20 and is rotated,
        // and newer minutes land in a new live file and in the other file.
        append(&live, &lines(10, 15));
        let listed = source.list();
        let old = listed.iter().find(|l| l.path == live).unwrap();
        let (old_id, old_size) = (old.id.clone(), old.size);
        append(&live, &lines(15, 20));
        std::fs::rename(&live, dir.join("resolver-1.ndjson")).unwrap();
        append(&live, &lines(40, 45));
        append(&other, &lines(50, 55));
        let (positions, newest) = source.read_listed(&listed, &mut feeder);
        // The rotated file is read under its new name, up to its listed size; nothing newer
        // than the listing is read, so the watermark cannot pass its tail.
        assert_eq!(positions.len(), 1, "{positions:?}");
        assert_eq!(
            (&positions[0].file, positions[0].offset),
            (&old_id, old_size)
        );
        assert_eq!(newest.map(minute), Some(14));

        // The next poll reads the rest: the rotated file's tail, the new file, the other file.
        let (positions, newest) = source.poll(&mut feeder);
        assert_eq!(positions.len(), 3, "{positions:?}");
        assert_eq!(newest.map(minute), Some(54));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
