//! API token: `Authorization: SSWS <token>` (Okta's own scheme, not `Bearer`).

use super::check_secret;
use crate::bindings::okta::connector::types::ApiTokenConnection;
use crate::error::Error;
use crate::okta::{domain, Auth, Okta, Secret};

pub fn connect(c: &ApiTokenConnection) -> Result<Okta, Error> {
    let origin = domain::parse(&c.domain)?;
    Ok(Okta::new(origin, Auth::ApiToken(Secret::new(token(&c.token)?))))
}

/// The token itself: users paste it with or without Okta's `SSWS ` scheme in front.
fn token(raw: &str) -> Result<String, Error> {
    check_secret("token", raw)?;
    let t = raw.trim();
    let t = match t.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("ssws") && t[4..].starts_with(char::is_whitespace) => t[4..].trim(),
        _ => t,
    };
    if t.is_empty() || t.eq_ignore_ascii_case("ssws") {
        return Err(Error::connection("token", "holds only the `SSWS` scheme: paste the token after it"));
    }
    if t.contains(char::is_whitespace) {
        return Err(Error::connection("token", "contains spaces; an Okta API token is one word"));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_prefix_and_blanks() {
        assert_eq!(token("00abc").unwrap(), "00abc");
        assert_eq!(token("  SSWS 00abc ").unwrap(), "00abc");
        assert_eq!(token("ssws   00abc").unwrap(), "00abc");
        assert_eq!(token("SSWS00abc").unwrap(), "SSWS00abc", "no space: part of the token");
        for bad in ["", "   ", "SSWS   ", "SSWS a b", "a\nb"] {
            assert!(matches!(token(bad), Err(Error::InvalidConnection { .. })), "{bad:?}");
        }
    }
}
