//! Integration tests of the public API on the vendored data: Public Suffix List, label-boundary
//! domain sets, the base64 label test, the DGA scorer and model file, the tunnelling helpers,
//! and property tests that no function panics on arbitrary input.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use r53guard_dns::dga::builtin_model;
use r53guard_dns::dga::model::model_json;
use r53guard_dns::dga::train::{TrainConfig, benign_labels, train};
use r53guard_dns::{
    DGA_DEFAULT_CUT, DomainSet, Payload, PublicSuffixList, base64_label, dga_score,
    find_base64_label, is_internal, public_suffix, registrable_domain, registrable_label,
    shannon_entropy, subdomain, tld, tunnel_label,
};

// ---------------------------------------------------------------- Public Suffix List

#[test]
fn psl_registrable_domains() {
    assert_eq!(
        registrable_domain("www.example.co.uk"),
        Some("example.co.uk")
    );
    assert_eq!(registrable_domain("example.co.uk"), Some("example.co.uk"));
    assert_eq!(registrable_domain("co.uk"), None);
    assert_eq!(registrable_domain("uk"), None);
    assert_eq!(registrable_domain("a.b.duckdns.org"), Some("b.duckdns.org"));
    assert_eq!(registrable_domain("duckdns.org"), None);
    assert_eq!(registrable_domain("user.github.io"), Some("user.github.io"));
    assert_eq!(registrable_domain("www.example.com."), Some("example.com"));
    assert_eq!(registrable_label("www.example.co.uk"), Some("example"));
}

#[test]
fn psl_parts() {
    assert_eq!(public_suffix("www.example.co.uk"), "co.uk");
    assert_eq!(public_suffix("unknown-tld-name.zzzz"), "zzzz");
    assert_eq!(tld("www.example.co.uk"), "uk");
    assert_eq!(tld("localhost"), "localhost");
    assert_eq!(tld(""), "");
    assert_eq!(subdomain("a.b.example.co.uk"), "a.b");
    assert_eq!(subdomain("example.co.uk"), "");
    assert_eq!(subdomain("co.uk"), "");
}

#[test]
fn psl_wildcards_and_exceptions_from_the_list() {
    // *.ck and !www.ck
    assert_eq!(public_suffix("a.b.ck"), "b.ck");
    assert_eq!(registrable_domain("a.b.ck"), Some("a.b.ck"));
    assert_eq!(registrable_domain("b.ck"), None);
    assert_eq!(public_suffix("www.ck"), "ck");
    assert_eq!(registrable_domain("a.www.ck"), Some("www.ck"));
    // *.kawasaki.jp and !city.kawasaki.jp
    assert_eq!(
        registrable_domain("x.y.z.kawasaki.jp"),
        Some("y.z.kawasaki.jp")
    );
    assert_eq!(
        registrable_domain("www.city.kawasaki.jp"),
        Some("city.kawasaki.jp")
    );
    // Private wildcard: *.compute.amazonaws.com
    assert_eq!(
        registrable_domain("ec2-1-2-3-4.us-west-2.compute.amazonaws.com"),
        Some("ec2-1-2-3-4.us-west-2.compute.amazonaws.com")
    );
    // A Unicode rule in both forms (公司.cn).
    assert_eq!(registrable_domain("www.b.公司.cn"), Some("b.公司.cn"));
    assert_eq!(
        registrable_domain("www.b.xn--55qx5d.cn"),
        Some("b.xn--55qx5d.cn")
    );
}

#[test]
fn psl_sections_and_metadata() {
    let all = PublicSuffixList::builtin();
    let icann = PublicSuffixList::builtin_icann();
    assert!(all.includes_private());
    assert!(!icann.includes_private());
    assert!(all.len() > icann.len() && icann.len() > 5_000);
    assert!(all.version().is_some_and(|v| v.starts_with("20")));
    assert_eq!(
        icann.registrable_domain("a.b.duckdns.org"),
        Some("duckdns.org")
    );
}

