//! The directory source: polls a directory tree (in name order) and reads new files and the
//! lines appended to known ones, from the offset checkpointed per file identity (`dev:inode`).
//!
//! - Plain files are read up to their last complete line; a partial last line waits for its
//!   newline.
//! - A file that shrank below its offset was truncated (or copied over): it is read again from
//!   the start. A file rotated by renaming keeps its identity and offset; the new file at the
//!   old name has a new identity and is read from the start.
//! - Gzip files are read whole, once, when their size is the same at two polls in a row.

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
        let mut positions = Vec::new();
        let mut newest: Option<i64> = None;
        if !self.path.is_dir() {
            if !self.missing_reported {
                tracing::warn!(source = %self.name, path = %self.path.display(), "directory not found; waiting for it");
                self.missing_reported = true;
            }
            return (positions, newest);
        }
        self.missing_reported = false;
        let (inputs, _passed) = paths::plan(&[self.path.display().to_string()]);
        for input in inputs {
            let Input::File(path) = input else { continue };
            match self.poll_file(&path, feeder) {
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

    fn poll_file(
        &mut self,
        path: &Path,
        feeder: &mut Feeder,
    ) -> std::io::Result<Option<(Position, Option<i64>)>> {
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        let id = format!("{}:{}", meta.dev(), meta.ino());
        let size = meta.len();
        let name = path.display().to_string();
        if is_gzip(&mut file)? {
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
            None => count_lines(&mut file, state.offset)?,
        };
        let want = (size - state.offset).min(MAX_CHUNK);
        let mut bytes = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
        file.seek(SeekFrom::Start(state.offset))?;
        (&mut file).take(want).read_to_end(&mut bytes)?;
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
