//! The `csv` format: a header row, then one row per alert, quoted as RFC 4180 says.

use crate::model::Alert;

const COLUMNS: [&str; 17] = [
    "id",
    "detected_at",
    "severity",
    "risk_score",
    "rule_id",
    "rule_name",
    "account_id",
    "region",
    "principal_arn",
    "source_ip",
    "vpc_id",
    "instance_id",
    "domain",
    "count",
    "first_seen",
    "last_seen",
    "summary",
];

/// Appends the header row.
pub(super) fn header(buf: &mut Vec<u8>) {
    row(buf, COLUMNS);
}

/// Appends the alert's row; absent entity fields are empty cells.
pub(super) fn alert(buf: &mut Vec<u8>, alert: &Alert) {
    let entity = &alert.entity;
    let risk_score = alert.rule.risk_score.to_string();
    let count = alert.count.to_string();
    row(
        buf,
        [
            alert.id.as_str(),
            alert.detected_at.as_str(),
            alert.rule.severity.as_str(),
            risk_score.as_str(),
            alert.rule.id.as_str(),
            alert.rule.name.as_str(),
            opt(&entity.account_id),
            opt(&entity.region),
            opt(&entity.principal_arn),
            opt(&entity.source_ip),
            opt(&entity.vpc_id),
            opt(&entity.instance_id),
            opt(&entity.domain),
            count.as_str(),
            alert.first_seen.as_str(),
            alert.last_seen.as_str(),
            alert.summary.as_str(),
        ],
    );
}

fn opt(field: &Option<String>) -> &str {
    field.as_deref().unwrap_or("")
}

/// Appends one row ended by a line feed. A field holding a comma, a double quote, a carriage
/// return or a line feed is put in double quotes, with its double quotes doubled.
fn row(buf: &mut Vec<u8>, fields: [&str; COLUMNS.len()]) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            buf.push(b'"');
            for (n, piece) in field.split('"').enumerate() {
                if n > 0 {
                    buf.extend_from_slice(b"\"\"");
                }
                buf.extend_from_slice(piece.as_bytes());
            }
            buf.push(b'"');
        } else {
            buf.extend_from_slice(field.as_bytes());
        }
    }
    buf.push(b'\n');
}
