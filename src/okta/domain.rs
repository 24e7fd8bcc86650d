//! Turning what a user types as "Okta Domain" into the origin every request goes to.
//!
//! Accepted: a bare host (`acme.okta.com`, `acme.oktapreview.com`, `acme.okta-emea.com`, a
//! custom domain), the same with `https://`, an optional port, and a trailing `/` or `/api/v1`.
//! `http://` only for loopback hosts (a local fake org), never for a real org.

use crate::error::Error;

/// Scheme and authority of an Okta org, e.g. `https://acme.okta.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: &'static str,
    /// Lower-cased host, with `:port` when one was given.
    pub authority: String,
}

impl Origin {
    pub fn base(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// Whether `other` (from a `Link` URL) is this org. Okta sometimes writes links with the
    /// admin host (`acme-admin.okta.com` for `acme.okta.com`), which is the same org; that
    /// holds only under Okta's own domains; on a custom domain `login-admin.example.com` can
    /// be someone else's host.
    pub fn same_org(&self, scheme: &str, authority: &str) -> bool {
        if !scheme.eq_ignore_ascii_case(self.scheme) {
            return false;
        }
        let other = authority.to_ascii_lowercase();
        if other == self.authority {
            return true;
        }
        match (admin_host_of(&other), okta_domain(&self.authority)) {
            (Some(org), true) => org == self.authority,
            _ => false,
        }
    }
}

// Okta's own domains (`OKTA_DOMAINS`), from the WIT world's outbound hosts.
include!(concat!(env!("OUT_DIR"), "/hosts.rs"));

fn okta_domain(authority: &str) -> bool {
    let host = authority.split(':').next().unwrap_or(authority);
    OKTA_DOMAINS
        .iter()
        .any(|d| host.strip_suffix(d).is_some_and(|org| org.ends_with('.') && !org[..org.len() - 1].contains('.')))
}

/// `acme-admin.okta.com` → `acme.okta.com`.
fn admin_host_of(authority: &str) -> Option<String> {
    let (first, rest) = authority.split_once('.')?;
    Some(format!("{}.{rest}", first.strip_suffix("-admin")?))
}

/// Parses the Okta Domain input. Errors name the field `domain`.
pub fn parse(input: &str) -> Result<Origin, Error> {
    let err = |m: &str| Error::connection("domain", m);
    let text = input.trim();
    if text.is_empty() {
        return Err(err("is empty; expected a host such as acme.okta.com"));
    }
    let (scheme, rest) = match text.split_once("://") {
        Some((s, rest)) if s.eq_ignore_ascii_case("https") => ("https", rest),
        Some((s, rest)) if s.eq_ignore_ascii_case("http") => ("http", rest),
        Some(_) => return Err(err("must start with https:// (or be a bare host such as acme.okta.com)")),
        None => ("https", text),
    };
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix("/api/v1").unwrap_or(rest);
    if rest.contains(['/', '?', '#', '@', '\\']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err("must be a host name only, such as acme.okta.com (no path, query, user or spaces)"));
    }
    let (host, port) = split_port(rest).ok_or_else(|| err("has an invalid port"))?;
    let host = host.to_ascii_lowercase();
    let loopback = is_loopback(&host);
    if !loopback && !is_hostname(&host) {
        return Err(err("is not a valid host name such as acme.okta.com"));
    }
    if scheme == "http" && !loopback {
        return Err(err("http:// is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https://"));
    }
    let authority = match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    Ok(Origin { scheme, authority })
}

fn split_port(s: &str) -> Option<(&str, Option<u16>)> {
    if let Some(v6) = s.strip_prefix('[') {
        let (_, after) = v6.split_once(']')?;
        let host = &s[..s.len() - after.len()];
        return match after.strip_prefix(':') {
            Some(p) => Some((host, Some(p.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) => Some((h, Some(p.parse().ok().filter(|p| *p != 0)?))),
        None => Some((s, None)),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|r| {
            let parts: Vec<_> = r.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| p.parse::<u8>().is_ok())
        })
}

fn is_hostname(host: &str) -> bool {
    host.len() <= 253
        && host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        parse(input).unwrap_or_else(|e| panic!("{input}: {e}")).base()
    }

    #[test]
    fn accepts_the_forms_users_type() {
        assert_eq!(ok("acme.okta.com"), "https://acme.okta.com");
        assert_eq!(ok("  https://acme.okta.com/ "), "https://acme.okta.com");
        assert_eq!(ok("HTTPS://Acme.OktaPreview.com"), "https://acme.oktapreview.com");
        assert_eq!(ok("acme.okta-emea.com"), "https://acme.okta-emea.com");
        assert_eq!(ok("https://login.example.co.uk/api/v1"), "https://login.example.co.uk");
        assert_eq!(ok("https://acme.okta.com:8443"), "https://acme.okta.com:8443");
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://localhost:9000/"), "http://localhost:9000");
        assert_eq!(ok("http://[::1]:9000"), "http://[::1]:9000");
    }

    #[test]
    fn refuses_everything_else_naming_the_field() {
        for bad in [
            "",
            "   ",
            "http://acme.okta.com",
            "ftp://acme.okta.com",
            "acme",
            "https://acme.okta.com/some/path",
            "https://user@acme.okta.com",
            "acme.okta.com?x=1",
            "acme .okta.com",
            "https://acme.okta.com:0",
            "https://acme.okta.com:99999",
            "-acme.okta.com",
            "http://127.0.0.1.evil.com",
        ] {
            match parse(bad) {
                Err(Error::InvalidConnection { field, .. }) => assert_eq!(field, "domain", "{bad}"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn admin_host_is_the_same_org() {
        let o = parse("acme.okta.com").unwrap();
        assert!(o.same_org("https", "acme-admin.okta.com"));
        assert!(o.same_org("https", "ACME.okta.com"));
        assert!(!o.same_org("https", "evil.okta.com"));
        assert!(!o.same_org("http", "acme.okta.com"));
        assert!(!o.same_org("https", "acme.okta.com.evil.com"));
        assert!(!o.same_org("https", "evil-admin.okta.com"));
        let custom = parse("login.example.com").unwrap();
        assert!(!custom.same_org("https", "login-admin.example.com"), "custom domains have no admin host");
        assert!(custom.same_org("https", "login.example.com"));
    }
}
