//! Exceptions: events a rule must not alert on.
//!
//! An [`ExceptionItem`] is a description, an optional expiry and one or more
//! [`ExceptionEntry`]s. Entries of one item are ANDed; items are ORed; an event matching
//! any active (unexpired) item is dropped before it can alert. Items come inline in a rule
//! (`[[rule.exceptions]]`) or from shared exception files (`[[exception]]` with
//! `rule_ids`, see [`SharedException`]).
//!
//! Comparisons are case-sensitive unless the field is in the rule's
//! `case_insensitive_fields`. `matches` patterns use `*` (any run of characters) and `?`
//! (exactly one character); `\*`, `\?` and `\\` are literal.

use crate::toml_schema::{Doc, ENTRY_KEYS, Node};
use crate::wildcard::Wildcard;
use r53guard_kql::ip::Cidr;

/// One exception item: all entries must hold for an event to be dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionItem {
    /// Why the exception exists.
    pub description: String,
    /// When it stops applying.
    pub expire_time: Option<Expiry>,
    /// The conditions, ANDed (at least one).
    pub entries: Vec<ExceptionEntry>,
}

impl ExceptionItem {
    /// Whether the item applies at `now_ms` (epoch milliseconds): it has no expiry, or the
    /// expiry is later than `now_ms`. At the expiry instant itself the item has expired.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.expire_time.as_ref().is_none_or(|e| now_ms < e.at_ms)
    }

    /// The value-list ids its entries refer to.
    pub fn list_ids(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.condition {
                Condition::InList(id) => Some(id.as_str()),
                _ => None,
            })
    }
}

/// An exception's expiry time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry {
    /// As written (RFC 3339).
    pub text: String,
    /// As epoch milliseconds.
    pub at_ms: i64,
}

/// One condition of an exception item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionEntry {
    /// The field it tests (raw path or ECS alias).
    pub field: String,
    /// Whether the operator is the negative form (`is_not`, `does_not_exist`, …).
    pub negated: bool,
    /// What is tested.
    pub condition: Condition,
}

impl ExceptionEntry {
    /// The operator, as written in the file.
    pub fn operator(&self) -> Operator {
        use Operator as O;
        match (&self.condition, self.negated) {
            (Condition::Is(_), false) => O::Is,
            (Condition::Is(_), true) => O::IsNot,
            (Condition::IsOneOf(_), false) => O::IsOneOf,
            (Condition::IsOneOf(_), true) => O::IsNotOneOf,
            (Condition::Exists, false) => O::Exists,
            (Condition::Exists, true) => O::DoesNotExist,
            (Condition::Matches(_), false) => O::Matches,
            (Condition::Matches(_), true) => O::DoesNotMatch,
            (Condition::InList(_), false) => O::IsInList,
            (Condition::InList(_), true) => O::IsNotInList,
            (Condition::Cidr(_), false) => O::Cidr,
            (Condition::Cidr(_), true) => O::NotCidr,
        }
    }
}

/// The positive form of an entry's test; [`ExceptionEntry::negated`] flips it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `is`: the field has this value.
    Is(String),
    /// `is_one_of`: the field has one of these values.
    IsOneOf(Vec<String>),
    /// `exists`: the field is present and not null.
    Exists,
    /// `matches`: a value matches the wildcard pattern.
    Matches(Wildcard),
    /// `is_in_list`: a value is an item of the value list with this id.
    InList(String),
    /// `cidr`: a value is an IP address inside one of these networks.
    Cidr(Vec<Cidr>),
}

/// Exception operators, as written in `operator = "…"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `is` (takes `value`)
    Is,
    /// `is_not` (takes `value`)
    IsNot,
    /// `is_one_of` (takes `values`)
    IsOneOf,
    /// `is_not_one_of` (takes `values`)
    IsNotOneOf,
    /// `exists` (takes nothing)
    Exists,
    /// `does_not_exist` (takes nothing)
    DoesNotExist,
    /// `matches` (takes `value`, a wildcard pattern)
    Matches,
    /// `does_not_match` (takes `value`, a wildcard pattern)
    DoesNotMatch,
    /// `is_in_list` (takes `list`, a value-list id)
    IsInList,
    /// `is_not_in_list` (takes `list`, a value-list id)
    IsNotInList,
    /// `cidr` (takes `value` or `values`, CIDR networks)
    Cidr,
    /// `not_cidr` (takes `value` or `values`, CIDR networks)
    NotCidr,
}

