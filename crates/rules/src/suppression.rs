//! `[rule.alert_suppression]`: group-by fields, an optional duration and the missing-fields
//! strategy, as in Elastic.

use crate::kinds::{MAX_GROUP_BY, check_fields, positive};
use crate::model::{MissingFields, Suppression};
use crate::toml_schema::{Doc, Node, SUPPRESSION_DURATION_KEYS, SUPPRESSION_KEYS};
use std::time::Duration;

/// Reads `[rule.alert_suppression]`. `ty` is the rule type when known: threshold rules take
/// only `duration` (they suppress per threshold group).
pub(crate) fn read_suppression(
    doc: &mut Doc<'_>,
    rule: &Node<'_, '_>,
    ty: Option<&str>,
) -> Option<Suppression> {
    let node = doc.table(rule, "alert_suppression")?;
    doc.check_keys(&node, SUPPRESSION_KEYS, &[]);
    let threshold = ty == Some("threshold");
    let mut ok = true;
    if threshold {
        for key in ["group_by", "missing_fields_strategy"] {
            if let Some(value) = node.get(key) {
                doc.error(
                    &value.span(),
                    &node.key(key),
                    format!("threshold rules suppress per threshold group and take only `duration`, not `{key}`"),
                );
                ok = false;
            }
        }
    }
    let group_by = if threshold {
        Vec::new()
    } else if node.has("group_by") {
        match doc.strings(&node, "group_by") {
            Some((fields, span))
                if check_fields(doc, &node.key("group_by"), &span, &fields, 1, MAX_GROUP_BY) =>
            {
                fields
            }
            _ => {
                ok = false;
                Vec::new()
            }
        }
    } else {
        doc.missing(&node, "group_by", "1 to 5 fields identifying an alert");
        ok = false;
        Vec::new()
    };
    let duration = match doc.table(&node, "duration") {
        Some(d) => {
            doc.check_keys(&d, SUPPRESSION_DURATION_KEYS, &[]);
            let value = positive(doc, &d, "value", "how many units");
            let unit = doc.required_string(&d, "unit", "`s`, `m` or `h`");
            let per = match &unit {
                Some((unit, _)) if unit == "s" => Some(1),
                Some((unit, _)) if unit == "m" => Some(60),
                Some((unit, _)) if unit == "h" => Some(3600),
                Some((unit, span)) => {
                    doc.error(
                        span,
                        &d.key("unit"),
                        format!(
                            "`{}` must be \"s\", \"m\" or \"h\", not {unit:?}",
                            d.key("unit")
                        ),
                    );
                    None
                }
                None => None,
            };
            match (value, per) {
                (Some(value), Some(per)) => match value.checked_mul(per) {
                    Some(secs) => Some(Duration::from_secs(secs)),
                    None => {
                        doc.error(&d.span, &d.path, "suppression duration is too long");
                        ok = false;
                        None
                    }
                },
                _ => {
                    ok = false;
                    None
                }
            }
        }
        None => {
            ok &= !node.has("duration");
            None
        }
    };
    let missing_fields = match doc.string(&node, "missing_fields_strategy") {
        None => {
            ok &= threshold || !node.has("missing_fields_strategy");
            MissingFields::Suppress
        }
        Some((s, _)) if s == "suppress" => MissingFields::Suppress,
        Some((s, _)) if s == "doNotSuppress" => MissingFields::DoNotSuppress,
        Some((s, span)) => {
            doc.error(
                &span,
                &node.key("missing_fields_strategy"),
                format!(
                    "`{}` must be \"suppress\" or \"doNotSuppress\", not {s:?}",
                    node.key("missing_fields_strategy")
                ),
            );
            ok = false;
            MissingFields::Suppress
        }
    };
    ok.then_some(Suppression {
        group_by,
        duration,
        missing_fields,
    })
}
