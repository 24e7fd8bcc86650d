//! Who is calling. One place decides the caller from the request: an API token
//! (`Authorization: SSWS <token>`) acting as the admin who created it, or an OAuth access token
//! (`Authorization: Bearer <token>`) with the scopes it was issued for; anything else is 401
//! E0000011. Routes declare the OAuth scope Okta requires for them ([`Scope`]) and the edge
//! enforces it (403 E0000006 with `WWW-Authenticate: Bearer error="insufficient_scope"`).
//! Access tokens are registered by [`State::issue_access_token`]; an authorization server
//! (token endpoint, DPoP binding) can plug in there without any area changing.

use http::HeaderMap;

use super::errors::ApiError;
use super::events::Actor;
use super::state::State;

pub use super::scope::Scope;

/// The API token the fake org accepts.
pub const TOKEN: &str = "fake-org-token-0123456789";

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    /// `SSWS`: the admin's permissions, no scopes involved.
    ApiToken,
    /// An OAuth access token granted these scopes.
    OAuth { scopes: Vec<Scope> },
}

/// The authenticated caller of one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    pub actor: Actor,
    pub credential: Credential,
}

impl Caller {
    /// Whether the caller may use an endpoint that requires `scope`.
    pub fn allows(&self, scope: Option<Scope>) -> bool {
        match (&self.credential, scope) {
            (Credential::ApiToken, _) | (_, None) => true,
            (Credential::OAuth { scopes }, Some(s)) => scopes.contains(&s),
        }
    }
}

/// Decides the caller; 401 E0000011 for a missing, malformed or unknown credential.
pub fn authenticate(st: &State, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let value = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // Bench only: Okta's Python SDK 3.4.x sends `SSWS<token>` (no space), which Okta refuses.
    let tolerated = st.tolerate_ssws_without_space && value.and_then(|v| v.strip_prefix("SSWS")) == Some(TOKEN);
    let ssws = value
        .and_then(|v| v.split_once(' '))
        .map(|(scheme, token)| scheme.eq_ignore_ascii_case("SSWS") && token.trim() == TOKEN)
        .unwrap_or(false);
    if ssws || tolerated {
        return Ok(Caller { actor: st.admin_actor(), credential: Credential::ApiToken });
    }
    let bearer = value.and_then(|v| v.split_once(' ')).filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"));
    match bearer.and_then(|(_, token)| st.access_token_scopes(token.trim())) {
        Some(scopes) => {
            Ok(Caller { actor: st.admin_actor(), credential: Credential::OAuth { scopes: scopes.to_vec() } })
        }
        None => Err(ApiError::invalid_token()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    #[test]
    fn api_token_and_scopes() {
        let mut st = State::default();
        let caller = authenticate(&st, &headers(&format!("SSWS {TOKEN}"))).unwrap();
        assert!(caller.allows(Some(Scope::EventHooksManage)));
        assert_eq!(caller.actor.kind, "User");
        assert_eq!(authenticate(&st, &headers(&format!("Bearer {TOKEN}"))).unwrap_err().code, "E0000011");
        assert!(authenticate(&st, &headers(&format!("SSWS{TOKEN}"))).is_err());
        st.tolerate_ssws_without_space = true;
        assert!(authenticate(&st, &headers(&format!("SSWS{TOKEN}"))).is_ok());
        let token = st.issue_access_token(vec![Scope::UsersRead]);
        let oauth = authenticate(&st, &headers(&format!("Bearer {token}"))).unwrap();
        assert_eq!(oauth.credential, Credential::OAuth { scopes: vec![Scope::UsersRead] });
        assert!(oauth.allows(Some(Scope::UsersRead)) && !oauth.allows(Some(Scope::UsersManage)));
        assert!(authenticate(&st, &headers(&format!("SSWS {token}"))).is_err());
        assert!(authenticate(&st, &headers("Bearer unknown")).is_err());
        assert_eq!(Scope::parse("okta.logs.read"), Some(Scope::LogsRead));
        assert!(Scope::ALL.iter().all(|s| Scope::parse(s.as_str()) == Some(*s)));
        assert_eq!(Scope::EventHooksRead.as_str(), "okta.eventHooks.read");
    }
}