impl Operator {
    /// Every operator.
    pub const ALL: [Operator; 12] = [
        Operator::Is,
        Operator::IsNot,
        Operator::IsOneOf,
        Operator::IsNotOneOf,
        Operator::Exists,
        Operator::DoesNotExist,
        Operator::Matches,
        Operator::DoesNotMatch,
        Operator::IsInList,
        Operator::IsNotInList,
        Operator::Cidr,
        Operator::NotCidr,
    ];

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is_not",
            Operator::IsOneOf => "is_one_of",
            Operator::IsNotOneOf => "is_not_one_of",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "does_not_exist",
            Operator::Matches => "matches",
            Operator::DoesNotMatch => "does_not_match",
            Operator::IsInList => "is_in_list",
            Operator::IsNotInList => "is_not_in_list",
            Operator::Cidr => "cidr",
            Operator::NotCidr => "not_cidr",
        }
    }

    /// Parses an operator name.
    pub fn parse(text: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.as_str() == text)
    }

    fn is_negative(self) -> bool {
        matches!(
            self,
            Operator::IsNot
                | Operator::IsNotOneOf
                | Operator::DoesNotExist
                | Operator::DoesNotMatch
                | Operator::IsNotInList
                | Operator::NotCidr
        )
    }
}

/// Which rules a shared exception applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleScope {
    /// `rule_ids = "*"`: every rule.
    All,
    /// `rule_ids = ["…", …]`: these rule ids.
    Ids(Vec<String>),
}

impl RuleScope {
    /// Whether the scope includes `rule_id`.
    pub fn includes(&self, rule_id: &str) -> bool {
        match self {
            RuleScope::All => true,
            RuleScope::Ids(ids) => ids.iter().any(|id| id == rule_id),
        }
    }
}

/// An exception item from a shared exception file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedException {
    /// The rules it applies to.
    pub rule_ids: RuleScope,
    /// The item.
    pub item: ExceptionItem,
    /// The file it came from.
    pub source: String,
    /// Its line in that file.
    pub line: usize,
}

/// Parses an RFC 3339 date-time (`2026-01-31T00:00:00Z`, `2026-01-31T09:30:00.5+02:00`) to
/// epoch milliseconds (the event view's parser). A date without a time or a time without an
/// offset is rejected.
pub use r53guard_event::time::parse_rfc3339;

/// Reads the fields of an exception item (`description`, `expire_time`, `entries`) from
/// `node`; the caller has checked its keys. `None` when something is wrong (reported).
pub(crate) fn read_item(doc: &mut Doc<'_>, node: &Node<'_, '_>) -> Option<ExceptionItem> {
    let errors_before = doc.diags.errors().count();
    let description = doc
        .required_string(node, "description", "why the exception exists")
        .map(|(text, _)| text);
    let expire_time = doc
        .string_or_datetime(node, "expire_time")
        .and_then(|(text, span)| match parse_rfc3339(&text) {
            Some(at_ms) => Some(Expiry { text, at_ms }),
            None => {
                doc.error(
                    &span,
                    &node.key("expire_time"),
                    format!(
                        "`{}` must be an RFC 3339 date-time with an offset (like `2026-06-30T00:00:00Z`), got `{text}`",
                        node.key("expire_time")
                    ),
                );
                None
            }
        });
    let entry_nodes = doc.tables(node, "entries");
    match node.get("entries") {
        None => doc.missing(node, "entries", "at least one `[[…entries]]` condition"),
        // An item without conditions would drop every event.
        Some(value) if entry_nodes.is_empty() && value.get_ref().as_array().is_some() => doc.error(
            &value.span(),
            &node.key("entries"),
            format!(
                "`{}` is empty: an exception item needs at least one condition",
                node.key("entries")
            ),
        ),
        Some(_) => {}
    }
    let mut entries = Vec::with_capacity(entry_nodes.len());
    for entry in &entry_nodes {
        doc.check_keys(entry, ENTRY_KEYS, &[]);
        if let Some(entry) = read_entry(doc, entry) {
            entries.push(entry);
        }
    }
    if doc.diags.errors().count() > errors_before {
        return None;
    }
    Some(ExceptionItem {
        description: description?,
        expire_time,
        entries,
    })
}