#[test]
fn psl_internal_names() {
    assert_eq!(
        registrable_domain("ip-10-0-0-5.ec2.internal"),
        Some("ec2.internal")
    );
    assert_eq!(registrable_domain("ec2.internal"), Some("ec2.internal"));
    assert_eq!(
        registrable_domain("ip-10-0-1-2.us-west-2.compute.internal"),
        Some("compute.internal")
    );
    assert_eq!(
        registrable_domain("kube-dns.kube-system.svc.cluster.local"),
        Some("cluster.local")
    );
    assert_eq!(registrable_domain("localhost"), None);
    assert_eq!(registrable_domain("wpad"), None);
    assert_eq!(
        registrable_domain("4.3.2.10.in-addr.arpa"),
        Some("10.in-addr.arpa")
    );
    assert_eq!(registrable_domain("ip6.arpa"), None);
    assert!(is_internal("ip-10-0-0-5.ec2.internal"));
    assert!(is_internal("web.prod.svc.cluster.local"));
    assert!(is_internal("Instance-Data."));
    assert!(!is_internal("example.com"));
}

// ---------------------------------------------------------------- DomainSet

#[test]
fn domain_set_label_boundaries() {
    let set = DomainSet::new(["oraclevcn.com", "pastebin.com"]);
    assert!(set.contains("oraclevcn.com"));
    assert!(set.contains("vcn1.subnet.oraclevcn.com"));
    assert!(!set.contains("evil-oraclevcn.com"));
    assert!(set.contains("pastebin.com"));
    assert!(set.contains("raw.pastebin.com"));
    assert!(!set.contains("notpastebin.com"));
    assert!(!set.contains("pastebin.com.example.org"));
    assert!(!set.contains("pastebin.co"));
    assert!(!set.contains("com"));
}

#[test]
fn domain_set_normalisation() {
    let set = DomainSet::new(["*.Pastebin.COM.", ".OracleVCN.com", "  supportxmr.com  "]);
    assert_eq!(set.len(), 3);
    assert!(set.contains("WWW.PASTEBIN.com."));
    assert!(set.contains("x.oraclevcn.COM"));
    assert!(set.contains("pool.supportxmr.com."));
    assert_eq!(set.find("Pool.SupportXMR.com"), Some("supportxmr.com"));
    assert_eq!(
        DomainSet::normalize("*.Example.COM."),
        Some("example.com".into())
    );
    assert_eq!(DomainSet::normalize(" . "), None);
}

#[test]
fn domain_set_from_list_files() {
    let set = DomainSet::from_list_text(
        "# mining pools\nsupportxmr.com\n0.0.0.0 coinhive.com  # browser miner\n\n",
    );
    assert!(set.contains("pool.supportxmr.com"));
    assert!(set.contains("coinhive.com"));
    assert!(!set.contains("0.0.0.0"));
    let many: DomainSet = (0..400)
        .map(|i| format!("d{i}.example{}.com", i % 7))
        .collect();
    assert_eq!(many.len(), 400);
    assert!(many.contains("a.b.d399.example0.com"));
    assert!(!many.contains("d399.example1.com"));
}

// ---------------------------------------------------------------- base64 labels

const TEXTS: &[&str] = &[
    "user=admin;pass=hunter2;host=db01.corp",
    "The quick brown fox jumps over the lazy dog!",
    "{\"card\":\"4111111111111111\",\"exp\":\"12/29\"}",
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
];

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn base64_text_positives() {
    let engines = [
        ("standard", &STANDARD),
        ("standard, no padding", &STANDARD_NO_PAD),
        ("url-safe", &URL_SAFE),
        ("url-safe, no padding", &URL_SAFE_NO_PAD),
    ];
    for text in TEXTS {
        for (what, engine) in engines {
            let label = engine.encode(text.as_bytes());
            assert!(label.len() <= 63, "{label}");
            let name = format!("{label}.q.exfil.example.com.");
            let found = find_base64_label(&name);
            assert_eq!(
                found.map(|f| (f.label, f.payload)),
                Some((label.as_str(), Payload::Text)),
                "{what}: {name}"
            );
        }
    }
    let label = STANDARD.encode(utf16le("net user admin P4ss"));
    let name = format!("{label}.example.org");
    assert_eq!(base64_label(&name), Some(label.as_str()), "UTF-16-LE");
    let label = URL_SAFE_NO_PAD.encode("Grüße aus Zürich, Straße 5".as_bytes());
    let name = format!("{label}.example.org");
    assert_eq!(base64_label(&name), Some(label.as_str()), "UTF-8");
}

