//! Cutting the inputs of a run into pieces that threads can read on their own: every input is
//! a piece, and a large plain NDJSON file is cut at line boundaries into ranges. A range knows
//! the line and record numbers it starts at, so what it reports (alerts' evidence, bad lines)
//! names the same places as a single read of the whole file. S3 objects are read whole.

use crate::s3_input::S3Object;
use r53guard_formats::paths::Input;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The smallest range worth giving a thread of its own.
pub const MIN_RANGE_BYTES: u64 = 16 << 20;

/// What one thread reads at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A whole input.
    Whole(Input),
    /// Bytes `start..end` of a plain NDJSON file.
    Range(Range),
    /// An S3 object.
    S3(S3Object),
}

/// Part of a plain NDJSON file, starting at a line start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// The file.
    pub path: PathBuf,
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// Lines before `start`.
    pub lines_before: u64,
    /// Records (non-blank lines) before `start`.
    pub records_before: u64,
}

impl Piece {
    /// The input's name, as messages and evidence give it.
    pub fn name(&self) -> String {
        match self {
            Piece::Whole(input) => input.name(),
            Piece::Range(r) => r.path.display().to_string(),
            Piece::S3(o) => o.name(),
        }
    }

    /// Opens the piece for reading.
    pub fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(match self {
            Piece::Whole(Input::Stdin) => Box::new(std::io::stdin()),
            Piece::Whole(Input::File(path)) => Box::new(File::open(path)?),
            Piece::Range(r) => {
                let mut f = File::open(&r.path)?;
                f.seek(SeekFrom::Start(r.start))?;
                Box::new(f.take(r.end - r.start))
            }
            Piece::S3(o) => o.open()?,
        })
    }

    /// Lines and records before the piece's start in its input.
    pub fn offsets(&self) -> (u64, u64) {
        match self {
            Piece::Whole(_) | Piece::S3(_) => (0, 0),
            Piece::Range(r) => (r.lines_before, r.records_before),
        }
    }

    /// Whether this piece starts its input (so counts the input as opened).
    pub fn starts_input(&self) -> bool {
        match self {
            Piece::Whole(_) | Piece::S3(_) => true,
            Piece::Range(r) => r.start == 0,
        }
    }
}

/// The pieces of `inputs` for `threads` threads: whole files of plain NDJSON larger than
/// `2 × min_range` are cut into up to `threads` ranges of at least `min_range` bytes; every
/// other input (gzip, `{"Records":[…]}` documents, stdin, small files, S3 objects) stays one
/// piece. A file that cannot be inspected stays whole, so reading it reports the problem.
pub fn pieces(inputs: Vec<Piece>, threads: usize, min_range: u64) -> Vec<Piece> {
    let mut out = Vec::with_capacity(inputs.len());
    for piece in inputs {
        let ranges = match (&piece, threads > 1) {
            (Piece::Whole(Input::File(path)), true) => {
                ranges(path, threads as u64, min_range).ok().flatten()
            }
            _ => None,
        };
        match ranges {
            Some(r) => out.extend(r.into_iter().map(Piece::Range)),
            None => out.push(piece),
        }
    }
    out
}

/// The ranges of a large plain NDJSON file, or `None` when it should be read whole.
fn ranges(path: &Path, parts: u64, min_range: u64) -> std::io::Result<Option<Vec<Range>>> {
    let size = std::fs::metadata(path)?.len();
    if size < min_range.saturating_mul(2) || !is_ndjson(path)? {
        return Ok(None);
    }
    let parts = parts.min(size / min_range).max(1);
    let targets: Vec<u64> = (1..parts).map(|k| size / parts * k).collect();
    let cuts = line_starts_after(path, &targets)?;
    let mut out = Vec::new();
    let mut prev = Cut {
        offset: 0,
        lines: 0,
        records: 0,
    };
    for cut in cuts.into_iter().chain([Cut {
        offset: size,
        lines: 0,
        records: 0,
    }]) {
        if cut.offset > prev.offset {
            out.push(Range {
                path: path.to_owned(),
                start: prev.offset,
                end: cut.offset,
                lines_before: prev.lines,
                records_before: prev.records,
            });
            prev = cut;
        }
    }
    Ok(Some(out))
}

