//! Opening an input: gzip detected by its magic bytes (multi-member, with a cap on the
//! decompressed size so a decompression bomb stops with a clear error), plain text otherwise.

use flate2::bufread::MultiGzDecoder;
use std::io::{self, BufRead, BufReader, Read};

/// Why reading an input failed part-way.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    /// The decompressed size passed the cap.
    #[error("decompressed size passed the cap of {cap} bytes (a decompression bomb?)")]
    Bomb {
        /// The cap, in bytes.
        cap: u64,
    },
    /// The gzip stream is corrupt or cut short.
    #[error("gzip stream is corrupt or truncated: {0}")]
    Gzip(io::Error),
    /// The operating system could not read the input.
    #[error("read error: {0}")]
    Io(io::Error),
}

impl ReadFailure {
    /// Sorts an I/O error raised while reading an input.
    pub fn classify(err: io::Error, gzip: bool) -> ReadFailure {
        if let Some(cap) = err.get_ref().and_then(|e| e.downcast_ref::<CapExceeded>()) {
            return ReadFailure::Bomb { cap: cap.0 };
        }
        let corrupt = matches!(
            err.kind(),
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
        );
        if gzip && corrupt {
            ReadFailure::Gzip(err)
        } else {
            ReadFailure::Io(err)
        }
    }
}

/// The marker error a [`Capped`] reader raises.
#[derive(Debug)]
struct CapExceeded(u64);

impl std::fmt::Display for CapExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decompressed size passed {} bytes", self.0)
    }
}

impl std::error::Error for CapExceeded {}

/// A reader that fails once more than `cap` bytes have come through.
struct Capped<R> {
    inner: R,
    left: u64,
    cap: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(CapExceeded(self.cap)));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// An opened input: the decoded byte stream and whether it was gzip.
pub struct Opened {
    /// The decoded bytes.
    pub reader: Box<dyn Read + Send>,
    /// Whether the input was gzip-compressed.
    pub gzip: bool,
}

/// Wraps a raw input: gzip (by magic bytes `1f 8b`) is decompressed, capped at
/// `max_decompressed` bytes; anything else passes through.
pub fn open(raw: Box<dyn Read + Send>, max_decompressed: u64) -> io::Result<Opened> {
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let head = loop {
        match buffered.fill_buf() {
            Ok(h) => break h,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(Capped {
            inner: MultiGzDecoder::new(buffered),
            left: max_decompressed,
            cap: max_decompressed,
        })
    } else {
        Box::new(buffered)
    };
    Ok(Opened { reader, gzip })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all(bytes: Vec<u8>, cap: u64) -> (Vec<u8>, Option<ReadFailure>, bool) {
        let opened = open(Box::new(io::Cursor::new(bytes)), cap).unwrap();
        let mut r = opened.reader;
        let mut out = Vec::new();
        let err = r
            .read_to_end(&mut out)
            .err()
            .map(|e| ReadFailure::classify(e, opened.gzip));
        (out, err, opened.gzip)
    }

    #[test]
    fn plain_and_multi_member_gzip() {
        assert_eq!(read_all(b"abc".to_vec(), 10).0, b"abc");
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        let (out, err, gzip) = read_all(two, 100);
        assert!(gzip && err.is_none());
        assert_eq!(out, b"hello world");
    }

    #[test]
    fn bombs_and_truncation_are_told_apart() {
        let (_, err, _) = read_all(gz(&vec![b'0'; 1 << 20]), 4096);
        assert!(
            matches!(err, Some(ReadFailure::Bomb { cap: 4096 })),
            "{err:?}"
        );
        let mut cut = gz(&vec![b'x'; 100_000]);
        cut.truncate(cut.len() / 2);
        let (_, err, _) = read_all(cut, u64::MAX);
        assert!(matches!(err, Some(ReadFailure::Gzip(_))), "{err:?}");
    }
}
