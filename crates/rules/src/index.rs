//! Elastic index patterns → the record kinds r53guard runs a rule on.
//!
//! | `index` pattern | data kinds |
//! |---|---|
//! | contains `cloudtrail` (`logs-aws.cloudtrail*`, `*cloudtrail*`) | CloudTrail |
//! | contains `route53` then `resolver` (`logs-aws.route53_resolver_logs*`) | Resolver |
//! | exactly `filebeat-*`, `logs-*`, `logs-aws*` or `logs-aws.*` | both |
//! | anything else | both, with a warning |
//!
//! Patterns are compared in lower case. A rule's kinds are the union over its patterns.

use crate::model::DataKind;
use r53guard_kql::{Pattern, Segment};

const BOTH: &[DataKind] = &[DataKind::CloudTrail, DataKind::Resolver];

/// Glob (`*` only) over the pattern text → kinds; the first matching row wins.
const INDEX_TABLE: &[(&str, &[DataKind])] = &[
    ("*cloudtrail*", &[DataKind::CloudTrail]),
    ("*route53*resolver*", &[DataKind::Resolver]),
    ("filebeat-\\*", BOTH),
    ("logs-\\*", BOTH),
    ("logs-aws\\*", BOTH),
    ("logs-aws.\\*", BOTH),
];

/// The kinds an index pattern covers, or `None` when r53guard does not recognise it.
pub fn data_kinds_for_index(pattern: &str) -> Option<&'static [DataKind]> {
    let pattern = pattern.to_ascii_lowercase();
    INDEX_TABLE
        .iter()
        .find(|(glob, _)| compile(glob).matches(&pattern))
        .map(|&(_, kinds)| kinds)
}

/// Compiles a table glob: `*` is a wildcard, `\*` a literal star.
fn compile(glob: &str) -> Pattern {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => literal.extend(chars.next()),
            '*' => {
                segments.push(Segment::Literal(std::mem::take(&mut literal)));
                segments.push(Segment::Wildcard);
            }
            c => literal.push(c),
        }
    }
    segments.push(Segment::Literal(literal));
    Pattern::new(segments)
}

/// The union of the kinds of `patterns` (sorted, without repeats), and the patterns that were
/// not recognised (each of which contributes both kinds).
pub fn data_kinds_for_indices(patterns: &[String]) -> (Vec<DataKind>, Vec<&str>) {
    let mut kinds = Vec::new();
    let mut unknown = Vec::new();
    for pattern in patterns {
        let found = data_kinds_for_index(pattern).unwrap_or_else(|| {
            unknown.push(pattern.as_str());
            BOTH
        });
        kinds.extend_from_slice(found);
    }
    kinds.sort();
    kinds.dedup();
    (kinds, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataKind::{CloudTrail as Ct, Resolver as Rs};

    #[test]
    fn table() {
        let cases: &[(&str, Option<&[DataKind]>)] = &[
            ("logs-aws.cloudtrail-*", Some(&[Ct])),
            ("logs-aws.cloudtrail*", Some(&[Ct])),
            ("my-CloudTrail-archive", Some(&[Ct])),
            ("logs-aws.route53_resolver_logs-*", Some(&[Rs])),
            ("route53-resolver-2024*", Some(&[Rs])),
            ("filebeat-*", Some(BOTH)),
            ("logs-*", Some(BOTH)),
            ("logs-aws*", Some(BOTH)),
            ("logs-aws.*", Some(BOTH)),
            ("logs-endpoint.events-*", None),
            ("filebeat-8*", None),
            ("*", None),
        ];
        for &(pattern, want) in cases {
            assert_eq!(data_kinds_for_index(pattern), want, "{pattern}");
        }
    }

    #[test]
    fn union() {
        let patterns = vec![
            "logs-aws.cloudtrail-*".to_string(),
            "logs-aws.route53_resolver_logs-*".to_string(),
            "logs-aws.cloudtrail-*".to_string(),
        ];
        assert_eq!(data_kinds_for_indices(&patterns), (vec![Ct, Rs], vec![]));
        let odd = vec!["winlogbeat-*".to_string()];
        assert_eq!(
            data_kinds_for_indices(&odd),
            (vec![Ct, Rs], vec!["winlogbeat-*"])
        );
    }
}
