//! Shared helpers: read bytes through the real reader and collect what comes out.

use r53guard_event::{Event, Projector, Schema};
use r53guard_formats::{Bad, BadClass, Location, ReadOptions, Sink, Stats, read_input};
use std::io::Read;
use std::ops::ControlFlow;

/// One event as the tests see it: location, kind, and the asked fields' values as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub line: u64,
    pub record: u64,
    pub part: Option<u32>,
    pub kind: String,
    pub ocsf: bool,
    pub time_ms: i64,
    pub raw: String,
    pub fields: Vec<Vec<String>>,
}

/// A bad-input report as the tests see it: line, record index, class, message.
pub type BadReport = (u64, u64, BadClass, String);

#[derive(Default)]
pub struct Collect {
    pub seen: Vec<Seen>,
    pub bad: Vec<BadReport>,
    pub fields: Vec<r53guard_event::FieldId>,
    pub stop_on_bad: bool,
}

impl Sink for Collect {
    fn event(&mut self, ev: &Event<'_>, loc: &Location<'_>) -> ControlFlow<()> {
        self.seen.push(Seen {
            line: loc.line,
            record: loc.record,
            part: loc.part,
            kind: ev.kind.name().to_owned(),
            ocsf: ev.encoding == r53guard_event::Encoding::Ocsf,
            time_ms: ev.time_ms,
            raw: ev.raw.to_owned(),
            fields: self
                .fields
                .iter()
                .map(|&f| ev.values(f).map(|v| v.to_string()).collect())
                .collect(),
        });
        ControlFlow::Continue(())
    }
    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        self.bad.push((
            bad.location.line,
            bad.location.record,
            bad.class,
            bad.message.clone(),
        ));
        if self.stop_on_bad {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Reads `input` with the given fields and options.
pub fn read_with(
    input: Box<dyn Read + Send>,
    fields: &[&str],
    opts: ReadOptions,
) -> (Collect, Stats) {
    let mut schema = Schema::new();
    let ids: Vec<_> = fields.iter().map(|f| schema.add(f)).collect();
    let mut projector = Projector::new(&schema);
    let mut sink = Collect {
        fields: ids,
        ..Default::default()
    };
    let mut stats = Stats::default();
    let _ = read_input("test", input, &mut projector, &opts, &mut stats, &mut sink);
    (sink, stats)
}

/// Reads `bytes` with the given fields and default options.
pub fn read(bytes: &[u8], fields: &[&str]) -> (Collect, Stats) {
    read_with(
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        fields,
        ReadOptions::default(),
    )
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
