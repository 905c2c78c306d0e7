//! Text helpers for payloads with limits: truncation on character boundaries and Slack's
//! mrkdwn escaping.

const ELLIPSIS: char = '…';

/// `s` cut to at most `max` characters, ending in `…` when cut.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    if max > 0 {
        out.push(ELLIPSIS);
    }
    out
}

/// `s` with `&`, `<` and `>` escaped for Slack mrkdwn, cut so that the escaped text is at most
/// `max` characters (never inside an escape), ending in `…` when cut.
pub(crate) fn mrkdwn_escape(s: &str, max: usize) -> String {
    let piece = |c: char| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        _ => None,
    };
    let width = |c: char| piece(c).map_or(1, str::len);
    let total: usize = s.chars().map(width).sum();
    let budget = if total <= max {
        max
    } else {
        max.saturating_sub(1)
    };
    let mut out = String::with_capacity(s.len().min(max * 4));
    let mut len = 0;
    for c in s.chars() {
        if len + width(c) > budget {
            break;
        }
        len += width(c);
        match piece(c) {
            Some(p) => out.push_str(p),
            None => out.push(c),
        }
    }
    if total > max && max > 0 {
        out.push(ELLIPSIS);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters_and_marks_the_cut() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        assert_eq!(truncate_chars("ééééé", 4), "ééé…");
        assert_eq!(truncate_chars("abc", 0), "");
    }

    #[test]
    fn escaping_never_splits_an_entity_and_respects_the_limit() {
        assert_eq!(mrkdwn_escape("a<b>&c", 100), "a&lt;b&gt;&amp;c");
        assert_eq!(mrkdwn_escape("abc", 3), "abc");
        assert_eq!(mrkdwn_escape("abcd", 3), "ab…");
        assert_eq!(mrkdwn_escape("a&b", 5), "a…");
        assert_eq!(mrkdwn_escape("a&", 6), "a&amp;");
        for max in 1..30 {
            let out = mrkdwn_escape("x<y>&z<<>>&&", max);
            assert!(out.chars().count() <= max, "{max}: {out}");
            // Every `&` starts a whole entity.
            let body = out.trim_end_matches('…');
            for (i, _) in body.match_indices('&') {
                let rest = &body[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;"]
                        .iter()
                        .any(|e| rest.starts_with(e)),
                    "{out}"
                );
            }
        }
    }
}
