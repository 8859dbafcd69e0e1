//! Text helpers for the request path.

/// `str::trim`, answered from the two end bytes when neither is whitespace
/// (the usual case for a configured or resolved name). A printable ASCII
/// byte is not whitespace and cannot be part of a multi-byte character.
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// [`trim`] of an owned string, reusing its buffer (and returning it
/// untouched when there is nothing to trim).
pub(crate) fn trim_owned(mut s: String) -> String {
    let len = trim(&s).len();
    if len == s.len() {
        return s;
    }
    let start = s.len() - s.trim_start().len();
    s.truncate(start + len);
    s.drain(..start);
    s
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn trim_is_str_trim(s in "[ \t\na-z\u{a0}\u{2003}é]{0,6}") {
            prop_assert_eq!(super::trim(&s), s.trim());
        }

        #[test]
        fn trim_owned_is_str_trim(s in "[ \t\na-z\u{a0}\u{2003}é]{0,6}") {
            prop_assert_eq!(super::trim_owned(s.clone()), s.trim());
        }
    }
}
