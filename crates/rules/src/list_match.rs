//! `[[rule.lists]]`, an r53guard extension: conditions on value lists that the event must also
//! meet, ANDed with the query. Lists live in `lists/` as data, so they can be updated without
//! touching rules.
//!
//! ```toml
//! [[rule.lists]]
//! field = "dns.question.name"
//! list = "paste_sites"
//! match = "domain"     # "exact": the value is an item; "domain": the value is an item or a
//!                      # name under one, on label boundaries, ignoring case and one trailing dot
//! negate = false       # true: the value must NOT be in the list (an absent field passes)
//! ```

use crate::model::{ListMatch, ListMode};
use crate::toml_schema::{Doc, LIST_MATCH_KEYS, Node};

/// Reads every `[[rule.lists]]` table.
pub(crate) fn read_list_matches(doc: &mut Doc<'_>, rule: &Node<'_, '_>) -> Vec<ListMatch> {
    let mut out = Vec::new();
    for node in doc.tables(rule, "lists") {
        doc.check_keys(&node, LIST_MATCH_KEYS, &[]);
        let field = doc.required_string(&node, "field", "the field whose value is looked up");
        let list = doc.required_string(&node, "list", "a list id (a file stem in lists/)");
        let mode = match doc.string(&node, "match") {
            None => Some(ListMode::Exact),
            Some((m, span)) => match m.as_str() {
                "exact" => Some(ListMode::Exact),
                "domain" => Some(ListMode::Domain),
                other => {
                    doc.error(
                        &span,
                        &node.key("match"),
                        format!(
                            "`{}` must be \"exact\" or \"domain\", got {other:?}",
                            node.key("match")
                        ),
                    );
                    None
                }
            },
        };
        let negate = doc.boolean(&node, "negate").unwrap_or(false);
        if let (Some((field, _)), Some((list, _)), Some(mode)) = (field, list, mode) {
            out.push(ListMatch {
                field,
                list,
                mode,
                negate,
            });
        }
    }
    out
}