fn read_entry(doc: &mut Doc<'_>, node: &Node<'_, '_>) -> Option<ExceptionEntry> {
    let field = doc.required_string(node, "field", "the field the condition tests");
    let (name, op_span) = doc.required_string(node, "operator", "how the field is tested")?;
    let Some(operator) = Operator::parse(&name) else {
        let valid: Vec<_> = Operator::ALL.iter().map(|op| op.as_str()).collect();
        doc.error(
            &op_span,
            &node.key("operator"),
            format!(
                "unknown exception operator `{name}`; expected one of {}",
                valid.join(", ")
            ),
        );
        return None;
    };
    let (field, field_span) = field?;
    if field.trim().is_empty() {
        doc.error(&field_span, &node.key("field"), "exception field is empty");
        return None;
    }
    let takes: &[&str] = match operator {
        Operator::Exists | Operator::DoesNotExist => &[],
        Operator::Is | Operator::IsNot | Operator::Matches | Operator::DoesNotMatch => &["value"],
        Operator::IsOneOf | Operator::IsNotOneOf => &["values"],
        Operator::IsInList | Operator::IsNotInList => &["list"],
        Operator::Cidr | Operator::NotCidr => &["value", "values"],
    };
    let mut ok = true;
    for key in ["value", "values", "list"] {
        if node.has(key) && !takes.contains(&key) {
            let what = if takes.is_empty() {
                "takes no value".to_string()
            } else {
                format!("takes `{}`", takes.join("` or `"))
            };
            doc.error(
                &node.get(key).map_or(node.span.clone(), |v| v.span()),
                &node.key(key),
                format!("operator `{}` {what}, not `{key}`", operator.as_str()),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    if !takes.is_empty() && !takes.iter().any(|key| node.has(key)) {
        doc.missing(
            node,
            takes[0],
            &format!("operator `{}` needs it", operator.as_str()),
        );
        return None;
    }
    if takes.len() > 1 && takes.iter().all(|key| node.has(key)) {
        doc.error(
            &node.span,
            &node.key("value"),
            format!(
                "give `value` or `values` for `{}`, not both",
                operator.as_str()
            ),
        );
        return None;
    }
    let condition = match operator {
        Operator::Exists | Operator::DoesNotExist => Condition::Exists,
        Operator::Is | Operator::IsNot => Condition::Is(doc.string(node, "value")?.0),
        Operator::Matches | Operator::DoesNotMatch => {
            let (text, span) = doc.string(node, "value")?;
            match Wildcard::parse(&text) {
                Ok(pattern) => Condition::Matches(pattern),
                Err(message) => {
                    doc.error(&span, &node.key("value"), message);
                    return None;
                }
            }
        }
        Operator::IsOneOf | Operator::IsNotOneOf => {
            let (values, span) = doc.strings(node, "values")?;
            if values.is_empty() {
                doc.error(&span, &node.key("values"), "`values` is empty");
                return None;
            }
            Condition::IsOneOf(values)
        }
        Operator::IsInList | Operator::IsNotInList => {
            let (id, span) = doc.string(node, "list")?;
            if id.is_empty() {
                doc.error(&span, &node.key("list"), "`list` must name a value list");
                return None;
            }
            Condition::InList(id)
        }
        Operator::Cidr | Operator::NotCidr => {
            let key = if node.has("value") { "value" } else { "values" };
            let (texts, span) = doc.string_or_strings(node, key)?;
            let mut networks = Vec::with_capacity(texts.len());
            for text in &texts {
                match Cidr::parse(text) {
                    Some(cidr) => networks.push(cidr),
                    None => {
                        doc.error(
                            &span,
                            &node.key(key),
                            format!("`{text}` is not an IPv4 or IPv6 address or CIDR network"),
                        );
                        return None;
                    }
                }
            }
            if networks.is_empty() {
                doc.error(&span, &node.key(key), "no CIDR networks given");
                return None;
            }
            Condition::Cidr(networks)
        }
    };
    Some(ExceptionEntry {
        field,
        negated: operator.is_negative(),
        condition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.250Z"), Some(250));
        for bad in [
            "1970-01-01",
            "1970-01-01T00:00:00",
            "1970-13-01T00:00:00Z",
            "1970-01-01T00:00:00.Z",
            "1970-01-01T00:00Z",
            "2026/01/01T00:00:00Z",
            "1970-01-01T00:00:00+0100",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn operators_round_trip() {
        for op in Operator::ALL {
            assert_eq!(Operator::parse(op.as_str()), Some(op));
        }
        assert_eq!(Operator::parse("equals"), None);
    }
}