/// Whether the file is NDJSON of single records: its first line is a JSON object that is not a
/// `{"Records":[…]}` document (whose records could not be numbered by counting lines).
fn is_ndjson(path: &Path) -> std::io::Result<bool> {
    let mut first = Vec::new();
    BufReader::new(File::open(path)?)
        .take(MIN_RANGE_BYTES)
        .read_until(b'\n', &mut first)?;
    if first.first() == Some(&0x1f) {
        return Ok(false); // gzip
    }
    Ok(match serde_json::from_slice::<serde_json::Value>(&first) {
        Ok(serde_json::Value::Object(map)) => !map.contains_key("Records"),
        _ => false,
    })
}

/// A line start, with the lines and non-blank lines before it.
#[derive(Debug, Clone, Copy)]
struct Cut {
    offset: u64,
    lines: u64,
    records: u64,
}

/// For each target offset (ascending), the first line start at or after it, with the counts
/// of lines and non-blank lines before it. One sequential pass over the file.
fn line_starts_after(path: &Path, targets: &[u64]) -> std::io::Result<Vec<Cut>> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut out = Vec::with_capacity(targets.len());
    let (mut pos, mut lines, mut records) = (0u64, 0u64, 0u64);
    // Whether the current line has a non-whitespace byte so far.
    let mut line_has_text = false;
    let mut next = 0;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 || next == targets.len() {
            break;
        }
        let block = &buf[..n];
        let mut from = 0;
        for nl in memchr::memchr_iter(b'\n', block) {
            line_has_text |= block[from..nl].iter().any(|b| !b.is_ascii_whitespace());
            lines += 1;
            records += u64::from(line_has_text);
            line_has_text = false;
            from = nl + 1;
            let line_start = pos + nl as u64 + 1;
            while next < targets.len() && line_start >= targets[next] {
                out.push(Cut {
                    offset: line_start,
                    lines,
                    records,
                });
                next += 1;
            }
        }
        line_has_text |= block[from..].iter().any(|b| !b.is_ascii_whitespace());
        pos += n as u64;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary file holding `text`, removed when dropped.
    fn write(name: &str, text: &str) -> tempfile::TempPath {
        let mut f = tempfile::Builder::new()
            .prefix(&format!("r53guard-split-{name}-"))
            .tempfile()
            .unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        f.into_temp_path()
    }

    #[test]
    fn ranges_start_at_lines_and_know_their_numbers() {
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!(
                "{{\"n\":{i},\"pad\":\"{}\"}}\n",
                "x".repeat(i % 50)
            ));
            if i % 97 == 0 {
                text.push_str("  \n");
            }
        }
        let p = write("ndjson", &text);
        let got = pieces(vec![Piece::Whole(Input::File(p.to_path_buf()))], 4, 1000);
        assert_eq!(got.len(), 4);
        let mut expect_start = 0;
        for piece in &got {
            let Piece::Range(r) = piece else {
                panic!("not a range")
            };
            assert_eq!(r.start, expect_start);
            expect_start = r.end;
            let before = &text[..r.start as usize];
            assert!(before.is_empty() || before.ends_with('\n'));
            assert_eq!(r.lines_before, before.matches('\n').count() as u64);
            let blank = before.lines().filter(|l| l.trim().is_empty()).count() as u64;
            assert_eq!(r.records_before, r.lines_before - blank);
        }
        assert_eq!(expect_start, text.len() as u64);
        // Read back, the ranges give the file.
        let mut joined = Vec::new();
        for piece in &got {
            piece.open().unwrap().read_to_end(&mut joined).unwrap();
        }
        assert_eq!(joined, text.as_bytes());
    }

    #[test]
    fn documents_small_files_and_one_thread_stay_whole() {
        let records = write(
            "records",
            &format!("{{\"Records\":[{}]}}\n", "{\"a\":1},".repeat(500) + "{}"),
        );
        let small = write("small", "{\"a\":1}\n{\"a\":2}\n");
        let inputs: Vec<Piece> = [
            Input::File(records.to_path_buf()),
            Input::File(small.to_path_buf()),
            Input::Stdin,
        ]
        .into_iter()
        .map(Piece::Whole)
        .collect();
        assert_eq!(pieces(inputs.clone(), 4, 100), inputs);
        let big = write("big", &"{\"a\":1}\n".repeat(1000));
        assert_eq!(
            pieces(vec![Piece::Whole(Input::File(big.to_path_buf()))], 1, 100).len(),
            1
        );
        assert_eq!(
            pieces(vec![Piece::Whole(Input::File(big.to_path_buf()))], 2, 100).len(),
            2
        );
    }
}
