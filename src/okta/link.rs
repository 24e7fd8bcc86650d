//! `Link` header handling: Okta sends `<url>; rel="self"` and `<url>; rel="next"` as separate
//! header lines, but proxies and some clients join them with commas, so every value is parsed
//! as an RFC 8288 list.

/// The `rel="next"` target among all `Link` header values, if any.
pub fn next_url<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values.into_iter().find_map(|value| {
        let links = nom_rfc8288::complete::link_lenient::<nom_language::error::VerboseError<&str>>(value).ok()?;
        links.into_iter().flatten().find_map(|link| {
            let is_next = link.params.iter().any(|p| {
                p.key.eq_ignore_ascii_case("rel")
                    && p.val
                        .as_deref()
                        .is_some_and(|v| v.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next")))
            });
            is_next.then(|| link.url.to_string())
        })
    })
}

/// The value of the `after` query parameter of a URL: Okta's opaque cursor.
pub fn after_cursor(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "after").map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELF: &str = r#"<https://acme.okta.com/api/v1/users?limit=2>; rel="self""#;
    const NEXT: &str =
        r#"<https://acme.okta.com/api/v1/users?after=200u1%2Cx&limit=2&search=a+eq+%22b%2Cc%22>; rel="next""#;

    #[test]
    fn separate_lines() {
        let next = next_url([SELF, NEXT]).unwrap();
        assert!(next.starts_with("https://acme.okta.com/api/v1/users?after=200u1%2Cx"));
        assert_eq!(after_cursor(&next).as_deref(), Some("200u1,x"));
    }

    #[test]
    fn comma_joined_values() {
        let joined = format!("{SELF}, {NEXT}");
        assert_eq!(next_url([joined.as_str()]), next_url([NEXT]));
    }

    #[test]
    fn commas_inside_urls_do_not_split() {
        let v = r#"<https://a.okta.com/api/v1/logs?filter=x,y&after=1658862453660_1>; rel="next""#;
        assert_eq!(after_cursor(&next_url([v]).unwrap()).as_deref(), Some("1658862453660_1"));
    }

    #[test]
    fn no_next() {
        assert_eq!(next_url([SELF]), None);
        assert_eq!(next_url(Vec::<&str>::new()), None);
        assert_eq!(next_url(["garbage"]), None);
        assert_eq!(after_cursor("https://a.okta.com/api/v1/users?limit=2"), None);
    }

    #[test]
    fn unquoted_rel() {
        assert!(next_url(["<https://a.okta.com/x?after=1>; rel=next"]).is_some());
    }
}
