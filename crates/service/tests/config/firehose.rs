//! The Firehose source's configuration, `[pipeline]` and the Sigma keys of `[rules]`: defaults
//! and the problems that name their keys.

use super::error;
use r53guard_service::Config;
use r53guard_service::config::SourceConfig;

const FIREHOSE: &str = r#"
[[source]]
type = "firehose"
name = "fh"
access_keys = ["env:FIREHOSE_KEY"]

[[receiver]]
type = "stdout"
name = "out"
"#;

#[test]
fn a_firehose_source_gets_loopback_and_firehose_defaults() {
    let c = Config::parse(FIREHOSE).unwrap();
    let SourceConfig::Firehose(f) = &c.sources[0] else {
        panic!("not a firehose source")
    };
    assert_eq!(f.listen.to_string(), "127.0.0.1:8054");
    assert_eq!(f.path, "/firehose");
    assert_eq!(f.max_body_bytes, 64 << 20);
    assert_eq!(f.deadline.to_string(), "30s");
    assert_eq!(f.allowed_lateness.to_string(), "5m");
    assert_eq!(f.request_retention.to_string(), "1d");
    assert_eq!(c.sources[0].name(), "fh");
    assert_eq!(c.pipeline.gap_threshold.to_string(), "15m");
    let summary = c.summary();
    assert!(
        summary
            .contains("source fh: firehose http://127.0.0.1:8054/firehose (keys env:FIREHOSE_KEY"),
        "{summary}"
    );
}

#[test]
fn firehose_problems_name_their_keys() {
    let text = FIREHOSE.replace(
        "access_keys = [\"env:FIREHOSE_KEY\"]",
        "access_keys = [\"env:K\", \"the-key-itself\"]\npath = \"firehose\"\nmax_body_bytes = 0\n\
             deadline = \"0s\"\nrequest_retention = \"1h\"\nlisten = \"127.0.0.1:8053\"",
    );
    let e = error(&text);
    for want in [
        "source[0].access_keys[1]: a secret must be written env:NAME or file:/path",
        "source[0].path: \"firehose\" must start with /",
        "source[0].max_body_bytes: must be more than 0",
        "source[0].deadline: must be more than 0",
        "source[0].request_retention: 1h is shorter than Firehose's longest retry duration (2h)",
        "source[0].listen: 127.0.0.1:8053 is api.listen too",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    assert!(!e.contains("the-key-itself"), "the value leaked: {e}");
    let e = error(&FIREHOSE.replace("access_keys = [\"env:FIREHOSE_KEY\"]", "access_keys = []"));
    assert!(e.contains("source[0].access_keys: at least one key"), "{e}");
    let e = error(&FIREHOSE.replace("name = \"fh\"", "name = \"fh\"\nport = 1"));
    assert!(e.contains("unknown field `port`"), "{e}");
    let two = format!(
        "{FIREHOSE}\n[[source]]\ntype = \"firehose\"\nname = \"fh2\"\naccess_keys = [\"env:K\"]\n"
    );
    let e = error(&two);
    assert!(
        e.contains("source[1].listen: 127.0.0.1:8054 is used by another firehose source"),
        "{e}"
    );
}

#[test]
fn pipeline_and_sigma_keys() {
    let c = Config::parse(&format!(
        "[rules]\nsigma = [\"sigma/\"]\nsigma_mapping = \"m.yml\"\n[pipeline]\ngap_threshold = \"1h\"\n{FIREHOSE}"
    ))
    .unwrap();
    assert_eq!(c.rules.sigma.len(), 1);
    assert_eq!(c.pipeline.gap_threshold.to_string(), "1h");
    assert!(c.summary().contains("1 sigma path(s) (mapping m.yml)"));
    let e = error(&format!("[rules]\nsigma_mapping = \"m.yml\"\n{FIREHOSE}"));
    assert!(
        e.contains("rules.sigma_mapping: only used with rules.sigma"),
        "{e}"
    );
    let e = error(&format!("[pipeline]\ngap_threshold = \"0s\"\n{FIREHOSE}"));
    assert!(
        e.contains("pipeline.gap_threshold: must be more than 0"),
        "{e}"
    );
    let e = error(&format!("[pipeline]\ngaps = \"1m\"\n{FIREHOSE}"));
    assert!(e.contains("unknown field `gaps`"), "{e}");
}
