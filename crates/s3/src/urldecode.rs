//! Form-style URL decoding, as S3 applies to object keys in event notifications: `+` is a
//! space, `%XX` is the byte XX, and the bytes must make UTF-8.

/// Decodes a form-encoded key; the error says what is wrong and where.
pub fn form_decode(encoded: &str) -> Result<String, String> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    let h = std::str::from_utf8(h).ok()?;
                    u8::from_str_radix(h, 16)
                        .ok()
                        .filter(|_| h.bytes().all(|b| b.is_ascii_hexdigit()))
                });
                match hex {
                    Some(b) => out.push(b),
                    None => return Err(format!("bad %-escape at byte {i}")),
                }
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|e| {
        format!(
            "the decoded key is not UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::form_decode;
    use proptest::prelude::*;

    #[test]
    fn plus_percent_and_unicode() {
        assert_eq!(form_decode("a+b%2Bc").unwrap(), "a b+c");
        assert_eq!(form_decode("caf%C3%A9/x%20y").unwrap(), "café/x y");
        assert_eq!(
            form_decode("plain/key.json.gz").unwrap(),
            "plain/key.json.gz"
        );
        assert_eq!(form_decode("%e2%82%ac").unwrap(), "€");
        assert_eq!(form_decode("").unwrap(), "");
    }

    #[test]
    fn bad_escapes_and_bytes() {
        assert!(form_decode("a%2").unwrap_err().contains("byte 1"));
        assert!(form_decode("%zz").unwrap_err().contains("byte 0"));
        assert!(form_decode("%+1").is_err());
        assert!(form_decode("%C3").unwrap_err().contains("UTF-8"));
    }

    /// Form-encodes as S3 does: unreserved characters kept, a space as `+`, everything else
    /// as `%XX` of its UTF-8 bytes.
    fn encode(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn decodes_what_s3_encodes(key in "\\PC{0,40}") {
            prop_assert_eq!(form_decode(&encode(&key)).unwrap(), key);
        }

        #[test]
        fn never_panics(text in "[%+a-fA-F0-9\\PC]{0,24}") {
            let _ = form_decode(&text);
        }
    }
}
