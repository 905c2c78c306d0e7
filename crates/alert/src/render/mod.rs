//! Rendering alerts: the output formats and a streaming writer that renders one alert at a time.

mod csv;
mod json;
mod jsonl;
mod ocsf;
mod table;

use crate::model::Alert;
use std::io::{self, Write};

/// How alerts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum AlertFormat {
    /// One compact JSON object per line.
    Jsonl,
    /// One pretty-printed JSON array.
    Json,
    /// A readable table, one line per alert.
    Table,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// OCSF 1.1.0 Detection Findings, one JSON object per line.
    Ocsf,
}

/// Writes alerts one at a time in one [`AlertFormat`].
///
/// Each alert is rendered whole into a buffer and written with one `write_all`, so nothing is
/// held back between calls; [`AlertWriter::finish`] writes what closes the output (the `]` of a
/// JSON array, the header of an empty table or CSV) and flushes. Output always ends with a
/// newline. Call `finish`: dropping the writer instead leaves a JSON array unclosed.
pub struct AlertWriter<W: Write> {
    out: W,
    format: AlertFormat,
    color: bool,
    written: u64,
    buf: Vec<u8>,
}

impl<W: Write> AlertWriter<W> {
    /// A writer of `format` to `out`. `color` turns on ANSI colours for the table's severity
    /// column; the other formats ignore it.
    pub fn new(out: W, format: AlertFormat, color: bool) -> Self {
        AlertWriter {
            out,
            format,
            color,
            written: 0,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Renders and writes one alert.
    ///
    /// Fails with [`io::ErrorKind::InvalidData`] when the OCSF renderer meets a time that is
    /// not RFC 3339; otherwise only with the errors of the underlying writer.
    pub fn write(&mut self, alert: &Alert) -> io::Result<()> {
        self.buf.clear();
        let first = self.written == 0;
        match self.format {
            AlertFormat::Jsonl => jsonl::alert(&mut self.buf, alert)?,
            AlertFormat::Json => json::alert(&mut self.buf, alert, first)?,
            AlertFormat::Table => {
                if first {
                    table::header(&mut self.buf);
                }
                table::alert(&mut self.buf, alert, self.color);
            }
            AlertFormat::Csv => {
                if first {
                    csv::header(&mut self.buf);
                }
                csv::alert(&mut self.buf, alert);
            }
            AlertFormat::Ocsf => ocsf::alert(&mut self.buf, alert)?,
        }
        self.out.write_all(&self.buf)?;
        self.written += 1;
        Ok(())
    }

    /// Closes the output, flushes it, and hands back the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.clear();
        let empty = self.written == 0;
        match self.format {
            AlertFormat::Json => json::end(&mut self.buf, empty),
            AlertFormat::Table if empty => table::header(&mut self.buf),
            AlertFormat::Csv if empty => csv::header(&mut self.buf),
            AlertFormat::Jsonl | AlertFormat::Table | AlertFormat::Csv | AlertFormat::Ocsf => {}
        }
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}
