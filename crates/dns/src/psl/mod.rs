//! The Public Suffix List: public suffix, registrable domain (eTLD+1), TLD and subdomain.
//!
//! The list is vendored as `data/public_suffix_list.dat` (MPL-2.0, see `data/README.md`) and
//! parsed into a hash map at first use. Matching follows the publicsuffix.org algorithm:
//! normal rules, wildcard rules (`*.ck`), exception rules (`!www.ck`, which win over any other
//! match), the longest matching rule prevails, and the implicit default rule `*` makes the last
//! label a public suffix when nothing else matches. Unicode rules are also stored in A-label
//! (punycode) form, so both `公司.cn` and `xn--55qx5d.cn` match.
//!
//! **Private domains are included** in the built-in list ([`PublicSuffixList::builtin`]): the
//! list's PRIVATE section holds dynamic-DNS, hosting and CDN zones, so `x.y.duckdns.org`
//! registers at `y.duckdns.org` and `d1a2b3.cloudfront.net` is its own registrable domain — the
//! right grouping for detections (D6 matches dynamic-DNS zones on the public suffix). Use
//! [`PublicSuffixList::builtin_icann`] for the ICANN section alone.
//!
//! Input: a name already lower-cased (detections.md §0); one trailing dot is ignored. Results
//! are slices of the input, nothing is allocated.
//!
//! Internal and special names get the default rule, which groups them sensibly:
//! `ip-10-0-0-5.ec2.internal` → `ec2.internal`;
//! `ip-10-0-1-2.us-west-2.compute.internal` → `compute.internal`;
//! `web.prod.svc.cluster.local` → `cluster.local`; a single label (`localhost`, `wpad`) is its
//! own public suffix and has no registrable domain. The list itself has `in-addr.arpa` and
//! `ip6.arpa` as suffixes, so reverse-lookup names register one label below them
//! (`4.3.2.10.in-addr.arpa` → `10.in-addr.arpa`). Rules that must ignore such names use
//! [`crate::is_internal`].

mod punycode;

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::hash::FastBuild;
use crate::name::{label_start_before, trim_dot};

/// The vendored list (see `data/README.md` for its source, version and licence).
const BUILTIN: &str = include_str!("../../data/public_suffix_list.dat");

/// A normal rule ends here (`co.uk`).
const NORMAL: u8 = 1;
/// A wildcard rule has this key as its parent (`*.ck` is stored under `ck`).
const WILDCARD: u8 = 2;
/// An exception rule (`!www.ck` is stored under `www.ck`).
const EXCEPTION: u8 = 4;
// A key with none of these bits is only a suffix of longer keys (`amazonaws.com` for
// `s3.amazonaws.com`): its presence tells the lookup that longer suffixes may still match, its
// absence that none can.

/// Upper bound on the labels of a stored key; the longest rule in the list has 7 labels.
const MAX_KEY_LABELS: usize = 14;

static WITH_PRIVATE: LazyLock<PublicSuffixList> =
    LazyLock::new(|| PublicSuffixList::parse(BUILTIN, true));
static ICANN_ONLY: LazyLock<PublicSuffixList> =
    LazyLock::new(|| PublicSuffixList::parse(BUILTIN, false));

/// A parsed Public Suffix List. See the module documentation.
#[derive(Debug, Clone)]
pub struct PublicSuffixList {
    /// Rule keys with their flags, plus every label suffix of a key (flag 0).
    rules: HashMap<Box<str>, u8, FastBuild>,
    /// Number of rules parsed.
    rule_count: usize,
    /// Labels of the longest key; suffixes with more labels cannot match a rule.
    max_key_labels: usize,
    includes_private: bool,
    version: Option<Box<str>>,
}

