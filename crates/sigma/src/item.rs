//! Detection items: a field (none for keywords), its modifiers and its values, with the
//! modifier chain applied left to right to each value. The result ([`Lowered`]) is what both
//! the compiled matcher and the reference evaluator consume.
//!
//! Rules enforced as pySigma does:
//! * `re`, `cidr`, `exists`, `fieldref`, `gt`/`gte`/`lt`/`lte` and the time-part modifiers
//!   need an unmodified value: they must be the first value-changing modifier (`all` and `neq`
//!   do not change values);
//! * `i`/`m`/`s` (also spelled `ignorecase`/`multiline`/`dotall`) only follow `re`;
//! * `fieldref`, `base64` and `base64offset` reject wildcards;
//! * `contains`/`startswith`/`endswith` add `*` only where none is present;
//! * `base64offset` yields three encodings (offsets 0, 1, 2), each trimmed to the part that
//!   does not depend on the bytes around the value;
//! * `utf16le`/`wide`, `utf16be` and `utf16` (little-endian with a byte-order mark) encode the
//!   value; r53guard matches text, so they must be followed by `base64` or `base64offset`;
//! * `windash` expands each `-` or `/` that starts a word (pySigma's `\B[-/]\b`) into `-`, `/`,
//!   U+2013, U+2014 and U+2015 (all combinations, capped at [`MAX_VARIANTS`]);
//! * `expand` turns `%name%` into placeholders, resolved at compile time from the mapping.

use crate::modifiers::{CompareOp, MAX_VARIANTS, Modifier, RefMode, TimePart};
use crate::pattern::{Part, SigmaString};
use crate::yaml::Yaml;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use r53guard_kql::ip::Cidr;

/// One way a field value can match, after every modifier was applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Leaf {
    /// A (wildcard) string. `plain` is true when no modifier changed the value, so a numeric
    /// literal also compares numerically with JSON numbers.
    Str {
        /// The pattern.
        value: SigmaString,
        /// Case-sensitive (`cased`).
        cased: bool,
        /// Unmodified value.
        plain: bool,
    },
    /// A regular expression (search semantics: it may match anywhere).
    Regex {
        /// The expression as written.
        pattern: String,
        /// `i`
        ignore_case: bool,
        /// `m`
        multiline: bool,
        /// `s`
        dot_all: bool,
    },
    /// An IP network.
    Cidr(Cidr),
    /// An ordering against a value (numbers numerically, else as strings).
    Compare(CompareOp, String),
    /// A part of a date equals a number.
    TimePart(TimePart, i64),
    /// Compare with another field of the same event.
    FieldRef {
        /// The other field (a Sigma field name, mapped like any other).
        field: String,
        /// How.
        mode: RefMode,
    },
}

/// The whole detection item after its modifiers.
#[derive(Debug, Clone, PartialEq)]
pub enum Lowered {
    /// Values (each a list of alternative leaves, any of which may match). The item holds when
    /// any value matches, or with `all` when every value matches.
    Values {
        /// The values.
        values: Vec<Vec<Leaf>>,
        /// `all`
        all: bool,
    },
    /// `exists: true/false`.
    Exists(bool),
    /// `null`: the field is absent or null.
    Null,
}

/// A detection item: field (none for keywords), modifiers, values, and the lowered form.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The field as written in the rule (`None` for keyword searches).
    pub field: Option<String>,
    /// The modifiers, in order.
    pub modifiers: Vec<Modifier>,
    /// The values as written.
    pub values: Vec<Yaml>,
    /// `neq`: the item is negated.
    pub negated: bool,
    /// The item after its modifiers.
    pub lowered: Lowered,
}

impl Item {
    /// Builds an item from its key and values, applying the modifiers.
    pub fn new(
        field: Option<String>,
        modifiers: Vec<Modifier>,
        values: Vec<Yaml>,
    ) -> Result<Item, String> {
        let lowered = lower(field.as_deref(), &modifiers, &values)?;
        Ok(Item {
            negated: modifiers.contains(&Modifier::Neq),
            field,
            modifiers,
            values,
            lowered,
        })
    }

