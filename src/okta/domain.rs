//! Turning what a user types as "Okta Domain" into the origin every request goes to.
//!
//! Accepted: a bare host (`acme.okta.com`, `acme.oktapreview.com`, `acme.okta-emea.com`, a
//! custom domain), the same with `https://`, an optional port, and a trailing `/` or `/api/v1`.
//!
//! **Egress policy.** A multi-tenant host runs connections it does not control, and a domain
//! is where the connection's credentials (and Raw Request's paths) go. By default
//! ([`Egress::Strict`]) a domain must be a DNS name reached over https: no `http://`, no IP
//! literal (`169.254.169.254`, `10.0.0.1`, `[::1]`, nor `127.1` or `2130706433`, which URL
//! parsers and resolvers read as addresses), no `localhost`. A host that serves local orgs
//! (a developer's CLI, a fake org in tests) sets `OKTA_ALLOW_LOCAL_ORGS=1` in the component's
//! environment ([`Egress::AllowLocal`]): then `http://` and IP literals are accepted for
//! local hosts. The guest sees names, not addresses: a name that resolves to a private
//! address is the host's network backend to refuse (it checks the address it connects to).

use super::config::OKTA_ALLOW_LOCAL_ORGS;
use crate::error::Error;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which orgs connections may name, as the host set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Egress {
    /// https to a DNS name only: the default.
    Strict,
    /// Also `http://` to a local host, and IP literals: `OKTA_ALLOW_LOCAL_ORGS=1`.
    AllowLocal,
}

impl Egress {
    /// The policy the host set; strict unless `OKTA_ALLOW_LOCAL_ORGS` is `1`.
    pub fn from_env() -> Egress {
        if OKTA_ALLOW_LOCAL_ORGS.value() == 1 {
            Egress::AllowLocal
        } else {
            Egress::Strict
        }
    }
}

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

/// Parses the Okta Domain input under the host's egress policy. Errors name the field `domain`.
pub fn parse(input: &str) -> Result<Origin, Error> {
    parse_with(input, Egress::from_env())
}

/// Parses the Okta Domain input under `egress`.
pub fn parse_with(input: &str, egress: Egress) -> Result<Origin, Error> {
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
    let kind = classify(&host).ok_or_else(|| err("is not a valid host name such as acme.okta.com"))?;
    let local_host = match kind {
        Host::Name | Host::OddIp => false,
        Host::LocalName => true,
        Host::Ip(ip) => is_local(ip),
    };
    let allow = format!("a host that serves local orgs allows them with {}=1", OKTA_ALLOW_LOCAL_ORGS.name);
    match (egress, kind) {
        (Egress::Strict, Host::Ip(_) | Host::OddIp) => {
            return Err(err(&format!("is an IP address: the connector reaches orgs by DNS name over https ({allow})")));
        }
        (Egress::Strict, Host::LocalName) => {
            return Err(err(&format!(
                "names this machine or its local network: the connector reaches orgs by DNS name over https ({allow})"
            )));
        }
        (Egress::Strict, Host::Name) if scheme == "http" => {
            return Err(err("must use https://: http:// would send the credentials in clear"));
        }
        (Egress::AllowLocal, Host::OddIp) => {
            return Err(err(
                "is an IP address in an unusual form: write an IPv4 address as four decimal numbers, such as 10.0.0.1",
            ));
        }
        (Egress::AllowLocal, _) if scheme == "http" && !local_host => {
            return Err(err(
                "http:// is allowed only for local hosts (localhost, loopback or private addresses); use https://",
            ));
        }
        _ => {}
    }
    let authority = match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    Ok(Origin { scheme, authority })
}

/// What a host names.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Host {
    /// A DNS name under a public suffix, such as `acme.okta.com`.
    Name,
    /// `localhost`, `*.localhost` or a single-label name: this machine or its local network.
    LocalName,
    /// An IP literal.
    Ip(IpAddr),
    /// What resolvers read as an IPv4 address in another form (`127.1`, `0x7f.1`, `2130706433`).
    OddIp,
}

/// `None` when `host` is neither a valid name nor an IP literal. A name whose last label is a
/// number (`127.1`, `0x7f.1`, `2130706433`) is an IPv4 address to URL parsers and resolvers:
/// only the dotted-quad form is taken as one, the others are [`Host::OddIp`].
fn classify(host: &str) -> Option<Host> {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().ok().map(|ip| Host::Ip(IpAddr::V6(ip)));
    }
    let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last.strip_prefix("0x").is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if numeric {
        return Some(host.parse::<Ipv4Addr>().map_or(Host::OddIp, |ip| Host::Ip(IpAddr::V4(ip))));
    }
    let labels_ok = host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !labels_ok {
        return None;
    }
    if host == "localhost" || host.ends_with(".localhost") || !host.contains('.') {
        return Some(Host::LocalName);
    }
    Some(Host::Name)
}

