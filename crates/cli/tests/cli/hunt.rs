//! `r53guard hunt`: golden alerts, formats, ad-hoc KQL, exit statuses.

use crate::*;
use std::process::Command;

const RULES: &str = "tests/fixtures/rules";
const INPUTS: [&str; 2] = [
    "tests/fixtures/cloudtrail/synthetic/route53domains.json",
    "tests/fixtures/resolver/query-log-quirks.log",
];

/// Runs from the repository root, so paths in alerts are relative and machine-independent.
fn hunt(extra: &[&str]) -> std::process::Output {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_r53guard"))
        .current_dir(root)
        .arg("hunt")
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn golden_alerts_byte_for_byte() {
    let mut args = vec!["--no-builtin", "--rules", RULES, "--format", "jsonl"];
    args.extend(INPUTS);
    let out = hunt(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut got: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    got.sort();
    let golden = format!(
        "{}/../../tests/golden/hunt-fixtures.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("R53GUARD_BLESS").is_some() {
        std::fs::write(&golden, got.join("\n") + "\n").unwrap();
    }
    let mut want: Vec<String> = std::fs::read_to_string(&golden)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    want.sort();
    assert_eq!(
        got, want,
        "re-bless with R53GUARD_BLESS=1 after checking the difference"
    );
    assert_eq!(got.len(), 3);
    // A second run is byte-identical, whatever the file order.
    let mut reversed = vec!["--no-builtin", "--rules", RULES, "--format", "jsonl"];
    reversed.extend(INPUTS.iter().rev());
    let mut again: Vec<String> = stdout(&hunt(&reversed))
        .lines()
        .map(str::to_owned)
        .collect();
    again.sort();
    assert_eq!(again, got);
}

#[test]
fn every_alert_format() {
    for (format, check) in [
        ("json", "[\n"),
        ("csv", "id,detected_at,severity"),
        ("ocsf", "\"class_uid\":2004"),
        ("table", "Test: domain transferred"),
    ] {
        let mut args = vec!["--no-builtin", "--rules", RULES, "--format", format];
        args.extend(INPUTS);
        let out = hunt(&args);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains(check), "{format}: {}", stdout(&out));
    }
}

#[test]
fn summary_fail_on_alert_and_output_file() {
    let dir = tempdir("hunt-out");
    let file = dir.join("alerts.jsonl");
    let mut args = vec![
        "--no-builtin",
        "--rules",
        RULES,
        "--fail-on-alert",
        "--output",
        file.to_str().unwrap(),
    ];
    args.extend(INPUTS);
    let out = hunt(&args);
    assert_eq!(out.status.code(), Some(4));
    assert!(stdout(&out).is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 3);
    let err = stderr(&out);
    assert!(err.contains("alerts: 3"), "{err}");
    assert!(
        err.contains("test-domain-transfer: 2 alerts (2 matched, 0 excepted, 0 held back"),
        "{err}"
    );
}

#[test]
fn since_and_until_bound_event_time() {
    let mut args = vec![
        "--no-builtin",
        "--rules",
        RULES,
        "--since",
        "2024-05-01T11:00:00Z",
        "--until",
        "2024-05-01T12:00:00Z",
    ];
    args.extend(INPUTS);
    let out = hunt(&args);
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "only the 11:02 transfer: {}",
        stderr(&out)
    );
}

#[test]
fn ad_hoc_kql_search() {
    let mut args = vec!["--kql", "rcode:NXDOMAIN and not source.ip:10.0.0.0/8"];
    args.extend(INPUTS);
    let out = hunt(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("2001:db8::5"));
    let out = hunt(&["--kql", "a:(b", INPUTS[0]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains('^'), "{}", stderr(&out));
}

#[test]
fn invalid_rules_are_usage_errors() {
    let dir = tempdir("bad-rule");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[rule]\nrule_id = \"x\"\nname = \"x\"\ndescription = \"x\"\ntype = \"query\"\nseverity = \"high\"\nrisk_score = 101\nauthor = [\"a\"]\nquery = 'a:(b'\n").unwrap();
    let out = hunt(&["--no-builtin", "--rules", bad.to_str().unwrap(), INPUTS[0]]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("risk_score"), "{err}");
}