    /// The Sigma field names the item reads (its field and any `fieldref` target).
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.field.as_deref().into_iter().collect();
        if let Lowered::Values { values, .. } = &self.lowered {
            for leaf in values.iter().flatten() {
                if let Leaf::FieldRef { field, .. } = leaf
                    && !out.contains(&field.as_str())
                {
                    out.push(field);
                }
            }
        }
        out
    }
}

/// A value while the modifier chain is applied.
#[derive(Debug, Clone)]
enum Stage {
    Str { s: SigmaString, cased: bool },
    Bytes(Vec<u8>),
    Done(Leaf),
}

fn lower(field: Option<&str>, mods: &[Modifier], values: &[Yaml]) -> Result<Lowered, String> {
    if values.is_empty() {
        return Err("empty value list".into());
    }
    if values
        .iter()
        .any(|v| matches!(v, Yaml::Seq(_) | Yaml::Map(_)))
    {
        return Err("a value must be a scalar (string, number or boolean) or null".into());
    }
    let has_null = values.iter().any(|v| matches!(v, Yaml::Null));
    if has_null {
        if values.len() > 1 {
            return Err("`null` cannot sit in a value list: give it a selection of its own".into());
        }
        if field.is_none() {
            return Err("`null` needs a field".into());
        }
        if mods.iter().any(|m| *m != Modifier::Neq) {
            return Err("`null` takes no modifier (use `exists` to test presence)".into());
        }
        return Ok(Lowered::Null);
    }
    if mods.contains(&Modifier::Exists) {
        return lower_exists(field, mods, values);
    }
    let all = mods.contains(&Modifier::All);
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        out.push(lower_value(field, mods, v)?);
    }
    Ok(Lowered::Values { values: out, all })
}

fn lower_exists(
    field: Option<&str>,
    mods: &[Modifier],
    values: &[Yaml],
) -> Result<Lowered, String> {
    if field.is_none() {
        return Err("`exists` needs a field".into());
    }
    if mods
        .iter()
        .any(|m| !matches!(m, Modifier::Exists | Modifier::Neq))
    {
        return Err("`exists` must be the first value-changing modifier and takes no other".into());
    }
    match values {
        [Yaml::Bool(b)] => Ok(Lowered::Exists(*b)),
        [_] => Err("`exists` takes `true` or `false`".into()),
        _ => Err("`exists` takes a single boolean".into()),
    }
}

fn lower_value(field: Option<&str>, mods: &[Modifier], v: &Yaml) -> Result<Vec<Leaf>, String> {
    let text = v.scalar_text().unwrap_or_default();
    let mut stages = vec![Stage::Str {
        s: SigmaString::parse(&text),
        cased: false,
    }];
    let mut changed = false;
    let mut after_re = false;
    for &m in mods {
        match m {
            Modifier::All | Modifier::Neq => continue,
            Modifier::Re
            | Modifier::Cidr
            | Modifier::FieldRef
            | Modifier::Gt
            | Modifier::Gte
            | Modifier::Lt
            | Modifier::Lte
            | Modifier::Minute
            | Modifier::Hour
            | Modifier::Day
            | Modifier::Week
            | Modifier::Month
            | Modifier::Year => {
                if changed {
                    return Err(format!("`{m}` must be the first value-changing modifier"));
                }
                stages = vec![Stage::Done(first_leaf(field, m, v, &text)?)];
                after_re = m == Modifier::Re;
            }
            Modifier::ReIgnoreCase | Modifier::ReMultiline | Modifier::ReDotAll => {
                if !after_re {
                    return Err(format!(
                        "`{m}` is a sub-modifier of `re` and must follow it"
                    ));
                }
                for st in &mut stages {
                    if let Stage::Done(Leaf::Regex {
                        ignore_case,
                        multiline,
                        dot_all,
                        ..
                    }) = st
                    {
                        match m {
                            Modifier::ReIgnoreCase => *ignore_case = true,
                            Modifier::ReMultiline => *multiline = true,
                            _ => *dot_all = true,
                        }
                    }
                }
            }
            Modifier::Exists => {
                return Err("`exists` must be the first value-changing modifier".into());
            }
            other => {
                let mut next = Vec::with_capacity(stages.len());
                for st in stages {
                    apply(other, st, &mut next)?;
                    if next.len() > MAX_VARIANTS {
                        return Err(format!(
                            "`{other}` expands a value into more than {MAX_VARIANTS} variants"
                        ));
                    }
                }
                stages = next;
            }
        }
        changed = true;
    }
    let plain = !changed;
    stages
        .into_iter()
        .map(|st| match st {
            Stage::Str { s, cased } => Ok(Leaf::Str {
                value: s,
                cased,
                plain,
            }),
            Stage::Bytes(_) => Err(
                "UTF-16 modifiers must be followed by `base64` or `base64offset` \
                 (r53guard matches text, not raw UTF-16 bytes)"
                    .to_owned(),
            ),
            Stage::Done(leaf) => Ok(leaf),
        })
        .collect()
}

