//! Glob patterns for rule ids and tags: `*` matches any run of characters (none included), `?`
//! matches one character, everything else matches itself.

/// Whether `text` matches `pattern`. Linear in practice: on a mismatch it backtracks only to
/// the last `*`.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn literals_stars_and_question_marks() {
        assert!(glob_match("route53-dns-tunnel", "route53-dns-tunnel"));
        assert!(!glob_match("route53-dns-tunnel", "route53-dns-tunnels"));
        assert!(glob_match("route53-*", "route53-domain-transfer"));
        assert!(glob_match("*", ""));
        assert!(glob_match("*-lock-*", "route53-transfer-lock-disabled"));
        assert!(glob_match("r?3", "r53"));
        assert!(!glob_match("r?3", "r3"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("attack.t1071*", "attack.t1071.004"));
        assert!(!glob_match("", "x"));
    }
}
