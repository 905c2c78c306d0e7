//! Fuzz target: any SQS message body either is an error or names objects with a bucket and
//! an identity under their URL; form decoding of any text never panics and decodes what it
//! re-encodes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use r53guard_s3::{S3Url, form_decode, parse_body};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = parse_body(text) {
        assert!(!(n.test_event && !n.objects.is_empty()));
        for o in &n.objects {
            assert!(o.identity().starts_with(&S3Url::object(&o.bucket, &o.key)));
        }
    }
    if let Ok(key) = form_decode(text) {
        let encoded: String = key
            .bytes()
            .map(|b| match b {
                b' ' => "+".to_owned(),
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        assert_eq!(form_decode(&encoded).as_deref(), Ok(key.as_str()));
    }
});
