//! Building request paths from user input: each value becomes exactly one path segment.

use crate::error::Error;

/// The longest value accepted as one path segment. Okta ids are 20 characters and logins at
/// most a few hundred; anything longer is a mistake, refused before it makes a huge URL.
pub const MAX_SEGMENT: usize = 1024;

/// Percent-encodes `value` (the input `field`) as one path segment, so an ID or login (`a/b`,
/// `x?y`, `#`, `..`) can never change the path it is put in.
pub fn segment(field: &str, value: &str) -> Result<String, Error> {
    if value.len() > MAX_SEGMENT {
        return Err(Error::input(field, format!("is {} bytes long; at most {MAX_SEGMENT} are accepted", value.len())));
    }
    Ok(encode_segment(value))
}

/// The encoding itself (no length check).
pub fn encode_segment(value: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    if value.chars().all(|c| c == '.') {
        return value.replace('.', "%2E");
    }
    utf8_percent_encode(value, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape() {
        let s = |v| segment("id", v).unwrap();
        assert_eq!(s("00u1abc"), "00u1abc");
        assert_eq!(s("john.doe@example.com"), "john.doe%40example.com");
        assert_eq!(s("a/b"), "a%2Fb");
        assert_eq!(s("x?y#z"), "x%3Fy%23z");
        assert_eq!(s(".."), "%2E%2E");
        assert_eq!(s("."), "%2E");
        assert_eq!(s("../../groups"), "..%2F..%2Fgroups");
        assert_eq!(s("a b+c%"), "a%20b%2Bc%25");
        assert_eq!(s("jöhn"), "j%C3%B6hn");
    }

    #[test]
    fn huge_values_are_refused_naming_the_field() {
        let e = segment("group_id", &"x".repeat(1_000_000)).unwrap_err();
        assert_eq!(e, Error::input("group_id", "is 1000000 bytes long; at most 1024 are accepted"));
    }
}
