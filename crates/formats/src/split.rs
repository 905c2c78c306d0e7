//! The streaming record splitter: turns a byte stream into the raw texts of its records without
//! loading it whole. It reads CloudTrail S3 objects (`{"Records":[…]}`, streamed element by
//! element), JSON arrays of records, NDJSON, and concatenated or pretty-printed JSON values, in
//! any mix, keeping line numbers. Any split of the stream into reads gives the same records.

use memchr::{memchr, memchr2};
use std::io::{self, Read};

/// One piece of the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// The raw text of one JSON value that should be a record. `line` is where it starts (1-based).
    Record { text: &'a [u8], line: u64 },
    /// A record longer than the cap; it was skipped.
    TooLong { line: u64, len: usize },
    /// The stream ended inside a value or a `Records` array.
    Truncated { line: u64 },
    /// Bytes where a record, `,` or `]` was expected.
    Unexpected { line: u64, found: u8 },
}

/// Where the splitter stands between values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nest {
    /// At the top level of the stream.
    Top,
    /// Inside a top-level array (`first`: no element read yet).
    Array { first: bool },
    /// Inside the `Records` array of a `{"Records":[…]}` object.
    Records { first: bool },
    /// After the `Records` array: skipping to the end of its object.
    AfterRecords,
}

/// How top-level values are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not known yet.
    Detect,
    /// One value per line (NDJSON): found with a newline search.
    Lines,
    /// Values found by scanning brackets and strings.
    Structural,
}

/// A resumable scan over one value.
#[derive(Debug, Clone, Copy)]
struct Scan {
    /// Offset of the value's first byte from `pos`.
    len: usize,
    depth: u32,
    in_str: bool,
    esc: bool,
    newlines: u64,
    /// The value is over the cap: its bytes are dropped as they are scanned.
    skipping: bool,
    /// Total length, counting dropped bytes.
    total: usize,
    /// The value is a member after `Records` in its object: scanned past, not emitted.
    discard: bool,
}
/// Splits a reader into record texts.
pub struct Splitter<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    line: u64,
    nest: Nest,
    mode: Mode,
    max_record: usize,
    scan: Option<Scan>,
    error: Option<io::Error>,
    /// The last read filled the buffer: the input is large, so reads may grow to [`CHUNK`].
    filled: bool,
}

/// The buffer a splitter starts with: small inputs (an S3 object, a Firehose record, a poll's
/// new lines) never pay for zeroing more.
const FIRST: usize = 64 << 10;
/// The buffer size large inputs grow to (records longer than it grow it further).
const CHUNK: usize = 1 << 20;

impl<R: Read> Splitter<R> {
    /// A splitter over `src`; records longer than `max_record` bytes are reported and skipped.
    pub fn new(src: R, max_record: usize) -> Self {
        Splitter {
            src,
            buf: vec![0; FIRST],
            pos: 0,
            end: 0,
            eof: false,
            line: 1,
            nest: Nest::Top,
            mode: Mode::Detect,
            max_record: max_record.max(1),
            scan: None,
            error: None,
            filled: false,
        }
    }