/// The leaf of a modifier that needs the unmodified value.
fn first_leaf(field: Option<&str>, m: Modifier, v: &Yaml, text: &str) -> Result<Leaf, String> {
    if field.is_none() && m != Modifier::Re {
        return Err(format!("`{m}` needs a field"));
    }
    if let Some(op) = m.compare_op() {
        return Ok(Leaf::Compare(op, text.to_owned()));
    }
    if let Some(part) = m.time_part() {
        return match v {
            Yaml::Int(n) => n
                .parse::<i64>()
                .map(|n| Leaf::TimePart(part, n))
                .map_err(|_| format!("`{m}` value {n} is out of range")),
            other => Err(format!("`{m}` takes an integer, not {}", other.type_name())),
        };
    }
    match m {
        Modifier::Re => Ok(Leaf::Regex {
            pattern: text.to_owned(),
            ignore_case: false,
            multiline: false,
            dot_all: false,
        }),
        Modifier::Cidr => Cidr::parse(text)
            .map(Leaf::Cidr)
            .ok_or_else(|| format!("`{text}` is not an IPv4 or IPv6 network")),
        _ => {
            let s = SigmaString::parse(text);
            if s.has_wildcards() {
                return Err("field references must not contain wildcards".into());
            }
            Ok(Leaf::FieldRef {
                field: s.as_literal().unwrap_or_default(),
                mode: RefMode::Equal,
            })
        }
    }
}

