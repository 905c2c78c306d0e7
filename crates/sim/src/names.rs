//! Building blocks for DNS names and answers: number and address formatting,
//! `{r}`-style name templates, and the generators of malicious-looking names
//! (random registrable domains, DGA names, base64url and base32 payloads).

use std::fmt::Write as _;

use crate::rng::Rng;

const CONSONANTS: &[u8] = b"bcdfghjklmnpqrstvwxz";
const VOWELS: &[u8] = b"aeiouy";
const BASE32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// TLDs used for random attacker domains: none is on an abused-TLD list, so
/// these names only trigger the detection they are planted for.
pub const PLAIN_TLDS: [&str; 5] = ["com", "net", "org", "info", "biz"];

/// Appends a decimal number.
pub fn push_num(out: &mut String, n: u64) {
    let _ = write!(out, "{n}");
}

/// Appends a dotted IPv4 address.
pub fn push_ipv4(out: &mut String, octets: [u8; 4]) {
    let _ = write!(
        out,
        "{}.{}.{}.{}",
        octets[0], octets[1], octets[2], octets[3]
    );
}

/// Appends a random address in `net[0].net[1].0.0/16`.
pub fn push_ipv4_in(out: &mut String, rng: &mut Rng, net: [u8; 2]) {
    let third = rng.below(256) as u8;
    let fourth = rng.range(1, 255) as u8;
    push_ipv4(out, [net[0], net[1], third, fourth]);
}

/// Appends `prefix` followed by a random 16-bit hex group (an IPv6 address
/// whose prefix ends in `:` or `::`).
pub fn push_ipv6_in(out: &mut String, rng: &mut Rng, prefix: &str) {
    out.push_str(prefix);
    let _ = write!(out, "{:x}", rng.range(1, 0xffff));
}

/// The short region code used in ElastiCache endpoints (`use1`, `euw1`, …).
pub fn short_region(region: &str) -> &'static str {
    match region {
        "us-east-1" => "use1",
        "us-west-2" => "usw2",
        "eu-west-1" => "euw1",
        "eu-central-1" => "euc1",
        "ap-southeast-2" => "apse2",
        _ => "use1",
    }
}

/// Values substituted into name templates.
pub struct Vars<'a> {
    /// `{r}`: the region.
    pub region: &'a str,
    /// `{acct}`: the account id.
    pub account: &'a str,
    /// `{bucket}`: an S3 bucket name.
    pub bucket: &'a str,
}

/// Appends `template` with `{r}`, `{acct}` and `{bucket}` substituted.
pub fn expand(out: &mut String, template: &str, vars: &Vars<'_>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let (value, len) = if after.starts_with("{r}") {
            (vars.region, 3)
        } else if after.starts_with("{acct}") {
            (vars.account, 6)
        } else if after.starts_with("{bucket}") {
            (vars.bucket, 8)
        } else {
            ("{", 1)
        };
        out.push_str(value);
        rest = &after[len..];
    }
    out.push_str(rest);
}

/// Appends a random registrable domain such as `xkq3j9vbz1.com` (8–14
/// characters of `[a-z0-9]` with at least one digit, under a plain TLD).
pub fn push_random_domain(out: &mut String, rng: &mut Rng) {
    let start = out.len();
    let len = rng.range(8, 15) as usize;
    rng.push_lower_alnum(out, len);
    if !out[start..].bytes().any(|b| b.is_ascii_digit()) {
        let pos = start + rng.index(len);
        let digit = char::from(b'0' + rng.below(10) as u8);
        out.replace_range(pos..pos + 1, digit.encode_utf8(&mut [0; 4]));
    }
    out.push('.');
    out.push_str(rng.pick_str(&PLAIN_TLDS));
}

/// Appends a DGA-looking registrable domain: 10–17 characters dominated by
/// consonant clusters and digits, with the odd vowel (`qxvbrtz7kd9w.net`).
pub fn push_dga_domain(out: &mut String, rng: &mut Rng) {
    let len = rng.range(10, 18);
    for i in 0..len {
        let pool = match rng.below(10) {
            0 if i > 0 => VOWELS,
            1 | 2 if i > 0 => b"0123456789".as_slice(),
            _ => CONSONANTS,
        };
        out.push(char::from(*rng.pick(pool)));
    }
    out.push('.');
    out.push_str(rng.pick_str(&["com", "net", "org", "biz", "info", "ru"]));
}

/// Appends `n` random base32 characters (`[a-z2-7]`).
pub fn push_base32(out: &mut String, rng: &mut Rng, n: usize) {
    rng.push_alphabet(out, BASE32, n);
}

/// Encodes `data` as unpadded base64url.
pub fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(BASE64URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_known_vectors() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn templates_expand() {
        let mut s = String::new();
        let vars = Vars {
            region: "eu-west-1",
            account: "123456789012",
            bucket: "b",
        };
        expand(
            &mut s,
            "{acct}.dkr.ecr.{r}.amazonaws.com.{bucket}{x}",
            &vars,
        );
        assert_eq!(s, "123456789012.dkr.ecr.eu-west-1.amazonaws.com.b{x}");
    }

    #[test]
    fn random_domains_have_a_digit_and_plain_tld() {
        let mut rng = Rng::derive(1, "names", 0);
        for _ in 0..500 {
            let mut s = String::new();
            push_random_domain(&mut s, &mut rng);
            let (label, tld) = s.split_once('.').unwrap();
            assert!(label.bytes().any(|b| b.is_ascii_digit()), "{s}");
            assert!(PLAIN_TLDS.contains(&tld));
        }
    }
}
