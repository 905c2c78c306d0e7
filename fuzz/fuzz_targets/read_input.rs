//! Fuzz target: the format detector and readers. Any bytes (plain, or wrapped in gzip when the
//! first byte is odd) go through the whole input layer — splitter, UTF-8 check, projection,
//! classification, envelope unwrapping — without a panic, and every record or bad-input report
//! carries a location inside the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use r53guard_event::{Event, Projector, Schema};
use r53guard_formats::{Bad, Location, ReadOptions, Sink, Stats, read_input};
use std::io::Write;
use std::ops::ControlFlow;

struct Check {
    lines: u64,
}

impl Sink for Check {
    fn event(&mut self, ev: &Event<'_>, loc: &Location<'_>) -> ControlFlow<()> {
        assert!(loc.line >= 1 && loc.line <= self.lines);
        let _ = ev.values(ev.schema().find("answers.Rdata").unwrap()).count();
        let _ = ev.values(ev.schema().find("event.outcome").unwrap()).count();
        ControlFlow::Continue(())
    }
    fn bad(&mut self, bad: &Bad<'_>) -> ControlFlow<()> {
        assert!(!bad.message.is_empty());
        ControlFlow::Continue(())
    }
}

fuzz_target!(|data: &[u8]| {
    let input = if data.first().is_some_and(|b| b & 1 == 1) {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&data[1..]).unwrap();
        e.finish().unwrap()
    } else {
        data.to_vec()
    };
    let lines = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
    let mut schema = Schema::new();
    for f in ["answers.Rdata", "event.outcome", "dns.question.name", "requestParameters.domainName"] {
        schema.add(f);
    }
    let mut projector = Projector::new(&schema);
    let mut stats = Stats::default();
    let opts = ReadOptions {
        max_record_bytes: 4096,
        max_decompressed_bytes: 1 << 20,
    };
    let mut sink = Check { lines: lines.max(1 + data.len() as u64) };
    let _ = read_input("fuzz", Box::new(std::io::Cursor::new(input)), &mut projector, &opts, &mut stats, &mut sink);
});