    /// The read error that ended the stream early, if any (taken once).
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// The current line (where the next piece starts).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Reads more input, keeping unconsumed bytes. Returns false at end of input.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).min(self.max_record.saturating_add(CHUNK));
            self.buf.resize(grown.max(self.buf.len() + CHUNK / 4), 0);
        } else if self.filled && self.buf.len() < CHUNK {
            self.buf.resize((self.buf.len() * 2).min(CHUNK), 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.end += n;
                    self.filled = self.end == self.buf.len();
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    /// Skips whitespace (counting lines). Returns the next byte, or None at end of input.
    fn skip_ws(&mut self) -> Option<u8> {
        loop {
            while self.pos < self.end {
                match self.buf[self.pos] {
                    b'\n' => self.line += 1,
                    b' ' | b'\t' | b'\r' => {}
                    b => return Some(b),
                }
                self.pos += 1;
            }
            if !self.fill() {
                return None;
            }
        }
    }

    /// Whether the bytes at `pos` open a `{"Records":[` object. Reads ahead as needed.
    fn at_records_object(&mut self) -> Option<usize> {
        const KEY: &[u8] = b"\"Records\"";
        loop {
            let window = &self.buf[self.pos..self.end];
            match records_prefix(window, KEY) {
                Prefix::Yes(n) => return Some(n),
                Prefix::No => return None,
                Prefix::NeedMore => {
                    if !self.fill() {
                        return None;
                    }
                }
            }
        }
    }

    /// The next piece, or None at the end of the stream.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Piece<'_>> {
        loop {
            if let Some(scan) = self.scan {
                return self.continue_scan(scan);
            }
            let Some(b) = self.skip_ws() else {
                return match self.nest {
                    Nest::Top => None,
                    _ => {
                        self.nest = Nest::Top;
                        Some(Piece::Truncated { line: self.line })
                    }
                };
            };
            match self.nest {
                Nest::Top => {}
                Nest::Array { first } | Nest::Records { first } => {
                    let in_records = matches!(self.nest, Nest::Records { .. });
                    if b == b']' {
                        self.pos += 1;
                        self.nest = if in_records {
                            Nest::AfterRecords
                        } else {
                            Nest::Top
                        };
                        continue;
                    }
                    if !first {
                        if b != b',' {
                            return Some(self.unexpected(b));
                        }
                        self.pos += 1;
                        match self.skip_ws() {
                            Some(_) => {}
                            None => continue,
                        }
                    }
                    self.nest = if in_records {
                        Nest::Records { first: false }
                    } else {
                        Nest::Array { first: false }
                    };
                    self.start_scan();
                    continue;
                }
                Nest::AfterRecords => {
                    match b {
                        b'}' => {
                            self.pos += 1;
                            self.nest = Nest::Top;
                        }
                        b',' | b':' => self.pos += 1,
                        // Another member after Records (its key or value): scanned past.
                        _ => {
                            self.start_scan();
                            if let Some(s) = &mut self.scan {
                                s.discard = true;
                            }
                        }
                    }
                    continue;
                }
            }
            // At the top level.
            match b {
                b'[' => {
                    self.pos += 1;
                    self.nest = Nest::Array { first: true };
                    self.mode = Mode::Structural;
                }
                b'{' => {
                    if let Some(n) = self.at_records_object() {
                        self.count_lines(self.pos, self.pos + n);
                        self.pos += n;
                        self.nest = Nest::Records { first: true };
                        continue;
                    }
                    if self.mode == Mode::Lines {
                        return self.take_line();
                    }
                    self.start_scan();
                }
                _ => return self.take_line(),
            }
        }
    }

    fn unexpected(&mut self, found: u8) -> Piece<'static> {
        // Nothing sensible can follow a broken array: drop to the top level and resync on lines.
        self.nest = Nest::Top;
        self.mode = Mode::Lines;
        let line = self.line;
        self.skip_rest_of_line();
        Piece::Unexpected { line, found }
    }

    fn skip_rest_of_line(&mut self) {
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.pos..self.end]) {
                self.pos += i;
                return;
            }
            self.pos = self.end;
            if !self.fill() {
                return;
            }
        }
    }

    fn count_lines(&mut self, from: usize, to: usize) {
        self.line += memchr::memchr_iter(b'\n', &self.buf[from..to]).count() as u64;
    }

    /// NDJSON fast path: the rest of the line is one record.
    fn take_line(&mut self) -> Option<Piece<'_>> {
        // Bytes after `pos` already known to hold no newline.
        let mut searched = 0;
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.pos + searched..self.end]) {
                let stop = self.pos + searched + i;
                return Some(self.emit_line(stop, 1));
            }
            searched = self.end - self.pos;
            if searched > self.max_record {
                let line = self.line;
                let mut len = 0;
                loop {
                    if let Some(i) = memchr(b'\n', &self.buf[self.pos..self.end]) {
                        len += i;
                        self.pos += i;
                        break;
                    }
                    len += self.end - self.pos;
                    self.pos = self.end;
                    if !self.fill() {
                        break;
                    }
                }
                return Some(Piece::TooLong { line, len });
            }
            if !self.fill() {
                let stop = self.end;
                return Some(self.emit_line(stop, 0));
            }
        }
    }

    fn emit_line(&mut self, stop: usize, newline: usize) -> Piece<'_> {
        let start = self.pos;
        let line = self.line;
        self.pos = stop + newline;
        self.line += newline as u64;
        let mut text = &self.buf[start..stop];
        while let [rest @ .., b' ' | b'\t' | b'\r'] = text {
            text = rest;
        }
        if text.len() > self.max_record {
            return Piece::TooLong {
                line,
                len: text.len(),
            };
        }
        Piece::Record { text, line }
    }

    fn start_scan(&mut self) {
        self.scan = Some(Scan {
            len: 0,
            depth: 0,
            in_str: false,
            esc: false,
            newlines: 0,
            skipping: false,
            total: 0,
            discard: false,
        });
    }

    /// Scans (or resumes scanning) the value at `pos` until it is complete.
    fn continue_scan(&mut self, s: Scan) -> Option<Piece<'_>> {
        let mut s = s;
        loop {
            let done = scan_value(&self.buf[self.pos..self.end], &mut s);
            if let Some(len) = done {
                self.scan = None;
                let line = self.line;
                self.line += s.newlines;
                let start = self.pos;
                self.pos += len;
                if s.discard {
                    return self.next();
                }
                if s.skipping || len > self.max_record {
                    return Some(Piece::TooLong {
                        line,
                        len: s.total + len,
                    });
                }
                if self.mode == Mode::Detect && self.nest == Nest::Top {
                    self.mode = if s.newlines == 0 && self.line_ends_here() {
                        Mode::Lines
                    } else {
                        Mode::Structural
                    };
                }
                return Some(Piece::Record {
                    text: &self.buf[start..start + len],
                    line,
                });
            }
            if !s.skipping && s.len > self.max_record {
                s.skipping = true;
            }
            if s.skipping {
                // Drop what was scanned; keep the scan state.
                s.total += s.len;
                self.pos += s.len;
                s.len = 0;
            }
            if !self.fill() {
                self.scan = None;
                let line = self.line;
                self.line += s.newlines;
                self.pos = self.end;
                self.nest = Nest::Top;
                if s.skipping {
                    return Some(Piece::TooLong {
                        line,
                        len: s.total + s.len,
                    });
                }
                return Some(Piece::Truncated { line });
            }
        }
    }

    /// After a value: only blanks up to a newline (or the end of what is buffered)?
    fn line_ends_here(&self) -> bool {
        self.buf[self.pos..self.end]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .is_none_or(|&b| b == b'\n')
    }
}

