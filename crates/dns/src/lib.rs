//! DNS name analytics for the r53guard rule pack.
//!
//! Field transforms over query names, built to run per record: lookups borrow slices of the
//! input, normalised names are matched without allocation, and no regular expression runs on
//! the hot path. Data is parsed once, at first use.
//!
//! | function | what | used by |
//! |---|---|---|
//! | [`registrable_domain`], [`public_suffix`], [`tld`], [`subdomain`], [`registrable_label`] | Public Suffix List (ICANN + private sections) | grouping, D1, D6, D9, X3 |
//! | [`DomainSet`] | label-boundary suffix matching | D6, D7, D8, X10 |
//! | [`is_internal`] | internal allow-list of detections.md §0 | rate rules |
//! | [`base64_label()`], [`find_base64_label`] | base64 payload label | D9 |
//! | [`dga_score`], [`DGA_DEFAULT_CUT`] | DGA-likeness of the registrable label | D1, X2 |
//! | [`shannon_entropy`], [`tunnel_label`] | tunnelling candidates | X3 |
//!
//! # Input conventions
//!
//! detections.md §0: lower-case the query name and strip one trailing dot before list matching
//! and PSL lookups. The PSL functions expect that form (they ignore one trailing dot).
//! [`DomainSet`], [`is_internal`], [`tunnel_label`] and [`dga_score`] accept any case.
//! [`base64_label()`] **must** get the name as logged: base64 is case-sensitive.
//!
//! # Heuristics and thresholds
//!
//! * **PSL** ([`psl`]): publicsuffix.org algorithm (wildcards, exceptions, default rule `*`);
//!   private domains included, so `a.b.duckdns.org` registers at `b.duckdns.org`. Internal
//!   names fall to the default rule: `*.ec2.internal` → `ec2.internal`,
//!   `*.<region>.compute.internal` → `compute.internal`, `*.svc.cluster.local` →
//!   `cluster.local`; single labels have no registrable domain.
//! * **Base64 label** ([`base64_label`](mod@base64_label)): D9's recipe (≥ 28 chars, ASCII, not a
//!   32-char alphanumeric, base64 or base64url alphabet, decodable, ≥ 70% printable as ASCII,
//!   UTF-16-LE or UTF-8) plus a binary-payload branch (≥ 16 chars, mixed case, a digit, entropy
//!   ≥ 4.0 bits, or less for short labels: 0.85 × log2(length)), because encrypted or
//!   compressed payloads are not printable; hex labels are never payloads; when no single
//!   label passes, the subdomain's labels are tested joined (a payload split over labels),
//!   unless one of them is an id. Skips [`INTERNAL_SUFFIXES`] and [`AWS_SUFFIXES`].
//! * **DGA score** ([`dga`]): Kneser-Ney trigram model of benign labels, twelve character
//!   features, logistic regression against synthetic random labels; cut 0.5 = 99th
//!   percentile of out-of-fold benign scores.
//! * **Tunnelling** ([`entropy`]): subdomain ≥ 30 bytes, or a label ≥ 24, or ≥ 20 bytes with
//!   entropy ≥ 3.8 bits per byte.
//!
//! # Data and licences
//!
//! `data/README.md` lists each data file's source, licence and date:
//! `public_suffix_list.dat` (Mozilla Public License 2.0, vendored unmodified with its header)
//! and `dga-model.json` (trained by `scripts/train-dga.sh` on the OpenDNS public-domain lists
//! and synthetic labels only; no GPL DGA data went into it). The crate's own code is
//! Apache-2.0.

pub mod base64_label;
pub mod dga;
pub mod domain_set;
pub mod entropy;
mod hash;
mod internal;
mod name;
pub mod psl;

pub use base64_label::{Base64Label, Payload, base64_label, base64_payload, find_base64_label};
pub use dga::{DGA_DEFAULT_CUT, DgaModel, dga_score};
pub use domain_set::DomainSet;
pub use entropy::{shannon_entropy, tunnel_label};
pub use hash::fnv1a;
pub use internal::{AWS_SUFFIXES, INTERNAL_SUFFIXES, is_internal};
pub use psl::{
    PublicSuffixList, public_suffix, registrable_domain, registrable_label, subdomain, tld,
};
