//! Fuzz target: the Firehose request-body parser never panics and never buffers past its
//! limit; it refuses with 400 or 413 and a message, or decodes a body whose records, written
//! back as a request, decode to the same request. The first byte picks gzip (odd) or not.

#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use r53guard_firehose::fuzz_decode_body;

/// A small limit, so that gzip bombs and the limit check are reached.
const LIMIT: usize = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    match fuzz_decode_body(body, first & 1 == 1, LIMIT) {
        Ok((request_id, timestamp, records)) => {
            let total: usize = records.iter().map(Vec::len).sum();
            assert!(total <= LIMIT, "records larger than the body limit");
            let again = serde_json::json!({
                "requestId": request_id,
                "timestamp": timestamp,
                "records": records
                    .iter()
                    .map(|r| serde_json::json!({ "data": STANDARD.encode(r) }))
                    .collect::<Vec<_>>(),
            })
            .to_string();
            let decoded = fuzz_decode_body(again.as_bytes(), false, usize::MAX)
                .expect("a re-encoded request decodes");
            assert_eq!(decoded, (request_id, timestamp, records));
        }
        Err((status, message)) => {
            assert!(status == 400 || status == 413, "status {status}");
            assert!(!message.is_empty());
        }
    }
});