#[test]
fn base64_binary_positives() {
    // Deterministic pseudo-random bytes: an encrypted or compressed payload.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..45)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    for label in [STANDARD.encode(&bytes), URL_SAFE_NO_PAD.encode(&bytes)] {
        let name = format!("{label}.t.example.net");
        let found = find_base64_label(&name);
        assert_eq!(
            found.map(|f| (f.label, f.payload)),
            Some((label.as_str(), Payload::Binary)),
            "{name}"
        );
        // Base64 is case-sensitive: the lower-cased name is not a payload any more.
        assert_eq!(base64_label(&name.to_ascii_lowercase()), None, "{name}");
    }
}

#[test]
fn base64_negatives() {
    let negatives = [
        // hex ids and a plain 32-character alphanumeric
        "3b6c9e1f0c1d4a5b8e7f6a5b4c3d2e1f00aa11bb.example.com",
        "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z.example.com",
        "0123456789abcdef0123456789abcdef.api.example.com",
        // CDN and ACM names
        "d1a2b3c4d5e6f7.cloudfront.net",
        "d111111abcdef8.cloudfront.net",
        "_3b6c9e1f0c1d4a5b8e7f6a5b4c3d2e1f.example.com",
        "_3b6c9e1f0c1d4a5b8e7f6a5b4c3d2e1f.www.example.com",
        "_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.xkqjwqjwqj.acm-validations.aws",
        // long English-looking labels
        "thisisaverylonghostnameforthewebserver.example.com",
        "ThisIsMyVeryLongHostNameForTheServer.example.com",
        "internationalbusinessmachinescorporation.example.com",
        // shorter than 28 characters
        "dGhpcyBpcyBhIHRlc3Q.example.com",
        "dXNlcj1hZG1pbjtwYXNzPWh1bn.example.com",
        // under amazonaws.com and internal suffixes
        "dXNlcj1hZG1pbjtwYXNzPWh1bnRlcjI7aG9zdD1kYjAx.s3.amazonaws.com",
        "dXNlcj1hZG1pbjtwYXNzPWh1bnRlcjI7aG9zdD1kYjAx.ec2.internal",
        // no registrable domain: nothing to test
        "dXNlcj1hZG1pbjtwYXNzPWh1bnRlcjI7aG9zdD1kYjAx",
        // base64 as the registrable label itself is not a subdomain payload
        "dXNlcj1hZG1pbjtwYXNzPWh1bnRlcjI7aG9zdD1kYjAx.com",
        // bad padding and a mixed alphabet
        "dXNlcj1hZG1pbjtwYXNzPWh1bnRlcjI7aG9zdD1kYjA===.example.com",
        "dXNlcj1hZG1pbjtw+XNzPWh1bnRlcjI7aG9_dD1kYjAx.example.com",
    ];
    for name in negatives {
        assert_eq!(base64_label(name), None, "{name}");
    }
}

// ---------------------------------------------------------------- DGA

#[test]
fn dga_model_loads() {
    let model = builtin_model().expect("the built-in model loads");
    let training = &model.file().training;
    assert_eq!(
        training.benign_sources,
        ["opendns-top-domains.txt", "opendns-random-domains.txt"]
    );
    assert!(training.benign_labels > 15_000);
    assert!(model.file().trigrams.len() > 10_000);
}

#[test]
fn dga_scores_separate_obvious_cases() {
    for name in [
        "xkqzvbnwpqrtzlm.biz",
        "k7x9q2v8z3m4w1p6.net",
        "zxqvkjhgwpfdtrmnb.com",
        "www.vbqwjxkzdfhgtrz.info",
        "q8w7e6r5t4y3u2i1o0p9.ru",
    ] {
        assert!(
            dga_score(name) > DGA_DEFAULT_CUT,
            "{name}: {}",
            dga_score(name)
        );
    }
    for name in [
        "google.com",
        "www.facebook.com",
        "en.wikipedia.org",
        "www.amazon.co.uk",
        "login.microsoftonline.com",
        "github.com",
        "stackoverflow.com",
        "www.bbc.co.uk",
        "weather.com",
        "netflix.com",
    ] {
        assert!(
            dga_score(name) < DGA_DEFAULT_CUT,
            "{name}: {}",
            dga_score(name)
        );
    }
    assert_eq!(dga_score("localhost"), 0.0);
    assert_eq!(dga_score("co.uk"), 0.0);
    assert_eq!(dga_score(""), 0.0);
    assert_eq!(dga_score("xn--80ak6aa92e.com"), 0.0);
    assert_eq!(dga_score("WWW.Google.COM."), dga_score("google.com"));
    // The registrable label under a private suffix is what is scored.
    assert_eq!(
        dga_score("xkqzvbnwpqrtzlm.duckdns.org"),
        dga_score("xkqzvbnwpqrtzlm.com")
    );
}

