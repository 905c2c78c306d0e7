//! The projector's fast path: a hand-written, validating JSON scanner over one record.
//!
//! It walks the record once, byte by byte where it must and eight bytes at a time inside
//! strings, looks object keys up in the path trie, records the spans of wanted values, and skips
//! everything else without building values. It accepts exactly what the serde walk accepts or
//! gives up: whenever it meets something it does not decide itself — malformed JSON, an escaped
//! key, a surrogate escape, a number serde would range-check, very deep nesting — it returns
//! [`Bail`] and the caller reruns the record through the serde walk, which then produces the
//! same captures or the same error as before. Errors are therefore always serde_json's.

use crate::walk::{Captures, PathTrie, key_words_at};

/// The scanner gave up on this record; the serde walk decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

type Res<T = ()> = Result<T, Bail>;

/// Containers nested deeper than this are left to the serde walk (and its recursion limit).
const MAX_DEPTH: u32 = 100;

/// Numbers at interior nodes are parsed by serde (and range-checked); anything longer than this,
/// or with an exponent, is left to it.
const MAX_PLAIN_NUMBER: usize = 20;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bits set (0x80) in the bytes of `x` that are `"`, `\` or below 0x20. The lowest set bit is
/// exact; bits above it may be false positives (borrows), which is all a search needs.
#[inline(always)]
fn special(x: u64) -> u64 {
    let q = x ^ (LO * b'"' as u64);
    let b = x ^ (LO * b'\\' as u64);
    let zq = q.wrapping_sub(LO) & !q;
    let zb = b.wrapping_sub(LO) & !b;
    let ctl = x.wrapping_sub(LO * 0x20) & !x;
    (zq | zb | ctl) & HI
}

/// Advances `i` towards the first `"`, `\\` or control byte at or after it: to that byte, or to
/// within eight bytes of the end of `b` (the caller finishes byte by byte).
#[inline(always)]
fn find_special(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
        // available; each load reads the 16 bytes at `i`, inside `b` since `i + 16 <= b.len()`
        // (unaligned loads are allowed).
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let ctl = _mm_set1_epi8(0x1f);
            while i + 16 <= b.len() {
                let x = _mm_loadu_si128(b.as_ptr().add(i).cast::<__m128i>());
                let hit = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                    // x <= 0x1f (unsigned): max(x, 0x1f) == 0x1f.
                    _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl),
                );
                let m = _mm_movemask_epi8(hit) as u32;
                if m != 0 {
                    return i + m.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while i + 8 <= b.len() {
        let chunk: [u8; 8] = b[i..i + 8].try_into().unwrap_or_default();
        let m = special(u64::from_le_bytes(chunk));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

pub(crate) struct Scanner<'a, 'c> {
    b: &'a [u8],
    i: usize,
    trie: &'a PathTrie,
    caps: &'c mut Captures,
}

impl<'a, 'c> Scanner<'a, 'c> {
    pub(crate) fn new(record: &'a str, trie: &'a PathTrie, caps: &'c mut Captures) -> Self {
        Scanner {
            b: record.as_bytes(),
            i: 0,
            trie,
            caps,
        }
    }

    /// Scans the whole record: one value, whitespace around it, nothing else.
    pub(crate) fn run(mut self) -> Res {
        self.ws();
        self.interior(0, 0)?;
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }

    #[inline(always)]
    fn peek(&self) -> Res<u8> {
        self.b.get(self.i).copied().ok_or(Bail)
    }

    /// The byte after whitespace.
    #[inline(always)]
    fn next_token(&mut self) -> Res<u8> {
        match self.b.get(self.i) {
            Some(&c) if c > b' ' => Ok(c),
            _ => {
                self.ws();
                self.peek()
            }
        }
    }

    /// A value at a node that wants none of it directly but may want something inside it.
    fn interior(&mut self, node: usize, depth: u32) -> Res {
        match self.peek()? {
            b'{' => self.object(node, depth + 1),
            b'[' => self.array(node, depth, Self::interior),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                let exp = self.number()?;
                if exp || self.i - start > MAX_PLAIN_NUMBER {
                    return Err(Bail);
                }
                Ok(())
            }
            _ => self.skip(depth),
        }
    }

    /// An array (`i` at its `[`) one level below `depth`, each element read by `element` at
    /// `node`.
    fn array(&mut self, node: usize, depth: u32, element: fn(&mut Self, usize, u32) -> Res) -> Res {
        let depth = depth + 1;
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.i += 1;
        if self.next_token()? == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            element(self, node, depth)?;
            match self.next_token()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Bail),
            }
        }
    }

    /// An object at `node` (`i` at its `{`, `depth` its own): wanted keys are followed, the
    /// rest skipped.
    fn object(&mut self, node: usize, depth: u32) -> Res {
        let trie = self.trie;
        self.members(
            depth,
            |s, pos| s.child_key(node, pos),
            |s, child| match child {
                Some(child) if trie.slot(child).is_some() => s.slot_value(child, depth),
                Some(child) => s.interior(child, depth),
                None => s.skip(depth),
            },
        )
    }

    /// The key at position `pos` of an object at `node` (`i` after its opening quote, and
    /// after its closing quote on return): its child in the trie. The key expected there
    /// ([`crate::key_order`]) is checked first; any other is scanned and looked up. A key with
    /// an escape gives up: the trie compares raw bytes, so such records go to serde.
    #[inline(always)]
    fn child_key(&mut self, node: usize, pos: usize) -> Res<Option<usize>> {
        let start = self.i;
        if let Some((len, child)) = self.caps.order.expected(node, pos, self.b, start) {
            self.i = start + len + 1;
            return Ok(child);
        }
        self.string_body(false)?;
        let len = self.i - 1 - start;
        let words = key_words_at(self.b, start, len);
        let child = self
            .trie
            .child_words(node, &self.b[start..start + len], words.0, words.1);
        self.caps.order.learn(node, pos, words, len, child);
        Ok(child)
    }

    /// An object's members (`i` at its `{`, `depth` its own): each key is read by `key`
    /// (`i` after its opening quote, given its position in the object), and its value by
    /// `value`, given what `key` returned.
    fn members<K>(
        &mut self,
        depth: u32,
        mut key: impl FnMut(&mut Self, usize) -> Res<K>,
        mut value: impl FnMut(&mut Self, K) -> Res,
    ) -> Res {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.i += 1;
        match self.next_token()? {
            b'}' => {
                self.i += 1;
                return Ok(());
            }
            b'"' => {}
            _ => return Err(Bail),
        }
        let mut pos = 0;
        loop {
            // At the key's opening quote.
            self.i += 1;
            let k = key(self, pos)?;
            pos += 1;
            if self.next_token()? != b':' {
                return Err(Bail);
            }
            self.i += 1;
            self.ws();
            value(self, k)?;
            match self.next_token()? {
                b',' => {
                    self.i += 1;
                    if self.next_token()? != b'"' {
                        return Err(Bail);
                    }
                }
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Bail),
            }
        }
    }

    /// A value at a node that wants it: arrays are split into elements (flattened), objects
    /// are captured whole and searched for wanted keys when the node has children.
    fn slot_value(&mut self, node: usize, depth: u32) -> Res {
        let start = self.i;
        match self.peek()? {
            b'[' => return self.array(node, depth, Self::slot_value),
            b'{' if self.trie.has_children(node) => {
                self.object(node, depth + 1)?;
            }
            b'"' => {
                self.i += 1;
                let esc = self.string_body(true)?;
                if let Some(slot) = self.trie.slot(node) {
                    self.caps.push_flagged(slot, start, self.i, esc);
                }
                return Ok(());
            }
            _ => self.skip(depth)?,
        }
        if let Some(slot) = self.trie.slot(node) {
            // Only strings are marked plain.
            self.caps.push_flagged(slot, start, self.i, true);
        }
        Ok(())
    }

    /// Skips (and validates) one value.
    fn skip(&mut self, depth: u32) -> Res {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.string_body(true).map(drop)
            }
            b'{' => self.members(
                depth + 1,
                |s, _| s.string_body(true).map(drop),
                |s, ()| s.skip(depth + 1),
            ),
            b'[' => self.array(0, depth, |s, _, depth| s.skip(depth)),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => Err(Bail),
        }
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> Res {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    #[inline]
    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.b.get(self.i) {
            self.i += 1;
        }
        self.i - start
    }

    /// A number by the JSON grammar. Returns whether it had an exponent.
    fn number(&mut self) -> Res<bool> {
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => {
                self.i += 1;
                if let Some(b'0'..=b'9') = self.b.get(self.i) {
                    return Err(Bail);
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Bail),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Bail);
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// The rest of a string after its opening quote; `i` ends after the closing quote. Returns
    /// whether it had escapes. With `escapes` false (object keys at wanted nodes), any escape
    /// gives up: the serde walk unescapes such keys before matching them.
    #[inline(always)]
    fn string_body(&mut self, escapes: bool) -> Res<bool> {
        let b = self.b;
        let mut i = self.i;
        let mut esc = false;
        loop {
            i = find_special(b, i);
            while let Some(&c) = b.get(i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                i += 1;
            }
            match b.get(i) {
                Some(b'"') => {
                    self.i = i + 1;
                    return Ok(esc);
                }
                Some(b'\\') if escapes => {
                    esc = true;
                    i = escape(b, i + 1)?;
                }
                _ => return Err(Bail),
            }
        }
    }
}

