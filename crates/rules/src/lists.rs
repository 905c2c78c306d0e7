//! Value lists: plain-text files of items that exceptions test against (`is_in_list`).
//!
//! A list file (`lists/<id>.txt`) starts with header comment lines beginning with `#`.
//! A header line of the form `# key: value` (a single word key of letters, digits, `_` or `-`)
//! is metadata — by convention `source`, `licence` and `date` — and any other header line is
//! free text. Then comes one item per line, with surrounding whitespace trimmed. Blank lines
//! are ignored, and so are `#` lines after the first item. The list's id is the file stem.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Source;
use std::collections::BTreeMap;
use std::path::Path;

/// A value list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueList {
    /// The id exceptions use (`list = "…"`): the file stem.
    pub id: String,
    /// `# key: value` header lines, keys lower-cased.
    pub metadata: BTreeMap<String, String>,
    /// Other header comment lines, without the `#`.
    pub comments: Vec<String>,
    /// The items, in file order.
    pub items: Vec<String>,
    /// Where the list came from.
    pub origin: Source,
}

impl ValueList {
    /// Parses list text. Fails only when `id` is not a valid list id (letters, digits, `.`,
    /// `_`, `-`).
    pub fn parse(id: &str, text: &str, origin: Source) -> Result<ValueList, Diagnostics> {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            let message = format!(
                "`{id}` is not a valid list id: use letters, digits, `.`, `_` and `-` in the file name"
            );
            return Err(Diagnostics(vec![Diagnostic::error(
                origin.to_string(),
                message,
            )]));
        }
        let mut metadata = BTreeMap::new();
        let mut comments = Vec::new();
        let mut items = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if let Some(comment) = line.strip_prefix('#') {
                if items.is_empty() {
                    let comment = comment.trim();
                    match header_pair(comment) {
                        Some((key, value)) => {
                            metadata.insert(key, value.to_string());
                        }
                        None => comments.push(comment.to_string()),
                    }
                }
            } else if !line.is_empty() {
                items.push(line.to_string());
            }
        }
        Ok(ValueList {
            id: id.to_string(),
            metadata,
            comments,
            items,
            origin,
        })
    }

    /// The `# source:` header.
    pub fn source(&self) -> Option<&str> {
        self.metadata.get("source").map(String::as_str)
    }

    /// The `# licence:` (or `# license:`) header.
    pub fn licence(&self) -> Option<&str> {
        self.metadata
            .get("licence")
            .or_else(|| self.metadata.get("license"))
            .map(String::as_str)
    }

    /// The `# date:` header.
    pub fn date(&self) -> Option<&str> {
        self.metadata.get("date").map(String::as_str)
    }

    /// Whether `value` is an item (exact comparison).
    pub fn contains(&self, value: &str) -> bool {
        self.items.iter().any(|item| item == value)
    }
}

fn header_pair(comment: &str) -> Option<(String, &str)> {
    let (key, value) = comment.split_once(':')?;
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    // `# https://…` is a URL, not a `https` header.
    (valid && !value.starts_with("//")).then(|| (key.to_ascii_lowercase(), value.trim()))
}

/// Loads one list file; its id is the file stem.
pub fn load_list_file(path: &Path) -> Result<ValueList, Diagnostics> {
    let origin = Source::Path(path.to_path_buf());
    let text = std::fs::read_to_string(path).map_err(|err| {
        Diagnostics(vec![Diagnostic::error(
            origin.to_string(),
            format!("cannot read list: {err}"),
        )])
    })?;
    let id = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default();
    ValueList::parse(id, &text, origin)
}

/// Loads every `*.txt` file of `dir` (not recursive), sorted by file name. Two lists with the
/// same id cannot occur (ids are file stems in one directory).
pub fn load_lists(dir: &Path) -> Result<Vec<ValueList>, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|err| {
        Diagnostics(vec![Diagnostic::error(
            dir.display().to_string(),
            format!("cannot read list directory: {err}"),
        )])
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    let mut lists = Vec::with_capacity(paths.len());
    let mut errors = Diagnostics::new();
    for path in paths {
        match load_list_file(&path) {
            Ok(list) => lists.push(list),
            Err(diags) => errors.extend(diags),
        }
    }
    if errors.is_empty() {
        Ok(lists)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_items_and_blanks() {
        let text = "# Paste sites used for staging.\n# source: hand-compiled\n# Licence: CC0-1.0\n# https://example.com/list\n# date: 2025-06-25\n\npastebin.com\n  paste.ee  \n\n# trailing comment: ignored\nghostbin.co\n";
        let list = ValueList::parse(
            "paste_sites",
            text,
            Source::Builtin("lists/paste_sites.txt".into()),
        )
        .unwrap();
        assert_eq!(list.id, "paste_sites");
        assert_eq!(list.source(), Some("hand-compiled"));
        assert_eq!(list.licence(), Some("CC0-1.0"));
        assert_eq!(list.date(), Some("2025-06-25"));
        assert_eq!(
            list.comments,
            ["Paste sites used for staging.", "https://example.com/list"]
        );
        assert_eq!(list.items, ["pastebin.com", "paste.ee", "ghostbin.co"]);
        assert!(list.contains("paste.ee"));
        assert!(!list.contains("PASTE.EE"));
    }

    #[test]
    fn bad_id() {
        let err =
            ValueList::parse("a b", "x", Source::Builtin("lists/a b.txt".into())).unwrap_err();
        assert!(err.to_string().contains("not a valid list id"));
    }
}
