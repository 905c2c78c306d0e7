//! YAML input: a file split into its documents, each parsed with serde-saphyr into a small
//! typed tree ([`Yaml`]) that keeps mapping order and scalar types.
//!
//! Documents are split at column-0 `---` lines (and ended by `...` lines) before parsing, so a
//! broken document is reported on its own (with its index and its line in the file) and the
//! other documents of the file still load. YAML forbids a document marker inside a document's
//! content, so this split agrees with a YAML parser's.
//!
//! Scalars follow the YAML 1.2 core schema (`yes`/`no`/`on`/`off` stay strings; integers with
//! leading zeros such as `070` and numbers with `_` stay strings; `.inf`/`.nan` stay strings).
//! serde-saphyr's budget limits nesting depth, node count, aliases and scalar bytes, so hostile
//! input is rejected with an error instead of exhausting the stack or memory.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A parsed YAML node.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer, kept as its decimal text.
    Int(String),
    /// A floating-point number, kept as its shortest decimal text.
    Float(String),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping, in document order. Scalar keys are kept as text.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar (strings, numbers and booleans); `None` for null and collections.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Yaml::Bool(b) => Some(b.to_string()),
            Yaml::Int(t) | Yaml::Float(t) | Yaml::Str(t) => Some(t.clone()),
            Yaml::Null | Yaml::Seq(_) | Yaml::Map(_) => None,
        }
    }

    /// The string, for string scalars only.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the node's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Yaml::Null => "null",
            Yaml::Bool(_) => "a boolean",
            Yaml::Int(_) => "an integer",
            Yaml::Float(_) => "a number",
            Yaml::Str(_) => "a string",
            Yaml::Seq(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Yaml, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }
    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        Yaml::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Yaml, E> {
        Ok(Yaml::Int(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Yaml, E> {
        Ok(Yaml::Int(n.to_string()))
    }
    fn visit_i128<E>(self, n: i128) -> Result<Yaml, E> {
        Ok(Yaml::Int(n.to_string()))
    }
    fn visit_u128<E>(self, n: u128) -> Result<Yaml, E> {
        Ok(Yaml::Int(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Yaml, E> {
        Ok(Yaml::Float(n.to_string()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Yaml, E> {
        Ok(Yaml::Str(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Yaml, E> {
        Ok(Yaml::Str(s))
    }
    fn visit_bytes<E>(self, b: &[u8]) -> Result<Yaml, E> {
        Ok(Yaml::Str(String::from_utf8_lossy(b).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Yaml::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Yaml>()? {
            let key = match key {
                Yaml::Null => "null".to_owned(),
                other => other.scalar_text().ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "a mapping key must be a scalar, not {}",
                        other.type_name()
                    ))
                })?,
            };
            entries.push((key, map.next_value()?));
        }
        Ok(Yaml::Map(entries))
    }
}

/// One document of a file.
#[derive(Debug, Clone)]
pub struct Document {
    /// 1-based index among the file's non-empty documents.
    pub index: usize,
    /// 1-based line of the file where the document starts.
    pub line: usize,
    /// The parsed document, or why it could not be parsed.
    pub parsed: Result<Yaml, String>,
    /// The value of a `# source: …` comment line inside the document, if any.
    pub source_hint: Option<String>,
}

/// Splits `text` into documents and parses each one. Documents holding only comments or
/// whitespace are skipped (they do not take an index).
pub fn documents(text: &str) -> Vec<Document> {
    let mut out = Vec::new();
    for (line, chunk) in split_documents(text) {
        if chunk.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---" || t.starts_with("%")
        }) {
            continue;
        }
        out.push(Document {
            index: out.len() + 1,
            line,
            parsed: parse_one(chunk, line),
            source_hint: source_hint(chunk),
        });
    }
    out
}

/// Parses one YAML document (the whole of `text`) with the options this crate uses.
pub fn parse_one(text: &str, first_line: usize) -> Result<Yaml, String> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<Yaml>(text, options).map_err(|e| {
        let message = e.without_snippet().to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        match e.location() {
            Some(loc) => format!(
                "line {}, column {}: {message}",
                loc.line() as usize + first_line - 1,
                loc.column()
            ),
            None => message,
        }
    })
}

/// The document chunks of `text` with the 1-based line each starts on.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_start = bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t");
        let is_end = bare == "..." || bare.starts_with("... ");
        if is_start || is_end {
            chunks.push((start_line, &text[start..offset]));
            start = if is_end { offset + line.len() } else { offset };
            start_line = if is_end { i + 2 } else { i + 1 };
        }
        offset += line.len();
    }
    chunks.push((start_line, &text[start..]));
    chunks
}

/// The value of a `# source: path-or-url` comment line.
fn source_hint(chunk: &str) -> Option<String> {
    chunk.lines().find_map(|l| {
        let rest = l.trim().strip_prefix('#')?.trim_start();
        let value = rest.strip_prefix("source:")?.trim();
        (!value.is_empty()).then(|| value.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_indexes_documents() {
        let text = "# header\n---\na: 1\n---\n# only a comment\n---\nb: [\n...\nc: x # source: no\n# source: rules/x.yml\n";
        let docs = documents(text);
        assert_eq!(docs.len(), 3);
        assert_eq!((docs[0].index, docs[0].line), (1, 2));
        assert_eq!(
            docs[0].parsed,
            Ok(Yaml::Map(vec![("a".into(), Yaml::Int("1".into()))]))
        );
        let err = docs[1].parsed.clone().unwrap_err();
        assert!(err.starts_with("line 7"), "{err}");
        assert_eq!(docs[2].line, 9);
        assert_eq!(docs[2].source_hint.as_deref(), Some("rules/x.yml"));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let y = parse_one("a: no\nb: 070\nc: 1.5\nd: ~\ne: true\nf: '7'\n", 1).unwrap();
        assert_eq!(y.get("a"), Some(&Yaml::Str("no".into())));
        assert_eq!(y.get("b"), Some(&Yaml::Str("070".into())));
        assert_eq!(y.get("c"), Some(&Yaml::Float("1.5".into())));
        assert_eq!(y.get("d"), Some(&Yaml::Null));
        assert_eq!(y.get("e"), Some(&Yaml::Bool(true)));
        assert_eq!(y.get("f"), Some(&Yaml::Str("7".into())));
    }

    #[test]
    fn hostile_input_is_an_error() {
        let deep = "[".repeat(10_000);
        assert!(parse_one(&deep, 1).is_err());
        assert!(parse_one("a: 1\na: 2\n", 1).is_err());
        assert!(parse_one("? [a]\n: 1\n", 1).is_err());
    }
}
