//! Label-boundary domain lists (detections.md §0, D7, D8, X10).
//!
//! A [`DomainSet`] matches a name when the name *is* a listed domain or ends with `"." + domain`.
//! It walks the name's label suffixes, shortest first, through a hash map that also holds every
//! label suffix of the entries (`com` for `pastebin.com`), so the walk stops at the first suffix
//! no entry ends with — usually after one or two lookups. It never tests `ends_with(domain)`
//! alone, so
//! `evil-oraclevcn.com` does not match `oraclevcn.com`, and neither `notpastebin.com` nor
//! `pastebin.com.example.org` matches `pastebin.com`.
//!
//! Entries are normalised when the set is built: trimmed, ASCII-lower-cased, one trailing dot
//! and a leading `*.` or `.` removed. Queried names may be in any case and carry one trailing
//! dot; already normalised names are matched without allocation.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::hash::FastBuild;
use crate::name::{label_start_before, trim_dot, with_lowercase};

/// A set of domains matched at label boundaries. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct DomainSet {
    /// Entries (`true`) and the label suffixes of entries that are not entries (`false`).
    domains: HashMap<Box<str>, bool, FastBuild>,
    /// Number of entries.
    entries: usize,
}

impl DomainSet {
    /// Builds a set from domain names, normalising each (see [`DomainSet::normalize`]);
    /// entries that normalise to nothing are skipped.
    pub fn new<I, S>(domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = Self::default();
        for domain in domains {
            set.insert(domain.as_ref());
        }
        set
    }

    /// Builds a set from list text: one domain per line, `#` starts a comment, blank lines are
    /// skipped. Hosts-file lines (`0.0.0.0 miner.example.com`) contribute every name after the
    /// address.
    pub fn from_list_text(text: &str) -> Self {
        let mut set = Self::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            let Some(first) = fields.next() else {
                continue;
            };
            if first.parse::<IpAddr>().is_ok() {
                fields.for_each(|name| set.insert(name));
            } else {
                set.insert(first);
            }
        }
        set
    }

    /// The stored form of a list entry: trimmed, ASCII-lower-cased, one trailing dot and a
    /// leading `*.` or `.` removed. `None` when nothing is left.
    pub fn normalize(entry: &str) -> Option<String> {
        let entry = entry.trim();
        let entry = entry
            .strip_prefix("*.")
            .or_else(|| entry.strip_prefix('.'))
            .unwrap_or(entry);
        let entry = trim_dot(entry);
        (!entry.is_empty()).then(|| entry.to_ascii_lowercase())
    }

    /// Adds one entry (normalised as in [`DomainSet::normalize`]).
    pub fn insert(&mut self, entry: &str) {
        let Some(domain) = Self::normalize(entry) else {
            return;
        };
        let listed = self.domains.entry(domain.as_str().into()).or_insert(false);
        if !*listed {
            *listed = true;
            self.entries += 1;
        }
        let mut rest = domain.as_str();
        while let Some(dot) = rest.find('.') {
            rest = &rest[dot + 1..];
            self.domains.entry(rest.into()).or_insert(false);
        }
    }

    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether the set has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Whether `name` equals an entry or ends with `"." + entry`.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// The entry `name` matches; when several do (`pool.example.com` and `example.com`), the
    /// most specific (longest) one.
    pub fn find(&self, name: &str) -> Option<&str> {
        if self.domains.is_empty() {
            return None;
        }
        with_lowercase(trim_dot(name), |name| self.find_normalized(name))
    }

    fn find_normalized(&self, name: &str) -> Option<&str> {
        let mut found = None;
        let mut end = name.len();
        loop {
            let start = label_start_before(name, end);
            let Some((entry, listed)) = self.domains.get_key_value(&name[start..]) else {
                return found;
            };
            if *listed {
                found = Some(&**entry);
            }
            if start == 0 {
                return found;
            }
            end = start - 1;
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for DomainSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self::new(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_at_label_boundaries() {
        let set = DomainSet::new(["oraclevcn.com", "pastebin.com"]);
        assert!(set.contains("oraclevcn.com"));
        assert!(set.contains("a.b.oraclevcn.com"));
        assert!(!set.contains("evil-oraclevcn.com"));
        assert!(!set.contains("notpastebin.com"));
        assert!(!set.contains("pastebin.com.example.org"));
        assert!(!set.contains("com"));
    }

    #[test]
    fn most_specific_entry_wins() {
        let set = DomainSet::new(["example.com", "pool.example.com"]);
        assert_eq!(set.find("x.pool.example.com"), Some("pool.example.com"));
        assert_eq!(set.find("x.example.com"), Some("example.com"));
    }

    #[test]
    fn parses_list_text() {
        let set = DomainSet::from_list_text(
            "# comment\n\n0.0.0.0 miner.example.com other.example.net\npastebin.com # paste\n",
        );
        assert_eq!(set.len(), 3);
        assert!(set.contains("x.other.example.net"));
        assert!(set.contains("pastebin.com"));
    }

    #[test]
    fn empty_set_and_empty_names() {
        let set = DomainSet::new(["", ".", "*."]);
        assert!(set.is_empty());
        assert!(!set.contains("example.com"));
        let set = DomainSet::new(["example.com"]);
        assert!(!set.contains(""));
        assert!(!set.contains("."));
        assert!(!set.contains(".."));
    }
}
