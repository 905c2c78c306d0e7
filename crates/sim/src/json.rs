//! Direct JSON writing into a reused byte buffer.
//!
//! Records are produced at hundreds of MB per run, so they are never built as
//! `serde_json::Value`s. [`Obj`] and [`Arr`] write keys and values straight into
//! a `Vec<u8>` and close themselves on drop, which makes unbalanced output
//! impossible. Keys are `'static` identifiers chosen by this crate and are written
//! verbatim; every value string goes through [`push_str`], which escapes it.

use crate::clock;

/// Appends `s` as a quoted JSON string, escaping quotes, backslashes and
/// control characters.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| needs_escape(b)) {
        out.extend_from_slice(bytes);
    } else {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !needs_escape(b) {
                continue;
            }
            out.extend_from_slice(&bytes[start..i]);
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 0xf)]);
                }
            }
            start = i + 1;
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends the decimal digits of `n`.
pub fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A JSON object being written; the closing brace is written on drop.
pub struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    /// Starts an object at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, first: true }
    }

    fn key(&mut self, key: &str) {
        debug_assert!(!key.bytes().any(needs_escape));
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// Writes a string member.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        push_str(self.out, value);
        self
    }

    /// Writes an RFC 3339 (second precision, `Z`) timestamp member.
    pub fn time(&mut self, key: &str, ts: i64) -> &mut Self {
        self.key(key);
        self.out.push(b'"');
        clock::push_rfc3339(self.out, ts);
        self.out.push(b'"');
        self
    }

    /// Writes an unsigned integer member.
    pub fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        push_u64(self.out, value);
        self
    }

    /// Writes a boolean member.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    /// Writes a `null` member.
    pub fn null(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(b"null");
        self
    }

    /// Writes a member whose value is already-serialised JSON.
    pub fn raw(&mut self, key: &str, json: &[u8]) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(json);
        self
    }

    /// Starts a nested object member.
    pub fn obj(&mut self, key: &str) -> Obj<'_> {
        self.key(key);
        Obj::new(self.out)
    }

    /// Starts a nested array member.
    pub fn arr(&mut self, key: &str) -> Arr<'_> {
        self.key(key);
        Arr::new(self.out)
    }
}

impl Drop for Obj<'_> {
    fn drop(&mut self) {
        self.out.push(b'}');
    }
}

/// A JSON array being written; the closing bracket is written on drop.
pub struct Arr<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Arr<'a> {
    /// Starts an array at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'[');
        Arr { out, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    /// Appends a string element.
    pub fn str(&mut self, value: &str) -> &mut Self {
        self.sep();
        push_str(self.out, value);
        self
    }

    /// Appends an object element.
    pub fn obj(&mut self) -> Obj<'_> {
        self.sep();
        Obj::new(self.out)
    }
}

impl Drop for Arr<'_> {
    fn drop(&mut self) {
        self.out.push(b']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_serde_json() {
        let nasty = "quote\" back\\ nl\n tab\t cr\r bell\u{7} unicode é ☃";
        let mut out = Vec::new();
        push_str(&mut out, nasty);
        assert_eq!(out, serde_json::to_vec(nasty).unwrap());
    }

    #[test]
    fn nested_objects_close_themselves() {
        let mut out = Vec::new();
        {
            let mut o = Obj::new(&mut out);
            o.str("a", "x")
                .u64("n", 1_234_567)
                .bool("t", true)
                .null("z");
            o.obj("inner").str("k", "v");
            let mut a = o.arr("list");
            a.str("one");
            a.obj().u64("two", 2);
        }
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a":"x","n":1_234_567,"t":true,"z":null,
                "inner":{"k":"v"},"list":["one",{"two":2}]})
        );
    }

    #[test]
    fn u64_digits() {
        for n in [0, 7, 10, 65_535, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }
}
