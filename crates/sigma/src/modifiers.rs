//! Value modifiers: their names (`field|contains|all`), how a detection key splits into a
//! field and its modifiers, and the small operator types some modifiers carry. Applying a
//! chain to values is [`crate::item`]'s job.

use std::fmt;
/// Most variants one value may expand to (`windash`, `base64offset`, placeholders).
pub const MAX_VARIANTS: usize = 4096;

/// A value modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `contains`
    Contains,
    /// `startswith`
    StartsWith,
    /// `endswith`
    EndsWith,
    /// `all`: values are ANDed.
    All,
    /// `re`
    Re,
    /// `i` / `ignorecase` (after `re`)
    ReIgnoreCase,
    /// `m` / `multiline` (after `re`)
    ReMultiline,
    /// `s` / `dotall` (after `re`)
    ReDotAll,
    /// `base64`
    Base64,
    /// `base64offset`
    Base64Offset,
    /// `utf16le` / `wide`
    Utf16Le,
    /// `utf16be`
    Utf16Be,
    /// `utf16` (little-endian with a byte-order mark)
    Utf16,
    /// `windash`
    Windash,
    /// `cidr`
    Cidr,
    /// `exists`
    Exists,
    /// `gt`
    Gt,
    /// `gte`
    Gte,
    /// `lt`
    Lt,
    /// `lte`
    Lte,
    /// `fieldref`
    FieldRef,
    /// `cased`
    Cased,
    /// `neq`: negates the detection item.
    Neq,
    /// `expand`
    Expand,
    /// `minute`
    Minute,
    /// `hour`
    Hour,
    /// `day`
    Day,
    /// `week`
    Week,
    /// `month`
    Month,
    /// `year`
    Year,
}

impl Modifier {
    /// Parses a modifier name.
    pub fn parse(name: &str) -> Option<Modifier> {
        use Modifier::*;
        Some(match name {
            "contains" => Contains,
            "startswith" => StartsWith,
            "endswith" => EndsWith,
            "all" => All,
            "re" => Re,
            "i" | "ignorecase" => ReIgnoreCase,
            "m" | "multiline" => ReMultiline,
            "s" | "dotall" => ReDotAll,
            "base64" => Base64,
            "base64offset" => Base64Offset,
            "utf16le" | "wide" => Utf16Le,
            "utf16be" => Utf16Be,
            "utf16" => Utf16,
            "windash" => Windash,
            "cidr" => Cidr,
            "exists" => Exists,
            "gt" => Gt,
            "gte" => Gte,
            "lt" => Lt,
            "lte" => Lte,
            "fieldref" => FieldRef,
            "cased" => Cased,
            "neq" => Neq,
            "expand" => Expand,
            "minute" => Minute,
            "hour" => Hour,
            "day" => Day,
            "week" => Week,
            "month" => Month,
            "year" => Year,
            _ => return None,
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        use Modifier::*;
        match self {
            Contains => "contains",
            StartsWith => "startswith",
            EndsWith => "endswith",
            All => "all",
            Re => "re",
            ReIgnoreCase => "i",
            ReMultiline => "m",
            ReDotAll => "s",
            Base64 => "base64",
            Base64Offset => "base64offset",
            Utf16Le => "utf16le",
            Utf16Be => "utf16be",
            Utf16 => "utf16",
            Windash => "windash",
            Cidr => "cidr",
            Exists => "exists",
            Gt => "gt",
            Gte => "gte",
            Lt => "lt",
            Lte => "lte",
            FieldRef => "fieldref",
            Cased => "cased",
            Neq => "neq",
            Expand => "expand",
            Minute => "minute",
            Hour => "hour",
            Day => "day",
            Week => "week",
            Month => "month",
            Year => "year",
        }
    }

    pub(crate) fn time_part(self) -> Option<TimePart> {
        Some(match self {
            Modifier::Minute => TimePart::Minute,
            Modifier::Hour => TimePart::Hour,
            Modifier::Day => TimePart::Day,
            Modifier::Week => TimePart::Week,
            Modifier::Month => TimePart::Month,
            Modifier::Year => TimePart::Year,
            _ => return None,
        })
    }

    pub(crate) fn compare_op(self) -> Option<CompareOp> {
        Some(match self {
            Modifier::Gt => CompareOp::Gt,
            Modifier::Gte => CompareOp::Gte,
            Modifier::Lt => CompareOp::Lt,
            Modifier::Lte => CompareOp::Lte,
            _ => return None,
        })
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Splits a detection key `field|mod|mod` into the field (`None` for a keyword item such as
/// `'|all'`) and its modifiers.
pub fn parse_key(key: &str) -> Result<(Option<String>, Vec<Modifier>), String> {
    let mut pieces = key.split('|');
    let field = pieces.next().unwrap_or_default();
    let mods = pieces
        .map(|m| {
            Modifier::parse(m).ok_or_else(|| {
                if m.is_empty() {
                    format!("empty modifier in `{key}`")
                } else {
                    format!("unknown modifier `{m}` in `{key}`")
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(((!field.is_empty()).then(|| field.to_owned()), mods))
}

/// An ordering operator (`gt`, `gte`, `lt`, `lte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
}

impl CompareOp {
    /// Whether `ordering` (field value compared with the rule value) satisfies the operator.
    pub fn accepts(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CompareOp::Gt => ordering == Greater,
            CompareOp::Gte => ordering != Less,
            CompareOp::Lt => ordering == Less,
            CompareOp::Lte => ordering != Greater,
        }
    }
}

/// The part of a date a time modifier compares (UTC; `week` is the ISO 8601 week number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePart {
    /// 0–59
    Minute,
    /// 0–23
    Hour,
    /// 1–31
    Day,
    /// 1–53 (ISO 8601)
    Week,
    /// 1–12
    Month,
    /// The year.
    Year,
}

/// How a field reference compares (`fieldref` alone, or with `startswith` etc.).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefMode {
    /// The whole value equals the other field's value.
    Equal,
    /// The value starts with the other field's value.
    Prefix,
    /// The value ends with the other field's value.
    Suffix,
    /// The value contains the other field's value.
    Contains,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_field_and_modifiers() {
        assert_eq!(
            parse_key("a.b|contains|all"),
            Ok((
                Some("a.b".to_owned()),
                vec![Modifier::Contains, Modifier::All]
            ))
        );
        assert_eq!(parse_key("|all"), Ok((None, vec![Modifier::All])));
        assert_eq!(
            parse_key("f|wide"),
            Ok((Some("f".to_owned()), vec![Modifier::Utf16Le]))
        );
        assert!(parse_key("f|bogus").is_err());
        assert!(parse_key("f||contains").is_err());
        for m in [
            Modifier::Contains,
            Modifier::ReDotAll,
            Modifier::Year,
            Modifier::Neq,
        ] {
            assert_eq!(Modifier::parse(m.name()), Some(m));
        }
    }
}
