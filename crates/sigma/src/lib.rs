//! Sigma rules for r53guard: parse Sigma YAML (rules, correlations, filters), map their fields
//! onto r53guard's CloudTrail and Route 53 Resolver records, and compile each rule into a
//! matcher over the event view ([`r53guard_event::Event`]).
//!
//! ```
//! use r53guard_event::{Classified, Projector, Schema};
//! use r53guard_sigma::{CompiledSigma, Mapping, SigmaSet};
//!
//! let set = SigmaSet::load([("rule.yml", r#"
//! title: Domain transfer lock disabled
//! author: someone
//! logsource: {product: aws, service: cloudtrail}
//! detection:
//!     selection:
//!         eventSource: route53domains.amazonaws.com
//!         eventName: DisableDomainTransferLock
//!     condition: selection
//! level: high
//! "#)]);
//! assert!(set.diagnostics.is_empty());
//! let mapping = Mapping::builtin()?;
//! let mut schema = Schema::new();
//! let rule = CompiledSigma::compile(&set.rules[0], &mapping, &mut schema)?;
//! let record = r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z",
//!     "eventSource":"route53domains.amazonaws.com","eventName":"disableDomainTransferLock"}"#;
//! let mut projector = Projector::new(&schema);
//! let Ok(Classified::Event(ev)) = projector.project(record) else { unreachable!() };
//! assert!(rule.matches(&ev)); // values compare case-insensitively
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is supported
//!
//! * **Documents** ([`SigmaSet`]): multi-document files (`---`); rule documents with every
//!   field of specification v2.1.0 (custom fields kept); correlation documents
//!   ([`Correlation`]: `event_count`, `value_count`, `temporal`, `temporal_ordered`, with
//!   `rules`, `group-by`, `timespan`, `condition`, `aliases`, `generate`) resolved by id or name,
//!   chains included; filter documents ([`Filter`]) attached to the rules they list. Every
//!   document that is not loaded leaves a [`Diagnostic`] naming the file, the document index
//!   and line, and the reason.
//! * **Detection**: maps (AND), lists of maps (OR), value lists (OR, AND with `all`), keyword
//!   lists, `null`, `''`; the full condition grammar ([`condition`]), with errors drawn as
//!   carets under the offending span.
//! * **Modifiers** (all of v2.1.0, see [`modifiers`] and [`item`]): `contains`, `startswith`, `endswith`,
//!   `all`, `re` with `i`/`m`/`s`, `base64`, `base64offset`, `utf16le`/`wide`, `utf16be`,
//!   `utf16`, `windash`, `cidr`, `exists`, `gt`/`gte`/`lt`/`lte`, `fieldref` (also with `neq`,
//!   `contains`, `startswith`, `endswith`), `cased`, `neq`, `expand`, and the time parts
//!   `minute`, `hour`, `day`, `week`, `month`, `year`.
//! * **Field mapping** as data ([`Mapping`], default in `mappings/default.yml`):
//!   `{product: aws, service: cloudtrail}` rules read CloudTrail paths as written (dotted paths
//!   through nested objects) and run on CloudTrail records; `{category: dns}`,
//!   `{category: network, service: dns}`, `{product: zeek, service: dns}` and
//!   `{category: dns_query}` rules run on Resolver records, with `query`/`QueryName` →
//!   `dns.question.name` (the query name **without** its trailing dot), `record_type` →
//!   `query_type`, `answer`/`answers` → `answers.Rdata`, `src_ip` → `srcaddr` and more. Other log
//!   sources are reported as not applicable. [`field_report`] lists the fields a rule reads
//!   and whether the mapping knows them (for `r53guard sigma check`).
//! * **Matching**: [`CompiledSigma`] (fast paths, see [`compile`]) and the reference evaluator
//!   [`reference::evaluate`] (the test oracle), with identical semantics:
//!   * strings compare case-insensitively (Unicode lower-casing) unless `cased`; `*` and `?`
//!     wildcards; `\*`, `\?`, `\\` escapes, any other backslash literal;
//!   * a field may have several values (arrays at any level are flattened); an item holds when
//!     any value matches;
//!   * **a condition on a missing field is false**, so `not selection` over a missing field
//!     is true; `null` holds when the field is absent or only null; `exists: true` when it has
//!     a non-null value;
//!   * a plain numeric rule value equals a JSON number numerically (`70` equals the JSON
//!     numbers `70`, `70.0` and `7e1`); otherwise values compare as text: strings as they are,
//!     numbers as written, booleans as `true`/`false`, objects as their JSON text as written
//!     in the record (so `requestParameters|contains: 'Suspended'` searches the object);
//!     orderings (`gt`…) compare numerically when both sides are numbers;
//!   * `re` searches anywhere in the value, case-sensitive unless `i`;
//!   * keywords search the record's raw JSON text, case-insensitively, anywhere: the keyword's
//!     literal text is JSON-escaped first so that `C:\Windows` finds the text `C:\\Windows`.
//!     A keyword can therefore also match key names and cross value boundaries with `*`.
//! * **Attribution** (DRL 1.1): [`SigmaRule::author`], [`SigmaRule::references`] and
//!   [`SigmaRule::source_url`] (from a `# source: rules/…` comment; relative paths are taken
//!   under `https://github.com/SigmaHQ/sigma/blob/master/`) must be carried into alerts;
//!   [`SigmaRule::severity`] maps `level` (`informational` → low).
//!
//! # Deviations from pySigma
//!
//! * **YAML 1.2 core schema**: `yes`/`no`/`on`/`off` are strings (PyYAML reads them as
//!   booleans), integers with leading zeros (`070`) stay strings, `1.10` reads as the number
//!   `1.1`. Duplicate keys are an error (PyYAML keeps the last).
//! * **Condition patterns** are anchored at the start only, **as pySigma does**: `1 of sel`
//!   also takes `selection`. This is replicated deliberately; a pattern matching nothing is an
//!   error.
//! * **Regular expressions** use the `regex` crate (RE2-like): no look-around or
//!   back-references; such a rule is reported unsupported. They search (are not anchored);
//!   `contains`/`startswith`/`endswith` after `re` only add `.*` in pySigma, which changes
//!   nothing under search semantics.
//! * **Orderings** (`gt`…) also accept non-numeric values and then compare case-folded strings
//!   (pySigma requires numbers); two numbers always compare numerically.
//! * **UTF-16 modifiers** must be followed by `base64` or `base64offset` (records are text).
//! * **`expand`** needs the placeholder values in the mapping (`placeholders:`); without them
//!   the rule is refused (pySigma leaves that to a processing pipeline).
//! * **Time modifiers** read ISO 8601 / RFC 3339 text as UTC; `week` is the ISO 8601 week.
//! * **Filters** apply as `rule and not filter` (the specification's example semantics).
//! * **`null`** cannot take modifiers other than `neq`, and cannot sit in a value list.
//! * **Correlations** `value_sum`, `value_avg`, `value_percentile` are reported unsupported;
//!   `group-by` may be omitted (one group). Correlations are not evaluated here: the engine
//!   compiles the typed model onto its threshold and sequence machinery.
//! * Sigma 1 constructs (`| count()`, `| near`, `timeframe`, `action: global`) are rejected with
//!   a pointer to correlation rules.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alert_meta;
pub mod compile;
pub mod condition;
pub mod correlation;
pub mod diagnostics;
pub mod filter;
pub mod item;
pub mod mapping;
pub mod model;
pub mod modifiers;
pub mod pattern;
pub mod reference;
pub mod set;
mod text;
mod values;
pub mod yaml;

pub use compile::CompiledSigma;
pub use correlation::{
    Correlation, CorrelationCondition, CorrelationKind, CountOp, FieldAlias, Target,
};
pub use diagnostics::{Diagnostic, Level as DiagnosticLevel, Origin, Unsupported};
pub use filter::{AppliedFilter, Filter};
pub use mapping::{FieldReport, FieldUse, Mapping, SourceMap, field_report};
pub use model::{Detection, Level, LogSource, Search, SigmaRule, Status};
pub use set::SigmaSet;