/// Applies a value-transforming modifier to one stage, pushing the resulting variants.
fn apply(m: Modifier, st: Stage, out: &mut Vec<Stage>) -> Result<(), String> {
    match (m, st) {
        (
            Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith,
            Stage::Str { s, cased },
        ) => {
            let s = match m {
                Modifier::Contains => s.with_leading_star().with_trailing_star(),
                Modifier::StartsWith => s.with_trailing_star(),
                _ => s.with_leading_star(),
            };
            out.push(Stage::Str { s, cased });
        }
        // pySigma only adds `.*` around an unanchored regex, which does not change what a
        // search-semantics regex matches.
        (
            Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith,
            st @ Stage::Done(Leaf::Regex { .. }),
        ) => out.push(st),
        (
            Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith,
            Stage::Done(Leaf::FieldRef { field, mode, .. }),
        ) => {
            let (starts, ends) = match mode {
                RefMode::Equal => (false, false),
                RefMode::Prefix => (true, false),
                RefMode::Suffix => (false, true),
                RefMode::Contains => (true, true),
            };
            let (starts, ends) = match m {
                Modifier::Contains => (true, true),
                Modifier::StartsWith => (true, ends),
                _ => (starts, true),
            };
            let mode = match (starts, ends) {
                (true, true) => RefMode::Contains,
                (true, false) => RefMode::Prefix,
                (false, true) => RefMode::Suffix,
                (false, false) => RefMode::Equal,
            };
            out.push(Stage::Done(Leaf::FieldRef { field, mode }));
        }
        (Modifier::Cased, Stage::Str { s, .. }) => out.push(Stage::Str { s, cased: true }),
        (Modifier::Expand, Stage::Str { s, cased }) => out.push(Stage::Str {
            s: s.with_placeholders(),
            cased,
        }),
        (Modifier::Windash, Stage::Str { s, cased }) => {
            for s in windash(&s)? {
                out.push(Stage::Str { s, cased });
            }
        }
        (Modifier::Utf16Le | Modifier::Utf16Be | Modifier::Utf16, Stage::Str { s, .. }) => {
            let text = plain_text(&s, m)?;
            let bytes: Vec<u8> = match m {
                Modifier::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                Modifier::Utf16 => [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect(),
                _ => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            };
            out.push(Stage::Bytes(bytes));
        }
        (Modifier::Base64 | Modifier::Base64Offset, Stage::Str { s, cased }) => {
            push_base64(m, plain_text(&s, m)?.as_bytes(), cased, out);
        }
        (Modifier::Base64 | Modifier::Base64Offset, Stage::Bytes(bytes)) => {
            push_base64(m, &bytes, false, out);
        }
        (m, Stage::Bytes(_)) => {
            return Err(format!(
                "`{m}` cannot apply to UTF-16 bytes: put `base64` or `base64offset` right after the UTF-16 modifier"
            ));
        }
        (m, Stage::Done(leaf)) => {
            return Err(format!("`{m}` cannot apply to {}", leaf_kind(&leaf)));
        }
        (m, Stage::Str { .. }) => {
            return Err(format!("`{m}` cannot apply here"));
        }
    }
    Ok(())
}

/// Pushes the `base64` encoding, or the three `base64offset` encodings, of `data`.
fn push_base64(m: Modifier, data: &[u8], cased: bool, out: &mut Vec<Stage>) {
    let encodings = if m == Modifier::Base64 {
        vec![STANDARD.encode(data)]
    } else {
        base64_offsets(data)
    };
    for text in encodings {
        out.push(Stage::Str {
            s: SigmaString::literal(&text),
            cased,
        });
    }
}

fn leaf_kind(leaf: &Leaf) -> &'static str {
    match leaf {
        Leaf::Str { .. } => "a string",
        Leaf::Regex { .. } => "a regular expression (`re`)",
        Leaf::Cidr(_) => "a network (`cidr`)",
        Leaf::Compare(..) => "a comparison (`gt`/`gte`/`lt`/`lte`)",
        Leaf::TimePart(..) => "a time part",
        Leaf::FieldRef { .. } => "a field reference (`fieldref`)",
    }
}

/// The literal text of a value an encoding modifier applies to (no wildcards, no placeholders).
fn plain_text(s: &SigmaString, m: Modifier) -> Result<String, String> {
    if s.has_placeholders() {
        return Err(format!("`{m}` cannot encode placeholders"));
    }
    s.as_literal()
        .ok_or_else(|| format!("`{m}` encoding of strings with wildcards is not allowed"))
}

/// The three base64 encodings of `data` at offsets 0, 1 and 2 within the encoded stream,
/// each cut down to the characters that do not depend on neighbouring bytes.
pub fn base64_offsets(data: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(data);
            let enc = STANDARD.encode(&padded);
            let end = match (data.len() + i) % 3 {
                0 => enc.len(),
                1 => enc.len().saturating_sub(3),
                _ => enc.len().saturating_sub(2),
            };
            enc.get(START[i]..end).unwrap_or_default().to_owned()
        })
        .collect()
}

