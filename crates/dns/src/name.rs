//! Name normalisation shared by the modules: one trailing dot stripped, ASCII lower-casing
//! without allocation on the common path.
//!
//! Resolver query logs carry names with a trailing dot and in the case the client sent
//! (detections.md §0). List matching and the Public Suffix List want the lower-case form;
//! the base64 test wants the name as logged. Lower-casing only touches ASCII letters, so byte
//! offsets are the same in both forms and a result found on the lower-case copy can be sliced
//! out of the original.

/// Names up to this many bytes are lower-cased in a stack buffer; longer ones (not valid DNS
/// names, which are at most 253 bytes) are lower-cased on the heap.
const STACK_NAME: usize = 256;

/// `name` without one trailing dot.
#[inline]
pub fn trim_dot(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// Calls `f` with the ASCII-lower-case form of `name`. No copy is made when `name` has no
/// upper-case ASCII letter; otherwise the copy lives on the stack (heap beyond 256 bytes).
#[inline]
pub fn with_lowercase<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return f(name);
    }
    if name.len() <= STACK_NAME {
        let mut buffer = [0u8; STACK_NAME];
        let copy = &mut buffer[..name.len()];
        copy.copy_from_slice(name.as_bytes());
        copy.make_ascii_lowercase();
        // ASCII lower-casing keeps UTF-8 valid, so this conversion cannot fail.
        match std::str::from_utf8(copy) {
            Ok(lower) => f(lower),
            Err(_) => f(&name.to_ascii_lowercase()),
        }
    } else {
        f(&name.to_ascii_lowercase())
    }
}

/// Byte offset where the label starts that ends just before `end` (an offset of a dot, or the
/// name's length): the offset after the previous dot, or 0.
#[inline]
pub fn label_start_before(name: &str, end: usize) -> usize {
    name.as_bytes()[..end]
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(0, |dot| dot + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_one_trailing_dot() {
        assert_eq!(trim_dot("example.com."), "example.com");
        assert_eq!(trim_dot("example.com.."), "example.com.");
        assert_eq!(trim_dot(""), "");
    }

    #[test]
    fn lowercases_only_when_needed() {
        assert_eq!(with_lowercase("Ab.CD", str::to_owned), "ab.cd");
        assert_eq!(with_lowercase("ab.cd", str::to_owned), "ab.cd");
        let long = "A".repeat(300);
        assert_eq!(with_lowercase(&long, str::to_owned), "a".repeat(300));
        assert_eq!(with_lowercase("ÄB", str::to_owned), "Äb");
    }

    #[test]
    fn finds_label_starts() {
        let name = "a.bc.def";
        assert_eq!(label_start_before(name, name.len()), 5);
        assert_eq!(label_start_before(name, 4), 2);
        assert_eq!(label_start_before(name, 1), 0);
    }
}