#[test]
fn dga_training_is_deterministic() {
    let domains = [
        "google.com",
        "youtube.com",
        "facebook.com",
        "baidu.com",
        "wikipedia.org",
        "qq.com",
        "amazon.co.uk",
        "yahoo.co.jp",
        "bbc.co.uk",
        "weather.com",
        "microsoft.com",
        "apple.com",
        "linkedin.com",
        "netflix.com",
        "twitter.com",
        "instagram.com",
        "reddit.com",
        "ebay.de",
        "spotify.com",
        "dropbox.com",
        "github.io",
        "stackoverflow.com",
        "mozilla.org",
    ];
    let labels = benign_labels(domains);
    assert!(labels.len() >= 20);
    let config = TrainConfig {
        seed: 42,
        ..TrainConfig::default()
    };
    let first = model_json(&train(&labels, &config));
    let second = model_json(&train(&labels, &config));
    assert_eq!(first, second);
    let other_seed = model_json(&train(&labels, &TrainConfig { seed: 43, ..config }));
    assert_ne!(first, other_seed);
}

// ---------------------------------------------------------------- entropy and tunnelling

#[test]
fn entropy_and_tunnel_labels() {
    assert_eq!(shannon_entropy(""), 0.0);
    assert!((shannon_entropy("0123456789abcdef") - 4.0).abs() < 1e-5);
    let name = "mzxw6ytboi2dqmzvgq3tmnzygeztcmzu.tunnel.example.com.";
    assert_eq!(
        tunnel_label(name),
        Some("mzxw6ytboi2dqmzvgq3tmnzygeztcmzu.tunnel")
    );
    assert_eq!(tunnel_label("www.example.com"), None);
    assert_eq!(tunnel_label("mail.google.com"), None);
    assert_eq!(
        tunnel_label("mzxw6ytboi2dqmzvgq3tmnzygeztcmzu.s3.amazonaws.com"),
        None
    );
}

// ---------------------------------------------------------------- no panics

fn exercise(name: &str) {
    let registrable = registrable_domain(name);
    let suffix = public_suffix(name);
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    assert!(trimmed.ends_with(suffix));
    if let Some(registrable) = registrable {
        assert!(trimmed.ends_with(registrable));
        assert!(registrable.ends_with(suffix));
    }
    let _ = (tld(name), subdomain(name), registrable_label(name));
    let _ = (
        base64_label(name),
        find_base64_label(name),
        tunnel_label(name),
    );
    let score = dga_score(name);
    assert!((0.0..=1.0).contains(&score), "{score}");
    let entropy = shannon_entropy(name);
    assert!((0.0..=8.0).contains(&entropy));
    let _ = is_internal(name);
    let set = DomainSet::new(["example.com", "a.b.c.d.e.f", name]);
    let _ = set.find(name);
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,20}",
        "[A-Za-z0-9+/=_-]{0,70}",
        "\\PC{0,6}",
        Just(String::new()),
        Just("xn--".to_owned()),
    ]
}

proptest! {
    #[test]
    fn no_panics_on_arbitrary_strings(name in any::<String>()) {
        exercise(&name);
    }

    #[test]
    fn no_panics_on_label_soup(labels in prop::collection::vec(label(), 0..12), dot in any::<bool>()) {
        let mut name = labels.join(".");
        if dot {
            name.push('.');
        }
        exercise(&name);
    }

    #[test]
    fn no_panics_on_long_names(name in "[a-zA-Z0-9.=+/_-]{200,1200}") {
        exercise(&name);
    }
}

#[test]
fn no_panics_on_edge_cases() {
    for name in [
        "", ".", "..", "...", "a..b", ".com", "com.", "..com..", "*.ck", "!www.ck",
    ] {
        exercise(name);
    }
    exercise(&"a.".repeat(2000));
    exercise(&"x".repeat(5000));
}
