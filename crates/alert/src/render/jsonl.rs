//! The `jsonl` format: one compact JSON object per line.

use crate::evidence::EvidenceEvent;
use crate::model::Alert;
use std::io;

/// Appends the alert as one line of compact JSON.
pub(super) fn alert(buf: &mut Vec<u8>, alert: &Alert) -> io::Result<()> {
    let start = buf.len();
    serde_json::to_writer(&mut *buf, alert)?;
    // Compact serialization writes no line breaks of its own; any come from the whitespace of a
    // verbatim evidence record that was pretty-printed in its input.
    let laid_out = |e: &EvidenceEvent| memchr::memchr2(b'\n', b'\r', e.event.get().as_bytes());
    if alert.events.iter().any(|e| laid_out(e).is_some()) {
        let line = buf.split_off(start);
        minify(&line, buf);
    }
    buf.push(b'\n');
    Ok(())
}

/// Copies JSON text, leaving out the whitespace between tokens and keeping strings intact.
fn minify(json: &[u8], out: &mut Vec<u8>) {
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        }
        out.push(byte);
    }
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn minify_keeps_strings_and_drops_layout() {
        let mut out = Vec::new();
        minify(
            b"{ \"a b\" :\r\n [ 1 ,\n\t\"x \\\" \\\\\" , \"\\\\\" ] }",
            &mut out,
        );
        assert_eq!(out, br#"{"a b":[1,"x \" \\","\\"]}"#);
    }
}
