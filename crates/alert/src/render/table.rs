//! The `table` format: one aligned line per alert, for people at a terminal.
//!
//! Columns have fixed widths (counted in characters), so lines align without buffering;
//! longer text is cut and marked with `…`. Control and bidirectional-formatting characters
//! from the data are shown escaped (`\n`, `\u{1b}`, `\u{202e}`), so a crafted domain or user
//! agent can neither break a line nor drive the terminal.

use crate::model::{Alert, Entity};
use crate::severity::Severity;

const DETECTED_AT: usize = 24;
const SEVERITY: usize = 8;
const RULE: usize = 32;
const ENTITY: usize = 48;
const COUNT: usize = 7;
const SUMMARY: usize = 100;

const RESET: &str = "\x1b[0m";

/// Appends the header line.
pub(super) fn header(buf: &mut Vec<u8>) {
    let mut line = String::new();
    push_cell(&mut line, "DETECTED_AT", DETECTED_AT);
    push_cell(&mut line, "SEVERITY", SEVERITY);
    push_cell(&mut line, "RULE", RULE);
    push_cell(&mut line, "ENTITY", ENTITY);
    line.push_str(&format!("{:>COUNT$}  ", "COUNT"));
    line.push_str("SUMMARY");
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
}

/// Appends the alert's line; the severity is coloured when `color` is set.
pub(super) fn alert(buf: &mut Vec<u8>, alert: &Alert, color: bool) {
    let mut line = String::new();
    push_cell(&mut line, &alert.detected_at, DETECTED_AT);
    let severity = alert.rule.severity;
    if color {
        line.push_str(ansi_color(severity));
        line.push_str(severity.as_str());
        line.push_str(RESET);
        pad(&mut line, severity.as_str().len(), SEVERITY);
    } else {
        push_cell(&mut line, severity.as_str(), SEVERITY);
    }
    push_cell(&mut line, &alert.rule.name, RULE);
    push_cell(&mut line, &describe(&alert.entity), ENTITY);
    // Numbers are never cut: a wider count only shifts the summary.
    line.push_str(&format!("{:>COUNT$}  ", alert.count));
    line.push_str(&fit(&alert.summary, SUMMARY));
    buf.extend_from_slice(line.trim_end_matches(' ').as_bytes());
    buf.push(b'\n');
}

/// The ANSI foreground colour of a severity: critical bright red, high red, medium yellow,
/// low blue.
fn ansi_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[91m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
    }
}

/// Who the alert is about, compactly: the account, then the principal (or else the VPC and
/// source address), then the domain, joined by ` / `; `-` when none is known. A principal in
/// the alert's own account is shown without the `arn:aws:iam::<account>:` prefix.
fn describe(entity: &Entity) -> String {
    let mut parts = Vec::new();
    if let Some(account) = &entity.account_id {
        parts.push(account.clone());
    }
    if let Some(arn) = &entity.principal_arn {
        parts.push(short_principal(arn, entity.account_id.as_deref()).to_owned());
    } else {
        let network: Vec<&str> = [&entity.vpc_id, &entity.source_ip]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !network.is_empty() {
            parts.push(network.join(" "));
        }
    }
    if let Some(domain) = &entity.domain {
        parts.push(domain.clone());
    }
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(" / ")
    }
}

/// The resource part of an ARN (`role/Admin`) when the ARN's account is `account`; else the ARN.
fn short_principal<'a>(arn: &'a str, account: Option<&str>) -> &'a str {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    match (fields.as_slice(), account) {
        (["arn", _, _, _, arn_account, resource], Some(account))
            if *arn_account == account && !resource.is_empty() =>
        {
            resource
        }
        _ => arn,
    }
}

/// Appends `text` fitted to `width` characters, then the two-space column gap.
fn push_cell(line: &mut String, text: &str, width: usize) {
    let cell = fit(text, width);
    line.push_str(&cell);
    pad(line, cell.chars().count(), width);
}

/// Pads a cell of `used` characters to `width`, then adds the column gap.
fn pad(line: &mut String, used: usize, width: usize) {
    line.extend(std::iter::repeat_n(' ', width.saturating_sub(used) + 2));
}

/// `text` made safe for a terminal line and cut to at most `width` characters, the last of
/// them `…` when anything was cut.
fn fit(text: &str, width: usize) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            safe.extend(c.escape_debug());
        } else if is_bidi_control(c) {
            safe.extend(c.escape_unicode());
        } else {
            safe.push(c);
        }
    }
    if safe.chars().count() <= width {
        return safe;
    }
    let mut cut: String = safe.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Characters that reorder the text around them (Unicode bidirectional formatting).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_escapes_cuts_and_marks() {
        assert_eq!(fit("abc", 5), "abc");
        assert_eq!(fit("abcdef", 5), "abcd…");
        assert_eq!(fit("a\nb\x1b[31m", 20), "a\\nb\\u{1b}[31m");
        assert_eq!(fit("x\u{202e}y", 20), "x\\u{202e}y");
        assert_eq!(fit("ééééé", 5), "ééééé");
    }

    #[test]
    fn describe_prefers_principal_then_network() {
        let mut e = Entity {
            account_id: Some("111122223333".into()),
            principal_arn: Some("arn:aws:iam::111122223333:role/Admin".into()),
            vpc_id: Some("vpc-1".into()),
            source_ip: Some("10.0.0.1".into()),
            domain: Some("example.com".into()),
            ..Entity::default()
        };
        assert_eq!(describe(&e), "111122223333 / role/Admin / example.com");
        e.account_id = Some("444455556666".into());
        assert_eq!(
            describe(&e),
            "444455556666 / arn:aws:iam::111122223333:role/Admin / example.com"
        );
        e.principal_arn = None;
        assert_eq!(describe(&e), "444455556666 / vpc-1 10.0.0.1 / example.com");
        assert_eq!(describe(&Entity::default()), "-");
    }
}
