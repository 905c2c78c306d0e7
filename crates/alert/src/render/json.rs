//! The `json` format: all alerts as one pretty-printed JSON array.

use crate::model::Alert;
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// Appends one element of the array, opening the array before the first. The element is
/// laid out as `serde_json`'s pretty printer lays out an element of a `Vec<Alert>`, so the
/// whole output equals `to_string_pretty(&alerts)` plus a newline, evidence records verbatim.
pub(super) fn alert(buf: &mut Vec<u8>, alert: &Alert, first: bool) -> io::Result<()> {
    buf.extend_from_slice(if first { b"[\n  " } else { b",\n  " });
    let formatter = Nested {
        depth: 1,
        has_value: false,
    };
    alert.serialize(&mut serde_json::Serializer::with_formatter(buf, formatter))?;
    Ok(())
}

/// Closes the array (`[]` when there were no alerts) and ends the output with a newline.
pub(super) fn end(buf: &mut Vec<u8>, empty: bool) {
    buf.extend_from_slice(if empty { b"[]\n" } else { b"\n]\n" });
}

/// Pretty printing with two-space indentation that starts `depth` levels deep: a value
/// printed at depth 1 is laid out as an element of a pretty-printed array.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out)?;
        }
        out.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.new_line(out)
    }

    fn new_line<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"\n")?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
