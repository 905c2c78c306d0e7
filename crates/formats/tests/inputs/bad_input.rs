//! Bad input of every class is reported with its line and record, counted, and passed over;
//! everything else in the input is still read. No input makes the reader panic.

use crate::common::*;
use proptest::prelude::*;
use r53guard_formats::{BadClass, ReadOptions};

const GOOD: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:20:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"ok"}"#;

fn classes(c: &Collect) -> Vec<(u64, BadClass)> {
    c.bad.iter().map(|b| (b.0, b.2)).collect()
}

#[test]
fn every_bad_line_is_named_and_the_rest_is_read() {
    let mut input = Vec::new();
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(b"\n{\"eventName\": \"x\", broken\n");
    input.extend_from_slice(GOOD.as_bytes());
    input.extend_from_slice(
        b"\n{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"\xff\xfe\"}\n",
    );
    input.extend_from_slice(b"{\"hello\":\"world\"}\n");
    input.extend_from_slice(b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"NoTime\"}\n");
    input.extend_from_slice(b"{\"query_name\":\"a.example.\",\"query_timestamp\":\"yesterday\"}\n");
    input.extend_from_slice(b"[1,2]\n");
    input.extend_from_slice(GOOD.as_bytes());
    input.push(b'\n');
    let (c, stats) = read(&input, &["eventID"]);
    assert_eq!(c.seen.len(), 3);
    assert_eq!(
        classes(&c),
        vec![
            (2, BadClass::Json),
            (4, BadClass::Utf8),
            (5, BadClass::Shape),
            (6, BadClass::Time),
            (7, BadClass::Time),
            // A top-level array is read as an array of records: each element is reported.
            (8, BadClass::Shape),
            (8, BadClass::Shape),
        ]
    );
    assert!(c.bad[3].3.contains("without eventTime"), "{}", c.bad[3].3);
    assert!(c.bad[4].3.contains("\"yesterday\""), "{}", c.bad[4].3);
    assert_eq!(stats.total_bad(), 7);
    assert_eq!(stats.bad[&BadClass::Time], 2);
}

#[test]
fn over_long_lines_respect_the_cap() {
    let long = format!(
        "{{\"eventSource\":\"s3\",\"eventTime\":\"2024-05-01T10:20:00Z\",\"x\":\"{}\"}}",
        "a".repeat(5000)
    );
    let input = format!("{GOOD}\n{long}\n{GOOD}\n");
    let opts = ReadOptions {
        max_record_bytes: 1000,
        ..ReadOptions::default()
    };
    let (c, stats) = read_with(
        Box::new(std::io::Cursor::new(input.into_bytes())),
        &[],
        opts,
    );
    assert_eq!(c.seen.len(), 2);
    assert_eq!(classes(&c), vec![(2, BadClass::TooLong)]);
    assert!(c.bad[0].3.contains("--max-record-bytes"));
    assert_eq!(stats.bad[&BadClass::TooLong], 1);
}

#[test]
fn truncated_gzip_keeps_what_came_before() {
    let body: String = (0..2000).map(|_| format!("{GOOD}\n")).collect();
    let mut gz = gzip(body.as_bytes());
    gz.truncate(gz.len() * 2 / 3);
    let (c, stats) = read(&gz, &[]);
    assert!(
        c.seen.len() > 100 && c.seen.len() < 2000,
        "{}",
        c.seen.len()
    );
    assert_eq!(stats.bad.get(&BadClass::Gzip), Some(&1), "{:?}", c.bad);
    assert!(c.bad.iter().any(|b| b.3.contains("rest of this input")));
}

#[test]
fn truncated_records_object() {
    let input = format!("{{\"Records\":[{GOOD},{GOOD},{{\"eventName\":\"cut");
    let (c, stats) = read(input.as_bytes(), &[]);
    assert_eq!(c.seen.len(), 2);
    assert_eq!(classes(&c), vec![(1, BadClass::Truncated)]);
    assert_eq!(c.bad[0].1, 2, "the third record is the truncated one");
    assert_eq!(stats.total_bad(), 1);
}

#[test]
fn decompression_bombs_stop_at_the_cap() {
    let zeros = vec![b' '; 8 << 20];
    let gz = gzip(&zeros);
    assert!(gz.len() < 64 << 10);
    let opts = ReadOptions {
        max_decompressed_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let (c, stats) = read_with(Box::new(std::io::Cursor::new(gz)), &[], opts);
    assert_eq!(stats.bad.get(&BadClass::Bomb), Some(&1), "{:?}", c.bad);
    assert!(c.bad[0].3.contains("decompression bomb"));
}

#[test]
fn unreadable_input_is_an_io_error() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let (c, stats) = read_with(Box::new(Failing), &[], ReadOptions::default());
    assert_eq!(stats.bad.get(&BadClass::Io), Some(&1));
    assert!(c.bad[0].3.contains("disk on fire"));
}

#[test]
fn strict_sinks_stop_at_the_first_bad_record() {
    let input = format!("{GOOD}\nnope\n{GOOD}\n");
    let mut schema = r53guard_event::Schema::new();
    schema.add("eventID");
    let mut projector = r53guard_event::Projector::new(&schema);
    let mut sink = Collect {
        stop_on_bad: true,
        ..Default::default()
    };
    let mut stats = r53guard_formats::Stats::default();
    let flow = r53guard_formats::read_input(
        "t",
        Box::new(std::io::Cursor::new(input.into_bytes())),
        &mut projector,
        &ReadOptions::default(),
        &mut stats,
        &mut sink,
    );
    assert!(flow.is_break());
    assert_eq!(sink.seen.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No byte string makes the reader panic, gzip or not.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), gz in any::<bool>()) {
        let input = if gz { gzip(&bytes) } else { bytes };
        let _ = read(&input, &["eventName", "answers.Rdata", "dns.question.name", "event.outcome"]);
    }

    /// JSON-ish noise (brackets, quotes, escapes, newlines) never panics either.
    #[test]
    fn structural_noise_never_panics(s in "[\\[\\]{}\",:\\\\ \\nab0-9]{0,400}") {
        let _ = read(s.as_bytes(), &["a", "b"]);
    }
}
