//! Output layouts and the [`Sink`] that frames, compresses and writes files.
//!
//! * [`Layout::S3`]: objects under `DIR/AWSLogs/…` named exactly as CloudTrail
//!   and Resolver query logging name them, gzip-compressed with mtime 0 and no
//!   file name. CloudTrail objects hold one `{"Records":[…]}` document;
//!   Resolver objects hold one JSON object per line.
//! * [`Layout::Ndjson`]: `DIR/cloudtrail.ndjson` and `DIR/resolver.ndjson`, one
//!   record per line, uncompressed, same records in the same order.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

use crate::clock;
use crate::rng::Rng;

/// How the output directory is organised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// AWS S3 delivery layout (gzip objects under `AWSLogs/`).
    #[default]
    S3,
    /// `cloudtrail.ndjson` and `resolver.ndjson`.
    Ndjson,
}

impl Layout {
    /// `s3` or `ndjson`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::S3 => "s3",
            Layout::Ndjson => "ndjson",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A layout name other than `s3` or `ndjson`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLayoutError(String);

impl fmt::Display for ParseLayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown layout `{}`; expected `s3` or `ndjson`", self.0)
    }
}

impl std::error::Error for ParseLayoutError {}

impl FromStr for Layout {
    type Err = ParseLayoutError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "s3" | "S3" => Ok(Layout::S3),
            "ndjson" | "NDJSON" => Ok(Layout::Ndjson),
            other => Err(ParseLayoutError(other.to_string())),
        }
    }
}

/// How records are framed inside one file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `{"Records":[r1,r2,…]}` (CloudTrail S3 objects).
    RecordsDocument,
    /// One record per line.
    Lines,
}

/// A written S3 object.
pub struct Written {
    pub key: String,
    /// SHA-256 (hex) of the uncompressed content, as digest files record it;
    /// computed for CloudTrail framing only.
    pub sha256: Option<String>,
}

/// Records are staged in a buffer of about this size before being written,
/// hashed or compressed, so memory stays bounded at any scale.
const CHUNK: usize = 1 << 23;

/// Collects the records of one file at a time and writes it out.
pub struct Sink {
    root: PathBuf,
    framing: Framing,
    /// The NDJSON output, in the NDJSON layout (written in [`CHUNK`]s).
    ndjson: Option<File>,
    /// The current S3 object's compressor, in the S3 layout.
    gz: Option<GzEncoder<Vec<u8>>>,
    /// Hash of the current object's uncompressed content (CloudTrail objects).
    hasher: Option<Sha256>,
    /// A compressed-output buffer kept between objects.
    spare: Vec<u8>,
    body: Vec<u8>,
    in_file: u64,
    /// Records written.
    pub records: u64,
    /// Files written.
    pub files: u64,
    /// Bytes written to disk.
    pub bytes: u64,
}

impl Sink {
    /// A sink writing under `root`; in the NDJSON layout it creates
    /// `root/ndjson_name`.
    pub fn new(
        root: &Path,
        layout: Layout,
        framing: Framing,
        ndjson_name: &str,
    ) -> io::Result<Sink> {
        let (ndjson, files, framing) = match layout {
            Layout::S3 => (None, 0, framing),
            Layout::Ndjson => (
                Some(File::create(root.join(ndjson_name))?),
                1,
                Framing::Lines,
            ),
        };
        Ok(Sink {
            root: root.to_path_buf(),
            framing,
            ndjson,
            gz: None,
            hasher: None,
            spare: Vec::new(),
            body: Vec::with_capacity(CHUNK + (CHUNK >> 2)),
            in_file: 0,
            records: 0,
            files,
            bytes: 0,
        })
    }

    /// Starts a new file.
    pub fn begin(&mut self) {
        self.body.clear();
        self.in_file = 0;
        if self.ndjson.is_none() {
            let buf = std::mem::take(&mut self.spare);
            self.gz = Some(gzip_encoder(buf));
            self.hasher = (self.framing == Framing::RecordsDocument).then(Sha256::new);
        }
        if self.framing == Framing::RecordsDocument {
            self.body.extend_from_slice(b"{\"Records\":[");
        }
    }

    /// Appends one record, written by `write`.
    pub fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        if self.framing == Framing::RecordsDocument && self.in_file > 0 {
            self.body.push(b',');
        }
        write(&mut self.body);
        if self.framing == Framing::Lines {
            self.body.push(b'\n');
        }
        self.in_file += 1;
        if self.body.len() >= CHUNK {
            self.spill()?;
        }
        Ok(())
    }

    /// Moves the staged bytes to the output, hash and compressor.
    fn spill(&mut self) -> io::Result<()> {
        if let Some(w) = self.ndjson.as_mut() {
            w.write_all(&self.body)?;
            self.bytes += self.body.len() as u64;
        }
        if let Some(h) = self.hasher.as_mut() {
            h.update(&self.body);
        }
        if let Some(gz) = self.gz.as_mut() {
            gz.write_all(&self.body)?;
        }
        self.body.clear();
        Ok(())
    }

    /// Finishes the current file. Empty files are not written. In the S3
    /// layout the object is stored under the key `key()` returns.
    pub fn finish(&mut self, key: impl FnOnce() -> String) -> io::Result<Option<Written>> {
        if self.in_file == 0 {
            self.body.clear();
            self.gz = None;
            self.hasher = None;
            return Ok(None);
        }
        self.records += self.in_file;
        self.in_file = 0;
        if self.framing == Framing::RecordsDocument {
            self.body.extend_from_slice(b"]}");
        }
        self.spill()?;
        let Some(gz) = self.gz.take() else {
            return Ok(None);
        };
        let key = key();
        let compressed = gz.finish()?;
        write_object(&self.root, &key, &compressed)?;
        self.files += 1;
        self.bytes += compressed.len() as u64;
        self.spare = compressed;
        self.spare.clear();
        let sha256 = self.hasher.take().map(|h| hex(&h.finalize()));
        Ok(Some(Written { key, sha256 }))
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
    }
    s
}

