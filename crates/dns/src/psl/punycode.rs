//! Punycode (RFC 3492) encoding of Public Suffix List rules.
//!
//! The list writes internationalised rules in Unicode (`公司.cn`); DNS logs carry them as
//! A-labels (`xn--55qx5d.cn`). Each Unicode rule is stored in both forms. PSL rules are already
//! lower-case and normalised, so no IDNA mapping step is needed before encoding.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// The A-label form of `rule`: every label with a non-ASCII character becomes `xn--…`.
/// `None` when the rule is all ASCII (nothing to add) or a label cannot be encoded.
pub fn encode_rule(rule: &str) -> Option<String> {
    if rule.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(rule.len() + 8);
    for (i, label) in rule.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.push_str(label);
        } else {
            out.push_str("xn--");
            out.push_str(&encode_label(label)?);
        }
    }
    Some(out)
}

/// RFC 3492 §6.3 encoding of one label (without the `xn--` prefix). `None` on overflow.
fn encode_label(label: &str) -> Option<String> {
    let code_points: Vec<u32> = label.chars().map(u32::from).collect();
    let mut out: String = label.chars().filter(char::is_ascii).collect();
    let basic = out.len();
    let mut handled = basic;
    if basic > 0 {
        out.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    while handled < code_points.len() {
        let next = code_points.iter().copied().filter(|&c| c >= n).min()?;
        let steps = u32::try_from(handled + 1).ok()?;
        delta = delta.checked_add((next - n).checked_mul(steps)?)?;
        n = next;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, u32::try_from(handled + 1).ok()?, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + ((BASE - T_MIN + 1) * delta) / (delta + SKEW)
}

fn digit(d: u32) -> char {
    match d {
        0..=25 => char::from(b'a' + d as u8),
        _ => char::from(b'0' + (d - 26) as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_known_labels() {
        assert_eq!(
            encode_rule("bücher.de").as_deref(),
            Some("xn--bcher-kva.de")
        );
        assert_eq!(encode_rule("中国").as_deref(), Some("xn--fiqs8s"));
        assert_eq!(encode_rule("公司.cn").as_deref(), Some("xn--55qx5d.cn"));
        assert_eq!(
            encode_rule("食狮.com.cn").as_deref(),
            Some("xn--85x722f.com.cn")
        );
        assert_eq!(encode_rule("рф").as_deref(), Some("xn--p1ai"));
        assert_eq!(encode_rule("example.com"), None);
    }
}
