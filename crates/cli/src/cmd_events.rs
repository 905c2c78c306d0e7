//! `r53guard events`: print decoded records, or chosen fields of them (raw paths, ECS aliases,
//! OCSF paths, and `@kind`, `@encoding`, `@source`, `@line`, `@record`), or only a summary.

use crate::Outcome;
use crate::diagnostics::Diagnostics;
use crate::inputs::{InputArgs, read_all};
use crate::output::{Cell, RowFormat, RowWriter, write_record};
use crate::summary;
use clap::Args;
use r53guard_event::{Event, FieldId, FieldValue, Projector, Schema};
use r53guard_formats::Location;
use std::io::{BufWriter, Write};
use std::time::Instant;

/// Arguments of `r53guard events`.
#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Fields to print, comma-separated: raw paths, ECS aliases (`r53guard fields`), OCSF paths,
    /// or `@kind`, `@encoding`, `@source`, `@line`, `@record`. Without it, whole records print.
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    fields: Vec<String>,
    /// Output format for fields.
    #[arg(long, value_enum, default_value_t = RowFormat::Jsonl)]
    format: RowFormat,
    /// Print only a summary (files, records by kind, bytes, bad records, speed) on stderr; the
    /// fields named by --fields are still extracted, so this measures decoding and projection.
    #[arg(long)]
    stats: bool,
}

/// A column: a schema field, or a fact about the record.
enum Column {
    Field(FieldId),
    Kind,
    Encoding,
    Source,
    Line,
    Record,
}

pub fn run(args: EventsArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut schema = Schema::new();
    let columns: Vec<Column> = args
        .fields
        .iter()
        .map(|f| match f.as_str() {
            "@kind" => Column::Kind,
            "@encoding" => Column::Encoding,
            "@source" => Column::Source,
            "@line" => Column::Line,
            "@record" => Column::Record,
            name => Column::Field(schema.add(name)),
        })
        .collect();
    let mut projector = Projector::new(&schema);
    let mut diag = Diagnostics::new(false);
    let bar = crate::progress::files_bar();
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    let stats = if args.stats {
        read_all(
            &args.input,
            &mut projector,
            &mut diag,
            &bar,
            &mut |ev, _| {
                for c in &columns {
                    if let Column::Field(id) = c {
                        std::hint::black_box(ev.values(*id).count());
                    }
                }
                Ok(())
            },
        )?
    } else if columns.is_empty() {
        let mut line = String::new();
        let stats = read_all(
            &args.input,
            &mut projector,
            &mut diag,
            &bar,
            &mut |ev, _| {
                write_record(&mut out, ev.raw, &mut line)?;
                Ok(())
            },
        )?;
        out.flush()?;
        stats
    } else {
        let mut rows = RowWriter::new(&mut out, args.format, args.fields.clone());
        let mut cells: Vec<Cell> = Vec::new();
        let stats = read_all(
            &args.input,
            &mut projector,
            &mut diag,
            &bar,
            &mut |ev, loc| {
                cells.clear();
                cells.extend(columns.iter().map(|c| cell(c, ev, loc)));
                rows.row(&cells)?;
                Ok(())
            },
        )?;
        rows.finish()?;
        stats
    };
    if args.stats || stats.total_bad() > 0 || !stats.skipped.is_empty() {
        eprint!("{}", summary::render("events", &stats, started.elapsed()));
    }
    Ok(if stats.total_bad() > 0 {
        Outcome::BadInput
    } else {
        Outcome::Clean
    })
}

fn cell(column: &Column, ev: &Event<'_>, loc: &Location<'_>) -> Cell {
    use serde_json::Value;
    match column {
        Column::Field(id) => ev.values(*id).map(json_value).collect(),
        Column::Kind => vec![Value::from(ev.kind.name())],
        Column::Encoding => vec![Value::from(format!("{:?}", ev.encoding).to_lowercase())],
        Column::Source => vec![Value::from(loc.source)],
        Column::Line => vec![Value::from(loc.line)],
        Column::Record => vec![Value::from(loc.record)],
    }
}

fn json_value(v: FieldValue<'_>) -> serde_json::Value {
    use serde_json::Value;
    match v {
        FieldValue::Str(s) => Value::String(s.into_owned()),
        FieldValue::Num(n) | FieldValue::Object(n) => {
            serde_json::from_str(n).unwrap_or_else(|_| Value::String(n.to_owned()))
        }
        FieldValue::Bool(b) => Value::Bool(b),
        FieldValue::Null => Value::Null,
    }
}
