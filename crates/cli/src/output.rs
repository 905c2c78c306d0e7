//! Writing rows of fields as JSON lines, an aligned table or CSV, and records as compact JSON.

use clap::ValueEnum;
use r53guard_event::write_json_string;
use std::io::{self, Write};

/// Output formats for rows of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RowFormat {
    /// One JSON object per line.
    Jsonl,
    /// An aligned text table.
    Table,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
}

/// One cell: the values a field had (none, one or several).
pub type Cell = Vec<serde_json::Value>;

/// Writes rows in one format. Table widths come from the first rows, then stay fixed.
pub struct RowWriter<W: Write> {
    out: W,
    format: RowFormat,
    header: Vec<String>,
    pending: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    started: bool,
}

/// Rows buffered to size a table's columns before it starts streaming.
const TABLE_SAMPLE: usize = 200;

impl<W: Write> RowWriter<W> {
    /// A writer with column names `header`.
    pub fn new(out: W, format: RowFormat, header: Vec<String>) -> Self {
        RowWriter {
            out,
            format,
            header,
            pending: Vec::new(),
            widths: None,
            started: false,
        }
    }

    /// Writes one row (one cell per header column).
    pub fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        match self.format {
            RowFormat::Jsonl => {
                let mut line = String::from("{");
                for (i, (name, cell)) in self.header.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    write_json_string(&mut line, name);
                    line.push(':');
                    let value = match cell.as_slice() {
                        [] => serde_json::Value::Null,
                        [one] => one.clone(),
                        many => serde_json::Value::Array(many.to_vec()),
                    };
                    line.push_str(&value.to_string());
                }
                line.push_str("}\n");
                self.out.write_all(line.as_bytes())
            }
            RowFormat::Csv => {
                if !self.started {
                    self.started = true;
                    let header: Vec<String> = self.header.iter().map(|h| csv_field(h)).collect();
                    writeln!(self.out, "{}", header.join(","))?;
                }
                let fields: Vec<String> = cells.iter().map(|c| csv_field(&text(c))).collect();
                writeln!(self.out, "{}", fields.join(","))
            }
            RowFormat::Table => {
                let texts: Vec<String> = cells.iter().map(text).collect();
                if self.widths.is_none() {
                    self.pending.push(texts);
                    if self.pending.len() >= TABLE_SAMPLE {
                        self.flush_pending()?;
                    }
                    return Ok(());
                }
                self.table_line(&texts)
            }
        }
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.pending {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count()).min(60);
            }
        }
        self.widths = Some(widths);
        let header = self.header.clone();
        self.table_line(&header)?;
        let rule: Vec<String> = self
            .widths
            .iter()
            .flatten()
            .map(|w| "-".repeat(*w))
            .collect();
        self.table_line(&rule)?;
        for row in std::mem::take(&mut self.pending) {
            self.table_line(&row)?;
        }
        Ok(())
    }

    fn table_line(&mut self, cells: &[String]) -> io::Result<()> {
        let widths = self.widths.as_deref().unwrap_or_default();
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < cells.len() {
                let pad = w.saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(self.out, "{}", line.trim_end())
    }

    /// Writes whatever is buffered and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        if self.format == RowFormat::Table && self.widths.is_none() {
            self.flush_pending()?;
        }
        self.out.flush()
    }
}

/// A cell as text: values joined with `, `; empty when the field is absent.
fn text(cell: &Cell) -> String {
    let parts: Vec<String> = cell
        .iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    parts.join(", ")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes a record on a line of its own, minified; `line` is a buffer to reuse.
pub fn write_record(out: &mut impl Write, record: &str, line: &mut String) -> io::Result<()> {
    line.clear();
    minify(record, line);
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// Removes the whitespace between JSON tokens, leaving strings untouched, so that a
/// pretty-printed record prints on one line.
fn minify(json: &str, out: &mut String) {
    let mut in_str = false;
    let mut esc = false;
    for c in json.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
        }
    }
}

/// Whether an error is a closed stdout (`r53guard events … | head`), which is not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_strings() {
        let mut out = String::new();
        minify("{ \"a b\" : [ 1 ,\n \"x \\\" y\" ] }", &mut out);
        assert_eq!(out, r#"{"a b":[1,"x \" y"]}"#);
    }

    #[test]
    fn csv_quotes_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn rows_in_every_format() {
        let cells = vec![
            vec![serde_json::json!("x")],
            vec![],
            vec![serde_json::json!(1), serde_json::json!("b,c")],
        ];
        let header = vec!["f".to_owned(), "g".to_owned(), "h".to_owned()];
        let mut out = Vec::new();
        let mut w = RowWriter::new(&mut out, RowFormat::Jsonl, header.clone());
        w.row(&cells).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"f\":\"x\",\"g\":null,\"h\":[1,\"b,c\"]}\n"
        );
        let mut out = Vec::new();
        let mut w = RowWriter::new(&mut out, RowFormat::Csv, header.clone());
        w.row(&cells).unwrap();
        w.finish().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "f,g,h\nx,,\"1, b,c\"\n");
        let mut out = Vec::new();
        let mut w = RowWriter::new(&mut out, RowFormat::Table, header);
        w.row(&cells).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "f  g  h\n-  -  ------\nx     1, b,c\n"
        );
    }
}