#[test]
fn rules_commands() {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_r53guard"))
            .current_dir(&root)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["rules", "validate", RULES]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["rules", "test", "--no-builtin", RULES]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("2 passed, 0 failed"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "rules",
        "list",
        "--no-builtin",
        "--rules",
        RULES,
        "--format",
        "csv",
    ]);
    assert!(stdout(&out).contains("test-domain-transfer,Test: domain transferred to another AWS account,high,cloudtrail,query,\"TA0003,T1098\""), "{}", stdout(&out));
    let out = run(&[
        "rules",
        "show",
        "--no-builtin",
        "--rules",
        RULES,
        "test-dns-tcp",
    ]);
    assert!(
        stdout(&out).contains("Test: DNS query over TCP"),
        "{}",
        stdout(&out)
    );
}

/// Without a usable temporary directory for its spill file, `hunt` says so once and keeps the
/// sampled records in memory: the same alerts.
#[test]
fn without_a_spill_file_the_same_alerts() {
    let mut args = vec![
        "hunt",
        "--no-builtin",
        "--rules",
        RULES,
        "--format",
        "jsonl",
    ];
    args.extend(INPUTS);
    args.extend(["--threads", "2"]);
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let run = |tmpdir: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_r53guard"));
        cmd.current_dir(&root).args(&args);
        if let Some(dir) = tmpdir {
            cmd.env("TMPDIR", dir);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    let spilled = run(None);
    let in_memory = run(Some("/nonexistent/r53guard-no-tmp"));
    assert!(!stdout(&spilled).is_empty());
    assert_eq!(stdout(&spilled), stdout(&in_memory));
    let warned = stderr(&in_memory)
        .lines()
        .filter(|l| l.contains("cannot create a temporary file"))
        .count();
    assert_eq!(warned, 1, "{}", stderr(&in_memory));
    assert!(!stderr(&spilled).contains("temporary file"));
}

/// Files read in parallel and NDJSON files cut into ranges give the same alerts, byte for byte,
/// and the same bad-line reports (with the whole file's line numbers) as one thread.
#[test]
fn threads_and_ranges_change_nothing() {
    let dir = tempdir("threads");
    simulate_two_hours(&dir, "ndjson");
    // A blank line, a whitespace line and a broken record in the middle of each file.
    for name in ["cloudtrail.ndjson", "resolver.ndjson"] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mid = lines.len() / 2;
        let mut edited = lines[..mid].join("\n");
        edited.push_str("\n\n   \n{\"broken\": \n");
        edited.push_str(&lines[mid..].join("\n"));
        edited.push('\n');
        std::fs::write(&path, edited).unwrap();
    }
    let run = |threads: &str| {
        let out = r53guard(
            &[
                "hunt",
                dir.to_str().unwrap(),
                "--format",
                "jsonl",
                "--threads",
                threads,
                "--split-min-bytes",
                "200000",
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let mut bad: Vec<String> = stderr(&out)
            .lines()
            .filter(|l| l.contains("broken") || l.contains("EOF"))
            .map(str::to_owned)
            .collect();
        bad.sort();
        (stdout(&out), bad, stderr(&out))
    };
    let (one, bad_one, err_one) = run("1");
    let (three, bad_three, err_three) = run("3");
    assert!(one.lines().count() >= 19, "{one}");
    assert_eq!(one, three);
    assert_eq!(bad_one.len(), 2, "{err_one}");
    assert_eq!(bad_one, bad_three, "{err_three}");
    let summary = |e: &str| {
        e.lines()
            .find(|l| l.starts_with("r53guard hunt:"))
            .map(str::to_owned)
    };
    assert_eq!(summary(&err_one), summary(&err_three));
}

/// Two hours of simulated logs of both kinds in `dir` (seed 3), in `layout`.
fn simulate_two_hours(dir: &std::path::Path, layout: &str) {
    let out = r53guard(
        &[
            "simulate",
            "--out",
            dir.to_str().unwrap(),
            "--layout",
            layout,
            "--hours",
            "2",
            "--seed",
            "3",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The run summary's rule lines.
fn rule_lines(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| l.starts_with("  rules:") || l.starts_with("    "))
        .collect()
}

/// On logs in time order (the simulator's are at most 5 minutes out of order), evaluating
/// windows as event time passes gives an ordinary hunt's alerts, byte for byte and in the
/// same order, and the same rule reports, at one thread and at three with the NDJSON files cut
/// into ranges of 200 kB: for each kind alone, for a directory that holds CloudTrail logs and
/// then Resolver logs of the same hours, and for the S3 layout of two accounts, two regions
/// and three VPCs, whose objects are read by the time in their names.
#[test]
fn lateness_gives_the_alerts_of_an_ordinary_hunt() {
    let dir = tempdir("lateness");
    simulate_two_hours(&dir, "ndjson");
    let s3 = tempdir("lateness-s3");
    simulate_two_hours(&s3, "s3");
    let inputs = [
        dir.join("cloudtrail.ndjson"),
        dir.join("resolver.ndjson"),
        dir.to_path_buf(),
        s3.to_path_buf(),
    ];
    for input in inputs {
        let input = input.to_str().unwrap();
        let ordinary = r53guard(&["hunt", input, "--format", "jsonl"], None);
        assert!(stdout(&ordinary).lines().count() >= 10, "{input}");
        for threads in ["1", "3"] {
            let streamed = r53guard(
                &[
                    "hunt",
                    input,
                    "--format",
                    "jsonl",
                    "--lateness",
                    "15m",
                    "--threads",
                    threads,
                    "--split-min-bytes",
                    "200000",
                ],
                None,
            );
            assert!(streamed.status.success(), "{}", stderr(&streamed));
            assert_eq!(stdout(&streamed), stdout(&ordinary), "{input} {threads}");
            assert_eq!(
                rule_lines(&stderr(&streamed)),
                rule_lines(&stderr(&ordinary)),
                "{input} {threads}"
            );
            let err = stderr(&streamed);
            assert!(
                err.contains("\n  late: 0 matches more than 15m behind"),
                "{err}"
            );
            assert!(!err.contains(" late)"), "{err}");
        }
    }
}

/// A record that arrives more than the lateness behind the newest one is counted as late and
/// not evaluated, where an ordinary hunt, which does not depend on the order of records, still
/// alerts on it.
#[test]
fn lateness_counts_records_that_come_too_late() {
    let dir = tempdir("late");
    simulate_two_hours(&dir, "ndjson");
    let path = dir.join("cloudtrail.ndjson");
    let input = path.to_str().unwrap();
    let ordinary = r53guard(&["hunt", input, "--format", "jsonl"], None);
    let first: serde_json::Value =
        serde_json::from_str(stdout(&ordinary).lines().next().unwrap()).unwrap();
    let rule = first["rule"]["id"].as_str().unwrap().to_owned();
    assert_eq!(first["events"].as_array().unwrap().len(), 1, "{first}");
    // The first alert's record, moved to the end of the file: about two hours late.
    let line = first["events"][0]["source"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let moved = lines.remove(line - 1);
    lines.push(moved);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let reordered = r53guard(&["hunt", input, "--format", "jsonl"], None);
    assert_eq!(alert_ids(&reordered), alert_ids(&ordinary));
    let streamed = r53guard(
        &["hunt", input, "--format", "jsonl", "--lateness", "15m"],
        None,
    );
    assert!(streamed.status.success(), "{}", stderr(&streamed));
    // The record was the first alert's, and the other rules it matched (the hijack
    // sequence) count it as late too.
    let streamed_ids = alert_ids(&streamed);
    assert!(!streamed_ids.contains(first["id"].as_str().unwrap()));
    assert!(streamed_ids.len() < alert_ids(&ordinary).len());
    let err = stderr(&streamed);
    let total: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("  late: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no late line: {err}"));
    assert!(total >= 1, "{err}");
    let rule_line = err
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{rule}:")))
        .unwrap();
    assert!(rule_line.ends_with(", 1 late)"), "{rule_line}");
}

/// A bad `--lateness` duration is a usage error.
#[test]
fn lateness_takes_a_duration() {
    let input = fixture("resolver/query-log-quirks.log");
    for bad in ["soon", "0m", "15"] {
        let out = r53guard(&["hunt", input.as_str(), "--lateness", bad], None);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("--lateness"), "{}", stderr(&out));
    }
    let out = r53guard(&["hunt", input.as_str(), "--lateness", "1h"], None);
    assert!(out.status.success(), "{}", stderr(&out));
}