impl PublicSuffixList {
    /// The built-in list, ICANN and PRIVATE sections (the crate's default).
    pub fn builtin() -> &'static Self {
        &WITH_PRIVATE
    }

    /// The built-in list, ICANN section only.
    pub fn builtin_icann() -> &'static Self {
        &ICANN_ONLY
    }

    /// Parses list text in the publicsuffix.org format. Lines are rules, `//` starts a comment
    /// line, and the `===BEGIN PRIVATE DOMAINS===` marker starts the private section, which is
    /// skipped unless `include_private`. Rules with a `*` other than a leading `*.` label are
    /// not in the list's grammar and are ignored, as are rules with more than 14 labels.
    pub fn parse(text: &str, include_private: bool) -> Self {
        let mut rules: HashMap<Box<str>, u8, FastBuild> = HashMap::default();
        let mut private = false;
        let mut version = None;
        let mut rule_count = 0;
        for line in text.lines() {
            let line = line.trim();
            if let Some(comment) = line.strip_prefix("//") {
                let comment = comment.trim();
                if comment.starts_with("===BEGIN PRIVATE DOMAINS===") {
                    private = true;
                } else if let Some(v) = comment.strip_prefix("VERSION:") {
                    version = Some(v.trim().into());
                }
                continue;
            }
            // A rule is the first whitespace-free run of the line.
            let Some(rule) = line.split_whitespace().next() else {
                continue;
            };
            if private && !include_private {
                continue;
            }
            let (key, flag) = if let Some(rest) = rule.strip_prefix('!') {
                (rest, EXCEPTION)
            } else if let Some(rest) = rule.strip_prefix("*.") {
                (rest, WILDCARD)
            } else {
                (rule, NORMAL)
            };
            if key.is_empty() || key.contains('*') || key.split('.').count() > MAX_KEY_LABELS {
                continue;
            }
            let key = key.to_lowercase();
            if let Some(ascii) = punycode::encode_rule(&key) {
                add_key(&mut rules, &ascii, flag);
            }
            add_key(&mut rules, &key, flag);
            rule_count += 1;
        }
        let max_key_labels = rules
            .keys()
            .map(|key| key.split('.').count())
            .max()
            .unwrap_or(1);
        Self {
            rules,
            rule_count,
            max_key_labels,
            includes_private: include_private,
            version,
        }
    }

    /// Whether the PRIVATE section (dynamic DNS, hosting, CDN zones) was loaded.
    pub fn includes_private(&self) -> bool {
        self.includes_private
    }

    /// The list's `// VERSION:` header (publication time), when it has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Number of rules parsed.
    pub fn len(&self) -> usize {
        self.rule_count
    }

    /// Whether no rule was parsed.
    pub fn is_empty(&self) -> bool {
        self.rule_count == 0
    }

    /// Byte offsets into `name` of the public suffix and, when there is one, the registrable
    /// domain. `name` is already trimmed.
    fn split(&self, name: &str) -> (usize, Option<usize>) {
        // starts[i] is where the suffix with i + 1 labels begins. A rule can match at most
        // max_key_labels + 1 labels (a wildcard adds one); one more label makes the registrable
        // domain.
        let wanted = (self.max_key_labels + 2).min(MAX_KEY_LABELS + 2);
        let mut starts = [0usize; MAX_KEY_LABELS + 2];
        let mut count = 0;
        let mut end = name.len();
        loop {
            let start = label_start_before(name, end);
            starts[count] = start;
            count += 1;
            if start == 0 || count == wanted {
                break;
            }
            end = start - 1;
        }
        let mut flags = [0u8; MAX_KEY_LABELS + 2];
        let mut best = 0;
        let mut exception = None;
        for i in 0..count.min(self.max_key_labels + 1) {
            let Some(&flag) = self.rules.get(&name[starts[i]..]) else {
                // Not even the suffix of a key: only `*.` of the previous suffix can match
                // here, and nothing longer can.
                if i > 0 && flags[i - 1] & WILDCARD != 0 {
                    best = i;
                }
                break;
            };
            flags[i] = flag;
            if flag & NORMAL != 0 || (i > 0 && flags[i - 1] & WILDCARD != 0) {
                best = i;
            }
            if flag & EXCEPTION != 0 && i > 0 {
                exception = Some(i - 1);
            }
        }
        let suffix = exception.unwrap_or(best);
        let registrable = (suffix + 1 < count)
            // The registrable domain's own label must not be empty (`.com`, `a..com`).
            .then(|| starts[suffix + 1])
            .filter(|&start| start + 1 < starts[suffix]);
        (starts[suffix], registrable)
    }

    /// The public suffix of `name` (the longest matching rule, or the last label).
    /// `""` for an empty name.
    pub fn public_suffix<'a>(&self, name: &'a str) -> &'a str {
        let name = trim_dot(name);
        &name[self.split(name).0..]
    }

    /// The registrable domain (eTLD+1) of `name`; `None` when `name` is itself a public suffix,
    /// a single label, or its label left of the suffix is empty.
    pub fn registrable_domain<'a>(&self, name: &'a str) -> Option<&'a str> {
        let name = trim_dot(name);
        self.split(name).1.map(|start| &name[start..])
    }

    /// The label left of the public suffix (`example` in `www.example.co.uk`).
    pub fn registrable_label<'a>(&self, name: &'a str) -> Option<&'a str> {
        let name = trim_dot(name);
        let (suffix, registrable) = self.split(name);
        registrable.map(|start| &name[start..suffix - 1])
    }

    /// What precedes the registrable domain, without the joining dot (`a.b` in
    /// `a.b.example.com`); `""` when there is nothing before it or there is no registrable
    /// domain.
    pub fn subdomain<'a>(&self, name: &'a str) -> &'a str {
        let name = trim_dot(name);
        match self.split(name).1 {
            Some(start) if start > 0 => &name[..start - 1],
            _ => "",
        }
    }
}

