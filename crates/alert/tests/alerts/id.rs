//! `alert_id`: known vectors, determinism, the hex form, length-prefix separation, digests
//! given in pieces, and ids read back as digests.

use r53guard_alert::{alert_digest, alert_digest_pieces, alert_id, id_digest, id_hex, id_text};

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

proptest::proptest! {
    #[test]
    fn pieces_hash_as_the_parts_they_join_into(
        parts in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(0u8..=255, 0..6), 0..4), 0..5)
    ) {
        let joined: Vec<Vec<u8>> = parts.iter().map(|p| p.concat()).collect();
        let joined: Vec<&[u8]> = joined.iter().map(Vec::as_slice).collect();
        let pieces: Vec<Vec<&[u8]>> =
            parts.iter().map(|p| p.iter().map(Vec::as_slice).collect()).collect();
        let pieces = pieces.iter().map(Vec::as_slice);
        proptest::prop_assert_eq!(alert_digest_pieces(pieces), alert_digest(&joined));
    }

    #[test]
    fn digests_write_and_read_back_as_ids(digest: u128) {
        let text = id_text(digest);
        proptest::prop_assert_eq!(&text, &format!("{digest:032x}"));
        let hex = id_hex(digest);
        proptest::prop_assert_eq!(hex.as_slice(), text.as_bytes());
        proptest::prop_assert_eq!(id_digest(&text), digest);
    }
}

#[test]
fn other_ids_read_as_distinct_digests() {
    let ids = [
        "",
        "abc",
        "ABCDEF0123456789ABCDEF0123456789",
        "0123456789abcdef0123456789abcde",
    ];
    let digests: Vec<u128> = ids.iter().map(|id| id_digest(id)).collect();
    for (i, a) in digests.iter().enumerate() {
        assert_eq!(*a, id_digest(ids[i]), "the same text reads the same");
        for b in &digests[i + 1..] {
            assert_ne!(a, b);
        }
    }
    let upper = "ABCDEF0123456789ABCDEF0123456789";
    assert_ne!(id_digest(upper), id_digest(&upper.to_lowercase()));
}