/// Loopback, private, link-local, shared (CGNAT) or unspecified: never a real org's address.
pub fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local(IpAddr::V4(v4)),
            None => v6.is_loopback() || v6.is_unspecified() || v6.is_unique_local() || v6.is_unicast_link_local(),
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        parse_with(input, Egress::Strict).unwrap_or_else(|e| panic!("{input}: {e}")).base()
    }

    fn local(input: &str) -> String {
        parse_with(input, Egress::AllowLocal).unwrap_or_else(|e| panic!("{input}: {e}")).base()
    }

    fn refused(input: &str, egress: Egress) -> String {
        match parse_with(input, egress) {
            Err(Error::InvalidConnection { field, message }) if field == "domain" => message,
            other => panic!("{input:?} under {egress:?} gave {other:?}"),
        }
    }

    #[test]
    fn accepts_the_forms_users_type() {
        assert_eq!(ok("acme.okta.com"), "https://acme.okta.com");
        assert_eq!(ok("  https://acme.okta.com/ "), "https://acme.okta.com");
        assert_eq!(ok("HTTPS://Acme.OktaPreview.com"), "https://acme.oktapreview.com");
        assert_eq!(ok("acme.okta-emea.com"), "https://acme.okta-emea.com");
        assert_eq!(ok("https://login.example.co.uk/api/v1"), "https://login.example.co.uk");
        assert_eq!(ok("https://acme.okta.com:8443"), "https://acme.okta.com:8443");
        assert_eq!(ok("https://1password.example.com"), "https://1password.example.com", "digits in a label");
    }

    #[test]
    fn local_orgs_only_when_the_host_allows_them() {
        for (input, base) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://localhost:9000/", "http://localhost:9000"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("http://fake-org:8080", "http://fake-org:8080"),
            ("https://10.0.0.1", "https://10.0.0.1"),
            ("http://192.168.1.20:8080", "http://192.168.1.20:8080"),
        ] {
            assert_eq!(local(input), base);
            assert!(
                refused(input, Egress::Strict).contains(OKTA_ALLOW_LOCAL_ORGS.name),
                "{input}: says how to allow it"
            );
        }
        // Allowed or not, a public name is never reached over http, nor a public address.
        for input in ["http://acme.okta.com", "http://8.8.8.8", "http://[2001:db8::1]"] {
            refused(input, Egress::AllowLocal);
            refused(input, Egress::Strict);
        }
    }

    #[test]
    fn addresses_in_any_spelling_are_refused_by_default() {
        for input in [
            "https://169.254.169.254",
            "https://0.0.0.0",
            "https://10.1.2.3",
            "https://127.1",
            "https://2130706433",
            "https://0x7f.1",
            "https://017700000001",
            "https://[::ffff:127.0.0.1]",
            "https://[fe80::1]",
            "https://localhost",
            "https://metadata.localhost",
            "https://intranet",
            "acme",
            "https://8.8.8.8",
        ] {
            let message = refused(input, Egress::Strict);
            assert!(message.contains(OKTA_ALLOW_LOCAL_ORGS.name), "{input}: says how a host allows it: {message}");
        }
        // Non-canonical IPv4 spellings are refused even where local orgs are allowed.
        for input in ["http://127.1", "http://0x7f.0.0.1", "http://2130706433", "http://127.000.000.001"] {
            refused(input, Egress::AllowLocal);
        }
    }

    #[test]
    fn refuses_everything_else_naming_the_field() {
        for bad in [
            "",
            "   ",
            "http://acme.okta.com",
            "ftp://acme.okta.com",
            "https://acme.okta.com/some/path",
            "https://user@acme.okta.com",
            "acme.okta.com?x=1",
            "acme .okta.com",
            "https://acme.okta.com:0",
            "https://acme.okta.com:99999",
            "-acme.okta.com",
            "http://127.0.0.1.evil.com",
        ] {
            for egress in [Egress::Strict, Egress::AllowLocal] {
                match parse_with(bad, egress) {
                    Err(Error::InvalidConnection { field, .. }) => assert_eq!(field, "domain", "{bad}"),
                    other => panic!("{bad:?} gave {other:?}"),
                }
            }
        }
    }

    #[test]
    fn local_addresses() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_local(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1", "2606:4700::1111"] {
            assert!(!is_local(ip.parse().unwrap()), "{ip}");
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