/// A gzip compressor with a fixed header: mtime 0, no file name, OS unknown.
fn gzip_encoder(mut buf: Vec<u8>) -> GzEncoder<Vec<u8>> {
    buf.clear();
    GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(buf, Compression::default())
}

/// Writes `data` to `root/key`, creating directories.
fn write_object(root: &Path, key: &str, data: &[u8]) -> io::Result<()> {
    let path = root.join(key);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&path, data)
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Gzips `body` into `root/key` (same header as the log objects) and returns
/// the compressed size.
pub fn write_gzip(root: &Path, key: &str, body: &[u8]) -> io::Result<u64> {
    let mut gz = gzip_encoder(Vec::new());
    gz.write_all(body)?;
    let compressed = gz.finish()?;
    write_object(root, key, &compressed)?;
    Ok(compressed.len() as u64)
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

fn into_string(out: Vec<u8>) -> String {
    // Keys are assembled from ASCII parts only.
    String::from_utf8(out).unwrap_or_default()
}

/// `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 alnum>.json.gz`
pub fn cloudtrail_key(account: &str, region: &str, delivered: i64, rng: &mut Rng) -> String {
    let mut k = Vec::with_capacity(128);
    push_str(&mut k, "AWSLogs/");
    push_str(&mut k, account);
    push_str(&mut k, "/CloudTrail/");
    push_str(&mut k, region);
    k.push(b'/');
    clock::push_date_path(&mut k, delivered);
    k.push(b'/');
    push_str(&mut k, account);
    push_str(&mut k, "_CloudTrail_");
    push_str(&mut k, region);
    k.push(b'_');
    clock::push_key_minute(&mut k, delivered);
    k.push(b'_');
    let mut suffix = String::with_capacity(16);
    rng.push_mixed_alnum(&mut suffix, 16);
    push_str(&mut k, &suffix);
    push_str(&mut k, ".json.gz");
    into_string(k)
}

/// `AWSLogs/<acct>/vpcdnsquerylogs/<vpc>/YYYY/MM/DD/<vpc>_vpcdnsquerylogs_<acct>_YYYYMMDDTHHmmZ_<8 hex>.log.gz`
pub fn resolver_key(account: &str, vpc: &str, ts: i64, rng: &mut Rng) -> String {
    let mut k = Vec::with_capacity(128);
    push_str(&mut k, "AWSLogs/");
    push_str(&mut k, account);
    push_str(&mut k, "/vpcdnsquerylogs/");
    push_str(&mut k, vpc);
    k.push(b'/');
    clock::push_date_path(&mut k, ts);
    k.push(b'/');
    push_str(&mut k, vpc);
    push_str(&mut k, "_vpcdnsquerylogs_");
    push_str(&mut k, account);
    k.push(b'_');
    clock::push_key_minute(&mut k, ts);
    k.push(b'_');
    push_str(&mut k, &rng.hex(8));
    push_str(&mut k, ".log.gz");
    into_string(k)
}

/// `AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_us-east-1_<YYYYMMDDTHHMMSSZ>.json.gz`
pub fn digest_key(account: &str, region: &str, trail: &str, ts: i64) -> String {
    let mut k = Vec::with_capacity(160);
    push_str(&mut k, "AWSLogs/");
    push_str(&mut k, account);
    push_str(&mut k, "/CloudTrail-Digest/");
    push_str(&mut k, region);
    k.push(b'/');
    clock::push_date_path(&mut k, ts);
    k.push(b'/');
    push_str(&mut k, account);
    push_str(&mut k, "_CloudTrail-Digest_");
    push_str(&mut k, region);
    k.push(b'_');
    push_str(&mut k, trail);
    push_str(&mut k, "_us-east-1_");
    clock::push_key_second(&mut k, ts);
    push_str(&mut k, ".json.gz");
    into_string(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_aws_shape() {
        let mut rng = Rng::derive(1, "k", 0);
        let t = clock::DEFAULT_START + 300;
        let ct = cloudtrail_key("111122223333", "us-east-1", t, &mut rng);
        assert!(ct.starts_with(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0005Z_"
        ));
        assert!(ct.ends_with(".json.gz"));
        assert_eq!(ct.len(), "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0005Z_".len() + 16 + 8);
        let r = resolver_key("111122223333", "vpc-0abc", t, &mut rng);
        assert!(r.starts_with("AWSLogs/111122223333/vpcdnsquerylogs/vpc-0abc/2026/11/01/vpc-0abc_vpcdnsquerylogs_111122223333_20261101T0005Z_"));
        let d = digest_key("111122223333", "eu-west-1", "trail", t);
        assert_eq!(
            d,
            "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/01/111122223333_CloudTrail-Digest_eu-west-1_trail_us-east-1_20261101T000500Z.json.gz"
        );
    }

    #[test]
    fn layout_parses() {
        assert_eq!("s3".parse::<Layout>(), Ok(Layout::S3));
        assert_eq!("ndjson".parse::<Layout>(), Ok(Layout::Ndjson));
        assert!(
            "csv"
                .parse::<Layout>()
                .unwrap_err()
                .to_string()
                .contains("csv")
        );
    }
}