/// The `windash` variants of `s`.
fn windash(s: &SigmaString) -> Result<Vec<SigmaString>, String> {
    const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];
    let mut variants: Vec<Vec<Part>> = vec![Vec::new()];
    for part in s.parts() {
        let Part::Lit(text) = part else {
            for v in &mut variants {
                v.push(part.clone());
            }
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        let mut piece = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let before_is_word = i > 0 && is_word_char(chars[i - 1]);
            let after_is_word = chars.get(i + 1).is_some_and(|&n| is_word_char(n));
            if matches!(c, '-' | '/') && !before_is_word && after_is_word {
                let mut next = Vec::with_capacity(variants.len() * DASHES.len());
                for v in &variants {
                    for d in DASHES {
                        let mut nv = v.clone();
                        nv.push(Part::Lit(format!("{piece}{d}")));
                        next.push(nv);
                    }
                }
                if next.len() > MAX_VARIANTS {
                    return Err(format!(
                        "`windash` expands a value into more than {MAX_VARIANTS} variants"
                    ));
                }
                variants = next;
                piece.clear();
            } else {
                piece.push(c);
            }
        }
        for v in &mut variants {
            v.push(Part::Lit(piece.clone()));
        }
    }
    Ok(variants.into_iter().map(SigmaString::from_parts).collect())
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modifiers::parse_key;

    fn leaves(key: &str, v: Yaml) -> Result<Vec<Leaf>, String> {
        let (field, mods) = parse_key(key)?;
        match lower(field.as_deref(), &mods, &[v])? {
            Lowered::Values { mut values, .. } => Ok(values.remove(0)),
            other => Err(format!("{other:?}")),
        }
    }

    fn strs(key: &str, v: &str) -> Vec<String> {
        leaves(key, Yaml::Str(v.into()))
            .unwrap()
            .into_iter()
            .map(|l| match l {
                Leaf::Str { value, .. } => value.to_sigma(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn base64offset_matches_pysigma() {
        assert_eq!(strs("f|base64", "/bin/bash"), ["L2Jpbi9iYXNo"]);
        assert_eq!(
            strs("f|base64offset|contains", "/bin/bash"),
            ["*L2Jpbi9iYXNo*", "*9iaW4vYmFza*", "*vYmluL2Jhc2*"]
        );
        assert_eq!(
            strs("f|wide|base64offset", "ping"),
            ["cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA"]
        );
        assert_eq!(strs("f|utf16|base64", "a"), ["//5hAA=="]);
        assert_eq!(strs("f|utf16be|base64", "a"), ["AGE="]);
    }

    #[test]
    fn windash_expands_word_starting_dashes() {
        let v = strs("f|windash", "-a x-y /b");
        assert_eq!(v.len(), 25);
        assert!(v.contains(&"/a x-y -b".to_owned()));
        assert!(v.contains(&"\u{2013}a x-y \u{2015}b".to_owned()));
        assert_eq!(strs("f|windash|contains", "a-b"), ["*a-b*"]);
    }

    #[test]
    fn ordering_rules() {
        assert!(leaves("f|contains|re", Yaml::Str("x".into())).is_err());
        assert!(leaves("f|all|re|i", Yaml::Str("x".into())).is_ok());
        assert!(leaves("f|i", Yaml::Str("x".into())).is_err());
        assert!(leaves("f|base64", Yaml::Str("a*".into())).is_err());
        assert!(leaves("f|fieldref", Yaml::Str("a*".into())).is_err());
        assert!(leaves("f|wide", Yaml::Str("a".into())).is_err());
        assert!(leaves("f|cidr", Yaml::Str("10.0.0.0/33".into())).is_err());
        assert!(leaves("f|re|cased", Yaml::Str("a".into())).is_err());
        assert!(leaves("f|hour", Yaml::Str("3".into())).is_err());
        assert!(leaves("|cidr", Yaml::Str("10.0.0.0/8".into())).is_err());
        assert_eq!(
            leaves("f|fieldref|endswith", Yaml::Str("g".into())).unwrap(),
            [Leaf::FieldRef {
                field: "g".into(),
                mode: RefMode::Suffix,
            }]
        );
    }

    #[test]
    fn contains_adds_stars_only_where_missing() {
        assert_eq!(strs("f|contains", "*a"), ["*a*"]);
        assert_eq!(strs("f|startswith", "a*"), ["a*"]);
        assert_eq!(strs("f|endswith", r"a\*"), [r"*a\*"]);
    }
}
