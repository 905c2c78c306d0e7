//! Typed field values, decoded lazily from the raw JSON text the projector captured.

use std::borrow::Cow;
use std::fmt;

/// One value of a field. Strings borrow from the record unless they had escapes or were derived.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// A JSON string (unescaped) or a derived text value.
    Str(Cow<'a, str>),
    /// A JSON number, kept as written (`070` stays `070` until a rule asks for a number).
    Num(&'a str),
    /// A JSON boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A JSON object, kept as its raw text.
    Object(&'a str),
}

impl<'a> FieldValue<'a> {
    /// Decodes one raw JSON value (as captured by the projector). Arrays are not passed here:
    /// the projector splits them into their elements.
    pub fn from_raw(raw: &'a str) -> FieldValue<'a> {
        match raw.as_bytes().first() {
            Some(b'"') => FieldValue::Str(unescape(raw)),
            Some(b't') => FieldValue::Bool(true),
            Some(b'f') => FieldValue::Bool(false),
            Some(b'n') | None => FieldValue::Null,
            Some(b'{') => FieldValue::Object(raw),
            _ => FieldValue::Num(raw),
        }
    }

    /// As [`FieldValue::from_raw`]; `plain` says a string is known to hold no escape.
    #[inline]
    pub(crate) fn from_raw_plain(raw: &'a str, plain: bool) -> FieldValue<'a> {
        match raw.as_bytes() {
            [b'"', inner @ .., b'"'] if plain => {
                // The quotes are ASCII, so the slice is on character boundaries.
                FieldValue::Str(Cow::Borrowed(&raw[1..1 + inner.len()]))
            }
            _ => FieldValue::from_raw(raw),
        }
    }

    /// The value as text: strings as they are, numbers as written, booleans as `true`/`false`.
    /// `None` for null and objects.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Str(s) => Some(s),
            FieldValue::Num(n) => Some(n),
            FieldValue::Bool(true) => Some("true"),
            FieldValue::Bool(false) => Some("false"),
            FieldValue::Null | FieldValue::Object(_) => None,
        }
    }

    /// The value as a string slice, for string values only.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FieldValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, FieldValue::Null)
    }

    /// Writes the value as JSON.
    pub fn write_json(&self, out: &mut String) {
        match self {
            FieldValue::Str(s) => write_json_string(out, s),
            FieldValue::Num(n) => out.push_str(n),
            FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            FieldValue::Null => out.push_str("null"),
            FieldValue::Object(raw) => out.push_str(raw),
        }
    }

    /// Detaches the value from the record it borrows from.
    pub fn into_owned(self) -> FieldValue<'static> {
        match self {
            FieldValue::Str(s) => FieldValue::Str(Cow::Owned(s.into_owned())),
            FieldValue::Num(n) => FieldValue::Str(Cow::Owned(n.to_owned())),
            FieldValue::Bool(b) => FieldValue::Bool(b),
            FieldValue::Null => FieldValue::Null,
            FieldValue::Object(o) => FieldValue::Str(Cow::Owned(o.to_owned())),
        }
    }
}

impl fmt::Display for FieldValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Null => f.write_str("null"),
            FieldValue::Object(raw) => f.write_str(raw),
            other => f.write_str(other.as_text().unwrap_or_default()),
        }
    }
}

/// Unescapes a raw JSON string literal (quotes included). Borrows when there is no escape.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    // The projector only captures text that serde_json already validated as a string.
    match serde_json::from_str::<String>(raw) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(inner),
    }
}

/// Appends `s` to `out` as a JSON string literal.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_json_type() {
        assert_eq!(FieldValue::from_raw(r#""a\"b""#).as_str(), Some("a\"b"));
        assert!(matches!(
            FieldValue::from_raw(r#""plain""#),
            FieldValue::Str(Cow::Borrowed("plain"))
        ));
        assert_eq!(FieldValue::from_raw("070"), FieldValue::Num("070"));
        assert_eq!(FieldValue::from_raw("true"), FieldValue::Bool(true));
        assert_eq!(FieldValue::from_raw("false").as_text(), Some("false"));
        assert!(FieldValue::from_raw("null").is_null());
        assert_eq!(
            FieldValue::from_raw(r#"{"name":"x"}"#),
            FieldValue::Object(r#"{"name":"x"}"#)
        );
    }

    #[test]
    fn writes_valid_json_strings() {
        for s in [
            "plain",
            "quo\"te",
            "back\\slash",
            "nl\nx",
            "\u{1}ctl",
            "ünï",
        ] {
            let mut out = String::new();
            write_json_string(&mut out, s);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }
}
