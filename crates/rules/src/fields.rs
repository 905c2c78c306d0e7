//! The field names a KQL query reads, for [`crate::Rule::fields_read`].

use r53guard_kql::{Field, Query, Segment};
use std::collections::BTreeSet;

/// What a free-text term reads: every field.
pub const ALL_FIELDS: &str = "*";

/// Adds every field `query` reads to `out`, each prefixed with `prefix` (the enclosing
/// nested paths joined with dots, ending with a dot, or empty).
pub(crate) fn query_fields(query: &Query, prefix: &str, out: &mut BTreeSet<String>) {
    match query {
        Query::MatchAll => {}
        Query::Term { field, .. } | Query::Exists { field } | Query::Range { field, .. } => {
            out.insert(format!("{prefix}{}", field_text(field)));
        }
        Query::Nested { path, query } => query_fields(query, &format!("{prefix}{path}."), out),
        Query::FreeText(_) => {
            out.insert(ALL_FIELDS.to_string());
        }
        Query::And(children) | Query::Or(children) => {
            for child in children {
                query_fields(child, prefix, out);
            }
        }
        Query::Not(inner) => query_fields(inner, prefix, out),
    }
}

/// A field's path, or its pattern with `*` for each wildcard.
fn field_text(field: &Field) -> String {
    match field {
        Field::Path(path) => path.clone(),
        Field::Pattern(pattern) => pattern
            .segments()
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.as_str(),
                Segment::Wildcard => "*",
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_paths_nested_patterns_and_free_text() {
        let query = r53guard_kql::parse(
            "a.b:1 and not c:* and (d < 5 or answers:{ Rdata:x and t:{ u:y } }) and user.*:bob",
        )
        .unwrap();
        let mut out = BTreeSet::new();
        query_fields(&query, "", &mut out);
        let want = ["a.b", "answers.Rdata", "answers.t.u", "c", "d", "user.*"];
        assert_eq!(out.iter().map(String::as_str).collect::<Vec<_>>(), want);
        let mut out = BTreeSet::new();
        query_fields(&r53guard_kql::parse("evil").unwrap(), "", &mut out);
        assert!(out.contains(ALL_FIELDS));
    }
}