enum Prefix {
    Yes(usize),
    No,
    NeedMore,
}

/// Matches `{` ws `"Records"` ws `:` ws `[` at the start of `w`.
fn records_prefix(w: &[u8], key: &[u8]) -> Prefix {
    let mut i = 1;
    let ws = |w: &[u8], mut i: usize| {
        while i < w.len() && matches!(w[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        i
    };
    i = ws(w, i);
    for &k in key {
        match w.get(i) {
            None => return Prefix::NeedMore,
            Some(&b) if b == k => i += 1,
            Some(_) => return Prefix::No,
        }
    }
    i = ws(w, i);
    match w.get(i) {
        None => return Prefix::NeedMore,
        Some(b':') => i += 1,
        Some(_) => return Prefix::No,
    }
    i = ws(w, i);
    match w.get(i) {
        None => Prefix::NeedMore,
        Some(b'[') => Prefix::Yes(i + 1),
        Some(_) => Prefix::No,
    }
}

/// Advances the scan of one JSON value over `w` (which starts at the value's first byte).
/// Returns the value's length once it is complete.
fn scan_value(w: &[u8], s: &mut Scan) -> Option<usize> {
    let mut i = s.len;
    while i < w.len() {
        if s.in_str {
            if s.esc {
                s.esc = false;
                i += 1;
                continue;
            }
            match memchr2(b'"', b'\\', &w[i..]) {
                Some(j) => {
                    i += j;
                    if w[i] == b'\\' {
                        s.esc = true;
                    } else {
                        s.in_str = false;
                        if s.depth == 0 {
                            s.len = i + 1;
                            return Some(i + 1);
                        }
                    }
                    i += 1;
                }
                None => i = w.len(),
            }
            continue;
        }
        match w[i] {
            b'"' => s.in_str = true,
            b'{' | b'[' => s.depth += 1,
            b'}' | b']' => {
                if s.depth == 0 {
                    // A scalar ended by its container's close.
                    s.len = i;
                    return Some(i);
                }
                s.depth -= 1;
                if s.depth == 0 {
                    s.len = i + 1;
                    return Some(i + 1);
                }
            }
            b'\n' => {
                if s.depth == 0 {
                    s.len = i;
                    return Some(i);
                }
                s.newlines += 1;
            }
            b',' | b' ' | b'\t' | b'\r' if s.depth == 0 => {
                s.len = i;
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    s.len = i;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn split(input: &[u8], max: usize) -> Vec<String> {
        let mut sp = Splitter::new(input, max);
        let mut out = Vec::new();
        while let Some(p) = sp.next() {
            out.push(match p {
                Piece::Record { text, line } => {
                    format!("{line}:{}", String::from_utf8_lossy(text))
                }
                other => format!("{other:?}"),
            });
        }
        out
    }

    #[test]
    fn cloudtrail_records_object() {
        let s = br#"{"Records":[{"a":1},{"b":"x,]}"} , {"c":[1,{"d":2}]}]}"#;
        assert_eq!(
            split(s, 1 << 20),
            vec![
                r#"1:{"a":1}"#,
                r#"1:{"b":"x,]}"}"#,
                r#"1:{"c":[1,{"d":2}]}"#
            ]
        );
    }

    #[test]
    fn pretty_printed_array_keeps_line_numbers() {
        let s = b"[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": 2\n  }\n]\n";
        let got = split(s, 1 << 20);
        assert_eq!(got.len(), 2);
        assert!(got[0].starts_with("2:{"));
        assert!(got[1].starts_with("5:{"));
    }

    #[test]
    fn ndjson_lines_and_blank_lines() {
        let s = b"{\"a\":1}\r\n\n{\"b\":2}\nnot json\n{\"c\":3}";
        assert_eq!(
            split(s, 1 << 20),
            vec![r#"1:{"a":1}"#, r#"3:{"b":2}"#, "4:not json", r#"5:{"c":3}"#]
        );
    }

    #[test]
    fn concatenated_objects_without_newlines() {
        let s = br#"{"a":1}{"b":{"c":2}}  {"d":3}"#;
        assert_eq!(
            split(s, 1 << 20),
            vec![r#"1:{"a":1}"#, r#"1:{"b":{"c":2}}"#, r#"1:{"d":3}"#]
        );
    }

    #[test]
    fn records_object_per_line_is_exploded() {
        let s = b"{\"x\":0}\n{\"Records\":[{\"a\":1},{\"a\":2}]}\n{\"y\":0}\n";
        assert_eq!(
            split(s, 1 << 20),
            vec![
                r#"1:{"x":0}"#,
                r#"2:{"a":1}"#,
                r#"2:{"a":2}"#,
                r#"3:{"y":0}"#
            ]
        );
    }

    #[test]
    fn truncated_records_object_keeps_complete_records() {
        let s = br#"{"Records":[{"a":1},{"b":2},{"c":"#;
        assert_eq!(
            split(s, 1 << 20),
            vec![r#"1:{"a":1}"#, r#"1:{"b":2}"#, "Truncated { line: 1 }"]
        );
    }

    #[test]
    fn over_long_records_are_skipped_not_fatal() {
        let s = format!("{{\"a\":\"{}\"}}\n{{\"b\":1}}\n", "x".repeat(100));
        assert_eq!(
            split(s.as_bytes(), 32),
            vec![
                "TooLong { line: 1, len: 108 }".to_owned(),
                r#"2:{"b":1}"#.to_owned()
            ]
        );
        let arr = format!("[{{\"a\":\"{}\"}},{{\"b\":1}}]", "x".repeat(100));
        assert_eq!(
            split(arr.as_bytes(), 32),
            vec![
                "TooLong { line: 1, len: 108 }".to_owned(),
                r#"1:{"b":1}"#.to_owned()
            ]
        );
    }

    #[test]
    fn garbage_between_array_elements_is_reported() {
        let s = b"[{\"a\":1} x {\"b\":2}]\n{\"c\":3}\n";
        assert_eq!(
            split(s, 1 << 20),
            vec![
                r#"1:{"a":1}"#.to_owned(),
                "Unexpected { line: 1, found: 120 }".to_owned(),
                r#"2:{"c":3}"#.to_owned()
            ]
        );
    }
}