/// Adds `flag` to `key` and makes every label suffix of `key` present (flag 0 if new).
fn add_key(rules: &mut HashMap<Box<str>, u8, FastBuild>, key: &str, flag: u8) {
    *rules.entry(key.into()).or_default() |= flag;
    let mut rest = key;
    while let Some(dot) = rest.find('.') {
        rest = &rest[dot + 1..];
        rules.entry(rest.into()).or_default();
    }
}

/// [`PublicSuffixList::registrable_domain`] on the built-in list (private domains included).
pub fn registrable_domain(name: &str) -> Option<&str> {
    PublicSuffixList::builtin().registrable_domain(name)
}

/// [`PublicSuffixList::registrable_label`] on the built-in list (private domains included).
pub fn registrable_label(name: &str) -> Option<&str> {
    PublicSuffixList::builtin().registrable_label(name)
}

/// [`PublicSuffixList::public_suffix`] on the built-in list (private domains included).
pub fn public_suffix(name: &str) -> &str {
    PublicSuffixList::builtin().public_suffix(name)
}

/// [`PublicSuffixList::subdomain`] on the built-in list (private domains included).
pub fn subdomain(name: &str) -> &str {
    PublicSuffixList::builtin().subdomain(name)
}

/// The last label of `name` (one trailing dot ignored); no list lookup.
pub fn tld(name: &str) -> &str {
    let name = trim_dot(name);
    &name[label_start_before(name, name.len())..]
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "// VERSION: test\n// ===BEGIN ICANN DOMAINS===\ncom\nuk\nco.uk\n*.ck\n\
                        !www.ck\njp\nkawasaki.jp\n*.kawasaki.jp\n!city.kawasaki.jp\n公司.cn\ncn\n\
                        // ===END ICANN DOMAINS===\n// ===BEGIN PRIVATE DOMAINS===\norg\n\
                        duckdns.org\n";

    #[test]
    fn sections_and_version() {
        let all = PublicSuffixList::parse(LIST, true);
        let icann = PublicSuffixList::parse(LIST, false);
        assert!(all.includes_private() && !icann.includes_private());
        assert_eq!(all.version(), Some("test"));
        assert_eq!(
            all.registrable_domain("a.b.duckdns.org"),
            Some("b.duckdns.org")
        );
        assert_eq!(
            icann.registrable_domain("a.b.duckdns.org"),
            Some("duckdns.org")
        );
    }

    #[test]
    fn wildcards_and_exceptions() {
        let list = PublicSuffixList::parse(LIST, true);
        assert_eq!(list.public_suffix("a.b.ck"), "b.ck");
        assert_eq!(list.registrable_domain("a.b.ck"), Some("a.b.ck"));
        assert_eq!(list.registrable_domain("b.ck"), None);
        assert_eq!(list.public_suffix("www.ck"), "ck");
        assert_eq!(list.registrable_domain("a.www.ck"), Some("www.ck"));
        assert_eq!(
            list.registrable_domain("x.city.kawasaki.jp"),
            Some("city.kawasaki.jp")
        );
        assert_eq!(
            list.registrable_domain("x.y.z.kawasaki.jp"),
            Some("y.z.kawasaki.jp")
        );
    }

    #[test]
    fn unicode_rules_match_in_both_forms() {
        let list = PublicSuffixList::parse(LIST, true);
        assert_eq!(list.registrable_domain("a.b.公司.cn"), Some("b.公司.cn"));
        assert_eq!(
            list.registrable_domain("a.b.xn--55qx5d.cn"),
            Some("b.xn--55qx5d.cn")
        );
    }

    #[test]
    fn degenerate_names() {
        let list = PublicSuffixList::parse(LIST, true);
        assert_eq!(list.public_suffix(""), "");
        assert_eq!(list.registrable_domain(""), None);
        assert_eq!(list.registrable_domain(".com"), None);
        assert_eq!(list.registrable_domain("a..com"), None);
        assert_eq!(list.registrable_domain("com."), None);
        assert_eq!(list.registrable_domain("example.com."), Some("example.com"));
        assert_eq!(list.subdomain("example.com"), "");
        assert_eq!(list.subdomain("a.b.example.com"), "a.b");
        assert_eq!(list.registrable_label("a.example.co.uk"), Some("example"));
    }
}