/// Validates the escape after a backslash (`i` at the byte after it); returns where the string
/// goes on. Surrogate escapes give up (serde checks their pairing in some places, not others).
#[inline]
fn escape(b: &[u8], i: usize) -> Res<usize> {
    match b.get(i) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 1),
        Some(b'u') => {
            let hex = b.get(i + 1..i + 5).ok_or(Bail)?;
            let mut v = 0u32;
            for &h in hex {
                let d = match h {
                    b'0'..=b'9' => h - b'0',
                    b'a'..=b'f' => h - b'a' + 10,
                    b'A'..=b'F' => h - b'A' + 10,
                    _ => return Err(Bail),
                };
                v = (v << 4) | u32::from(d);
            }
            if (0xD800..=0xDFFF).contains(&v) {
                return Err(Bail);
            }
            Ok(i + 5)
        }
        _ => Err(Bail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_finds_the_first_special_byte() {
        for (s, want) in [
            (*b"abcdefgh", None),
            (*b"abc\"efgh", Some(3)),
            (*b"\\bcdefgh", Some(0)),
            (*b"abcdefg\x1f", Some(7)),
            (*b"\xff\xfe\x80\x7f\x20!#[", None),
            (*b"a\x00\"\\\x01bcd", Some(1)),
        ] {
            let m = special(u64::from_le_bytes(s));
            let got = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn find_special_matches_a_byte_loop() {
        let alphabet = b"ab\"\\\x00\x1f\x20\x7f\x80\xff";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..80 {
            for _ in 0..50 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain bytes, so matches land at every offset.
                        if seed.is_multiple_of(8) {
                            alphabet[(seed >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (seed >> 8) as u8 % 26
                        }
                    })
                    .collect();
                for start in 0..=len.min(3) {
                    let want = bytes[start..]
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                        .map(|p| p + start);
                    let got = find_special(&bytes, start);
                    match want {
                        Some(w) => assert!(got == w || (got < w && got + 8 > len), "{bytes:?}"),
                        None => assert!(got + 8 > len || got == len, "{bytes:?}"),
                    }
                    assert!(got <= want.unwrap_or(len));
                }
            }
        }
    }
}
