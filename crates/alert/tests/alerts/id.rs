//! `alert_id`: known vectors, determinism, the hex form, and length-prefix separation.

use r53guard_alert::alert_id;

#[test]
fn known_vectors() {
    // SHA-256 of nothing: no parts means no bytes hashed.
    assert_eq!(alert_id(&[]), "e3b0c44298fc1c149afbf4c8996fb924");
    assert_eq!(alert_id(&[b""]), "af5570f5a1810b7af78caf4bc70a660f");
    assert_eq!(alert_id(&[b"abc"]), "ce91dc5eec0139adf091900d225971d6");
    assert_eq!(alert_id(&[b"ab", b"c"]), "43ee655579de01ca739b3f95c1c2d3f4");
    assert_eq!(alert_id(&[b"a", b"bc"]), "9a8acca1b6c6c0befd3fbc756aed625d");
}

#[test]
fn same_parts_same_id() {
    let parts: [&[u8]; 3] = [b"r53-0001", b"123456789012", b"2024-05-01T12:00:00.000Z"];
    let first = alert_id(&parts);
    for _ in 0..3 {
        assert_eq!(alert_id(&parts), first);
    }
}

#[test]
fn ids_are_32_lowercase_hex_characters() {
    for n in 0u32..200 {
        let id = alert_id(&[&n.to_le_bytes()]);
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{id}"
        );
    }
}

#[test]
fn part_boundaries_change_the_id() {
    let ids = [
        alert_id(&[b"ab", b"c"]),
        alert_id(&[b"a", b"bc"]),
        alert_id(&[b"abc"]),
        alert_id(&[b"abc", b""]),
        alert_id(&[b"", b"abc"]),
    ];
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            assert_ne!(a, b);
        }
    }
}
