//! Cutting the inputs of a run into pieces that threads can read on their own: every input is
//! a piece, and a large plain NDJSON file is cut at line boundaries into ranges. A range learns
//! the line and record numbers it starts at when a thread takes it up, so what it reports
//! (alerts' evidence, bad lines) names the same places as a single read of the whole file.
//! S3 objects are read whole.
//!
//! Cutting only seeks to each cut and reads on to the next line start; nothing is counted
//! before the threads start. The thread that takes range `k` counts the lines of range `k − 1`
//! (while another thread already reads that range) and adds them to the counts range `k − 1`
//! started at, which the thread that took it publishes first thing. Ranges are taken in order,
//! so the counts a range waits for are always on their way.

use crate::s3_input::S3Object;
use r53guard_formats::paths::Input;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The smallest range worth giving a thread of its own.
pub const MIN_RANGE_BYTES: u64 = 16 << 20;

/// How many times faster counting lines is than running the rules: counting 250 MB of
/// Resolver logs takes about 35 ms (7 GB/s, mostly the copy from the page cache), the
/// built-in pack reads them at about 665 MB/s on the same machine.
const COUNT_SPEEDUP: u64 = 10;

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
    /// Where the range before this one starts (0 for the first).
    prev_start: u64,
    /// Which of the file's ranges this is.
    index: usize,
    /// The lines and records before each of the file's ranges, shared by them, once its thread
    /// has counted them (`None` when counting failed: the next range then counts from the top
    /// of the file).
    before: Arc<[OnceLock<Option<Counts>>]>,
}

/// Lines and non-blank lines (records).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Lines.
    pub lines: u64,
    /// Lines with text.
    pub records: u64,
}

impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        Counts {
            lines: self.lines + other.lines,
            records: self.records + other.records,
        }
    }
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

    /// Lines and records before the piece's start in its input. For a range this counts the
    /// range before it and may wait for that range's own counts; the thread that takes a piece
    /// must call it before anything else, since the next range waits for the result.
    pub fn offsets(&self) -> std::io::Result<Counts> {
        match self {
            Piece::Whole(_) | Piece::S3(_) => Ok(Counts::default()),
            Piece::Range(r) => {
                let counted = r.count_before();
                // Published even when counting failed, so the next range does not wait forever.
                let _ = r.before[r.index].set(counted.as_ref().ok().copied());
                counted
            }
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

impl Range {
    /// The counts before this range: those before the previous range, once its thread has
    /// published them, plus the previous range's own lines.
    fn count_before(&self) -> std::io::Result<Counts> {
        let Some(prev) = self.index.checked_sub(1).map(|i| &self.before[i]) else {
            return Ok(Counts::default());
        };
        let own = count(&self.path, self.prev_start, self.start)?;
        match prev.wait() {
            Some(counts) => Ok(*counts + own),
            None => count(&self.path, 0, self.start),
        }
    }
}

/// The pieces of `inputs`: whole files of plain NDJSON larger than `2 × min_range` are cut
/// into up to `parts` ranges (one per thread, or as many as fit) of at least `min_range` bytes; every
/// other input (gzip, `{"Records":[…]}` documents, stdin, small files, S3 objects) stays one
/// piece. A file that cannot be inspected stays whole, so reading it reports the problem.
pub fn pieces(inputs: Vec<Piece>, parts: usize, min_range: u64) -> Vec<Piece> {
    let mut out = Vec::with_capacity(inputs.len());
    for piece in inputs {
        let ranges = match (&piece, parts > 1) {
            (Piece::Whole(Input::File(path)), true) => {
                ranges(path, parts as u64, min_range).ok().flatten()
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
    // Every range but the first starts by counting the lines of the one before it, at about
    // COUNT_SPEEDUP times the speed the rules read; the first range is longer by that much, so
    // that the threads finish together.
    let share = size * COUNT_SPEEDUP / (parts * COUNT_SPEEDUP + 1);
    let mut file = BufReader::new(File::open(path)?);
    let mut starts = vec![0];
    for k in 1..parts {
        let cut = line_start_from(&mut file, size - share * (parts - k))?;
        if cut < size && cut > starts[starts.len() - 1] {
            starts.push(cut);
        }
    }
    let before: Arc<[OnceLock<Option<Counts>>]> = starts.iter().map(|_| OnceLock::new()).collect();
    let ends = starts.iter().skip(1).copied().chain([size]);
    Ok(Some(
        starts
            .iter()
            .zip(ends)
            .enumerate()
            .map(|(index, (&start, end))| Range {
                path: path.to_owned(),
                start,
                end,
                prev_start: index.checked_sub(1).map_or(0, |i| starts[i]),
                index,
                before: before.clone(),
            })
            .collect(),
    ))
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

/// The first line start at or after `target` (`target ≥ 1`), or the file's end.
fn line_start_from(file: &mut BufReader<File>, target: u64) -> std::io::Result<u64> {
    // The byte before `target` ends a line exactly when `target` starts one.
    let mut pos = file.seek(SeekFrom::Start(target - 1))?;
    loop {
        let block = file.fill_buf()?;
        if block.is_empty() {
            return Ok(pos);
        }
        if let Some(nl) = memchr::memchr(b'\n', block) {
            return Ok(pos + nl as u64 + 1);
        }
        let n = block.len();
        file.consume(n);
        pos += n as u64;
    }
}

/// The lines and non-blank lines in bytes `from..to` of the file (`from` a line start).
fn count(path: &Path, from: u64, to: u64) -> std::io::Result<Counts> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(from))?;
    let mut f = f.take(to - from);
    // Small enough to stay in the core's cache between the copy and the count.
    let mut buf = vec![0u8; 128 << 10];
    let mut counts = Counts::default();
    // Whether the current line has a non-whitespace byte so far.
    let mut line_has_text = false;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(counts);
        }
        let block = &buf[..n];
        let mut from = 0;
        for nl in memchr::memchr_iter(b'\n', block) {
            line_has_text |= block[from..nl].iter().any(|b| !b.is_ascii_whitespace());
            counts.lines += 1;
            counts.records += u64::from(line_has_text);
            line_has_text = false;
            from = nl + 1;
        }
        line_has_text |= block[from..].iter().any(|b| !b.is_ascii_whitespace());
    }
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
            assert_eq!(piece.offsets().unwrap(), counts_of(before));
        }
        assert_eq!(expect_start, text.len() as u64);
        // Read back, the ranges give the file.
        let mut joined = Vec::new();
        for piece in &got {
            piece.open().unwrap().read_to_end(&mut joined).unwrap();
        }
        assert_eq!(joined, text.as_bytes());
    }

    /// The lines and non-blank lines of `text`.
    fn counts_of(text: &str) -> Counts {
        let lines = text.matches('\n').count() as u64;
        let blank = text.lines().filter(|l| l.trim().is_empty()).count() as u64;
        Counts {
            lines,
            records: lines - blank,
        }
    }

    /// 2,000 lines of varied length with blank lines among them.
    fn numbered_lines() -> String {
        (0..2000)
            .map(|i| {
                let blank = if i % 89 == 0 { " \t\n" } else { "" };
                format!("{{\"n\":{i},\"pad\":\"{}\"}}\n{blank}", "y".repeat(i % 70))
            })
            .collect()
    }

    #[test]
    fn ranges_taken_up_by_threads_in_any_order_learn_their_numbers() {
        let text = numbered_lines();
        let p = write("threads", &text);
        let got = pieces(vec![Piece::Whole(Input::File(p.to_path_buf()))], 6, 1000);
        assert_eq!(got.len(), 6);
        // Every range on its own thread, the last ones started first: each waits for the one
        // before it, whichever thread that is on.
        let counted: Vec<Counts> = std::thread::scope(|scope| {
            let handles: Vec<_> = got
                .iter()
                .rev()
                .map(|piece| scope.spawn(move || piece.offsets().unwrap()))
                .collect();
            let mut counted: Vec<Counts> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            counted.reverse();
            counted
        });
        for (piece, counts) in got.iter().zip(counted) {
            let Piece::Range(r) = piece else {
                panic!("not a range")
            };
            assert_eq!(counts, counts_of(&text[..r.start as usize]));
        }
    }

    #[test]
    fn a_range_counts_from_the_top_when_the_range_before_could_not_count() {
        let text = numbered_lines();
        let p = write("failed", &text);
        let got = pieces(vec![Piece::Whole(Input::File(p.to_path_buf()))], 3, 1000);
        let [first, second, third] = &got[..] else {
            panic!("{} pieces", got.len())
        };
        let (Piece::Range(r2), Piece::Range(r3)) = (second, third) else {
            panic!("not ranges")
        };
        // As if the second range's thread had failed to count.
        r2.before[r2.index].set(None).unwrap();
        assert_eq!(
            third.offsets().unwrap(),
            counts_of(&text[..r3.start as usize])
        );
        assert_eq!(first.offsets().unwrap(), Counts::default());
    }

    #[test]
    fn a_cut_inside_a_long_last_line_leaves_fewer_ranges() {
        // A line of 2,000 bytes, then one of 4,000: the first cut (at 1,500) moves to the
        // second line's start; the two that fall inside the last line move to the end of the
        // file, and no empty range is made of them.
        let first = format!("{{\"a\":\"{}\"}}\n", "z".repeat(1991));
        let text = format!("{first}{{\"b\":\"{}\"}}\n", "z".repeat(3991));
        let p = write("long", &text);
        let got = pieces(vec![Piece::Whole(Input::File(p.to_path_buf()))], 4, 1000);
        let ends: Vec<(u64, u64)> = got
            .iter()
            .map(|piece| match piece {
                Piece::Range(r) => (r.start, r.end),
                _ => panic!("not a range"),
            })
            .collect();
        let cut = first.len() as u64;
        assert_eq!(ends, [(0, cut), (cut, text.len() as u64)]);
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
