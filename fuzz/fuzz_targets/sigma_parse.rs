//! Fuzz target: arbitrary bytes as a Sigma YAML document set. Loading never panics, every
//! diagnostic names a document of the input, and every loaded rule either compiles or says
//! why not; a compiled rule runs on a fixed record without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use r53guard_event::{Classified, Projector, Schema};
use r53guard_sigma::{CompiledSigma, Mapping, SigmaSet};

const RECORD: &str = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"requestParameters":{"userName":"b"},"n":70,"arr":["x",null,{"k":"v"}]}"#;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let set = SigmaSet::load([("fuzz.yml", &*text)]);
    let lines = text.lines().count().max(1);
    for d in &set.diagnostics {
        assert!(
            d.origin.document >= 1 && d.origin.line >= 1 && d.origin.line <= lines,
            "{d}"
        );
        let _ = d.to_string();
    }
    let Ok(mapping) = Mapping::builtin() else {
        panic!("the default mapping must load");
    };
    for rule in &set.rules {
        let mut schema = Schema::new();
        let Ok(compiled) = CompiledSigma::compile(rule, &mapping, &mut schema) else {
            continue;
        };
        let mut projector = Projector::new(&schema);
        if let Ok(Classified::Event(ev)) = projector.project(RECORD) {
            let _ = compiled.matches(&ev);
        }
    }
});
