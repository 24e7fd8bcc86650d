//! Cursor pagination and `Link` headers.
//!
//! Okta quirks reproduced here:
//! - cursors are opaque, but their format differs per listing: plain `/users` uses a digit
//!   followed by the last user's id, `/users?search=` the plain last id;
//! - an `after` value the server never handed out is refused with 400 E0000029;
//! - the `Link` URL is rebuilt by the server: `after` first, then `limit` (defaults written in),
//!   then the remaining known parameters, form-encoded (spaces as `+`, quotes as `%22`);
//! - `self` and `next` are two separate header lines; `next` only when there is more.

use std::cmp::Ordering;

/// A sortable value of the `sortBy` attribute.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortVal {
    Num(i64),
    Str(String),
}

/// Position of an item in a listing: sort value (if sorted by an attribute) then id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorKey {
    pub val: Option<SortVal>,
    pub id: String,
}

/// Listing order: by `val` (nulls last), ties and unsorted listings by id ascending.
pub fn cmp_keys(a: &CursorKey, b: &CursorKey, desc: bool) -> Ordering {
    let by_val = match (&a.val, &b.val) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) if desc => y.cmp(x),
        (Some(x), Some(y)) => x.cmp(y),
    };
    by_val.then_with(|| a.id.cmp(&b.id))
}

/// Returns the page of `items` (any order) that follows `after` in listing order, plus whether
/// more items follow. Selects the page in linear time, then sorts only the page.
pub fn page<T>(
    items: Vec<(CursorKey, T)>,
    after: Option<&CursorKey>,
    limit: usize,
    desc: bool,
) -> (Vec<(CursorKey, T)>, bool) {
    let mut rest: Vec<(CursorKey, T)> = match after {
        Some(a) => items.into_iter().filter(|(k, _)| cmp_keys(k, a, desc) == Ordering::Greater).collect(),
        None => items,
    };
    let more = rest.len() > limit;
    if more {
        if limit > 0 {
            rest.select_nth_unstable_by(limit - 1, |a, b| cmp_keys(&a.0, &b.0, desc));
        }
        rest.truncate(limit);
    }
    rest.sort_by(|a, b| cmp_keys(&a.0, &b.0, desc));
    (rest, more)
}

/// Absolute URL with form-encoded parameters in the given order.
pub fn url(origin: &str, path: &str, params: &[(&str, String)]) -> String {
    if params.is_empty() {
        return format!("{origin}{path}");
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    format!("{origin}{path}?{}", ser.finish())
}

/// One `Link` header value: `<url>; rel="self"`.
pub fn link(url: &str, rel: &str) -> String {
    format!("<{url}>; rel=\"{rel}\"")
}

/// Parses `limit`: default when absent, capped at `max`; junk or < 1 is an error.
pub fn parse_limit(raw: Option<&str>, default: usize, max: usize) -> Result<usize, ()> {
    match raw {
        None => Ok(default),
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(max)),
            _ => Err(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: &str) -> CursorKey {
        CursorKey { val: None, id: id.into() }
    }

    #[test]
    fn pages_by_id_even_if_cursor_item_vanished() {
        let items: Vec<_> = ["c", "a", "e", "b"].iter().map(|s| (k(s), *s)).collect();
        let (p, more) = page(items.clone(), None, 2, false);
        assert_eq!(p.iter().map(|x| x.1).collect::<Vec<_>>(), ["a", "b"]);
        assert!(more);
        let (p, more) = page(items.clone(), Some(&k("b")), 2, false);
        assert_eq!(p.iter().map(|x| x.1).collect::<Vec<_>>(), ["c", "e"]);
        assert!(!more);
        let (p, _) = page(items, Some(&k("d")), 5, false);
        assert_eq!(p.iter().map(|x| x.1).collect::<Vec<_>>(), ["e"]);
    }

    #[test]
    fn sorted_desc_with_nulls_last() {
        let mk = |v: Option<&str>, id: &str| {
            (CursorKey { val: v.map(|s| SortVal::Str(s.into())), id: id.into() }, id.to_string())
        };
        let items = vec![mk(Some("b"), "1"), mk(None, "2"), mk(Some("c"), "3"), mk(Some("b"), "0")];
        let (p, _) = page(items, None, 10, true);
        assert_eq!(p.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(), ["3", "0", "1", "2"]);
    }

    #[test]
    fn link_format() {
        let u = url(
            "https://x.test",
            "/api/v1/users",
            &[
                ("limit", "1".into()),
                ("search", r#"profile.lastName eq "Smith" and created gt "2021-01-01T00:00:00.000Z""#.into()),
            ],
        );
        assert_eq!(u, "https://x.test/api/v1/users?limit=1&search=profile.lastName+eq+%22Smith%22+and+created+gt+%222021-01-01T00%3A00%3A00.000Z%22");
        assert_eq!(link(&u, "self"), format!("<{u}>; rel=\"self\""));
        assert_eq!(parse_limit(Some("500"), 200, 200), Ok(200));
        assert_eq!(parse_limit(None, 200, 200), Ok(200));
        assert!(parse_limit(Some("0"), 200, 200).is_err());
        assert!(parse_limit(Some("x"), 200, 200).is_err());
    }
}
